package discord

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// fakeDiscord is an httptest Discord webhook that checks every documented
// limit on what it is sent, as Discord does (counting code points, its
// own way), and answers like Discord: 400 {"code":50035,...} on a broken
// limit, 200 with a message object with wait=true, else 204. Fail
// scripts answers before that: "429" (retry_after 0.25 s), "404" (unknown
// webhook), "500".
type fakeDiscord struct {
	srv *httptest.Server
	// path is the webhook's path, holding its secret token.
	path string

	mu     sync.Mutex
	fail   []string
	bodies [][]byte
	waits  []string
	nextID int
}

// webhookPath is shaped like a Discord webhook's: /api/webhooks/ID/TOKEN.
const (
	webhookToken = "xyzzyS3cretWebhookToken_Discord42"
	webhookPath  = "/api/webhooks/112233445566778899/" + webhookToken
)

func newFakeDiscord(t *testing.T, fail ...string) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{path: webhookPath, fail: fail, nextID: 1}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// url is the webhook URL, with query when given.
func (f *fakeDiscord) url(query string) string {
	if query == "" {
		return f.srv.URL + f.path
	}
	return f.srv.URL + f.path + "?" + query
}

func (f *fakeDiscord) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, body)
	f.waits = append(f.waits, r.URL.Query().Get("wait"))
	var fail string
	if len(f.fail) > 0 {
		fail, f.fail = f.fail[0], f.fail[1:]
	}
	id := f.nextID
	f.nextID++
	f.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.Method != http.MethodPost || r.URL.Path != f.path:
		fail = "404"
	case r.Header.Get("Content-Type") != "application/json":
		w.WriteHeader(http.StatusUnsupportedMediaType)
		io.WriteString(w, `{"code":50006,"message":"Cannot send an empty message"}`)
		return
	}
	switch fail {
	case "429":
		w.Header().Set("Retry-After", "1")
		w.Header().Set("X-RateLimit-Scope", "user")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"message":"You are being rate limited.","retry_after":0.25,"global":false}`)
		return
	case "404":
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"code":10015,"message":"Unknown Webhook"}`)
		return
	case "500":
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"message":"500: Internal Server Error","code":0}`)
		return
	}
	if problem := discordProblem(body); problem != "" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"code":50035,"message":"Invalid Form Body","errors":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":%q}]}}`, problem)
		return
	}
	if r.URL.Query().Get("wait") != "true" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	fmt.Fprintf(w, `{"type":0,"content":"…","mentions":[],"id":"13099887766554433%02d","channel_id":"1209876543210987654","webhook_id":"112233445566778899","timestamp":"2026-11-26T12:00:00.000000+00:00","flags":0}`, id)
}

// discordProblem says which of Discord's rules body breaks, "" when none:
// valid JSON, something to show, content 2,000, 10 embeds, title 256,
// description 4,096, 25 fields with non-empty name (256) and value
// (1,024), footer 2,048, author 256, 6,000 over all embeds; allowed
// mentions that do not both parse and list users or roles.
func discordProblem(body []byte) string {
	var msg struct {
		Content *string `json:"content"`
		Embeds  []struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			URL         string `json:"url"`
			Color       *int   `json:"color"`
			Fields      []struct {
				Name   string `json:"name"`
				Value  string `json:"value"`
				Inline bool   `json:"inline"`
			} `json:"fields"`
			Footer *struct {
				Text string `json:"text"`
			} `json:"footer"`
			Author *struct {
				Name string `json:"name"`
			} `json:"author"`
		} `json:"embeds"`
		AllowedMentions *struct {
			Parse []string `json:"parse"`
			Users []string `json:"users"`
			Roles []string `json:"roles"`
		} `json:"allowed_mentions"`
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&msg); err != nil {
		return "body: " + err.Error()
	}
	n := utf8.RuneCountInString
	if (msg.Content == nil || *msg.Content == "") && len(msg.Embeds) == 0 {
		return "Cannot send an empty message"
	}
	if msg.Content != nil && n(*msg.Content) > 2000 {
		return "content: Must be 2000 or fewer in length."
	}
	if len(msg.Embeds) > 10 {
		return "embeds: Must be 10 or fewer in length."
	}
	total := 0
	for i, e := range msg.Embeds {
		if n(e.Title) > 256 {
			return fmt.Sprintf("embeds.%d.title: Must be 256 or fewer in length.", i)
		}
		if n(e.Description) > 4096 {
			return fmt.Sprintf("embeds.%d.description: Must be 4096 or fewer in length.", i)
		}
		if e.Color != nil && (*e.Color < 0 || *e.Color > 0xFFFFFF) {
			return fmt.Sprintf("embeds.%d.color: Int value should be less than or equal to 16777215.", i)
		}
		if e.URL != "" && !strings.HasPrefix(e.URL, "http://") && !strings.HasPrefix(e.URL, "https://") {
			return fmt.Sprintf("embeds.%d.url: Not a well formed URL.", i)
		}
		if len(e.Fields) > 25 {
			return fmt.Sprintf("embeds.%d.fields: Must be 25 or fewer in length.", i)
		}
		total += n(e.Title) + n(e.Description)
		for j, f := range e.Fields {
			if strings.TrimSpace(f.Name) == "" || strings.TrimSpace(f.Value) == "" {
				return fmt.Sprintf("embeds.%d.fields.%d: This field is required", i, j)
			}
			if n(f.Name) > 256 {
				return fmt.Sprintf("embeds.%d.fields.%d.name: Must be 256 or fewer in length.", i, j)
			}
			if n(f.Value) > 1024 {
				return fmt.Sprintf("embeds.%d.fields.%d.value: Must be 1024 or fewer in length.", i, j)
			}
			total += n(f.Name) + n(f.Value)
		}
		if e.Footer != nil {
			if n(e.Footer.Text) > 2048 {
				return fmt.Sprintf("embeds.%d.footer.text: Must be 2048 or fewer in length.", i)
			}
			total += n(e.Footer.Text)
		}
		if e.Author != nil {
			if n(e.Author.Name) > 256 {
				return fmt.Sprintf("embeds.%d.author.name: Must be 256 or fewer in length.", i)
			}
			total += n(e.Author.Name)
		}
	}
	if total > 6000 {
		return "embeds: Embed size exceeds maximum size of 6000"
	}
	if am := msg.AllowedMentions; am != nil {
		for _, p := range am.Parse {
			if (p == "users" && len(am.Users) > 0) || (p == "roles" && len(am.Roles) > 0) {
				return "allowed_mentions: parse and a list of the same kind are mutually exclusive"
			}
		}
		if len(am.Users) > 100 || len(am.Roles) > 100 {
			return "allowed_mentions: Must be 100 or fewer in length."
		}
	}
	return ""
}
