package inbound

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/source"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// read reads a file of this package's testdata, or, for a name with a
// directory, of the CodeDeploy source's.
// testSources is the registry the tests classify with: the CodeDeploy
// source, as app.Sources builds it.
var testSources = source.New(codedeploy.Decoder{})

func read(t testing.TB, name string) []byte {
	t.Helper()
	path := filepath.Join("testdata", name)
	if strings.Contains(name, "/") {
		path = filepath.Join("..", "source", "codedeploy", "testdata", name)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sqsBatch builds a Lambda SQS event, one record per body, with message
// IDs m-1, m-2, ...
func sqsBatch(t testing.TB, bodies ...[]byte) []byte {
	t.Helper()
	type rec struct {
		MessageID   string `json:"messageId"`
		EventSource string `json:"eventSource"`
		Body        string `json:"body"`
	}
	var recs []rec
	for i, b := range bodies {
		recs = append(recs, rec{MessageID: "m-" + string(rune('1'+i)), EventSource: "aws:sqs", Body: string(b)})
	}
	out, err := json.Marshal(map[string]any{"Records": recs})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const alarm = `{"AlarmName":"web-frontend-5xx","NewStateValue":"ALARM"}`

// TestClassify: every kind of payload, as AWS sends it, gets its kind and
// typed parts.
func TestClassify(t *testing.T) {
	badFollowUp := strings.Replace(string(read(t, "followup.json")), `"attempt":1`, `"attempt":0`, 1)
	twoSNS := `{"Records":[` +
		`{"EventSource":"aws:sns","Sns":{"MessageId":"m-good","Message":` + jsonString(t, read(t, "trigger-real/instance-success.json")) + `}},` +
		`{"EventSource":"aws:sns","Sns":{"MessageId":"m-bad","Message":"hello"}}]}`
	cases := []struct {
		name     string
		input    []byte
		kind     Kind
		events   int
		rejected []string // message IDs of the rejected parts
		hook     *Hook
	}{
		{name: "sns lambda", input: read(t, "sns-lambda/instance-success.json"), kind: KindNotification, events: 1},
		{name: "sns http", input: read(t, "sns-http/instance-success.json"), kind: KindNotification, events: 1},
		{name: "eventbridge", input: read(t, "eventbridge/instance-success.json"), kind: KindNotification, events: 1},
		{name: "bare trigger", input: read(t, "trigger-real/deployment-failure.json"), kind: KindNotification, events: 1},
		{name: "failure destination record", input: read(t, "destination/deployment-failure.json"), kind: KindNotification, events: 1},
		{name: "sns records good and bad", input: []byte(twoSNS), kind: KindNotification, events: 1, rejected: []string{"m-bad"}},
		{name: "follow-up", input: read(t, "followup.json"), kind: KindFollowUp},
		{name: "follow-up that cannot be decoded", input: []byte(badFollowUp), kind: KindUnknown, rejected: []string{""}},
		{name: "cloudwatch alarm", input: []byte(alarm), kind: KindUnknown, rejected: []string{""}},
		{name: "not json", input: []byte("hello"), kind: KindUnknown, rejected: []string{""}},
		{name: "empty", input: nil, kind: KindUnknown, rejected: []string{""}},
		{name: "subscription confirmation", input: []byte(`{"Type":"SubscriptionConfirmation","MessageId":"m-sub","TopicArn":"arn:aws:sns:us-east-1:111122223333:t","SubscribeURL":"https://sns.us-east-1.amazonaws.com/"}`), kind: KindUnknown, rejected: []string{""}},
		{name: "codedeploy hook", input: read(t, "hook-codedeploy.json"), kind: KindHook, hook: &Hook{
			Platform: deploy.CodeDeployECS, DeploymentID: "d-7XQ2K9ABC",
			ExecutionID: "eyJlbmNyeXB0ZWREYXRhIjoiV2l0aEFIb29rRXhlY3V0aW9uSWRUaGF0SXNPcGFxdWUiLCJpdlBhcmFtZXRlclNwZWMiOiJ4In0=",
		}},
		{name: "codedeploy hook in a failure record", input: read(t, "hook-codedeploy-failure-record.json"), kind: KindHook, hook: &Hook{
			Platform: deploy.CodeDeployECS, DeploymentID: "d-7XQ2K9ABC",
			ExecutionID: "eyJlbmNyeXB0ZWREYXRhIjoiV2l0aEFIb29rRXhlY3V0aW9uSWRUaGF0SXNPcGFxdWUiLCJpdlBhcmFtZXRlclNwZWMiOiJ4In0=",
		}},
		{name: "ecs hook production traffic shift", input: read(t, "hook-ecs-production-traffic-shift.json"), kind: KindHook, hook: &Hook{
			Platform: deploy.ECSNative, DeploymentID: "arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/EZe5RNVLH6PPzHXINuP28",
			ExecutionID: "f4fcae0f-9bec-41c6-ba87-0eaa0cef8af5", Stage: "PRODUCTION_TRAFFIC_SHIFT",
		}},
		{name: "ecs hook post production traffic shift", input: read(t, "hook-ecs-post-production-traffic-shift.json"), kind: KindHook, hook: &Hook{
			Platform: deploy.ECSNative, DeploymentID: "arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/EZe5RNVLH6PPzHXINuP28",
			ExecutionID: "0b6e2c1a-5d7f-4e8a-9c3b-2f1e0d9c8b7a", Stage: "POST_PRODUCTION_TRAFFIC_SHIFT",
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Classify(testSources, c.input)
			if p.Kind != c.kind || len(p.Events) != c.events {
				t.Fatalf("kind %s with %d events, want %s with %d (rejected %v)", p.Kind, len(p.Events), c.kind, c.events, p.Rejected)
			}
			var ids []string
			for _, r := range p.Rejected {
				ids = append(ids, r.MessageID)
				if !retry.IsPermanent(r) || r.Err == nil {
					t.Errorf("rejection %v is not a permanent typed error", r)
				}
			}
			if strings.Join(ids, ",") != strings.Join(c.rejected, ",") {
				t.Errorf("rejected message IDs %q, want %q", ids, c.rejected)
			}
			switch {
			case c.hook == nil && p.Hook != nil:
				t.Errorf("hook %+v, want none", p.Hook)
			case c.hook != nil && (p.Hook == nil || p.Hook.Platform != c.hook.Platform || p.Hook.DeploymentID != c.hook.DeploymentID ||
				p.Hook.ExecutionID != c.hook.ExecutionID || p.Hook.Stage != c.hook.Stage || p.Hook.Err != nil || p.Hook.Invocation == nil):
				t.Errorf("hook %+v, want %+v", p.Hook, c.hook)
			}
			if (p.Kind == KindFollowUp) != (p.FollowUp != nil) {
				t.Errorf("kind %s with follow-up %v", p.Kind, p.FollowUp)
			}
		})
	}
	// The rejections are the typed errors the source gives.
	p := Classify(testSources, []byte(alarm))
	var de *source.DecodeError
	if !errors.As(p.Rejected[0], &de) || !strings.Contains(de.Reason, "not a deployment notification") {
		t.Errorf("alarm rejection %v is not a *source.DecodeError saying why", p.Rejected[0])
	}
	p = Classify(testSources, cases[11].input)
	if !errors.Is(p.Rejected[0], source.ErrSubscriptionConfirmation) {
		t.Errorf("subscription confirmation rejected as %v", p.Rejected[0])
	}
}

// TestClassifyBatch: each SQS record is classified on its own, and what
// it rejects carries the SQS message ID.
func TestClassifyBatch(t *testing.T) {
	in := sqsBatch(t,
		read(t, "sns-http/instance-success.json"),
		read(t, "followup.json"),
		[]byte("not a notification"),
		read(t, "hook-ecs-production-traffic-shift.json"),
		read(t, "trigger-real/deployment-failure.json"),
	)
	p := Classify(testSources, in)
	if p.Kind != KindBatch || len(p.Records) != 5 {
		t.Fatalf("kind %s, %d records", p.Kind, len(p.Records))
	}
	want := []Kind{KindNotification, KindFollowUp, KindUnknown, KindHook, KindNotification}
	for i, r := range p.Records {
		if r.MessageID != "m-"+string(rune('1'+i)) || r.Payload.Kind != want[i] {
			t.Errorf("record %d: %s %s, want m-%d %s", i, r.MessageID, r.Payload.Kind, i+1, want[i])
		}
	}
	if rj := p.Records[2].Payload.Rejected; len(rj) != 1 || rj[0].MessageID != "m-3" || !strings.Contains(rj[0].Error(), "(sqs message m-3)") {
		t.Errorf("the junk record's rejection does not name its SQS message ID: %v", rj)
	}
	// Records that are not all from SQS are SNS records for the source.
	mixed := []byte(`{"Records":[{"eventSource":"aws:sqs","messageId":"m-1","body":"{}"},{"EventSource":"aws:sns","Sns":{"MessageId":"m-2","Message":"hello"}}]}`)
	if p := Classify(testSources, mixed); p.Kind == KindBatch {
		t.Errorf("a batch with an SNS record classified as an SQS batch")
	}
}

// TestUnreadableHook: a hook whose fields are wrong is still a hook (it
// is answered), with an error naming the field; values from outside are
// bounded.
func TestUnreadableHook(t *testing.T) {
	long := `{"DeploymentId":"d-` + strings.Repeat("A", 5000) + `\n\u202e","LifecycleEventHookExecutionId":{"x":1}}`
	h := Classify(testSources, []byte(long)).Hook
	if h == nil || h.Err == nil || h.Invocation != nil {
		t.Fatalf("hook with hostile fields: %+v", h)
	}
	if !strings.Contains(h.Err.Error(), "LifecycleEventHookExecutionId") {
		t.Errorf("error %v does not name the field", h.Err)
	}
	if len(h.ExecutionID) > 200 {
		t.Errorf("execution ID of %d bytes kept for logs", len(h.ExecutionID))
	}
	ecs := Classify(testSources, []byte(`{"executionId":"x","lifecycleStage":7,"resourceArn":"r"}`)).Hook
	if ecs == nil || ecs.Platform != deploy.ECSNative || ecs.Err == nil {
		t.Fatalf("ECS hook with a numeric stage: %+v", ecs)
	}
}

func jsonString(t testing.TB, b []byte) string {
	t.Helper()
	s, err := json.Marshal(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return string(s)
}

// FuzzClassify: the classifier reads outside input; it never panics, is
// deterministic, and its Payload is consistent with its Kind.
func FuzzClassify(f *testing.F) {
	for _, name := range []string{"hook-codedeploy.json", "hook-ecs-production-traffic-shift.json", "hook-codedeploy-failure-record.json", "followup.json",
		"sns-lambda/instance-success.json", "eventbridge/instance-success.json", "destination/deployment-failure.json"} {
		f.Add(read(f, name))
	}
	f.Add(sqsBatch(f, read(f, "followup.json"), []byte("junk"), read(f, "hook-codedeploy.json")))
	f.Add([]byte(`{"executionId":1,"lifecycleStage":null}`))
	f.Add([]byte(`{"requestPayload":{"executionId":"x","lifecycleStage":"y"},"requestContext":{}}`))
	f.Add([]byte(`{"version":"2.0","rawPath":"/slack/actions","headers":{},"requestContext":{"http":{"method":"POST"}},"body":"cGF5bG9hZD0="}`))
	f.Add([]byte(`{"cutoverSlackAction":{"timestamp":"1","signature":"v0=","body":"eA=="}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := Classify(testSources, data)
		checkPayload(t, p, true)
		if again := Classify(testSources, data); again.Kind != p.Kind || len(again.Events) != len(p.Events) || len(again.Rejected) != len(p.Rejected) {
			t.Fatalf("not deterministic: %s then %s", p.Kind, again.Kind)
		}
	})
}

// checkPayload asserts that p is consistent with its kind.
func checkPayload(t *testing.T, p Payload, top bool) {
	t.Helper()
	if (p.Kind == KindHook) != (p.Hook != nil) || (p.Kind == KindFollowUp) != (p.FollowUp != nil) || (p.Kind == KindBatch) != (p.Records != nil) {
		t.Fatalf("kind %s inconsistent with its parts: %+v", p.Kind, p)
	}
	switch p.Kind {
	case KindNotification:
		if len(p.Events) == 0 {
			t.Fatal("notification without events")
		}
	case KindUnknown:
		if len(p.Events) != 0 || len(p.Rejected) == 0 {
			t.Fatalf("unknown with %d events and %d rejections", len(p.Events), len(p.Rejected))
		}
	case KindHook:
		if (p.Hook.Err == nil) == (p.Hook.Invocation == nil) {
			t.Fatalf("hook with error %v and invocation %v", p.Hook.Err, p.Hook.Invocation)
		}
	case KindBatch:
		if !top || len(p.Records) == 0 {
			t.Fatalf("batch nested %v or empty", !top)
		}
		for _, r := range p.Records {
			checkPayload(t, r.Payload, false)
		}
	case KindFollowUp:
	case KindHTTP:
		if !top || p.HTTP == nil {
			t.Fatalf("function URL request nested %v or missing", !top)
		}
	case KindInteraction:
		if !top || p.Interaction == nil {
			t.Fatalf("self-invocation nested %v or missing", !top)
		}
	default:
		t.Fatalf("unknown kind %q", p.Kind)
	}
	for _, r := range p.Rejected {
		if r.Err == nil || !retry.IsPermanent(r) {
			t.Fatalf("rejection %v", r)
		}
	}
}

// FuzzSQSBatch: the SQS batch detector reads outside input; it never
// panics, and only claims batches whose every record is from SQS.
func FuzzSQSBatch(f *testing.F) {
	f.Add([]byte(`{"Records":[{"messageId":"1","eventSource":"aws:sqs","body":"{}"}]}`))
	f.Add([]byte(`{"Records":[{"eventSource":"aws:sqs"},{"EventSource":"aws:sns"}]}`))
	f.Add(read(f, "sns-lambda/instance-success.json"))
	f.Fuzz(func(t *testing.T, payload []byte) {
		top := object(payload)
		if top == nil {
			return
		}
		recs, ok := sqsRecords(top)
		if !ok {
			return
		}
		if len(recs) == 0 {
			t.Fatal("empty batch accepted")
		}
		for _, r := range recs {
			if r.EventSource != "aws:sqs" {
				t.Fatalf("non-SQS record in a batch: %+v", r)
			}
		}
	})
}

// samePayload fails unless p and q say the same: kind, events, rejections
// (and their words), hook, follow-up, records.
func samePayload(t *testing.T, p, q Payload) {
	t.Helper()
	if p.Kind != q.Kind || !reflect.DeepEqual(p.Events, q.Events) || !reflect.DeepEqual(p.FollowUp, q.FollowUp) ||
		!reflect.DeepEqual(p.HTTP, q.HTTP) || !reflect.DeepEqual(p.Interaction, q.Interaction) || len(p.Rejected) != len(q.Rejected) || len(p.Records) != len(q.Records) {
		t.Fatalf("classified\n%+v\nbefore\n%+v", p, q)
	}
	for i := range p.Rejected {
		if p.Rejected[i].MessageID != q.Rejected[i].MessageID || p.Rejected[i].Error() != q.Rejected[i].Error() {
			t.Fatalf("rejection %d: %v, before %v", i, p.Rejected[i], q.Rejected[i])
		}
	}
	if (p.Hook == nil) != (q.Hook == nil) {
		t.Fatalf("hook %+v, before %+v", p.Hook, q.Hook)
	}
	if p.Hook != nil {
		ph, qh := *p.Hook, *q.Hook
		if (ph.Err == nil) != (qh.Err == nil) || (ph.Err != nil && ph.Err.Error() != qh.Err.Error()) {
			t.Fatalf("hook error %v, before %v", ph.Err, qh.Err)
		}
		ph.Err, qh.Err = nil, nil
		if !reflect.DeepEqual(ph, qh) {
			t.Fatalf("hook %+v, before %+v", ph, qh)
		}
	}
	for i := range p.Records {
		if p.Records[i].MessageID != q.Records[i].MessageID {
			t.Fatalf("record %d: %q, before %q", i, p.Records[i].MessageID, q.Records[i].MessageID)
		}
		samePayload(t, p.Records[i].Payload, q.Records[i].Payload)
	}
}

// classifyAsBefore is Classify with the classifier of before (legacy_test.go).
func classifyAsBefore(data []byte) Payload {
	if req, ok := functionURL(data); ok {
		return Payload{Kind: KindHTTP, HTTP: req}
	}
	return legacyClassify(testSources, data, 0)
}

// TestClassifyAsBefore: every fixture is classified as it was before the
// top level was shared with the registry.
func TestClassifyAsBefore(t *testing.T) {
	var inputs [][]byte
	for _, pattern := range []string{"testdata/*.json", "../source/codedeploy/testdata/*/*.json", "../source/ecsnative/testdata/*/*.json", "../e2e/testdata/hostile/*"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, data)
		}
	}
	if len(inputs) < 40 {
		t.Fatalf("only %d inputs", len(inputs))
	}
	inputs = append(inputs, []byte(`{"executionId":1,"lifecycleStage":null}`), []byte(`{"executionId":"x","lifecycleStage":"y"`),
		[]byte(`{"requestPayload":{"executionId":"x","lifecycleStage":"y"},"requestContext":{}}`),
		[]byte(`{"TYPE":"cutover.cloudfront-followup"}`), []byte(`{"\u0074ype":"x","lifecycle\u0053tage":"s","executionId":"e"}`))
	for _, data := range inputs {
		samePayload(t, Classify(testSources, data), classifyAsBefore(data))
	}
}

// FuzzClassifyAsBefore: Classify decides every input as the classifier
// of before did.
func FuzzClassifyAsBefore(f *testing.F) {
	for _, name := range []string{"hook-codedeploy.json", "hook-ecs-production-traffic-shift.json", "hook-codedeploy-failure-record.json", "followup.json",
		"sns-lambda/instance-success.json", "eventbridge/instance-success.json", "destination/deployment-failure.json"} {
		f.Add(read(f, name))
	}
	f.Add(sqsBatch(f, read(f, "followup.json"), []byte("junk"), read(f, "hook-codedeploy.json")))
	f.Add([]byte(`{"cutoverSlackAction":{"timestamp":"1","signature":"v0=","body":"eA=="}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		samePayload(t, Classify(testSources, data), classifyAsBefore(data))
	})
}
