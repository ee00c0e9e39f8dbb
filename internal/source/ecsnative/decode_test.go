package ecsnative

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
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
	if len(out) < 10 {
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

func TestNamesAndPhases(t *testing.T) {
	cases := map[string]struct {
		name  string
		phase deploy.Phase
		src   string
	}{
		"deployment/in-progress.json":            {DeploymentInProgress, deploy.Started, SourceDeployment},
		"deployment/documented-in-progress.json": {DeploymentInProgress, deploy.Started, SourceDeployment},
		"deployment/rolling-back.json":           {DeploymentInProgress, deploy.RollingBack, SourceDeployment},
		"deployment/completed.json":              {DeploymentCompleted, deploy.Succeeded, SourceDeployment},
		"deployment/failed.json":                 {DeploymentFailed, deploy.Failed, SourceDeployment},
		"hook/in-progress.json":                  {HookInProgress, deploy.Started, SourceHook},
		"hook/awaiting-action.json":              {HookAwaitingAction, deploy.Ready, SourceHook},
		"hook/documented-awaiting-action.json":   {HookAwaitingAction, deploy.Ready, SourceHook},
		"hook/succeeded.json":                    {HookSucceeded, deploy.Succeeded, SourceHook},
		"hook/failed.json":                       {HookFailed, deploy.Failed, SourceHook},
		"hook/timed-out.json":                    {HookTimedOut, deploy.Failed, SourceHook},
	}
	for path, want := range cases {
		ev := decodeOne(t, path)
		if ev.Name != want.name || ev.Phase != want.phase || ev.Source != want.src || ev.Platform != deploy.ECSNative {
			t.Errorf("%s: %s %s %s %s, want %s %s %s ecs-native", path, ev.Name, ev.Phase, ev.Source, ev.Platform, want.name, want.phase, want.src)
		}
	}
	if n := len(fixtures(t)); n != len(cases) {
		t.Errorf("%d fixtures but %d cases: add the new fixture here", n, len(cases))
	}
}

func TestDeploymentEventFields(t *testing.T) {
	ev := decodeOne(t, "deployment/failed.json")
	if ev.Cluster != "prod-cluster" || ev.Service != "web-frontend" || ev.DeploymentID != "ecs-svc/4503257381420581834" {
		t.Errorf("service %s/%s deployment %s", ev.Cluster, ev.Service, ev.DeploymentID)
	}
	if ev.Region != "us-east-1" || ev.AccountID != "111122223333" {
		t.Errorf("region %s account %s", ev.Region, ev.AccountID)
	}
	if want := time.Date(2026, 11, 26, 11, 48, 58, 0, time.UTC); !ev.Published.Equal(want) {
		t.Errorf("published %v, want %v", ev.Published, want)
	}
	if ev.Error == nil || ev.Error.Message != "ECS deployment circuit breaker: task failed to start." {
		t.Errorf("error %+v", ev.Error)
	}
	if ev.ID != "c7d8e9f0-1a2b-4c3d-8e4f-5a6b7c8d9e0f" {
		t.Errorf("id %q", ev.ID)
	}
	start := decodeOne(t, "deployment/in-progress.json")
	if start.Error != nil {
		t.Errorf("a start has no error: %+v", start.Error)
	}
}

// TestRollbackIsNotTheStart: ECS names a circuit-breaker rollback like
// the start (IN_PROGRESS, same deploymentId); delivery records must not
// take the rollback for a duplicate of the start.
func TestRollbackIsNotTheStart(t *testing.T) {
	start, back := decodeOne(t, "deployment/in-progress.json"), decodeOne(t, "deployment/rolling-back.json")
	if start.DeploymentID != back.DeploymentID || start.Name != back.Name {
		t.Fatalf("fixtures changed: %s %s / %s %s", start.DeploymentID, start.Name, back.DeploymentID, back.Name)
	}
	if start.Identity() == back.Identity() {
		t.Errorf("start and rollback share identity %q", start.Identity())
	}
	if !back.Phase.WentWrong() || back.Error == nil || !strings.Contains(back.Error.Message, "rolling back") {
		t.Errorf("rollback: %s %+v", back.Phase, back.Error)
	}
}

func TestHookEventFields(t *testing.T) {
	ev := decodeOne(t, "hook/awaiting-action.json")
	const arn = "arn:aws:ecs:us-east-1:111122223333:service-deployment/prod-cluster/web-frontend/EZe5RNVLH6PPzHXINuP28"
	if ev.DeploymentID != arn || ev.Cluster != "prod-cluster" || ev.Service != "web-frontend" {
		t.Errorf("deployment %s service %s/%s", ev.DeploymentID, ev.Cluster, ev.Service)
	}
	if ev.Stage != "POST_TEST_TRAFFIC_SHIFT" || !strings.HasPrefix(ev.Execution, "ecs-pause-") {
		t.Errorf("stage %q execution %q", ev.Stage, ev.Execution)
	}
	// Two hooks of one deployment are two events; the same hook event
	// delivered twice is one.
	a, b := decodeOne(t, "hook/in-progress.json"), decodeOne(t, "hook/succeeded.json")
	if a.Identity() == b.Identity() {
		t.Errorf("two hook events share identity %q", a.Identity())
	}
	if again := decodeOne(t, "hook/in-progress.json"); again.Identity() != a.Identity() {
		t.Errorf("redelivery changes identity")
	}
	f := decodeOne(t, "hook/timed-out.json")
	if f.Error == nil || f.Error.Code != "" || !strings.Contains(f.Error.Message, "POST_TEST_TRAFFIC_SHIFT") {
		t.Errorf("timed out error %+v", f.Error)
	}
}

// TestSNSEnvelope: an EventBridge event published through an SNS topic
// (an EventBridge rule with an SNS target) decodes the same.
func TestSNSEnvelope(t *testing.T) {
	raw, err := os.ReadFile("testdata/deployment/failed.json")
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := json.Marshal(string(raw))
	wrapped := `{"Records":[{"EventSource":"aws:sns","Sns":{"Type":"Notification","MessageId":"m-1","TopicArn":"arn:aws:sns:us-east-1:111122223333:t","Message":` + string(msg) + `}}]}`
	evs, err := Decode([]byte(wrapped))
	if err != nil || len(evs) != 1 || evs[0].Name != DeploymentFailed || evs[0].MessageID != "m-1" {
		t.Fatalf("%v %+v", err, evs)
	}
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	base, err := os.ReadFile("testdata/deployment/failed.json")
	if err != nil {
		t.Fatal(err)
	}
	hook, err := os.ReadFile("testdata/hook/failed.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		in   string
		want string
	}{
		"deploymentId a number": {strings.Replace(string(base), `"ecs-svc/4503257381420581834"`, `45`, 1), "field detail.deploymentId: a number where a string belongs"},
		"no deploymentId":       {strings.Replace(string(base), `"deploymentId"`, `"x"`, 1), "field detail.deploymentId: missing"},
		"no eventName":          {strings.Replace(string(base), `"eventName"`, `"x"`, 1), "field detail.eventName: missing"},
		"bad service ARN":       {strings.Replace(string(base), `service/prod-cluster/web-frontend`, `task/prod-cluster/abc`, 1), "field resources[0]"},
		"bad time":              {strings.Replace(string(base), `2026-11-26T11:48:58Z`, `yesterday`, 1), "field time"},
		"bad updatedAt":         {strings.Replace(string(base), `2026-11-26T11:48:57.311Z`, `soon`, 1), "field detail.updatedAt"},
		"resources not a list": {strings.Replace(string(base), `"resources": [
    "arn:aws:ecs:us-east-1:111122223333:service/prod-cluster/web-frontend"
  ]`, `"resources": "arn"`, 1), "field resources"},
		"bad hook ARN": {strings.ReplaceAll(string(hook), `service-deployment/prod-cluster/web-frontend/EZe5RNVLH6PPzHXINuP28`, `service-deployment/x`), "field detail.serviceDeploymentArn"},
		// The hostile corpus found these: an unknown name decoded into an
		// event no route could select (render showed it, send and the
		// Lambda did nothing), and a missing detail read "not one cutover
		// reads (… nor an aws.ecs deployment or hook state change)".
		"unknown eventName":      {strings.Replace(string(base), `"SERVICE_DEPLOYMENT_FAILED"`, `"SERVICE_DEPLOYMENT_ROLLBACK_STARTED"`, 1), `field detail.eventName: "SERVICE_DEPLOYMENT_ROLLBACK_STARTED" is not one this version of cutover knows (SERVICE_DEPLOYMENT_IN_PROGRESS,`},
		"unknown hook eventName": {strings.Replace(string(hook), `"HOOK_FAILED"`, `"HOOK_PAUSED"`, 1), `field detail.eventName: "HOOK_PAUSED" is not one this version of cutover knows (HOOK_IN_PROGRESS,`},
		"blank eventName":        {strings.Replace(string(hook), `"HOOK_FAILED"`, `" "`, 1), "field detail.eventName: missing; an ECS Hook State Change event names"},
		"no detail":              {`{"detail-type":"ECS Deployment State Change","source":"aws.ecs","resources":[]}`, "field detail: missing"},
		"null detail":            {`{"detail-type":"ECS Hook State Change","source":"aws.ecs","detail":null}`, "field detail: missing"},
	}
	for name, tc := range cases {
		_, err := Decode([]byte(tc.in))
		var de *source.DecodeError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a DecodeError containing %q", name, err, tc.want)
		}
	}
}

