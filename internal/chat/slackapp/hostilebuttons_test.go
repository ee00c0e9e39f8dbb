package slackapp

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
)

// hostileNames are deployment, application, group, cluster and service
// names that try to ping, forge a link, break markup or a limit.
var hostileNames = map[string]string{
	"channel ping":   "d-<!channel>",
	"here and user":  "<!here> <@U0123ABCD> <#C0123|general>",
	"forged link":    "<https://evil.example|click>",
	"markup":         "*bold* _it_ ~strike~ `code` > quote",
	"entities":       "a &amp; b &lt;!channel&gt; & < >",
	"zero width":     "d-\u200b<\u200b!channel\u200b>\u2060\ufeff",
	"rtl":            "d-\u202egnp.exe\u202c\u2067x\u2069\u200f<!here>",
	"newlines":       "d-1\n\n*Roll back* <!channel>\r\n\ttab",
	"emoji":          "🚀" + strings.Repeat("👩‍👩‍👧‍👦", 30),
	"json":           `","d":"d-OTHER","p":"codedeploy-ecs`,
	"10 KB":          strings.Repeat("<!channel>&", 1000),
	"near the limit": strings.Repeat("x", control.MaxEncoded-100),
}

// hostileNotice is base with every name in it set to name, the rollback
// window still open.
func hostileNotice(base *message.Notice, name string) *message.Notice {
	n := *base
	ev := &n.Event
	d := *base.Details
	n.Details = &d
	ev.Application, ev.DeploymentGroup, ev.Cluster, ev.Service = name, name, name, name
	d.Application, d.DeploymentGroup = name, name
	if d.Service != nil {
		svc := *d.Service
		svc.Name = name
		d.Service = &svc
	}
	if ev.Platform == deploy.ECSNative {
		// The thread (and the button's deployment) is the service
		// deployment ARN, which holds the cluster and service names.
		d.DeploymentID = "arn:aws:ecs:us-east-1:123456789012:service-deployment/" + name + "/" + name + "/abc123"
		ev.DeploymentID = "ecs-svc/" + name
	} else {
		d.DeploymentID, ev.DeploymentID = name, name
	}
	return &n
}

// TestHostileNamesOnButtons renders a parent with its buttons for
// deployments and services with hostile names: every button's value
// decodes to the same deployment within Slack's 2,000 characters (or
// the buttons are left out when it cannot), the confirmation dialogs
// are plain text that cannot ping or link, action IDs are unique and
// within 255 characters, and no mrkdwn text pings or links elsewhere.
func TestHostileNamesOnButtons(t *testing.T) {
	bases := map[string]*message.Notice{
		"codedeploy": messagetest.GoNotices()["details-traffic-switched"],
		"ecs-native": messagetest.ECSNativeNotices(t)["ecs-native-bake-time"],
	}
	for bname, base := range bases {
		for hname, name := range hostileNames {
			t.Run(bname+"/"+hname, func(t *testing.T) {
				n := hostileNotice(base, name)
				m := message.Build(n)
				if m.Deadline == nil || !m.Deadline.Open {
					t.Fatal("the rollback window is not open: no buttons to test")
				}
				head, err := HeadOf(n, m, nil, true, "ops")
				if err != nil {
					t.Fatal(err)
				}
				msg, body := mergeParent(t, &State{Version: 1, Thread: n.Deployment()}, n, head)
				// Not checkBody: it searches the raw body, and a confirmation's
				// plain_text shows "<!channel>" as it is, which is safe.
				if code := slackfake.CheckMessage(msg.Text, msg.Blocks, msg.Attachments, 4000); code != "" {
					t.Errorf("Slack would answer %s: %s", code, clipTest(string(body)))
				}
				checkMrkdwn(t, body)

				want := control.RefOf(&n.Event, "ops")
				want.DeploymentID = n.Deployment()
				_, encErr := want.Encode()
				buttons := buttonsOf(t, msg.Blocks)
				switch {
				case encErr != nil && len(buttons) > 0:
					t.Fatalf("buttons shown though their value cannot hold the deployment (%v)", encErr)
				case encErr != nil:
					return // left out: the deployment does not fit a button
				case len(buttons) != len(control.Actions(n.Event.Platform)):
					t.Fatalf("%d buttons, want %d", len(buttons), len(control.Actions(n.Event.Platform)))
				}
				seen := map[string]bool{}
				for _, b := range buttons {
					if seen[b.ActionID] || b.ActionID == "" || chars(b.ActionID) > 255 {
						t.Errorf("action_id %q: duplicate, empty or longer than 255", b.ActionID)
					}
					seen[b.ActionID] = true
					if chars(b.Value) > control.MaxEncoded {
						t.Errorf("%s: value of %d characters, Slack takes 2,000", b.ActionID, chars(b.Value))
					}
					ref, err := control.Decode(b.Value)
					if err != nil {
						t.Fatalf("%s: value does not decode: %v", b.ActionID, err)
					}
					if ref != want {
						t.Errorf("%s: value names %+v, want %+v", b.ActionID, ref, want)
					}
					texts := []struct {
						what  string
						obj   textObj
						limit int
					}{
						{"text", b.Text, 75}, {"confirm.title", b.Confirm.Title, 100}, {"confirm.text", b.Confirm.Text, 300},
						{"confirm.confirm", b.Confirm.Confirm, 30}, {"confirm.deny", b.Confirm.Deny, 30},
					}
					for _, x := range texts {
						if x.obj.Type != "plain_text" {
							t.Errorf("%s %s is %q: only plain_text cannot ping or link", b.ActionID, x.what, x.obj.Type)
						}
						if c := chars(x.obj.Text); c == 0 || c > x.limit {
							t.Errorf("%s %s: %d characters, Slack takes 1 to %d", b.ActionID, x.what, c, x.limit)
						}
						if strings.ContainsAny(x.obj.Text, "\n\r\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") {
							t.Errorf("%s %s holds a newline or a bidirectional override: %q", b.ActionID, x.what, x.obj.Text)
						}
					}
				}
			})
		}
	}
}

