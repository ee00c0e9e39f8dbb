package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/cutover-dev/cutover/internal/chat/text"
	"github.com/cutover-dev/cutover/internal/message"
)

// run runs the CLI in-process with the given environment.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := Env{
		Stdin:  strings.NewReader(stdin),
		Stdout: &out,
		Stderr: &errb,
		Getenv: func(k string) string { return env[k] },
	}
	err = Run(context.Background(), args, e)
	return out.String(), errb.String(), err
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return 1
}

func fixturePath(name string) string {
	return filepath.Join("..", "source", "codedeploy", "testdata", name)
}

func TestRenderPrintsOneJSONDocumentPerEvent(t *testing.T) {
	out, _, err := run(t, nil, "", "render", fixturePath("sns-lambda/instance-success.json"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1", len(lines))
	}
	var msg struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &msg); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if !strings.Contains(msg.Text, "Traffic switched") || len(msg.Blocks) == 0 {
		t.Errorf("unexpected body: %s", lines[0])
	}
	// Deterministic: the same input renders the same bytes.
	again, _, _ := run(t, nil, "", "render", fixturePath("sns-lambda/instance-success.json"))
	if again != out {
		t.Error("render is not deterministic")
	}
}

func TestRenderFromStdin(t *testing.T) {
	data, err := os.ReadFile(fixturePath("trigger-real/deployment-failure.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, string(data), "render", "-")
	if err != nil || !strings.Contains(out, "ECS_UPDATE_ERROR") {
		t.Fatalf("err %v out %s", err, out)
	}
}

func TestRenderBadInput(t *testing.T) {
	out, _, err := run(t, nil, `{"AlarmName":"cpu-high"}`, "render")
	if exitCode(err) != 1 {
		t.Fatalf("exit %d, want 1 (err %v)", exitCode(err), err)
	}
	if out != "" {
		t.Errorf("stdout must be empty on bad input, got %q", out)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "not a deployment notification") {
		t.Errorf("want one clear line, got %q", msg)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"render", "--to", "fax"}, {"render", "a", "b"}, {"replay"}} {
		_, _, err := run(t, nil, "", args...)
		if exitCode(err) != 2 {
			t.Errorf("%v: exit %d, want 2 (%v)", args, exitCode(err), err)
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, err := run(t, nil, "", "version")
	if err != nil || !strings.HasPrefix(out, "cutover ") {
		t.Fatalf("%q %v", out, err)
	}
}

// slackFake records webhook posts.
type slackFake struct {
	mu     sync.Mutex
	bodies []string
	status int
	body   string
}

func (f *slackFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, string(b))
	if f.status != 0 {
		w.WriteHeader(f.status)
		w.Write([]byte(f.body))
		return
	}
	w.Write([]byte("ok"))
}

func (f *slackFake) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.bodies)
}

func sendEnv(t *testing.T, url string) map[string]string {
	return map[string]string{
		"CUTOVER_SLACK_WEBHOOK_URL": url + "/services/T0/B0/secret-token-123",
		"CUTOVER_RECORDS_FILE":      filepath.Join(t.TempDir(), "records.db"),
		"CUTOVER_ENRICH":            "false",
		"AWS_REGION":                "us-east-1",
	}
}

func TestSendDeliversOnceAcrossRuns(t *testing.T) {
	fake := &slackFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := sendEnv(t, srv.URL)
	for i := range 2 {
		out, _, err := run(t, env, "", "send", fixturePath("sns-lambda/deployment-failure.json"))
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		want := map[int]string{0: "slack=delivered", 1: "slack=already-delivered"}[i]
		if !strings.Contains(out, want) {
			t.Errorf("run %d: %q does not say %q", i, out, want)
		}
	}
	if fake.count() != 1 {
		t.Errorf("Slack got %d posts, want 1", fake.count())
	}
}

func TestSendPermanentFailureHidesWebhook(t *testing.T) {
	fake := &slackFake{status: 404, body: "channel_not_found"}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	_, stderr, err := run(t, sendEnv(t, srv.URL), "", "send", fixturePath("sns-lambda/deployment-failure.json"))
	if exitCode(err) != 1 {
		t.Fatalf("exit %d, want 1", exitCode(err))
	}
	if !strings.Contains(err.Error(), "channel_not_found") {
		t.Errorf("error does not carry Slack's reason: %v", err)
	}
	for _, s := range []string{err.Error(), stderr} {
		if strings.Contains(s, "secret-token-123") || strings.Contains(s, "/services/") {
			t.Errorf("webhook URL leaked: %s", s)
		}
	}
	if fake.count() != 1 {
		t.Errorf("a permanent failure must be tried once, got %d", fake.count())
	}
}