func TestClaims(t *testing.T) {
	for name, tc := range map[string]struct {
		in   string
		want bool
	}{
		"deployment":      {`{"detail-type":"ECS Deployment State Change","source":"aws.ecs","detail":{}}`, true},
		"hook":            {`{"detail-type":"ECS Hook State Change","source":"aws.ecs","detail":{}}`, true},
		"task state":      {`{"detail-type":"ECS Task State Change","source":"aws.ecs","detail":{}}`, false},
		"codedeploy":      {`{"detail-type":"CodeDeploy Deployment State-change Notification","source":"aws.codedeploy","detail":{}}`, false},
		"lifecycle hook":  {`{"executionId":"e","lifecycleStage":"PRE_SCALE_UP","resourceArn":"arn"}`, false},
		"forged source":   {`{"detail-type":"ECS Deployment State Change","source":"my.app","detail":{}}`, false},
		"codedeploy hook": {`{"DeploymentId":"d-1","LifecycleEventHookExecutionId":"x"}`, false},
		"trigger message": {`{"deploymentId":"d-1","status":"SUCCEEDED","region":"us-east-1"}`, false},
	} {
		var top map[string]json.RawMessage
		if err := json.Unmarshal([]byte(tc.in), &top); err != nil {
			t.Fatal(err)
		}
		if got := (Decoder{}).Claims(&source.Message{Body: []byte(tc.in), Top: top}); got != tc.want {
			t.Errorf("%s: Claims = %v, want %v", name, got, tc.want)
		}
	}
	// With both decoders registered, neither takes the other's events.
	reg := source.New(codedeploy.Decoder{}, Decoder{})
	for name := range fixtures(t) {
		data, _ := os.ReadFile(filepath.Join("testdata", name))
		evs, err := reg.Decode(data)
		if err != nil || len(evs) != 1 || evs[0].Platform != deploy.ECSNative {
			t.Errorf("%s through the registry: %v %+v", name, err, evs)
		}
	}
}