type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type button struct {
	ActionID string  `json:"action_id"`
	Value    string  `json:"value"`
	Text     textObj `json:"text"`
	Confirm  struct {
		Title   textObj `json:"title"`
		Text    textObj `json:"text"`
		Confirm textObj `json:"confirm"`
		Deny    textObj `json:"deny"`
	} `json:"confirm"`
}

// buttonsOf returns the buttons of the actions blocks in blocks; a
// block_id must be within 255 characters.
func buttonsOf(t *testing.T, blocks json.RawMessage) []button {
	t.Helper()
	var bs []struct {
		Type     string   `json:"type"`
		BlockID  string   `json:"block_id"`
		Elements []button `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &bs); err != nil {
		t.Fatal(err)
	}
	var out []button
	for _, b := range bs {
		if b.Type != "actions" {
			continue
		}
		if b.BlockID == "" || chars(b.BlockID) > 255 {
			t.Errorf("block_id %q", b.BlockID)
		}
		out = append(out, b.Elements...)
	}
	return out
}

// checkMrkdwn walks body: the fallback text and every mrkdwn text may
// hold no mention, channel or user reference and no link but cutover's
// own (<!date^…>, AWS console links whose label holds no markup).
func checkMrkdwn(t *testing.T, body []byte) {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	var texts []string
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			if s, ok := x["text"].(string); ok && x["type"] != "plain_text" {
				texts = append(texts, s) // mrkdwn, or the message's fallback text
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	for _, s := range texts {
		rest := s
		for {
			i := strings.IndexByte(rest, '<')
			if i < 0 {
				break
			}
			j := strings.IndexByte(rest[i:], '>')
			if j < 0 {
				t.Errorf("unclosed < in %q", clipTest(s))
				break
			}
			tok := rest[i+1 : i+j]
			rest = rest[i+j+1:]
			switch {
			case strings.HasPrefix(tok, "!date^"):
			case strings.HasPrefix(tok, "https://"):
				link, label, _ := strings.Cut(tok, "|")
				u, err := url.Parse(link)
				if err != nil || !strings.HasSuffix(u.Host, ".console.aws.amazon.com") && u.Host != "console.aws.amazon.com" {
					t.Errorf("link to %q in %q", link, clipTest(s))
				}
				if strings.ContainsAny(link, " <>") || strings.ContainsAny(label, "<>") {
					t.Errorf("link %q breaks out", tok)
				}
			default:
				t.Errorf("mrkdwn reference <%s> in %q", clipTest(tok), clipTest(s))
			}
		}
	}
}

// chars counts characters as Slack does (UTF-16 code units).
func chars(s string) int { return len(utf16.Encode([]rune(s))) }

func clipTest(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
