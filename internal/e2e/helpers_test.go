package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// fixtureDir holds the CodeDeploy payloads recorded for the decoder tests.
const fixtureDir = "../source/codedeploy/testdata"

// webhookSecretParts returns pieces of testrig's fake webhook URL that must
// never appear in an error, a log line or an invocation result: the path of
// a Slack incoming webhook is its secret.
func webhookSecretParts() []string {
	return []string{"/services/T00000000/B00000000", "XXXXXXXXXXXXXXXXXXXXXXXX"}
}

// readFixture returns a file under internal/source/codedeploy/testdata.
func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatalf("read fixture %s: %v", name, err)
	}
	return b
}

// snsEvent returns the Lambda SNS event of fixture sns-lambda/<name>.json
// with its SNS MessageId set to msgID and, when deploymentID is not empty
// and the message has a deployment ID, the CodeDeploy deploymentId and the
// Subject changed to deploymentID: a distinct event as SNS would deliver it.
func snsEvent(t testing.TB, name, msgID, deploymentID string) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(readFixture(t, "sns-lambda/"+name+".json"), &ev); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	setSNSRecord(t, ev, msgID, deploymentID)
	return mustJSON(t, ev)
}

// setSNSRecord changes the first SNS record of a decoded Lambda SNS event
// in place; see snsEvent.
func setSNSRecord(t testing.TB, ev map[string]any, msgID, deploymentID string) {
	t.Helper()
	recs, _ := ev["Records"].([]any)
	if len(recs) == 0 {
		t.Fatalf("fixture has no Records")
	}
	sns := recs[0].(map[string]any)["Sns"].(map[string]any)
	sns["MessageId"] = msgID
	if deploymentID == "" {
		return
	}
	var msg map[string]any
	if err := json.Unmarshal([]byte(sns["Message"].(string)), &msg); err != nil {
		t.Fatalf("fixture message: %v", err)
	}
	old, _ := msg["deploymentId"].(string)
	if old == "" {
		return // the trigger test notification has no deployment
	}
	msg["deploymentId"] = deploymentID
	sns["Message"] = string(mustJSON(t, msg))
	if subj, ok := sns["Subject"].(string); ok {
		sns["Subject"] = strings.ReplaceAll(subj, old, deploymentID)
	}
}

// snsWrap returns a Lambda SNS event with one record whose Message is msg.
func snsWrap(t testing.TB, msgID, msg string) []byte {
	t.Helper()
	return mustJSON(t, map[string]any{"Records": []any{map[string]any{
		"EventSource":          "aws:sns",
		"EventVersion":         "1.0",
		"EventSubscriptionArn": "arn:aws:sns:us-east-1:111122223333:cutover-deployments:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
		"Sns": map[string]any{
			"Type":      "Notification",
			"MessageId": msgID,
			"TopicArn":  "arn:aws:sns:us-east-1:111122223333:cutover-deployments",
			"Subject":   "not from CodeDeploy",
			"Message":   msg,
			"Timestamp": "2026-11-26T10:00:00.000Z",
		},
	}}})
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encode json: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// defaultEvents is the set of event kinds that notify when CUTOVER_EVENTS
// is unset, as the Lambda function uses it.
func defaultEvents() map[string]bool {
	m := map[string]bool{}
	for _, k := range config.DefaultEvents {
		m[k] = true
	}
	return m
}

// slackMessage is the part of a Slack incoming-webhook body the tests read.
type slackMessage struct {
	Text        string       `json:"text"`
	Blocks      []slackBlock `json:"blocks"`
	Attachments []struct {
		Blocks []slackBlock `json:"blocks"`
	} `json:"attachments"`
}

type slackBlock struct {
	Type     string `json:"type"`
	Elements []struct {
		Text string `json:"text"`
	} `json:"elements"`
}

// snsFooter finds the SNS MessageId in a message's context line
// ("… · SNS message <id>").
var snsFooter = regexp.MustCompile(`SNS message (\S+)`)

// parseSlack decodes a body the fake Slack received and returns it with
// the SNS MessageId from its footer ("" when there is none).
func parseSlack(t testing.TB, body []byte) (slackMessage, string) {
	t.Helper()
	var m slackMessage
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("chat body is not JSON: %v: %.200s", err, body)
	}
	return m, footerMessageID(m)
}