func TestARNs(t *testing.T) {
	for arn, want := range map[string][3]string{
		"arn:aws:ecs:us-east-1:1:service/c/s":            {"c", "s", "ok"},
		"arn:aws:ecs:us-east-1:1:service/s":              {"", "s", "ok"},
		"arn:aws-cn:ecs:cn-north-1:1:service/c/s":        {"c", "s", "ok"},
		"arn:aws:ecs:us-east-1:1:service/c/s/x":          {"", "", ""},
		"arn:aws:ecs:us-east-1:1:service-deployment/c/s": {"", "", ""},
		"arn:aws:lambda:us-east-1:1:service/c/s":         {"", "", ""},
		"":                                               {"", "", ""},
	} {
		c, s, ok := ServiceOf(arn)
		if c != want[0] || s != want[1] || ok != (want[2] == "ok") {
			t.Errorf("ServiceOf(%q) = %q %q %v", arn, c, s, ok)
		}
	}
	if c, s, ok := DeploymentServiceOf("arn:aws:ecs:us-east-1:1:service-deployment/c/s/id"); c != "c" || s != "s" || !ok {
		t.Errorf("DeploymentServiceOf: %q %q %v", c, s, ok)
	}
}

// FuzzDecode: any input decodes to events or a *source.DecodeError, never
// a panic; a decoded event names its service and deployment.
func FuzzDecode(f *testing.F) {
	for _, data := range fixtures(f) {
		f.Add(data)
	}
	f.Add([]byte(`{"detail-type":"ECS Hook State Change","source":"aws.ecs","detail":{"eventName":"HOOK_FAILED"},"resources":[]}`))
	f.Add([]byte(`{"detail-type":"ECS Deployment State Change","source":"aws.ecs","detail":{"eventName":1}}`))
	f.Add([]byte(`{"detail-type":"ECS Deployment State Change","source":"aws.ecs","detail":{"eventName":"SERVICE_DEPLOYMENT_X"},"resources":["arn:aws:ecs:us-east-1:1:service/c/s"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, err := Decode(data)
		if err != nil {
			for _, e := range unjoin(err) {
				var de *source.DecodeError
				if !errors.As(e, &de) {
					t.Fatalf("error is not a DecodeError: %T %v", e, e)
				}
			}
		}
		for _, ev := range evs {
			if ev.Platform != deploy.ECSNative || ev.DeploymentID == "" || ev.Service == "" || ev.Name == "" {
				t.Fatalf("decoded event lacks its identity: %+v", ev)
			}
			if !slices.Contains(Names, ev.Name) {
				t.Fatalf("decoded event %q has a name no route can select", ev.Name)
			}
		}
	})
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// BenchmarkDecode measures decoding an ECS Deployment State Change as
// EventBridge delivers it to the function.
func BenchmarkDecode(b *testing.B) {
	data, err := os.ReadFile("testdata/deployment/in-progress.json")
	if err != nil {
		b.Fatal(err)
	}
	reg := source.New(codedeploy.Decoder{}, Decoder{})
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := reg.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}
