package googlechat

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// Webhook secrets: no error, log or String output may hold them.
const (
	space    = "AAAAsecretSpace"
	apiKey   = "AIzaSecretKey42"
	apiToken = "xyzzySecretToken42"
)

func TestRenderGoogleChatGolden(t *testing.T) {
	messagetest.GoldenCases(t, messagetest.Cases(t), *update, Render, func(t *testing.T, n *message.Notice, body []byte) {
		checkMessage(t, body, linkURLs(message.Build(n)), nil)
	})
}

// parsed is the body as a test reads it.
type parsed struct {
	Text    string `json:"text"`
	CardsV2 []struct {
		CardID string `json:"cardId"`
		Card   struct {
			Header struct {
				Title    string `json:"title"`
				Subtitle string `json:"subtitle"`
			} `json:"header"`
			Sections []struct {
				Header  string            `json:"header"`
				Widgets []json.RawMessage `json:"widgets"`
			} `json:"sections"`
		} `json:"card"`
	} `json:"cardsV2"`
	Thread *struct {
		ThreadKey string `json:"threadKey"`
	} `json:"thread"`
}

// linkURLs are the URLs of m's link spans: the only URLs a body may link.
func linkURLs(m *message.Message) map[string]bool {
	urls := map[string]bool{}
	add := func(t message.Text) {
		for _, s := range t {
			if s.Kind == message.Link {
				urls[s.URL] = true
			}
		}
	}
	add(m.Subject)
	add(m.Summary)
	add(message.Text(m.Links))
	for _, f := range m.Fields {
		add(f.Value)
	}
	for _, t := range m.Footer {
		add(t)
	}
	for _, l := range []*message.List{m.Lifecycle, m.TaskSets, m.Actions} {
		if l != nil {
			for _, it := range l.Items {
				add(it)
			}
		}
	}
	if f := m.Failure; f != nil {
		add(f.Head)
		add(f.Detail)
		for _, n := range f.Notes {
			add(n)
		}
	}
	return urls
}

var (
	// tagRE is every tag the formatter writes.
	tagRE = regexp.MustCompile(`<b>|</b>|<br>|<font color="#[0-9A-F]{6}">|</font>|<a href="(https?://[^"<>\s]*)">|</a>`)
	// entityRE is every entity the formatter writes.
	entityRE = regexp.MustCompile(`&(amp|lt|gt);`)
)

