package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	chatpost "github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// maxLogLine bounds one log line about a bad input: it shows the first
// bytes received, never the whole input.
const maxLogLine = 2048

// badInput is one input that is not a CodeDeploy notification.
type badInput struct {
	name  string
	input []byte
}

// badInputs is the corpus: broken JSON, wrong types, oversized and
// foreign messages, invalid UTF-8, empty input, null and deep nesting,
// both as the whole invocation payload and as the Message of an SNS
// record.
func badInputs(t testing.TB) []badInput {
	t.Helper()
	fixture := readFixture(t, "sns-lambda/instance-success.json")
	trigger := []byte(`{"region":"us-east-1","accountId":"111122223333","eventTriggerName":"cutover","applicationName":"web-frontend","deploymentId":"d-7XQ2K9ABC","status":"FAILED"}`)
	pad := strings.Repeat("A", 300<<10)
	alarm := `{"AlarmName":"web-frontend-5xx","AlarmDescription":null,"AWSAccountId":"111122223333","NewStateValue":"ALARM","NewStateReason":"Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).","StateChangeTime":"2026-11-26T10:00:00.000+0000","Region":"US East (N. Virginia)","AlarmArn":"arn:aws:cloudwatch:us-east-1:111122223333:alarm:web-frontend-5xx","OldStateValue":"OK","Trigger":{"MetricName":"HTTPCode_Target_5XX_Count","Namespace":"AWS/ApplicationELB","Statistic":"SUM","Period":60,"EvaluationPeriods":1,"ComparisonOperator":"GreaterThanThreshold","Threshold":5.0}}`
	s3 := `{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2026-11-26T10:00:00.000Z","eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0","bucket":{"name":"web-frontend-assets","arn":"arn:aws:s3:::web-frontend-assets"},"object":{"key":"index.html","size":1024,"eTag":"0123456789abcdef0123456789abcdef"}}}]}`
	nested := func(depth int) string { return strings.Repeat("[", depth) + strings.Repeat("]", depth) }
	wrap := func(name, msg string) badInput {
		return badInput{name: "sns_message_" + name, input: snsWrap(t, "e2e-bad-"+name, msg)}
	}
	return []badInput{
		{"empty_body", nil},
		{"whitespace_only", []byte(" \n\t ")},
		{"json_null", []byte("null")},
		{"json_string", []byte(`"hello"`)},
		{"json_number", []byte("42")},
		{"empty_object", []byte("{}")},
		{"truncated_lambda_event", fixture[:len(fixture)/2]},
		{"records_not_a_list", []byte(`{"Records":"not a list"}`)},
		{"records_empty", []byte(`{"Records":[]}`)},
		{"record_null", []byte(`{"Records":[null]}`)},
		{"sns_wrong_types", []byte(`{"Records":[{"EventSource":"aws:sns","Sns":{"MessageId":42,"Message":{"deploymentId":"d-1"}}}]}`)},
		{"sns_not_an_object", []byte(`{"Records":[{"EventSource":"aws:sns","Sns":"hello"}]}`)},
		{"s3_event", []byte(s3)},
		{"eventbridge_other_source", []byte(`{"version":"0","id":"1","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{"instance-id":"i-0123456789abcdef0","state":"running"}}`)},
		{"trigger_wrong_types", []byte(`{"deploymentId":12345,"status":["SUCCEEDED"],"region":true}`)},
		{"invalid_utf8", []byte("{\"Records\":\"\xff\xfe\xfd\"}")},
		{"invalid_utf8_in_sns_message", []byte("{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"MessageId\":\"e2e-bad-utf8\",\"Message\":\"\xff\xfe{\\\"status\\\":1}\"}}]}")},
		{"oversized_300KiB", []byte(`{"padding":"` + pad + `"}`)},
		{"deeply_nested_arrays", []byte(nested(100000))},
		{"nested_arrays_within_json_limits", []byte(nested(5000))},
		wrap("hello", "hello"),
		wrap("empty", ""),
		wrap("truncated_trigger", string(trigger[:len(trigger)/2])),
		wrap("trigger_wrong_types", `{"deploymentId":["d-1"],"status":{"x":1},"accountId":7}`),
		wrap("json_null", "null"),
		wrap("json_string", `"a string"`),
		wrap("cloudwatch_alarm", alarm),
		wrap("s3_event", s3),
		wrap("oversized_300KiB", `{"padding":"`+pad+`"}`),
		wrap("deeply_nested_arrays", nested(100000)),
	}
}

