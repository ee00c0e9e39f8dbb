package codedeploy

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fixtures returns every input fixture, keyed "dir/name.json".
func fixtures(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob("testdata/*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		if strings.HasPrefix(p, filepath.Join("testdata", "decoded")) {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel("testdata", p)
		out[filepath.ToSlash(rel)] = b
	}
	if len(out) < 20 {
		t.Fatalf("found only %d fixtures", len(out))
	}
	return out
}

// TestDecodeGolden decodes every fixture and compares the events with a
// golden file, so any change in how a payload is understood is reviewed.
func TestDecodeGolden(t *testing.T) {
	for name, data := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			evs, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(evs) != 1 {
				t.Fatalf("got %d events, want 1", len(evs))
			}
			got, err := json.MarshalIndent(evs, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", "decoded", strings.ReplaceAll(name, "/", "__"))
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read golden (run go test -update): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("decoded event differs from %s (run go test -update and review):\n%s", golden, got)
			}
			// Round trip: the event's own JSON decodes back to the same value.
			var back []deploy.Event
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatal(err)
			}
			again, _ := json.MarshalIndent(back, "", "  ")
			if !bytes.Equal(append(again, '\n'), got) {
				t.Errorf("event JSON does not round-trip")
			}
		})
	}
}

func decodeOne(t *testing.T, path string) deploy.Event {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", path))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := Decode(data)
	if err != nil {
		t.Fatalf("Decode(%s): %v", path, err)
	}
	if len(evs) != 1 {
		t.Fatalf("got %d events", len(evs))
	}
	return evs[0]
}

func TestKinds(t *testing.T) {
	cases := map[string]string{
		"trigger-real/deployment-start.json":           DeploymentStart,
		"trigger-real/deployment-ready.json":           DeploymentReady,
		"trigger-real/deployment-success.json":         DeploymentSuccess,
		"trigger-real/deployment-failure.json":         DeploymentFailure,
		"trigger-real/deployment-stop.json":            DeploymentStop,
		"trigger-real/deployment-rollback.json":        DeploymentRollback,
		"trigger-real/instance-start.json":             InstanceStart,
		"trigger-real/instance-ready.json":             InstanceReady,
		"trigger-real/instance-success.json":           InstanceSuccess,
		"trigger-real/instance-failure.json":           InstanceFailure,
		"trigger-real/rollback-instance-success.json":  InstanceSuccess,
		"trigger-real/trigger-test.json":               TriggerTest,
		"trigger-real/unknown-status.json":             Unknown,
		"trigger-documented/deployment-failure.json":   DeploymentFailure,
		"trigger-documented/deployment-success.json":   DeploymentSuccess,
		"trigger-documented/instance-success-ec2.json": InstanceSuccess,
		"trigger-documented/instance-success-ecs.json": InstanceSuccess,
		"sns-lambda/instance-success.json":             InstanceSuccess,
		"sns-lambda/deployment-failure.json":           DeploymentFailure,
		"sns-lambda/deployment-rollback.json":          DeploymentRollback,
		"sns-lambda/trigger-test.json":                 TriggerTest,
		"sns-http/instance-success.json":               InstanceSuccess,
		"eventbridge/instance-success.json":            InstanceSuccess,
		"eventbridge/deployment-failure.json":          DeploymentFailure,
		"eventbridge/deployment-ready.json":            DeploymentReady,
		"eventbridge/deployment-start.json":            DeploymentStart,
		"destination/deployment-failure.json":          DeploymentFailure,
	}
	for path, want := range cases {
		if got := decodeOne(t, path).Name; got != want {
			t.Errorf("%s: kind %s, want %s", path, got, want)
		}
	}
	if n := len(fixtures(t)); n != len(cases) {
		t.Errorf("%d fixtures but %d kind cases: add the new fixture here", n, len(cases))
	}
}

