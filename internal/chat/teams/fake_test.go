package teams

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/chattest"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/secret"
)

// A Workflows webhook URL is shaped like this; its sig is the secret.
const (
	flowPath = "/workflows/0a1b2c3d4e5f/triggers/manual/paths/invoke"
	flowSig  = "sIgSeCrEtXyZZy42"
)

// fakeLimit is the size above which the fake refuses a body: Teams' 28 KB
// read as 28 KiB, the looser reading (cutover keeps to 28,000 bytes).
const fakeLimit = 28 << 10

// fakeFlow is an httptest Workflows webhook: it answers 202 with an empty
// body to a well-formed card, 400 with Power Automate's error JSON to a
// body without the envelope, a card that is not 1.4 or a body over 28 KB,
// and on demand 429 with Retry-After or 500.
type fakeFlow struct {
	srv *httptest.Server

	mu       sync.Mutex
	script   []int // statuses to answer first (429, 500), in order
	received [][]byte
	requests int
}

func newFakeFlow(t *testing.T) *fakeFlow {
	t.Helper()
	f := &fakeFlow{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// url is the webhook URL, with its signature.
func (f *fakeFlow) url() string {
	return f.srv.URL + flowPath + "?api-version=1&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=" + flowSig
}

// then queues statuses to answer before judging bodies.
func (f *fakeFlow) then(statuses ...int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = append(f.script, statuses...)
}

func (f *fakeFlow) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests++
	var status int
	if len(f.script) > 0 {
		status, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()
	switch status {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		flowError(w, status, "TooManyRequests", "Rate limit is exceeded. Try again in 1 seconds.")
		return
	case http.StatusInternalServerError:
		flowError(w, status, "InternalServerError", "The server encountered an internal error.")
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != flowPath || r.URL.Query().Get("sig") != flowSig {
		flowError(w, http.StatusUnauthorized, "DirectApiAuthorizationRequired", "The request must be authenticated.")
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		flowError(w, http.StatusBadRequest, "TriggerRequestMethodNotValid", "The request content type must be application/json.")
		return
	}
	if len(body) > fakeLimit {
		flowError(w, http.StatusRequestEntityTooLarge, "MessageSizeExceeded", fmt.Sprintf("The message is %d bytes, over the 28 KB limit.", len(body)))
		return
	}
	if msg := cardProblem(body); msg != "" {
		flowError(w, http.StatusBadRequest, "InvalidTemplate", msg)
		return
	}
	f.mu.Lock()
	f.received = append(f.received, body)
	f.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

// cardProblem is what the flow would say of body, "" when it would post it.
func cardProblem(body []byte) string {
	var env struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     *struct {
				Type    string            `json:"type"`
				Version string            `json:"version"`
				Body    []json.RawMessage `json:"body"`
			} `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return "The request body is not valid JSON."
	}
	if env.Attachments == nil {
		return "Unable to process template language expressions for action 'Send_each_adaptive_card': the value of 'attachments' is of type 'Null'."
	}
	for _, a := range env.Attachments {
		switch {
		case a.ContentType != "application/vnd.microsoft.card.adaptive" || a.Content == nil:
			return "The attachment is not an Adaptive Card."
		case a.Content.Type != "AdaptiveCard":
			return "Property 'type' must be 'AdaptiveCard'."
		case a.Content.Version != "1.4":
			return "The card version " + a.Content.Version + " is not supported: this card couldn't be displayed."
		case len(a.Content.Body) == 0:
			return "The card has no body."
		}
	}
	return ""
}

// flowError answers like Power Automate: {"error":{"code","message"}}.
func flowError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// testPoster retries without sleeping long.
func testPoster() *chat.Poster {
	return chat.NewPoster(chat.PosterOptions{
		Timeout: 5 * time.Second,
		Policy:  retry.Policy{Attempts: 3, Base: time.Millisecond, Max: 5 * time.Second},
	})
}

func TestNotifyPostsCard(t *testing.T) {
	f := newFakeFlow(t)
	n := messagetest.GoNotices()["details-traffic-switched"]
	want, err := Render(n)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := New(f.url(), testPoster()).Notify(context.Background(), messagetest.Notification(n))
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if rc != (chat.Receipt{Destination: "teams"}) {
		t.Errorf("receipt = %+v, want only the destination type", rc)
	}
	if len(f.received) != 1 || !bytes.Equal(f.received[0], want) {
		t.Errorf("flow received %d cards; equal to Render: %v", len(f.received), len(f.received) == 1 && bytes.Equal(f.received[0], want))
	}
}

func TestNotifyRetries(t *testing.T) {
	for _, status := range []int{http.StatusTooManyRequests, http.StatusInternalServerError} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			f := newFakeFlow(t)
			f.then(status)
			_, err := New(f.url(), testPoster()).Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"]))
			if err != nil {
				t.Fatalf("Notify: %v", err)
			}
			if f.requests != 2 || len(f.received) != 1 {
				t.Errorf("%d requests, %d cards posted; want a retry, then the card", f.requests, len(f.received))
			}
		})
	}
	// Still failing after every attempt: retryable, for Lambda to retry.
	f := newFakeFlow(t)
	f.then(500, 500, 500)
	_, err := New(f.url(), testPoster()).Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"]))
	if err == nil || retry.IsPermanent(err) || !strings.Contains(err.Error(), "teams: post: 500") {
		t.Errorf("err = %v, want a retryable 500", err)
	}
}

// postRaw posts a fixed body through the real Poster, to see the fake
// refuse what Format never makes.
func postRaw(t *testing.T, f *fakeFlow, body []byte) error {
	t.Helper()
	_, err := testPoster().Post(context.Background(), f.url(), body, map[string]string{"Content-Type": "application/json"}, Accepted)
	return err
}

func TestFakeFlowRefusesBadCards(t *testing.T) {
	f := newFakeFlow(t)
	good, err := Render(messagetest.GoNotices()["bare-unknown"])
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string][]byte{
		"no envelope": []byte(`{"type":"AdaptiveCard","version":"1.4","body":[]}`),
		"version 1.5": bytes.Replace(good, []byte(`"version":"1.4"`), []byte(`"version":"1.5"`), 1),
		"over 28 KB":  bytes.Replace(good, []byte(`"body":[`), []byte(`"body":[{"type":"TextBlock","text":"`+strings.Repeat("x", fakeLimit)+`"},`), 1),
	} {
		t.Run(name, func(t *testing.T) {
			err := postRaw(t, f, body)
			var se *chat.StatusError
			if !errors.As(err, &se) || se.StatusCode/100 != 4 || !strings.Contains(se.Body, `"error"`) || !retry.IsPermanent(err) {
				t.Errorf("err = %v, want a permanent 4xx with the flow's error", err)
			}
		})
	}
	if err := postRaw(t, f, good); err != nil {
		t.Errorf("a card Format made was refused: %v", err)
	}
}

func TestNotifyNeverSendsOversizeCard(t *testing.T) {
	f := newFakeFlow(t)
	m := &message.Message{Title: strings.Repeat("t", MaxPayload), Fallback: message.Text{{Text: "t"}}}
	_, err := New(f.url(), testPoster()).Notify(context.Background(), &chat.Notification{Message: m})
	if !retry.IsPermanent(err) || !strings.Contains(err.Error(), "limit") {
		t.Errorf("err = %v, want a permanent error naming the limit", err)
	}
	if f.requests != 0 {
		t.Errorf("%d requests: an oversize card was sent", f.requests)
	}
}

func TestNotifyErrorsHideURL(t *testing.T) {
	f := newFakeFlow(t)
	n := New(f.srv.URL+"/wrong?sig="+flowSig, testPoster())
	_, err := n.Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"]))
	if !retry.IsPermanent(err) || !strings.Contains(err.Error(), "401") {
		t.Errorf("err = %v, want a permanent 401", err)
	}
	if _, err := n.Notify(context.Background(), nil); !retry.IsPermanent(err) {
		t.Errorf("nil notification: err = %v, want permanent", err)
	}
	for _, out := range append(chattest.Printed(n), err.Error()) {
		if strings.Contains(out, flowSig) || strings.Contains(out, "/wrong") {
			t.Errorf("output leaks the URL: %s", out)
		}
	}
}

func TestAccepted(t *testing.T) {
	for _, tc := range []struct {
		status int
		body   string
		ok     bool
	}{
		{202, "", true},
		{200, "", true},
		{200, "1", true},
		{200, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413", false},
		{204, "", false},
	} {
		err := Accepted(tc.status, []byte(tc.body))
		if (err == nil) != tc.ok || (err != nil && !retry.IsPermanent(err)) {
			t.Errorf("Accepted(%d, %q) = %v, want ok %v (errors permanent)", tc.status, tc.body, err, tc.ok)
		}
	}
}

func TestBuild(t *testing.T) {
	deps := chat.Deps{Poster: testPoster()}
	if _, err := Build(chat.Spec{Name: "t", Type: "teams", URL: secret.New("https://x.logic.azure.com/workflows/1?sig=" + flowSig)}, deps); err != nil {
		t.Errorf("Build: %v", err)
	}
	_, err := Build(chat.Spec{Name: "t", Type: "teams", URL: secret.New("https://x.logic.azure.com/workflows/1?sig=" + flowSig), Mentions: []string{"@here"}}, deps)
	if !errors.Is(err, ErrMentions) || strings.Contains(err.Error(), flowSig) {
		t.Errorf("mentions: err = %v, want ErrMentions", err)
	}
	if _, err := Build(chat.Spec{Name: "t", Type: "teams"}, deps); err == nil {
		t.Error("no URL: built")
	}
}