func TestSendConfigErrorsReportedAtOnce(t *testing.T) {
	env := map[string]string{
		"CUTOVER_EVENTS":                      "InstanceSuccess,Bogus",
		"CUTOVER_INVALIDATION_PATHS":          "no-slash",
		"CUTOVER_CLOUDFRONT_DISTRIBUTION_IDS": "E2QWRUHAPOMQZL",
		"CUTOVER_ENRICH_TIMEOUT":              "forever",
	}
	_, _, err := run(t, env, "", "send", fixturePath("sns-lambda/deployment-failure.json"))
	if exitCode(err) != 1 {
		t.Fatalf("exit %d", exitCode(err))
	}
	for _, want := range []string{"Bogus", "no-slash", "CUTOVER_ENRICH_TIMEOUT"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestDemoPlaysTheScenario(t *testing.T) {
	out, _, err := run(t, map[string]string{}, "", "demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Deployment started", "Traffic switched to the new task set", "E2DEMO0CUTOVER",
		"web-team (slack): already-delivered", "oncall (teams): already-delivered",
		"Deployment failed", "HEALTH_CONSTRAINTS", "Rolling back",
		// Routing: the same deployment reaches both; each is filtered out
		// of one event, with the reason.
		"▸ oncall (teams): the same message",
		"oncall (teams): not sent: events: DeploymentStart is not listed",
		"web-team (slack): not sent: applications: application checkout-api matches none of web-*",
		// The AfterAllowTraffic hook runs a real check of a stand-in on
		// loopback and reports to a simulated CodeDeploy.
		"Checks at the switch (1 of 1 failed)",
		"lifecycle hook codedeploy-ecs AfterAllowTraffic: FAILED (reported Failed to CodeDeploy) (CodeDeploy simulated)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	// The figures are measured: one answer in 20 takes 2.4 s.
	if !regexp.MustCompile(`❌ checkout-smoke: p99 \d+\.\d s above 800 ms budget on GET /api/ping, 20 requests`).MatchString(out) {
		t.Errorf("demo output lacks the failing check with its figures:\n%s", out)
	}
}

func TestDemoAlsoPostsToConfiguredWebhook(t *testing.T) {
	fake := &slackFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	_, _, err := run(t, map[string]string{"CUTOVER_SLACK_WEBHOOK_URL": srv.URL + "/hook"}, "", "demo")
	if err != nil {
		t.Fatal(err)
	}
	// Every step but the redelivery posts once, the hook twice (the
	// switch, then its checks).
	if n, want := fake.count(), len(demoScenario()); n != want {
		t.Errorf("webhook got %d posts, want %d", n, want)
	}
}

func TestTerminalText(t *testing.T) {
	got := text.Inline(message.Text{
		{Kind: message.Strong, Text: "Deployment failed"}, {Text: " "},
		{Kind: message.Link, Text: "d-1", URL: "https://x.example/d", Max: 100}, {Text: " "},
		{Kind: message.Code, Text: "E1", Max: 100}, {Text: " "}, {Text: "<b>", Max: 100},
	})
	if got != "Deployment failed d-1 (https://x.example/d) E1 <b>" {
		t.Errorf("got %q", got)
	}
}

func TestReplayRefusesWhatCannotWork(t *testing.T) {
	// No destination configured: replay would "succeed" without sending.
	_, _, err := run(t, map[string]string{}, "", "replay", fixturePath("destination/deployment-failure.json"))
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "nothing to replay to") {
		t.Errorf("no destination: %v", err)
	}
	// A queue without the function's records could resend what was delivered.
	env := map[string]string{"CUTOVER_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/X"}
	_, _, err = run(t, env, "", "replay", "--queue-url", "https://sqs.us-east-1.amazonaws.com/1/q")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), "CUTOVER_RECORDS_TABLE") {
		t.Errorf("queue without records: %v", err)
	}
}

func TestReplayFileNotDeliveredIsAFailure(t *testing.T) {
	fake := &slackFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := sendEnv(t, srv.URL)
	env["CUTOVER_EVENTS"] = "InstanceSuccess" // the saved event's kind does not notify here
	out, _, err := run(t, env, "", "replay", fixturePath("destination/deployment-failure.json"))
	if exitCode(err) != 1 || !strings.Contains(out, "no destination here takes this event") {
		t.Errorf("exit %d, out %q", exitCode(err), out)
	}
	delete(env, "CUTOVER_EVENTS")
	out, _, err = run(t, env, "", "replay", fixturePath("destination/deployment-failure.json"))
	if err != nil || !strings.Contains(out, "1 delivered") || fake.count() != 1 {
		t.Errorf("replay of a saved failure record: %v %q, %d posts", err, out, fake.count())
	}
}