func TestTrafficSwitched(t *testing.T) {
	for path, want := range map[string]bool{
		"trigger-real/instance-success.json":           true,
		"trigger-documented/instance-success-ecs.json": true,
		"eventbridge/instance-success.json":            true,
		"sns-http/instance-success.json":               true,
		"trigger-documented/instance-success-ec2.json": false, // EC2 progress, not a cutover
		"trigger-real/instance-ready.json":             false,
		"trigger-real/deployment-success.json":         false,
	} {
		ev := decodeOne(t, path)
		if ev.TrafficSwitched() != want {
			t.Errorf("%s: TrafficSwitched %v, want %v", path, ev.TrafficSwitched(), want)
		}
	}
	ev := decodeOne(t, "trigger-real/instance-success.json")
	if ev.Target.Cluster != "prod-cluster" || ev.Target.Service != "web-frontend" || ev.Target.Type != "ECS" {
		t.Errorf("target %+v", ev.Target)
	}
	if n := len(ev.Target.Lifecycle); n != 8 || ev.Target.Lifecycle[6].Name != "AllowTraffic" {
		t.Errorf("lifecycle %+v", ev.Target.Lifecycle)
	}
}

func TestRealAndDocumentedShapes(t *testing.T) {
	real := decodeOne(t, "trigger-real/deployment-failure.json")
	if real.Error == nil || real.Error.Code != "ECS_UPDATE_ERROR" ||
		real.Error.Message != "CodeDeploy detected that the replacement task set is unhealthy." {
		t.Errorf("real error: %+v", real.Error)
	}
	if real.Overview == nil || real.Overview.Failed != 1 {
		t.Errorf("real overview: %+v", real.Overview)
	}
	if real.Rollback != nil {
		t.Errorf(`"{}" rollback information should decode to nil, got %+v`, real.Rollback)
	}
	if want := time.Date(2022, 11, 4, 9, 12, 7, 0, time.UTC); !real.CreateTime.Equal(want) {
		t.Errorf("real createTime %v, want %v", real.CreateTime, want)
	}
	if real.Status != "FAILED" || real.RawStatus != "FAILED" {
		t.Errorf("status %q raw %q", real.Status, real.RawStatus)
	}

	doc := decodeOne(t, "trigger-documented/deployment-failure.json")
	if doc.Overview == nil || doc.Overview.Failed != 10 {
		t.Errorf("documented overview: %+v", doc.Overview)
	}
	if doc.Error == nil || doc.Error.Code != "IAM_ROLE_MISSING" {
		t.Errorf("documented error: %+v", doc.Error)
	}
	if want := time.Date(2015, 11, 5, 17, 23, 8, 595e6, time.UTC); !doc.CreateTime.Equal(want) {
		t.Errorf("documented createTime %v, want %v", doc.CreateTime, want)
	}
	if doc.Status != "FAILED" || doc.RawStatus != "Failed" {
		t.Errorf("documented status %q raw %q", doc.Status, doc.RawStatus)
	}

	start := decodeOne(t, "trigger-real/deployment-start.json")
	if !start.CompleteTime.IsZero() {
		t.Errorf("completeTime null should be zero, got %v", start.CompleteTime)
	}
}

func TestRollbackLink(t *testing.T) {
	ev := decodeOne(t, "sns-lambda/deployment-rollback.json")
	if !ev.IsRollback() || ev.Rollback.RollsBack != "d-M4QFAIL01" {
		t.Fatalf("rollback link: %+v", ev.Rollback)
	}
	if ev.MessageID != "c3d5e7f9-2b4c-6d8e-0f1a-3b5c7d9e1f2a" || ev.ID != ev.MessageID {
		t.Errorf("message id %q id %q", ev.MessageID, ev.ID)
	}
}

