package slackhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/chattest"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

var update = flag.Bool("update", false, "rewrite testdata/slack golden files")

func TestRenderSlackGolden(t *testing.T) {
	messagetest.GoldenCases(t, messagetest.Cases(t), *update, Render, func(t *testing.T, _ *message.Notice, body []byte) {
		checkSlackMessage(t, body)
	})
}

// checkSlackMessage asserts what every rendered body must satisfy: valid
// JSON that Slack's own types read back, a fallback text, Block Kit limits,
// and no link or mention that the renderer did not make itself.
func checkSlackMessage(t testing.TB, body []byte) {
	t.Helper()
	if !json.Valid(body) {
		t.Fatalf("invalid JSON: %s", body)
	}
	var msg slack.WebhookMessage
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatalf("body does not read back as slack.WebhookMessage: %v", err)
	}
	if strings.TrimSpace(msg.Text) == "" {
		t.Error("empty fallback text")
	}
	checkMrkdwn(t, "text", msg.Text)
	if msg.Blocks == nil || len(msg.Blocks.BlockSet) == 0 {
		t.Fatal("no top-level blocks")
	}
	if len(msg.Attachments) != 1 || !regexp.MustCompile(`^#[0-9A-F]{6}$`).MatchString(msg.Attachments[0].Color) {
		t.Fatalf("want one attachment with a colour, got %+v", msg.Attachments)
	}
	blocks := slices.Concat(msg.Blocks.BlockSet, msg.Attachments[0].Blocks.BlockSet)
	if len(blocks) > slackMaxBlocks {
		t.Errorf("%d blocks, Slack takes at most %d", len(blocks), slackMaxBlocks)
	}
	checkText := func(what string, o *slack.TextBlockObject, limit int) {
		t.Helper()
		if o == nil {
			t.Errorf("%s: nil text", what)
			return
		}
		if err := o.Validate(); err != nil {
			t.Errorf("%s: %v", what, err)
		}
		if n := message.UTF16Len(o.Text); n > limit || utf8.RuneCountInString(o.Text) > limit {
			t.Errorf("%s: %d characters, limit %d", what, n, limit)
		}
		checkMrkdwn(t, what, o.Text)
	}
	for i, b := range blocks {
		what := fmt.Sprintf("block %d", i)
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text == nil && len(b.Fields) == 0 {
				t.Errorf("%s: empty section", what)
			}
			if b.Text != nil {
				checkText(what, b.Text, slackMaxSectionText)
			}
			if len(b.Fields) > slackMaxFields {
				t.Errorf("%s: %d fields, limit %d", what, len(b.Fields), slackMaxFields)
			}
			for j, f := range b.Fields {
				checkText(fmt.Sprintf("%s field %d", what, j), f, slackMaxFieldText)
			}
		case *slack.ContextBlock:
			if n := len(b.ContextElements.Elements); n == 0 || n > 10 {
				t.Errorf("%s: %d context elements", what, n)
			}
			for j, e := range b.ContextElements.Elements {
				o, ok := e.(*slack.TextBlockObject)
				if !ok {
					t.Errorf("%s element %d: %T", what, j, e)
					continue
				}
				checkText(fmt.Sprintf("%s element %d", what, j), o, slackMaxSectionText)
			}
		default:
			t.Errorf("%s: unexpected block type %T", what, b)
		}
	}
}

// slackLinkRE is a link the renderer makes: <https://…|label>.
var slackLinkRE = regexp.MustCompile(`<https://[A-Za-z0-9\-._~:/?=%#+$@]*(?:&amp;[A-Za-z0-9\-._~:/?=%#+$@]*)*\|[^<>|]+>`)

// checkMrkdwn asserts that every < in s opens a link the renderer made
// (so no <!channel>, <@U…> or foreign link got through), and every & is an
// entity.
func checkMrkdwn(t testing.TB, what, s string) {
	t.Helper()
	rest := slackLinkRE.ReplaceAllString(s, "")
	if strings.ContainsAny(rest, "<>") {
		t.Errorf("%s: unescaped < or > in %q", what, s)
	}
	for i := strings.IndexByte(rest, '&'); i >= 0; i = strings.IndexByte(rest, '&') {
		rest = rest[i:]
		if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
			t.Errorf("%s: bare & in %q", what, s)
			return
		}
		rest = rest[1:]
	}
}

