package teams

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func TestRenderTeamsGolden(t *testing.T) {
	messagetest.GoldenCases(t, messagetest.Cases(t), *update, Render, func(t *testing.T, _ *message.Notice, body []byte) {
		checkCard(t, body)
	})
}

// wireCard is a card read back from the body, loosely: what the checks
// look at.
type wireCard struct {
	Type         string                 `json:"type"`
	Schema       string                 `json:"$schema"`
	Version      string                 `json:"version"`
	FallbackText string                 `json:"fallbackText"`
	MSTeams      struct{ Width string } `json:"msteams"`
	Body         []wireElement          `json:"body"`
	Actions      []struct {
		Type, Title, URL string
	} `json:"actions"`
}

type wireElement struct {
	Type, Text, Color, Style, Size, Weight, Spacing, FontType string
	Facts                                                     []struct{ Title, Value string }
	Items                                                     []wireElement
}

// readCard decodes a Workflows body and returns its card, failing the
// test when the envelope is not what the flow takes.
func readCard(t testing.TB, body []byte) wireCard {
	t.Helper()
	if !json.Valid(body) {
		t.Fatalf("invalid JSON: %s", body)
	}
	var env struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string   `json:"contentType"`
			Content     wireCard `json:"content"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	if env.Type != "message" || len(env.Attachments) != 1 || env.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" {
		t.Fatalf("not a Workflows message with one Adaptive Card: %s", body)
	}
	return env.Attachments[0].Content
}

var (
	namedColors = map[string]bool{"": true, "default": true, "dark": true, "light": true, "accent": true, "good": true, "warning": true, "attention": true}
	namedStyles = map[string]bool{"": true, "default": true, "emphasis": true, "good": true, "attention": true, "warning": true, "accent": true}
)

// checkCard asserts what every body must satisfy: the envelope, card 1.4
// at full width, at most MaxPayload bytes, named colours only, buttons to
// http(s) URLs only, text that can neither link nor mention, and no
// control or bidi character.
func checkCard(t testing.TB, body []byte) wireCard {
	t.Helper()
	if len(body) > MaxPayload {
		t.Errorf("body is %d bytes, limit %d", len(body), MaxPayload)
	}
	c := readCard(t, body)
	if c.Type != "AdaptiveCard" || c.Version != "1.4" || c.MSTeams.Width != "Full" || c.Schema == "" {
		t.Errorf("card type %q version %q width %q schema %q", c.Type, c.Version, c.MSTeams.Width, c.Schema)
	}
	if strings.TrimSpace(c.FallbackText) == "" {
		t.Error("empty fallback text")
	}
	checkPlain(t, "fallback", c.FallbackText)
	if len(c.Body) == 0 || c.Body[0].Type != "Container" || len(c.Body[0].Items) == 0 {
		t.Fatalf("no headline container: %s", body)
	}
	var walk func([]wireElement)
	walk = func(es []wireElement) {
		for i, e := range es {
			what := fmt.Sprintf("%s %d", e.Type, i)
			if !namedColors[e.Color] || !namedStyles[e.Style] {
				t.Errorf("%s: colour %q style %q is not a named one", what, e.Color, e.Style)
			}
			switch e.Type {
			case "TextBlock":
				if strings.TrimSpace(e.Text) == "" {
					t.Errorf("%s: empty", what)
				}
				checkInert(t, what, e.Text)
			case "FactSet":
				for _, f := range e.Facts {
					checkInert(t, what+" title", f.Title)
					checkInert(t, what+" value", f.Value)
				}
			case "Container":
				walk(e.Items)
			default:
				t.Errorf("%s: unexpected element type", what)
			}
		}
	}
	walk(c.Body)
	if len(c.Actions) > 6 {
		t.Errorf("%d buttons, Teams shows 6", len(c.Actions))
	}
	for _, a := range c.Actions {
		if a.Type != "Action.OpenUrl" || a.Title == "" || !safeURL(a.URL) || !(strings.HasPrefix(a.URL, "https://") || strings.HasPrefix(a.URL, "http://")) {
			t.Errorf("bad button %+v", a)
		}
		checkPlain(t, "button", a.Title)
	}
	return c
}

// checkPrintable asserts s holds no control (but newline) or bidi
// override character.
func checkPrintable(t testing.TB, what, s string) {
	t.Helper()
	for _, r := range s {
		if (unicode.IsControl(r) && r != '\n') || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') {
			t.Errorf("%s: control or bidi character %U in %q", what, r, s)
			return
		}
	}
}

// checkPlain asserts that plain text s can neither link nor mention: "@"
// "<" "](" and "://" are all followed by a zero width space.
func checkPlain(t testing.TB, what, s string) {
	t.Helper()
	checkPrintable(t, what, s)
	for _, bad := range []string{"@", "<", "](", "://"} {
		if strings.Contains(strings.ReplaceAll(s, bad+zwsp, ""), bad) {
			t.Errorf("%s: live %q in %q", what, bad, s)
		}
	}
}

// checkInert asserts that TextBlock Markdown s can neither link nor
// mention: every [ ] < > is escaped, no "](" no "://" no "www." and no "@"
// that a zero width space does not follow.
func checkInert(t testing.TB, what, s string) {
	t.Helper()
	checkPrintable(t, what, s)
	escaped := false
	for i, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case strings.ContainsRune("[]<>`", r):
			t.Errorf("%s: unescaped %q at %d in %q", what, r, i, s)
			return
		case r == '@' && !strings.HasPrefix(s[i+1:], zwsp):
			t.Errorf("%s: live @ in %q", what, s)
			return
		}
	}
	for _, bad := range []string{"](", "://"} {
		if strings.Contains(s, bad) {
			t.Errorf("%s: %q in %q", what, bad, s)
		}
	}
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || strings.ContainsRune(`(<"'\`, r) }) {
		if strings.HasPrefix(strings.ToLower(w), "www.") {
			t.Errorf("%s: autolink %q in %q", what, w, s)
		}
	}
}

// texts are every text of a card: its TextBlocks and facts.
func texts(c wireCard) string {
	var b strings.Builder
	var walk func([]wireElement)
	walk = func(es []wireElement) {
		for _, e := range es {
			if e.Text != "" {
				b.WriteString(e.Text + "\n")
			}
			for _, f := range e.Facts {
				b.WriteString(f.Title + ": " + f.Value + "\n")
			}
			walk(e.Items)
		}
	}
	walk(c.Body)
	return b.String()
}

func renderT(t *testing.T, n *message.Notice) (body []byte, c wireCard, all string) {
	t.Helper()
	cp := *n
	messagetest.Classify(&cp.Event)
	body, err := Render(&cp)
	if err != nil {
		t.Fatal(err)
	}
	c = checkCard(t, body)
	return body, c, texts(c)
}

func TestRenderTeamsKinds(t *testing.T) {
	notices := messagetest.GoNotices()
	for _, tc := range []struct {
		name  string
		n     *message.Notice
		want  []string
		color string
	}{
		{"switched", notices["traffic-switched-actions"], []string{"🔀 Traffic switched to the new task set", "web-frontend / web-frontend-prod · d-7XQ2K9ABC", "Switched at: 2026-11-26 11:52:31 UTC"}, "good"},
		{"failure", notices["failure-long-error"], []string{"❌ Deployment failed", "**Error** ECS\\_UPDATE\\_ERROR", "\\<web-frontend:42\\> is unhealthy & failing", "… (truncated, "}, "attention"},
		{"rollback", notices["rollback-traffic-switched"], []string{"Traffic switched back"}, "warning"},
		{"ready", notices["details-ready-reroute"], []string{"waiting for traffic reroute"}, "accent"},
		{"trigger test", notices["trigger-test-no-name"], []string{"🔔"}, "default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, c, all := renderT(t, tc.n)
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("card lacks %q:\n%s", w, all)
				}
			}
			if got := c.Body[0].Items[0].Color; got != tc.color {
				t.Errorf("title colour %q, want %q", got, tc.color)
			}
		})
	}
}

func TestRenderTeamsButtons(t *testing.T) {
	_, c, _ := renderT(t, messagetest.GoNotices()["details-traffic-switched"])
	var titles []string
	for _, a := range c.Actions {
		titles = append(titles, a.Title)
	}
	want := []string{"CodeDeploy console", "ECS service", "Logs /ecs/web-frontend", "Deployment group"}
	if !slices.Equal(titles, want) {
		t.Errorf("buttons %q, want %q", titles, want)
	}
	// A link that is not http(s) gives no button.
	m := &message.Message{Title: "t", Fallback: message.Text{{Text: "t"}}, Links: []message.Span{
		{Kind: message.Link, Text: "js", URL: "javascript:alert(1)"},
		{Kind: message.Link, Text: "data", URL: "data:text/html,x"},
		{Kind: message.Link, Text: "user", URL: "https://a@b.example/"},
		{Kind: message.Link, Text: "ok", URL: "https://ok.example/x?y=1"},
	}}
	body, err := Format(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	c = checkCard(t, body)
	if len(c.Actions) != 1 || c.Actions[0].URL != "https://ok.example/x?y=1" {
		t.Errorf("buttons %+v, want the https one only", c.Actions)
	}
}

func TestFormatRefusesMentions(t *testing.T) {
	if _, err := Format(message.Build(messagetest.GoNotices()["failure-long-error"]), []string{"@here"}); err == nil || !strings.Contains(err.Error(), "cannot @mention") {
		t.Errorf("err = %v, want the mentions refused", err)
	}
}

func TestRenderTeamsNil(t *testing.T) {
	if _, err := Render(nil); err == nil {
		t.Error("nil notice rendered")
	}
	if _, err := Format(nil, nil); err == nil {
		t.Error("nil message rendered")
	}
}

// hostile are strings a deployment could carry to ping, link or break the
// card.
var hostile = []string{
	"<at>everyone</at>", "@channel", "@everyone @here", "[x](https://evil.example)", "![img](https://evil.example/i.png)",
	"**bold** _it_ ~~del~~ `code` # head", "- item\n1. one\n+ plus", "<https://evil.example|click>", "https://evil.example/path",
	"www.evil.example", "\x00\x07\x1b[31m\u202eRTL\u2066", "\\[x\\](https://evil.example)", "]" + "(https://evil.example)",
	"&lt;at&gt;", strings.Repeat("A", 10_000), strings.Repeat("[x](https://e.example) @here ", 500),
}

func TestRenderTeamsInjection(t *testing.T) {
	for i, h := range hostile {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			ev := deploy.Event{
				Name: codedeploy.DeploymentFailure, Region: h, AccountID: h, TriggerName: h, Application: h, DeploymentGroup: h,
				DeploymentID: h, RawStatus: h, MessageID: h,
				Error:  &deploy.Error{Code: h, Message: h},
				Target: &deploy.Target{ID: h, Type: "ECS", Lifecycle: []deploy.LifecycleStep{{Name: h, Status: h}}},
			}
			n := &message.Notice{Event: ev, Now: messagetest.Now,
				Actions: []action.Result{{Action: "cloudfront-invalidation", Target: h, ID: h, Paths: []string{h}, Error: h}},
				Details: messagetest.FuzzDetails(h, h, h, h, 7)}
			_, c, all := renderT(t, n)
			// Everything shown but the button URLs, which come from the
			// message's links (a URL may hold anything in its path).
			all += c.FallbackText
			for _, a := range c.Actions {
				all += a.Title
			}
			for _, bad := range []string{"<at>", "@channel", "@here", "@everyone", "](https://evil", "\x1b", "\u202e", strings.Repeat("A", 3001)} {
				if strings.Contains(all, bad) {
					t.Errorf("card shows %q", bad)
				}
			}
			for _, a := range c.Actions {
				if strings.Contains(a.URL, "evil") && !strings.HasPrefix(a.URL, "https://") {
					t.Errorf("button to %q", a.URL)
				}
			}
		})
	}
}

func TestEscape(t *testing.T) {
	for in, want := range map[string]string{
		"a*b_c":                 "a\\*b\\_c",
		"[x](https://evil)":     "\\[x\\]" + zwsp + "\\(https:" + zwsp + "//evil\\)",
		"@here":                 "@" + zwsp + "here",
		"- a\n1. b\n12) c":      "\\- a\n1\\. b\n12\\) c",
		"v1.2 d-1":              "v1.2 d-1",
		"see www.x.io":          "see w" + zwsp + "ww.x.io",
		"<at>x</at> # h ~ \\ `": "\\<at\\>x\\</at\\> \\# h \\~ \\\\ \\`",
	} {
		if got := escape(in); got != want {
			t.Errorf("escape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatShrinksToFit(t *testing.T) {
	n := messagetest.GoNotices()["details-failure-diagnostics"]
	m := message.Build(n)
	// Make every list long and every item large: the full card is far
	// over the limit.
	big := strings.Repeat("x", 2000)
	var items []message.Text
	for i := range 200 {
		items = append(items, message.Text{{Text: fmt.Sprintf("item %d %s", i, big), Max: 3000, Long: true}})
	}
	m.Lifecycle = &message.List{Title: "Lifecycle", Unit: "step", Items: items}
	m.TaskSets = &message.List{Title: "Task sets", Unit: "task set", Items: items}
	m.Actions = &message.List{Title: "Actions", Unit: "action", Items: items}
	body, err := Format(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := checkCard(t, body)
	all := texts(c)
	if !strings.Contains(all, "Some details were left out to fit the Teams message size limit") {
		t.Errorf("shrunk card does not say so:\n%s", all)
	}
	if !strings.Contains(all, "more actions\\)") {
		t.Errorf("cut list does not count what it left out:\n%s", all)
	}
	// A card that fits says nothing of the kind.
	_, _, all = renderT(t, n)
	if strings.Contains(all, "left out") {
		t.Errorf("full card says it left something out:\n%s", all)
	}
}

func TestFormatFailsWhenNothingFits(t *testing.T) {
	m := &message.Message{Title: strings.Repeat("t", MaxPayload), Fallback: message.Text{{Text: "t"}}}
	_, err := Format(m, nil)
	if err == nil || !strings.Contains(err.Error(), "over the 28000-byte limit") {
		t.Errorf("err = %v, want the limit named", err)
	}
}

func TestTail(t *testing.T) {
	log := "one\ntwo\nthree\nfour\n"
	lines, dropped := tail(log, 100, 2)
	if !slices.Equal(lines, []string{"three", "four"}) || dropped != len("one\ntwo") {
		t.Errorf("tail = %q, %d", lines, dropped)
	}
	lines, dropped = tail(strings.Repeat("z", 50), 10, 5)
	if len(lines) != 1 || lines[0] != "…"+strings.Repeat("z", 10) || dropped != 40 {
		t.Errorf("tail of one long line = %q, %d", lines, dropped)
	}
}

func FuzzRenderTeams(f *testing.F) {
	f.Add("CodeDeploy detected that the replacement task set is unhealthy.", "web-frontend", "d-7XQ2K9ABC", "prod-cluster:web", uint8(7), true)
	for _, h := range hostile {
		f.Add(h, h, h, h, uint8(len(h)), len(h)%2 == 0)
	}
	f.Add("\x00\xff\u202e\n\r\t😀", "a*b_c~d", "", "", uint8(10), false)
	f.Add(strings.Repeat("😀", 3000), strings.Repeat("&", 500), strings.Repeat("é", 300), strings.Repeat(">", 300), uint8(11), true)
	f.Add(strings.Repeat("\n", 5000), "", "", "", uint8(0x30), true)
	f.Fuzz(func(t *testing.T, msg, name, id, target string, kind uint8, switched bool) {
		ev := messagetest.FuzzEvent(msg, name, id, target, kind, switched)
		n := &message.Notice{Event: ev, Now: messagetest.Now, Actions: messagetest.FuzzActions(msg, name, id, target)[:3], Details: messagetest.FuzzDetails(msg, name, id, target, kind)}
		body, err := Render(n)
		if err != nil {
			t.Fatal(err)
		}
		checkCard(t, body)
		again, _ := Render(n)
		if !bytes.Equal(body, again) {
			t.Fatal("not deterministic")
		}
		// The same strings straight into every text of a Message, marked
		// as outside text.
		out := func(s string) message.Text { return message.Text{{Text: s, Max: 200}, {Kind: message.Code, Text: s}} }
		m := &message.Message{
			Severity: message.Severity(name), Icon: message.Icon(id), Title: "Deployment failed",
			Subject: out(msg), Deadline: &message.Deadline{Text: msg, Open: switched}, Summary: out(name),
			Fields: []message.Field{{Label: "Target", Value: out(target)}},
			Error:  &message.Error{Title: "Error", Code: name, Message: msg, RollbackTitle: "Rollback", Rollback: id},
			Failure: &message.Failure{Head: out(msg), Detail: out(name), Notes: []message.Text{out(id)},
				LogTitle: "Log tail", Log: msg},
			Lifecycle: &message.List{Title: "Lifecycle", Unit: "step", Items: []message.Text{out(msg), {{Kind: message.Strong, Text: name, Max: 100}}}},
			Commands:  []message.Command{{Title: "Roll back", Command: msg}},
			Links:     []message.Span{{Kind: message.Link, Text: name, URL: msg, Max: 100}, {Kind: message.Link, Text: msg, URL: target, Max: 100}},
			Footer:    []message.Text{out(id)},
			Fallback:  out(msg),
		}
		body, err = Format(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		checkCard(t, body)
	})
}