func TestEnvelopeIdentity(t *testing.T) {
	lam := decodeOne(t, "sns-lambda/instance-success.json")
	http := decodeOne(t, "sns-http/instance-success.json")
	if lam.ID != http.ID || lam.Key() != http.Key() {
		t.Errorf("same SNS message through two envelopes: ids %q/%q keys %q/%q", lam.ID, http.ID, lam.Key(), http.Key())
	}
	bare := decodeOne(t, "trigger-real/instance-success.json")
	if bare.Key() != lam.Key() || !strings.HasPrefix(bare.ID, "key:") {
		t.Errorf("bare message identity %q key %q", bare.ID, bare.Key())
	}
	if lam.Published.IsZero() || lam.Subject == "" || lam.TopicARN == "" {
		t.Errorf("SNS metadata missing: %+v", lam)
	}
	eb := decodeOne(t, "eventbridge/instance-success.json")
	if eb.Identity() != lam.Identity() {
		t.Errorf("the same cutover through EventBridge and SNS must share an identity: %q vs %q", eb.Identity(), lam.Identity())
	}
	if eb.ID != "0f2a4c6e-8b0d-2f4a-6c8e-0b2d4f6a8c0e" || eb.Source != SourceEventBridge {
		t.Errorf("eventbridge id %q source %q", eb.ID, eb.Source)
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := map[string]struct {
		in, want string
	}{
		"empty":          {"", "empty input"},
		"not json":       {"hello", "not a JSON object"},
		"array":          {"[1,2]", "not a JSON object"},
		"truncated":      {`{"Records":[{"Sns":{"Message":"{\"deploymentId`, "not a JSON object"},
		"other service":  {`{"Records":[{"EventSource":"aws:sns","Sns":{"MessageId":"m-1","Message":"{\"AlarmName\":\"cpu\"}"}}]}`, "not a deployment notification"},
		"plain text sns": {`{"Records":[{"EventSource":"aws:sns","Sns":{"MessageId":"m-2","Message":"deploy done"}}]}`, "SNS message is not JSON"},
		"no records":     {`{"Records":[]}`, "no records"},
		"s3 record":      {`{"Records":[{"eventSource":"aws:s3"}]}`, "neither SNS nor SQS"},
		"other eb":       {`{"source":"aws.ecs","detail-type":"ECS Task State Change","detail":{}}`, "not aws.codedeploy"},
		"eb no id":       {`{"source":"aws.codedeploy","detail-type":"CodeDeploy Deployment State-change Notification","detail":{"state":"SUCCESS"}}`, "no detail.deploymentId"},
		"bad time":       {`{"deploymentId":"d-1","status":"FAILED","createTime":"yesterday"}`, "createTime"},
		"bad overview":   {`{"deploymentId":"d-1","status":"FAILED","deploymentOverview":"{\"Failed\":\"many\"}"}`, "deploymentOverview"},
		"bad error info": {`{"deploymentId":"d-1","status":"FAILED","errorInformation":"oops"}`, "errorInformation"},
		"status object":  {`{"deploymentId":"d-1","status":{"a":1}}`, "field status"},
		"unrelated":      {`{"hello":"world"}`, "not a deployment notification (top-level keys: hello)"},
		"no deployment":  {`{"status":"garbage","region":"us-east-1"}`, "no deploymentId"},
		"invalid utf8":   {"{\"deploymentId\":\"d-\xff\"}", "not valid UTF-8"},
		"subscription":   {`{"Type":"SubscriptionConfirmation","TopicArn":"arn:aws:sns:us-east-1:1:t","Token":"x"}`, "subscription confirmation"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			evs, err := Decode([]byte(c.in))
			if err == nil {
				t.Fatalf("decoded %+v, want error", evs)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
			var de *source.DecodeError
			if errors.As(err, &de) {
				if !de.Permanent() {
					t.Error("decode errors must be permanent")
				}
			} else if !errors.Is(err, source.ErrSubscriptionConfirmation) {
				t.Errorf("error %T is not a *DecodeError", err)
			}
		})
	}
}

func TestDecodeErrorNamesMessage(t *testing.T) {
	_, err := Decode([]byte(`{"Records":[{"EventSource":"aws:sns","Sns":{"MessageId":"m-42","Message":"{\"AlarmName\":\"cpu\"}"}}]}`))
	var de *source.DecodeError
	if !errors.As(err, &de) || de.MessageID != "m-42" || !strings.Contains(de.Snippet, "AlarmName") {
		t.Fatalf("error %#v should carry the message id and snippet", err)
	}
}

func TestPartialRecords(t *testing.T) {
	good, _ := os.ReadFile("testdata/sns-lambda/instance-success.json")
	var ev struct{ Records []json.RawMessage }
	if err := json.Unmarshal(good, &ev); err != nil {
		t.Fatal(err)
	}
	bad := json.RawMessage(`{"EventSource":"aws:sns","Sns":{"MessageId":"m-bad","Message":"nope"}}`)
	mixed, _ := json.Marshal(map[string]any{"Records": []json.RawMessage{ev.Records[0], bad}})
	evs, err := Decode(mixed)
	if len(evs) != 1 || evs[0].Name != InstanceSuccess {
		t.Errorf("good record lost: %+v", evs)
	}
	if err == nil || !strings.Contains(err.Error(), "m-bad") {
		t.Errorf("bad record not reported: %v", err)
	}
}

func TestHugeInput(t *testing.T) {
	big := `{"deploymentId":"d-1","status":"FAILED","x":"` + strings.Repeat("a", source.MaxInput) + `"}`
	_, err := Decode([]byte(big))
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("huge input: %v", err)
	}
	if len(err.Error()) > 400 {
		t.Errorf("error message is %d bytes: snippet not bounded", len(err.Error()))
	}
}