// sections returns the text of every section in body, in order.
func sectionTexts(t *testing.T, body []byte) []string {
	t.Helper()
	var msg slack.WebhookMessage
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range slices.Concat(msg.Blocks.BlockSet, msg.Attachments[0].Blocks.BlockSet) {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil {
				out = append(out, b.Text.Text)
			}
			for _, f := range b.Fields {
				out = append(out, f.Text)
			}
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				out = append(out, e.(*slack.TextBlockObject).Text)
			}
		}
	}
	return out
}

func renderT(t *testing.T, n *message.Notice) (body []byte, msg slack.WebhookMessage, all string) {
	t.Helper()
	c := *n
	messagetest.Classify(&c.Event)
	body, err := Render(&c)
	if err != nil {
		t.Fatal(err)
	}
	checkSlackMessage(t, body)
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	return body, msg, strings.Join(sectionTexts(t, body), "\n")
}

func TestRenderSlackKinds(t *testing.T) {
	ev := messagetest.GoNotices()["traffic-switched-actions"].Event
	rb := messagetest.GoNotices()["rollback-traffic-switched"].Event
	for _, tc := range []struct {
		name  string
		ev    deploy.Event
		want  []string
		color string
	}{
		{"switched", ev, []string{":twisted_rightwards_arrows: Traffic switched to the new task set*", "web-frontend / web-frontend-prod", "|d-7XQ2K9ABC>", "`prod-cluster:web-frontend`", "*Switched at*\n2026-11-26 11:52:31 UTC"}, colorGood},
		{"switched back", rb, []string{"Traffic switched back to the original task set* · rolling back <https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-7XQ2K9ABC?region=us-east-1|d-7XQ2K9ABC>"}, colorWarning},
		{"rollback", deploy.Event{Name: codedeploy.DeploymentRollback, DeploymentID: "d-R", Region: "eu-west-1", Rollback: &deploy.Rollback{RollsBack: "d-M"}},
			[]string{"*:rewind: Rolling back* <https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-M?region=eu-west-1|d-M>"}, colorWarning},
		{"failure", messagetest.GoNotices()["failure-long-error"].Event, []string{":x: Deployment failed*", "*Error* `ECS_UPDATE_ERROR`\nThe replacement task set &lt;web-frontend:42&gt; is unhealthy &amp;", "*Duration*\n14 min", "*Targets*\n1 failed"}, colorDanger},
		{"stop", deploy.Event{Name: codedeploy.DeploymentStop, DeploymentID: "d-S"}, []string{":octagonal_sign: Deployment stopped*"}, colorWarning},
		{"ready", deploy.Event{Name: codedeploy.DeploymentReady, DeploymentID: "d-S"}, []string{"Replacement task set installed, waiting for traffic reroute"}, colorInfo},
		{"start", deploy.Event{Name: codedeploy.DeploymentStart, DeploymentID: "d-S"}, []string{":rocket: Deployment started*"}, colorInfo},
		{"success", deploy.Event{Name: codedeploy.DeploymentSuccess, DeploymentID: "d-S"}, []string{":white_check_mark: Deployment succeeded*"}, colorGood},
		{"instance failure", deploy.Event{Name: codedeploy.InstanceFailure, DeploymentID: "d-S", Target: &deploy.Target{ID: "c:s", Type: "ECS"}}, []string{":x: Deployment target failed*", "*ECS service*\n`c:s`"}, colorDanger},
		{"instance start", deploy.Event{Name: codedeploy.InstanceStart, DeploymentID: "d-S", Target: &deploy.Target{ID: "c:s", Type: "ECS"}}, []string{"Deployment target started"}, colorInfo},
		{"instance ready", deploy.Event{Name: codedeploy.InstanceReady, DeploymentID: "d-S", Target: &deploy.Target{ID: "c:s", Type: "ECS"}}, []string{"Deployment target ready, waiting for traffic reroute"}, colorInfo},
		{"trigger test", deploy.Event{Name: codedeploy.TriggerTest, TriggerName: "deploys"}, []string{"*:bell: Trigger configured:* deploys — cutover will post here"}, colorNeutral},
		{"unknown", deploy.Event{Name: codedeploy.Unknown, DeploymentID: "d-S", RawStatus: "Baking"}, []string{"Unrecognised CodeDeploy status:* `Baking`", "*Status*\n`Baking`"}, colorNeutral},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, msg, all := renderT(t, &message.Notice{Event: tc.ev, Now: messagetest.Now})
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("message lacks %q:\n%s", w, all)
				}
			}
			if c := msg.Attachments[0].Color; c != tc.color {
				t.Errorf("colour %s, want %s", c, tc.color)
			}
		})
	}
}