// checkMessage asserts what every body must satisfy: valid JSON within
// Google Chat's limits, a text, one card with a title, only the tags the
// formatter writes, links only to allowed URLs, and mentions only from
// the configured ones.
func checkMessage(t testing.TB, body []byte, allowed map[string]bool, mentions []string) parsed {
	t.Helper()
	if !json.Valid(body) {
		t.Fatalf("invalid JSON: %s", body)
	}
	if len(body) > MaxBytes {
		t.Fatalf("%d bytes, limit %d", len(body), MaxBytes)
	}
	var p parsed
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(p.Text) == "" {
		t.Error("empty text")
	}
	text := p.Text
	for _, m := range mentions {
		text = strings.ReplaceAll(text, m, "")
	}
	if strings.ContainsAny(text, "<>*`~") || strings.Contains(text, "://") || strings.Contains(text, "_") {
		t.Errorf("text holds Chat markup: %q", p.Text)
	}
	if len(p.CardsV2) != 1 || p.CardsV2[0].CardID == "" {
		t.Fatalf("want one card with an ID: %s", body)
	}
	c := p.CardsV2[0].Card
	if c.Header.Title == "" || len(c.Sections) == 0 {
		t.Fatalf("card without a title or sections: %s", body)
	}
	checkHTML := func(what, s string, tags bool) {
		t.Helper()
		rest := s
		if tags {
			for _, m := range tagRE.FindAllStringSubmatch(s, -1) {
				if m[1] != "" && !allowed[strings.ReplaceAll(m[1], "&amp;", "&")] {
					t.Errorf("%s links %q, not a link span's URL", what, m[1])
				}
			}
			rest = tagRE.ReplaceAllString(s, "")
		}
		if strings.ContainsAny(rest, "<>") || strings.Contains(rest, "://") {
			t.Errorf("%s: markup or URL outside the formatter's tags in %q", what, s)
		}
		if strings.Contains(entityRE.ReplaceAllString(rest, ""), "&") {
			t.Errorf("%s: bare & in %q", what, s)
		}
		if strings.ContainsFunc(s, func(r rune) bool {
			return r < ' ' || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
		}) {
			t.Errorf("%s: control or bidi character in %q", what, s)
		}
	}
	checkHTML("title", c.Header.Title, false)
	checkHTML("subtitle", c.Header.Subtitle, false)
	widgets := 0
	for i, s := range c.Sections {
		checkHTML("section header", s.Header, false)
		if len(s.Widgets) == 0 {
			t.Errorf("section %d has no widgets", i)
		}
		for _, raw := range s.Widgets {
			widgets++
			var w widget
			if err := json.Unmarshal(raw, &w); err != nil {
				t.Fatal(err)
			}
			kinds := 0
			if d := w.DecoratedText; d != nil {
				kinds++
				checkHTML("topLabel", d.TopLabel, false)
				checkHTML("decoratedText", d.Text, true)
			}
			if p := w.TextParagraph; p != nil {
				kinds++
				checkHTML("textParagraph", p.Text, true)
			}
			if b := w.ButtonList; b != nil {
				kinds++
				for _, btn := range b.Buttons {
					checkHTML("button", btn.Text, false)
					if u := btn.OnClick.OpenLink.URL; !allowed[u] || !safeURL(u) {
						t.Errorf("button links %q", u)
					}
				}
			}
			if kinds != 1 {
				t.Errorf("widget with %d kinds: %s", kinds, raw)
			}
		}
	}
	if widgets > maxWidgets {
		t.Errorf("%d widgets, limit %d", widgets, maxWidgets)
	}
	if strings.Contains(string(body), "<users/") && len(mentions) == 0 {
		t.Errorf("mention without configured mentions: %s", body)
	}
	return p
}

func renderT(t *testing.T, n *message.Notice, mentions []string) (parsed, string) {
	t.Helper()
	c := *n
	messagetest.Classify(&c.Event)
	m := message.Build(&c)
	rendered, err := renderMentions(mentions)
	if err != nil {
		t.Fatal(err)
	}
	body, err := Format(m, ThreadKey(c.Event.DeploymentID), mentions)
	if err != nil {
		t.Fatal(err)
	}
	return checkMessage(t, body, linkURLs(m), rendered), string(body)
}

func TestFormatLayout(t *testing.T) {
	p, body := renderT(t, messagetest.GoNotices()["details-traffic-switched"], nil)
	c := p.CardsV2[0].Card
	if c.Header.Title != "🔀 Traffic switched to the new task set" || c.Header.Subtitle != "web-frontend / web-frontend-prod · d-7XQ2K9ABC" {
		t.Errorf("header = %+v", c.Header)
	}
	if p.Thread == nil || p.Thread.ThreadKey != "cutover-d-7XQ2K9ABC" {
		t.Errorf("thread = %+v", p.Thread)
	}
	for _, w := range []string{
		`{"decoratedText":{"topLabel":"Switched at","text":"2026-11-26 11:52:31 UTC","wrapText":true}}`,
		`⌛ <b>Roll back before 12:52 UTC (52 min left)</b>`,
		`"text":"ECS service","onClick":{"openLink":{"url":"https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod-cluster/services/web-frontend/health?region=us-east-1"}}`,
		`Release 3f9c2e1: faster &lt;checkout&gt; &amp; cart`,
		`<a href=\"https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-7XQ2K9ABC?region=us-east-1\">CodeDeploy console</a>`,
	} {
		if !strings.Contains(body, w) {
			t.Errorf("body lacks %s:\n%s", w, body)
		}
	}
}