func TestNormStatus(t *testing.T) {
	for in, want := range map[string]string{
		"Failed": "FAILED", "InProgress": "IN_PROGRESS", "IN_PROGRESS": "IN_PROGRESS",
		"SUCCEEDED": "SUCCEEDED", "Ready": "READY", "": "",
	} {
		if got := normStatus(in); got != want {
			t.Errorf("normStatus(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSnippet(t *testing.T) {
	s := source.Snippet([]byte("héllo wörld"), 2)
	if s != "h…" {
		t.Errorf("split rune not dropped: %q", s)
	}
	if got := source.Snippet([]byte("a\xffb"), 10); got != "a\uFFFDb" {
		t.Errorf("invalid utf-8 not replaced: %q", got)
	}
}

// FuzzDecode feeds arbitrary bytes, seeded with every fixture, to Decode:
// it must never panic, and every error must be a *DecodeError (or the
// subscription sentinel) with a bounded message.
func FuzzDecode(f *testing.F) {
	for _, data := range fixtures(f) {
		f.Add(data)
	}
	f.Add([]byte(`{"deploymentId":"d-1","status":"Failed","deploymentOverview":{"Failed":"1"}}`))
	f.Add([]byte(`{"Records":[{"body":"{\"deploymentId\":\"d-1\",\"status\":\"READY\"}"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := Decode(data)
		if err != nil {
			var de *source.DecodeError
			if !errors.As(err, &de) && !errors.Is(err, source.ErrSubscriptionConfirmation) {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
		for _, ev := range evs {
			if ev.Name == "" || ev.Phase == "" {
				t.Fatalf("event without name or phase: %+v", ev)
			}
			if ev.ID == "" {
				t.Fatalf("event without id: %+v", ev)
			}
			if ev.TrafficSwitched() && ev.Name != InstanceSuccess {
				t.Fatalf("traffic switched on %s", ev.Name)
			}
		}
	})
}

// FuzzFlexTime checks the time reader never panics and never accepts text
// it cannot round-trip into a valid time.
func FuzzFlexTime(f *testing.F) {
	for _, s := range []string{`"Thu Oct 13 15:50:45 UTC 2022"`, `"1446744188.595"`, `1446744188`, `null`, `"2022-10-13T15:50:45Z"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := flexTime(json.RawMessage(s))
		if err == nil && tm.Location() != time.UTC {
			t.Fatalf("time %v not in UTC", tm)
		}
	})
}

// BenchmarkDecode measures decoding the traffic-switched SNS event Lambda
// receives.
func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile("testdata/sns-lambda/instance-success.json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