func TestRenderSlackActions(t *testing.T) {
	_, _, all := renderT(t, messagetest.GoNotices()["traffic-switched-actions"])
	for _, w := range []string{
		":white_check_mark: CloudFront E123: invalidation I2J3 for `/*`, `/index.html` (InProgress)",
		":memo: CloudFront E456: dry run, would invalidate `/*`",
		":fast_forward: CloudFront E789: skipped: already invalidated for this deployment",
		":x: CloudFront EBAD: failed: TooManyInvalidationsInProgress: too many &lt;wildcard&gt; invalidations in progress",
		"`/assets/9/*` and 4 more (InProgress)",
	} {
		if !strings.Contains(all, w) {
			t.Errorf("actions lack %q:\n%s", w, all)
		}
	}
	_, _, all = renderT(t, messagetest.GoNotices()["many-actions"])
	if !strings.Contains(all, "E024") || strings.Contains(all, "E025") || !strings.Contains(all, "… (truncated, 15 more actions)") {
		t.Errorf("40 actions: want 25 shown and the rest counted:\n%s", all)
	}
}

func TestRenderSlackTruncatesVisibly(t *testing.T) {
	msg := strings.Repeat("x", 5000)
	n := &message.Notice{Event: deploy.Event{Name: codedeploy.DeploymentFailure, DeploymentID: "d-1", Error: &deploy.Error{Code: "E", Message: msg}}}
	body, _, _ := renderT(t, n)
	var errText string
	for _, s := range sectionTexts(t, body) {
		if strings.HasPrefix(s, "*Error*") {
			errText = s
		}
	}
	m := regexp.MustCompile(`\n(x+)… \(truncated, (\d+) more characters\)$`).FindStringSubmatch(errText)
	if m == nil {
		t.Fatalf("no visible truncation in %q", errText)
	}
	if more, _ := strconv.Atoi(m[2]); len(m[1])+more != len(msg) {
		t.Errorf("kept %d + %d more != %d characters", len(m[1]), more, len(msg))
	}
	if message.UTF16Len(errText) > slackMaxSectionText || message.UTF16Len(errText) < slackMaxSectionText-10 {
		t.Errorf("error section is %d characters: want close to, but within, %d", message.UTF16Len(errText), slackMaxSectionText)
	}
}

func TestRenderSlackEscapes(t *testing.T) {
	body, msg, all := renderT(t, messagetest.GoNotices()["hostile-text"])
	for _, bad := range []string{"<!channel>", "<@U0123>", "<!here>", "<https://evil.example", "\u202e", "\t"} {
		if strings.Contains(string(body), bad) || strings.Contains(msg.Text, bad) {
			t.Errorf("rendered message holds %q", bad)
		}
	}
	for _, w := range []string{"&lt;!channel&gt; &amp; &lt;@U0123&gt; / grp with controlRTL", "d-&lt;b&gt;|x", "`'code'`"} {
		if !strings.Contains(all, w) {
			t.Errorf("message lacks %q:\n%s", w, all)
		}
	}
}