func TestFormatMentionsOnlyOnDanger(t *testing.T) {
	mentions := []string{"@here", "user:123456789", "@everyone"}
	p, _ := renderT(t, messagetest.GoNotices()["failure-long-error"], mentions)
	if !strings.HasSuffix(p.Text, "\n<users/all> <users/123456789>") {
		t.Errorf("failure text = %q, want the mentions at the end, once each", p.Text)
	}
	p, body := renderT(t, messagetest.GoNotices()["traffic-switched-actions"], mentions)
	if strings.Contains(body, "<users/") {
		t.Errorf("a good message mentions: %q", p.Text)
	}
}

func TestMentionForms(t *testing.T) {
	for _, bad := range [][]string{{"group:S0123"}, {"@someone"}, {"user:"}, {"user:a>b"}, {"user:<users/all>"}, slices.Repeat([]string{"@here"}, maxMentions+1)} {
		if _, err := renderMentions(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
		_, err := Build(chat.Spec{Name: "gc", Type: Type, URL: secret.New("https://chat.googleapis.com/v1/spaces/X/messages?key=k&token=t"), Mentions: bad}, chat.Deps{})
		if err == nil {
			t.Errorf("factory accepted %q", bad)
		}
	}
	_, err := renderMentions([]string{"group:S0123"})
	if err == nil || !strings.Contains(err.Error(), "cannot mention a group") {
		t.Errorf("group error = %v", err)
	}
}

func TestThreadKey(t *testing.T) {
	for id, want := range map[string]string{
		"":            "",
		"d-7XQ2K9ABC": "cutover-d-7XQ2K9ABC",
	} {
		if got := ThreadKey(id); got != want {
			t.Errorf("ThreadKey(%q) = %q, want %q", id, got, want)
		}
	}
	a, b := ThreadKey("d-<b>|x"), ThreadKey("d-<b>|y")
	if a == b || !regexp.MustCompile(`^cutover-d--b--x-[0-9a-f]{12}$`).MatchString(a) {
		t.Errorf("sanitised keys %q, %q", a, b)
	}
	if long := ThreadKey(strings.Repeat("d", 500)); len(long) > maxThreadKey || long == ThreadKey(strings.Repeat("d", 499)) {
		t.Errorf("long key %q", long)
	}
}

func TestThreadedURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://chat.googleapis.com/v1/spaces/S/messages?key=a%2Bb&token=c%3D":                             "https://chat.googleapis.com/v1/spaces/S/messages?key=a%2Bb&token=c%3D&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
		"https://chat.googleapis.com/v1/spaces/S/messages":                                                  "https://chat.googleapis.com/v1/spaces/S/messages?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
		"https://chat.googleapis.com/v1/spaces/S/messages?token=t&messageReplyOption=REPLY_MESSAGE_OR_FAIL": "https://chat.googleapis.com/v1/spaces/S/messages?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD&token=t",
	} {
		if got, err := threadedURL(in); err != nil || got != want {
			t.Errorf("threadedURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"chat.googleapis.com/v1/spaces/" + space, "ftp://x/" + apiToken, "https://h/x?token=%zz" + apiToken} {
		_, err := threadedURL(bad)
		if err == nil || strings.Contains(err.Error(), apiToken) || strings.Contains(err.Error(), space) {
			t.Errorf("threadedURL(%q): err = %v", bad, err)
		}
	}
}

func TestFormatFitsLimit(t *testing.T) {
	// Hostile text that grows five times when escaped, everywhere.
	amp := strings.Repeat("&", 700)
	ev := deploy.Event{Name: codedeploy.DeploymentFailure, DeploymentID: "d-1", Application: amp, DeploymentGroup: amp,
		Error: &deploy.Error{Code: amp, Message: strings.Repeat("&<>", 5000)}}
	var acts []action.Result
	for i := range 40 {
		acts = append(acts, action.Result{Action: "cloudfront-invalidation", Target: amp + fmt.Sprint(i), Error: amp, Paths: []string{amp}})
	}
	n := &message.Notice{Event: ev, Now: messagetest.Now, Actions: acts, Details: messagetest.FuzzDetails(amp, amp, amp, amp, 0)}
	_, body := renderT(t, n, nil)
	if len(body) > MaxBytes {
		t.Fatalf("%d bytes", len(body))
	}
	if !strings.Contains(body, "truncated") && !strings.Contains(body, "Details left out") {
		t.Errorf("a shortened message must say so:\n%s", body)
	}
	// The long error is cut visibly, and counted.
	_, body = renderT(t, &message.Notice{Event: deploy.Event{Name: codedeploy.DeploymentFailure, DeploymentID: "d-1",
		Error: &deploy.Error{Code: "E", Message: strings.Repeat("x", 5000)}}}, nil)
	if !strings.Contains(body, "… (truncated, ") {
		t.Errorf("no visible truncation:\n%s", body)
	}
}

// injections are texts that try to ping, link, format or break the card.
var injections = []string{
	"<users/all>", "<users/123>", "<https://evil.example|click>", "https://evil.example/login",
	`<a href="https://evil.example">x</a>`, "<b>bold</b><br><font color=\"#FF0000\">red</font>",
	"*bold* _italic_ ~strike~ `code` ```block```", "&lt;users/all&gt;", "&amp;lt;", "\u202eevil\u2066", "a\x00b\x1bc\td\re\nf",
	`"}]}],"text":"<users/all>`, strings.Repeat("<users/all>", 3000), "@all @here @everyone",
}

func TestInjectionCorpus(t *testing.T) {
	for i, s := range injections {
		ev := deploy.Event{
			Name: codedeploy.DeploymentFailure, Region: "us-east-1", DeploymentID: "d-" + s,
			Application: s, DeploymentGroup: s, TriggerName: s, MessageID: s, RawStatus: s,
			Error:    &deploy.Error{Code: s, Message: s},
			Rollback: &deploy.Rollback{RollsBack: s, Message: s},
			Target:   &deploy.Target{ID: s, Type: "ECS", Lifecycle: []deploy.LifecycleStep{{Name: s, Status: s}}},
		}
		n := &message.Notice{Event: ev, Now: messagetest.Now, Details: messagetest.FuzzDetails(s, s, s, s, 3),
			Actions: []action.Result{{Action: "cloudfront-invalidation", Target: s, Error: s, Paths: []string{s}}}}
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			_, body := renderT(t, n, nil)
			for _, bad := range []string{"<users/", "<https://evil", "<a href=\"https://evil", "<b>bold", "\u202e", "\\u0000"} {
				if strings.Contains(body, bad) {
					t.Errorf("body holds %q", bad)
				}
			}
		})
	}
}