// footerMessageID returns the SNS MessageId from the context blocks of m.
func footerMessageID(m slackMessage) string {
	blocks := append([]slackBlock(nil), m.Blocks...)
	for _, a := range m.Attachments {
		blocks = append(blocks, a.Blocks...)
	}
	for _, b := range blocks {
		if b.Type != "context" {
			continue
		}
		for _, e := range b.Elements {
			if sub := snsFooter.FindStringSubmatch(e.Text); sub != nil {
				return sub[1]
			}
		}
	}
	return ""
}

// logLine is one slog JSON record.
type logLine map[string]any

func (l logLine) str(key string) string {
	s, _ := l[key].(string)
	return s
}

// parseLogLines returns the slog JSON records in out, skipping other
// lines (the emulator's own, the runtime's error line).
func parseLogLines(out string) []logLine {
	var lines []logLine
	for _, s := range strings.Split(out, "\n") {
		s = strings.TrimSpace(s)
		if !strings.HasPrefix(s, "{") {
			continue
		}
		var l logLine
		if json.Unmarshal([]byte(s), &l) != nil {
			continue
		}
		if _, ok := l["level"]; ok {
			if _, ok := l["msg"]; ok {
				lines = append(lines, l)
			}
		}
	}
	return lines
}

// atLeast returns the lines at level or above (WARN or ERROR).
func atLeast(lines []logLine, level slog.Level) []logLine {
	var out []logLine
	for _, l := range lines {
		var lv slog.Level
		if lv.UnmarshalText([]byte(l.str("level"))) == nil && lv >= level {
			out = append(out, l)
		}
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (a logger used
// by many goroutines).
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// jsonLogger returns a logger writing slog JSON at debug level to buf.
func jsonLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// lambdaRig is the real bootstrap under the Runtime Interface Emulator,
// posting to a fake Slack.
type lambdaRig struct {
	rie  *testrig.RIE
	chat *testrig.FakeChat
}

// startLambda builds the bootstrap and starts it under the emulator with
// CUTOVER_SLACK_WEBHOOK_URL set to a new fake Slack, the default events, no
// records table, and awsEnv (which must point every AWS SDK call at a local
// endpoint) plus extra settings.
func startLambda(t *testing.T, awsEnv []string, extra ...string) *lambdaRig {
	t.Helper()
	chat := testrig.NewFakeChat(t)
	bin := testrig.BuildBootstrap(t)
	env := append([]string{
		config.EnvSlackWebhookURL + "=" + chat.WebhookURL(),
		"AWS_LAMBDA_FUNCTION_NAME=cutover",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=60",
	}, awsEnv...)
	env = append(env, extra...)
	return &lambdaRig{rie: testrig.StartRIE(t, bin, env), chat: chat}
}

// invocation is the result of one invocation and what the function logged
// during it.
type invocation struct {
	testrig.InvokeResult
	// Output is everything the emulator and the bootstrap printed during
	// the invocation.
	Output string
	// Logs are the bootstrap's slog JSON records among Output.
	Logs []logLine
}

// invoke sends payload to the function and waits until the emulator has
// printed the invocation's REPORT line, so that Output holds all of the
// function's logs for it (and none from its init).
func (l *lambdaRig) invoke(t *testing.T, payload []byte) invocation {
	t.Helper()
	start := len(l.rie.Output())
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	res, err := l.rie.InvokeResult(ctx, payload)
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	return l.collect(t, start, res)
}

// collect waits until the emulator has printed the REPORT line of the
// invocation that started at offset start of its output and returns it
// with res.
func (l *lambdaRig) collect(t *testing.T, start int, res testrig.InvokeResult) invocation {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var out string
	for {
		out = l.rie.Output()[start:]
		if strings.Contains(out, "REPORT RequestId:") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the emulator printed no REPORT line for the invocation; output so far:\n%s", out)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The first invocation also starts the function: leave its init logs
	// out, they are not about this input.
	if i := strings.Index(out, "INVOKE START("); i >= 0 {
		out = out[i:]
	}
	return invocation{InvokeResult: res, Output: out, Logs: parseLogLines(out)}
}

// assertNoWebhookSecret fails when s holds the webhook's secret path.
func assertNoWebhookSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, p := range webhookSecretParts() {
		if strings.Contains(s, p) {
			t.Errorf("%s contains the webhook URL's secret path (%q)", what, p)
		}
	}
}

// msgIDs returns n distinct SNS MessageIds with a readable prefix.
func msgIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%06d-5f7a-8e21-0c4d5b6a7f81", prefix, i)
	}
	return ids
}