func TestRenderSlackTimes(t *testing.T) {
	// No time in the event: the notice's Now, labelled as receipt time.
	_, _, all := renderT(t, &message.Notice{Event: deploy.Event{Name: codedeploy.DeploymentStart, DeploymentID: "d-1"}, Now: messagetest.Now})
	if !strings.Contains(all, "*Received*\n2026-11-26 12:00:00 UTC") {
		t.Errorf("want the notice time:\n%s", all)
	}
	// Times in other zones show in UTC.
	ny := time.FixedZone("EST", -5*3600)
	_, _, all = renderT(t, &message.Notice{Event: deploy.Event{Name: codedeploy.DeploymentStart, DeploymentID: "d-1", CreateTime: time.Date(2026, 1, 2, 3, 4, 5, 0, ny)}})
	if !strings.Contains(all, "*Time*\n2026-01-02 08:04:05 UTC") {
		t.Errorf("want the UTC time:\n%s", all)
	}
	// Neither: no time field, and still a valid message.
	_, _, all = renderT(t, &message.Notice{Event: deploy.Event{Name: codedeploy.DeploymentStart}})
	if strings.Contains(all, "UTC") {
		t.Errorf("unexpected time:\n%s", all)
	}
}

func TestRenderSlackNil(t *testing.T) {
	if _, err := Render(nil); err == nil {
		t.Error("nil notice rendered")
	}
}

func TestSlackNotifyPostsRenderedBody(t *testing.T) {
	n := messagetest.GoNotices()["traffic-switched-actions"]
	want, err := Render(n)
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	var ct string
	srv, reqs := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		got, _ = io.ReadAll(r.Body)
		ct = r.Header.Get("Content-Type")
		io.WriteString(w, "ok")
	})
	p, _, _ := testPoster(t, 3, time.Second)
	rc, err := New(srv.URL+secretPath, p).Notify(context.Background(), &chat.Notification{Message: message.Build(n), Notice: n})
	if err != nil {
		t.Fatalf("Notify: %v", err)
	}
	if rc != (chat.Receipt{Destination: Type}) {
		t.Errorf("receipt = %+v, want only the destination type (a webhook gives no message ID)", rc)
	}
	if reqs.Load() != 1 || !bytes.Equal(got, want) || ct != "application/json" {
		t.Errorf("%d requests, content type %q, body equal to RenderSlack: %v", reqs.Load(), ct, bytes.Equal(got, want))
	}
}

func TestSlackNotifyErrors(t *testing.T) {
	srv, _ := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "channel_not_found")
	})
	p, _, _ := testPoster(t, 3, time.Second)
	s := New(srv.URL+secretPath, p)
	_, err := s.Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"]))
	if want := "slack: post: 404 Not Found: channel_not_found"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	if !retry.IsPermanent(err) {
		t.Error("404 is not permanent")
	}
	if _, err := s.Notify(context.Background(), nil); !retry.IsPermanent(err) {
		t.Errorf("nil notice: err = %v, want permanent", err)
	}
	// Printing or logging the notifier shows the host only.
	for _, out := range append(chattest.Printed(s), err.Error()) {
		assertNoSecret(t, "output", out, srv.URL)
	}
	if got := New("https://hooks.slack.com/services/T/B/"+secretToken, p).String(); got != "slack(hooks.slack.com)" {
		t.Errorf("String() = %q", got)
	}
}

func TestSlackInvalidURL(t *testing.T) {
	_, err := New("hooks.slack.com/services/T/B/"+secretToken, nil).Notify(context.Background(), messagetest.Notification(messagetest.GoNotices()["bare-unknown"]))
	if !retry.IsPermanent(err) || strings.Contains(err.Error(), secretToken) {
		t.Errorf("err = %v, want permanent without the token", err)
	}
	var se *chat.StatusError
	if errors.As(err, &se) {
		t.Error("no request should have been made")
	}
}

