package webhook

import (
	"bytes"
	"encoding/json"
	"flag"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func TestRenderWebhookGolden(t *testing.T) {
	messagetest.GoldenCases(t, messagetest.Cases(t), *update, Render, func(t *testing.T, n *message.Notice, body []byte) {
		checkDocument(t, n, RenderName, body)
	})
}

// TestGoldensValidate checks every checked-in golden body, not only fresh
// renders, against docs/webhook.schema.json.
func TestGoldensValidate(t *testing.T) {
	goldens, _ := filepath.Glob("testdata/*.golden.json")
	if len(goldens) == 0 {
		t.Fatal("no golden files")
	}
	for _, g := range goldens {
		raw, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range validate(t, raw) {
			t.Errorf("%s: %s", g, e)
		}
	}
}

// checkDocument asserts what every body must satisfy: valid JSON that the
// schema accepts, the delivery identity of the notice, and the event's
// phase.
func checkDocument(t testing.TB, n *message.Notice, destination string, body []byte) {
	t.Helper()
	if !json.Valid(body) {
		t.Fatalf("invalid JSON: %q", body)
	}
	if !utf8.Valid(body) {
		t.Fatal("body is not UTF-8")
	}
	for _, e := range validate(t, body) {
		t.Error(e)
	}
	var doc Document
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != Version {
		t.Errorf("version %q", doc.Version)
	}
	if doc.Delivery.ID != DeliveryID(n, destination) {
		t.Errorf("delivery id %q is not the notice's", doc.Delivery.ID)
	}
	if doc.Event.Phase == "" || doc.Message.Title == "" || doc.Message.Fallback == "" {
		t.Errorf("empty phase, title or fallback: %+v", doc)
	}
	if len(doc.Actions) != min(len(n.Actions), maxActions) {
		t.Errorf("%d actions, notice has %d", len(doc.Actions), len(n.Actions))
	}
}

func TestDeliveryID(t *testing.T) {
	n := messagetest.GoNotices()["traffic-switched-actions"]
	id := DeliveryID(n, "ops")
	if id != DeliveryID(n, "ops") {
		t.Fatal("not stable")
	}
	other := *n
	other.Event.ID, other.Event.MessageID, other.Now = "redelivered-through-eventbridge", "", messagetest.Now.Add(time.Hour)
	if DeliveryID(&other, "ops") != id {
		t.Error("the same event through another path or later has another id")
	}
	if DeliveryID(n, "audit") == id {
		t.Error("two destinations share an id")
	}
	follow := *n
	follow.FollowUp = true
	if DeliveryID(&follow, "ops") == id {
		t.Error("a follow-up shares the id of the event it follows")
	}
	next := *n
	next.Event.Name = codedeploy.DeploymentSuccess
	if DeliveryID(&next, "ops") == id {
		t.Error("two events of a deployment share an id")
	}
}

func TestDocumentProjection(t *testing.T) {
	n := messagetest.GoNotices()["traffic-switched-actions"]
	var doc Document
	body, _ := Render(n)
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	ev := doc.Event
	if ev.Name != "InstanceSuccess" || ev.Phase != string(deploy.TrafficSwitched) || ev.WentWrong ||
		ev.DeploymentID != "d-7XQ2K9ABC" || ev.Target == nil || ev.Target.Service != "web-frontend" ||
		ev.Times.LastUpdated != "2026-11-26T11:52:31Z" || ev.Identity != n.Event.Identity() ||
		!strings.HasPrefix(ev.URL, "https://") {
		t.Errorf("event: %+v", ev)
	}
	if doc.Delivery.EventIdentity != n.Event.Identity() || doc.Delivery.Destination != RenderName || doc.Type != TypeDeployment {
		t.Errorf("delivery: %+v %s", doc.Delivery, doc.Type)
	}
	outcomes := []string{}
	for _, a := range doc.Actions {
		outcomes = append(outcomes, a.Outcome)
	}
	if want := []string{OutcomeDone, OutcomeDryRun, OutcomeSkipped, OutcomeFailed, OutcomeDone}; !slices.Equal(outcomes, want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
	if doc.Message.Severity != "good" || !strings.Contains(doc.Message.Title, "Traffic switched") || len(doc.Message.Fields) == 0 {
		t.Errorf("message: %+v", doc.Message)
	}
}

// TestDocumentKeepsData: text from a deployment is data, not markup:
// nothing is escaped, control characters stay (JSON-escaped) in the event,
// and the plain-text message is cleaned onto lines.
func TestDocumentKeepsData(t *testing.T) {
	n := messagetest.GoNotices()["hostile-text"]
	body, _ := Render(n)
	var doc Document
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Event.Application != "<!channel> & <@U0123>" || doc.Event.DeploymentGroup != "grp\nwith\tcontrol\u202eRTL" {
		t.Errorf("event data changed: %q %q", doc.Event.Application, doc.Event.DeploymentGroup)
	}
	if !bytes.Contains(body, []byte(`grp\nwith\tcontrol`)) {
		t.Errorf("control characters not JSON-escaped: %s", body)
	}
	if strings.ContainsAny(doc.Message.Summary+doc.Message.Fallback, "\n\t\u202e") {
		t.Errorf("message text not cleaned: %q / %q", doc.Message.Summary, doc.Message.Fallback)
	}
	if strings.Contains(doc.Message.Summary, "&amp;") || strings.Contains(doc.Message.Summary, "&lt;") {
		t.Errorf("message text escaped as markup: %q", doc.Message.Summary)
	}
}

func TestDocumentBoundsOutsideText(t *testing.T) {
	ev := deploy.Event{Name: codedeploy.DeploymentFailure, DeploymentID: "d-X", Application: strings.Repeat("a", 5000),
		Error: &deploy.Error{Code: "E", Message: strings.Repeat("é", 10000)}}
	codedeploy.Classify(&ev)
	var paths []string
	for range 500 {
		paths = append(paths, "/x/*")
	}
	acts := make([]action.Result, 300)
	for i := range acts {
		acts[i] = action.Result{Action: "cloudfront-invalidation", Target: "E", Paths: paths}
	}
	body, err := Render(&message.Notice{Event: ev, Now: messagetest.Now, Actions: acts})
	if err != nil {
		t.Fatal(err)
	}
	var doc Document
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(doc.Event.Application); n != maxString || !strings.HasSuffix(doc.Event.Application, "…") {
		t.Errorf("application: %d characters", n)
	}
	if !strings.HasSuffix(doc.Event.Error.Message, "… (truncated, 6000 more characters)") {
		t.Errorf("error message cut invisibly: …%s", doc.Event.Error.Message[len(doc.Event.Error.Message)-60:])
	}
	if len(doc.Actions) != maxActions || len(doc.Actions[0].Paths) != maxPaths {
		t.Errorf("%d actions, %d paths", len(doc.Actions), len(doc.Actions[0].Paths))
	}
}

func TestRenderNil(t *testing.T) {
	if _, err := Render(nil); err == nil {
		t.Error("Render(nil): no error")
	}
	if _, err := Format(nil, nil, "x"); err == nil {
		t.Error("Format(nil): no error")
	}
}

func FuzzFormatWebhook(f *testing.F) {
	f.Add("CodeDeploy detected that the replacement task set is unhealthy.", "web-frontend", "d-7XQ2K9ABC", "prod-cluster:web", uint8(7), true)
	f.Add(strings.Repeat("<&>", 2000), "<!channel>", "d-<x>|y", "`", uint8(2), false)
	f.Add("\x00\xff\u202e\n\r\t😀", "a*b_c~d", "", "", uint8(10), false)
	f.Add(strings.Repeat("😀", 3000), strings.Repeat("&", 500), strings.Repeat("é", 300), strings.Repeat(">", 300), uint8(11), true)
	f.Add("\"}\\u0000", "https://evil.example/x", "d-X\r\nX-Injected: 1", "prod:web", uint8(0x84), false)
	f.Fuzz(func(t *testing.T, msg, name, id, target string, kind uint8, switched bool) {
		kinds := codedeploy.Names
		ev := deploy.Event{
			Name:   kinds[int(kind)%len(kinds)],
			Region: name, AccountID: name, TriggerName: name, Application: name, DeploymentGroup: msg,
			DeploymentID: id, RawStatus: msg, MessageID: id, ID: msg, Source: target,
			CreateTime: messagetest.Now.Add(-time.Duration(len(msg)) * time.Second),
			Error:      &deploy.Error{Code: name, Message: msg},
			Rollback:   &deploy.Rollback{RollsBack: id, Message: msg},
			Overview:   &deploy.Overview{Succeeded: len(msg), Failed: 1},
			Target: &deploy.Target{ID: target, Type: "ECS", Lifecycle: []deploy.LifecycleStep{
				{Name: name, Status: msg, Start: messagetest.Now}, {Name: target, Status: id},
			}},
		}
		codedeploy.Classify(&ev)
		if switched {
			ev.Phase = deploy.TrafficSwitched
		}
		n := &message.Notice{Event: ev, Now: messagetest.Now, FollowUp: kind&0x40 != 0, Actions: []action.Result{
			{Action: "cloudfront-invalidation", Target: target, ID: id, Paths: []string{msg, name, target}, Status: name},
			{Action: name, Target: target, Error: msg},
			{Action: "cloudfront-invalidation", Target: name, Skipped: msg},
			{Action: "cloudfront-invalidation", Target: id, DryRun: true, Paths: []string{msg}, Pending: switched},
		}, Details: messagetest.FuzzDetails(msg, name, id, target, kind)}
		body, err := Format(n, nil, name)
		if err != nil {
			t.Fatal(err)
		}
		checkDocument(t, n, name, body)
		again, _ := Format(n, nil, name)
		if !bytes.Equal(body, again) {
			t.Fatal("not deterministic")
		}
	})
}

// TestDocsReceiverExample keeps the Go receiver of docs/webhook.md
// parseable and checking what the docs say it checks.
func TestDocsReceiverExample(t *testing.T) {
	raw, err := os.ReadFile("../../../docs/webhook.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(raw), "## A receiver in Go")
	_, rest, ok2 := strings.Cut(rest, "```go\n")
	src, _, ok3 := strings.Cut(rest, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/webhook.md has no Go receiver example")
	}
	f, err := parser.ParseFile(token.NewFileSet(), "receiver.go", src, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "receiver.go", src, 0); err != nil {
		t.Fatal(err)
	}
	for _, imp := range f.Imports {
		if strings.Contains(imp.Path.Value, ".") {
			t.Errorf("the example imports %s: standard library only", imp.Path.Value)
		}
	}
	for _, want := range []string{`"webhook-id"`, `"webhook-timestamp"`, `"webhook-signature"`, `"X-Signature"`, `"whsec_"`, "tolerance", "hmac.Equal"} {
		if !strings.Contains(src, want) {
			t.Errorf("the example does not use %s", want)
		}
	}
}