// TestBadInputDispatcher feeds every bad input to the inbound router with the
// real Slack notifier: each is rejected once and logged once, without a
// panic, an error (which would make Lambda retry) or a chat request.
func TestBadInputDispatcher(t *testing.T) {
	chat := testrig.NewFakeChat(t)
	poster := chatpost.NewPoster(chatpost.PosterOptions{})
	for _, bi := range badInputs(t) {
		t.Run(bi.name, func(t *testing.T) {
			var logs syncBuffer
			d := newSlackDispatcher(chat.WebhookURL(), poster, nil, jsonLogger(&logs))
			before := chat.Count()
			rep, err := handleNoPanic(t, handle(d), bi.input)
			if err != nil {
				t.Errorf("Handle returned an error, which would make Lambda retry: %v", err)
			}
			if len(rep.Events) != 0 {
				t.Errorf("decoded %d events from a bad input", len(rep.Events))
			}
			if len(rep.Rejected) != 1 {
				t.Errorf("got %d rejected entries, want 1: %v", len(rep.Rejected), rep.Rejected)
			}
			if n := chat.Count() - before; n != 0 {
				t.Errorf("bad input made %d chat requests", n)
			}
			checkOneRejectLine(t, parseLogLines(logs.String()), logs.String())
		})
	}
}

// handleNoPanic calls handle and turns a panic into a test failure.
func handleNoPanic[R any](t *testing.T, handle func(context.Context, []byte) (R, error), input []byte) (rep R, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Fatalf("Handle panicked: %v", p)
		}
	}()
	return handle(context.Background(), input)
}

// checkOneRejectLine checks that lines hold exactly one warning or error,
// that it says why and is short.
func checkOneRejectLine(t *testing.T, lines []logLine, raw string) {
	t.Helper()
	bad := atLeast(lines, slog.LevelWarn)
	if len(bad) != 1 {
		t.Fatalf("got %d warning or error log lines, want 1:\n%.4000s", len(bad), raw)
	}
	l := bad[0]
	if l.str("reason") == "" && l.str("error") == "" {
		t.Errorf("the log line does not say why the input was dropped: %v", l)
	}
	if b, _ := json.Marshal(l); len(b) > maxLogLine {
		t.Errorf("the log line is %d bytes, more than %d: it should show only the first bytes", len(b), maxLogLine)
	}
}

// TestBadInputLambda sends the corpus to the real bootstrap under the
// Runtime Interface Emulator: every invocation succeeds (no Lambda retry
// storm), logs one line and makes no chat request, and the function stays
// up. Lambda's Invoke API accepts only JSON payloads, so inputs that are
// not JSON (empty, truncated, nested past encoding/json's depth limit) are
// sent as the Message of an SNS record instead, which is how such bytes can
// reach the function. AWS calls go to an endpoint that answers none of
// them, and the test checks that none was made.
func TestBadInputLambda(t *testing.T) {
	var awsCalls atomic.Int64
	noAWS := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		awsCalls.Add(1)
		http.Error(w, "no AWS in this test", http.StatusInternalServerError)
	}))
	t.Cleanup(noAWS.Close)
	rig := startLambda(t, []string{
		"AWS_ENDPOINT_URL=" + noAWS.URL,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=" + testrig.Region, "AWS_EC2_METADATA_DISABLED=true",
	})
	for i, bi := range badInputs(t) {
		t.Run(bi.name, func(t *testing.T) {
			payload := bi.input
			if !json.Valid(payload) {
				payload = snsWrap(t, fmt.Sprintf("e2e-bad-lambda-%03d", i), string(bi.input))
			}
			before := rig.chat.Count()
			inv := rig.invoke(t, payload)
			if inv.FunctionError {
				t.Errorf("the invocation failed (%d %s: %s), so Lambda would retry it", inv.Status, inv.ErrorType, inv.ErrorMessage)
			}
			if !bytes.Equal(bytes.TrimSpace(inv.Body), []byte("null")) {
				t.Errorf("invocation result %.300s, want null", inv.Body)
			}
			if n := rig.chat.Count() - before; n != 0 {
				t.Errorf("bad input made %d chat requests", n)
			}
			if strings.Contains(inv.Output, "panic") || strings.Contains(inv.Output, "Runtime.ExitError") {
				t.Errorf("the function crashed:\n%.4000s", inv.Output)
			}
			checkOneRejectLine(t, inv.Logs, inv.Output)
		})
	}
	if n := awsCalls.Load(); n != 0 {
		t.Errorf("the function made %d AWS calls for bad input", n)
	}
}