func FuzzRenderSlack(f *testing.F) {
	f.Add("CodeDeploy detected that the replacement task set is unhealthy.", "web-frontend", "d-7XQ2K9ABC", "prod-cluster:web", uint8(7), true)
	f.Add(strings.Repeat("<&>", 2000), "<!channel>", "d-<x>|y", "`", uint8(2), false)
	f.Add("\x00\xff\u202e\n\r\t😀", "a*b_c~d", "", "", uint8(10), false)
	f.Add(strings.Repeat("😀", 3000), strings.Repeat("&", 500), strings.Repeat("é", 300), strings.Repeat(">", 300), uint8(11), true)
	f.Add(strings.Repeat("line `x` <y> & z\n", 400), "GREEN", "d-X|y", "https://h.example/a|b", uint8(0), true)
	f.Add(strings.Repeat("\n", 5000), "", "", "", uint8(0x30), true)
	f.Add("a", strings.Repeat("`", 300), "3c6f9a2e-8b1d-4e0f-9a57-2d4b6c8e1f03", "prod:web", uint8(0x0d), false)
	f.Fuzz(func(t *testing.T, msg, name, id, target string, kind uint8, switched bool) {
		ev := messagetest.FuzzEvent(msg, name, id, target, kind, switched)
		n := &message.Notice{Event: ev, Now: messagetest.Now, Actions: messagetest.FuzzActions(msg, name, id, target), Details: messagetest.FuzzDetails(msg, name, id, target, kind)}
		body, err := Render(n)
		if err != nil {
			t.Fatal(err)
		}
		checkSlackMessage(t, body)
		again, _ := Render(n)
		if !bytes.Equal(body, again) {
			t.Fatal("not deterministic")
		}
	})
}

func BenchmarkRenderSlack(b *testing.B) {
	n := messagetest.GoNotices()["traffic-switched-actions"]
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(n); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFormatBodyParts checks that FormatBody's parts are what the body
// holds: what the Slack app would otherwise parse out of it.
func TestFormatBodyParts(t *testing.T) {
	cases := messagetest.Cases(t)
	cases["invalid-utf8"] = &message.Notice{Event: deploy.Event{Name: codedeploy.Unknown, RawStatus: "x"}}
	for name, n := range cases {
		m := message.Build(n)
		if name == "invalid-utf8" {
			m.Fallback = append(m.Fallback, message.Span{Text: " \xff\xfe ok \u2028"})
		}
		b, err := FormatBody(m, []string{"<!here>"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want struct {
			Text        string
			Blocks      json.RawMessage
			Attachments json.RawMessage
		}
		if err := json.Unmarshal(b.JSON, &want); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var blocks []json.RawMessage
		var atts []struct{ Blocks []json.RawMessage }
		if err := json.Unmarshal(want.Blocks, &blocks); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(want.Attachments, &atts); err != nil {
			t.Fatal(err)
		}
		count := len(blocks)
		for _, a := range atts {
			count += len(a.Blocks)
		}
		if b.Text != want.Text || string(b.Blocks) != string(want.Blocks) || string(b.Attachments) != string(want.Attachments) || b.Count != count {
			t.Errorf("%s: parts %q, %s, %s, %d; the body holds %q, %s, %s, %d blocks", name, b.Text, b.Blocks, b.Attachments, b.Count, want.Text, want.Blocks, want.Attachments, count)
		}
	}
}

func TestEncodeSlackBlockLimit(t *testing.T) {
	blocks := func(n int) []block {
		var b []block
		for range n {
			b = append(b, block{kind: sectionBlock, text: "x"})
		}
		return b
	}
	msg := func(top, attached int) (Body, error) {
		return encodeSlack("x", blocks(top), colorGood, blocks(attached))
	}
	if _, err := msg(1, slackMaxBlocks-1); err != nil {
		t.Errorf("%d blocks: %v", slackMaxBlocks, err)
	}
	if _, err := msg(1, slackMaxBlocks); err == nil || !strings.Contains(err.Error(), "51 blocks, Slack takes at most 50") {
		t.Errorf("%d blocks: err = %v, want the limit named", slackMaxBlocks+1, err)
	}
}