func FuzzRenderGoogleChat(f *testing.F) {
	for _, s := range injections {
		f.Add(s, "web-frontend", "d-7XQ2K9ABC", "prod-cluster:web", uint8(7), true)
	}
	f.Add(strings.Repeat("<&>", 2000), "<users/all>", "d-<x>|y", "`", uint8(2), false)
	f.Add(strings.Repeat("😀", 3000), strings.Repeat("&", 500), strings.Repeat("é", 300), strings.Repeat(">", 300), uint8(11), true)
	f.Fuzz(func(t *testing.T, msg, name, id, target string, kind uint8, switched bool) {
		ev := messagetest.FuzzEvent(msg, name, id, target, kind, switched)
		n := &message.Notice{Event: ev, Now: messagetest.Now, Actions: messagetest.FuzzActions(msg, name, id, target)[:2], Details: messagetest.FuzzDetails(msg, name, id, target, kind)}
		m := message.Build(n)
		mentions := []string{"@here", "user:42"}
		body, err := Format(m, ThreadKey(id), mentions)
		if err != nil {
			t.Fatal(err)
		}
		p := checkMessage(t, body, linkURLs(m), []string{"<users/all>", "<users/42>"})
		if k := ThreadKey(id); (p.Thread == nil) != (k == "") || (p.Thread != nil && p.Thread.ThreadKey != k) || len(k) > maxThreadKey {
			t.Errorf("thread %+v, want key %q", p.Thread, k)
		}
		again, _ := Format(m, ThreadKey(id), mentions)
		if !bytes.Equal(body, again) {
			t.Fatal("not deterministic")
		}
	})
}
