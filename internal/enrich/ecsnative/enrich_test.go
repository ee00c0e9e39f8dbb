package ecsnative

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
	ecssource "github.com/cutover-dev/cutover/internal/source/ecsnative"
	"github.com/cutover-dev/cutover/internal/testrig"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	depARN    = "arn:aws:ecs:us-east-1:111122223333:service-deployment/prod-cluster/web-frontend/EZe5RNVLH6PPzHXINuP28"
	targetRev = "arn:aws:ecs:us-east-1:111122223333:service-revision/prod-cluster/web-frontend/4503257381420581834"
)

// event decodes a fixture of the ECS-native source.
func event(t *testing.T, name string) deploy.Event {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "source", "ecsnative", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := ecssource.Decode(data)
	if err != nil || len(evs) != 1 {
		t.Fatalf("decode %s: %v", name, err)
	}
	return evs[0]
}

func newEnricher(f *testrig.ECSFake) *Enricher {
	return New(f.AWSConfig(), Options{Timeout: 5 * time.Second, Now: func() time.Time { return messagetest.Now }})
}

// TestDetailsGolden enriches fixtures against the fake ECS API through
// the real SDK client and compares the details with golden files.
func TestDetailsGolden(t *testing.T) {
	// rollingBack is the deployment as ECS describes it once the circuit
	// breaker started the rollback: production back on the source.
	rollingBack := func(f *testrig.ECSFake) {
		d := f.Deployment(depARN)
		d["status"], d["lifecycleStage"] = "ROLLBACK_IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT"
		d["rollback"] = map[string]any{"reason": "Circuit breaker triggered: 3 tasks failed to start", "startedAt": 1795693741.9,
			"serviceRevisionArn": "arn:aws:ecs:us-east-1:111122223333:service-revision/prod-cluster/web-frontend/1920498462936580504"}
		d["deploymentCircuitBreaker"] = map[string]any{"status": "TRIGGERED", "failureCount": 3, "threshold": 3}
		d["targetServiceRevision"].(map[string]any)["requestedProductionTrafficWeight"] = 0.0
		d["targetServiceRevision"].(map[string]any)["runningTaskCount"] = 1
		d["sourceServiceRevisions"].([]any)[0].(map[string]any)["requestedProductionTrafficWeight"] = 100.0
		f.AddDeployment(d)
	}
	for _, name := range []string{"deployment/in-progress.json", "hook/awaiting-action.json", "hook/in-progress.json", "deployment/rolling-back.json"} {
		t.Run(name, func(t *testing.T) {
			f := testrig.ECSFakeBlueGreen(t)
			if name == "deployment/rolling-back.json" {
				rollingBack(f)
			}
			e := newEnricher(f)
			ev := event(t, name)
			d, warnings := e.Details(context.Background(), &ev)
			if len(warnings) > 0 {
				t.Errorf("warnings: %v", warnings)
			}
			got, err := json.MarshalIndent(d, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			messagetest.Golden(t, filepath.Join("testdata", strings.ReplaceAll(strings.TrimSuffix(name, ".json"), "/", "__")+".golden.json"), append(got, '\n'), *update)
		})
	}
}

func TestBakeTimeDeadline(t *testing.T) {
	f := testrig.ECSFakeBlueGreen(t)
	ev := event(t, "deployment/in-progress.json") // names ecs-svc/4503257381420581834 only
	d, warnings := newEnricher(f).Details(context.Background(), &ev)
	if len(warnings) != 0 {
		t.Fatalf("warnings %v", warnings)
	}
	if d.DeploymentID != depARN {
		t.Errorf("ecs-svc ID mapped to %q, want %q", d.DeploymentID, depARN)
	}
	w := d.Window
	// BAKE_TIME since updatedAt 11:52:00, 30 minutes of bake time.
	if w == nil || !w.Deadline.Equal(time.Date(2026, 11, 26, 12, 22, 0, 0, time.UTC)) || w.Wait != 30*time.Minute || w.StartFrom != "deployment" {
		t.Fatalf("window %+v", w)
	}
	if want := "aws ecs stop-service-deployment --service-deployment-arn " + depARN + " --stop-type ROLLBACK --region us-east-1"; d.Commands.RollBack != want {
		t.Errorf("rollback command %q, want %q", d.Commands.RollBack, want)
	}
	if d.Commands.FinishEarly != "" || d.Commands.Reroute != "" {
		t.Errorf("ECS-native has no finish early: %+v", d.Commands)
	}
	s := d.Service
	if s == nil || !s.Revisions || len(s.TaskSets) != 2 {
		t.Fatalf("service %+v", s)
	}
	green, blue := s.New(), s.Old()
	if green.ID != targetRev || green.TaskDefinition != "web-frontend:43" || green.TrafficWeight != 100 || !green.TrafficKnown || green.RunningCount != 4 {
		t.Errorf("target revision %+v", green)
	}
	if blue.TaskDefinition != "web-frontend:42" || blue.TrafficWeight != 0 || len(blue.Images()) != 2 || green.TargetGroup != "web-frontend-green" {
		t.Errorf("source revision %+v", blue)
	}
	if m := s.Monitors; m == nil || m.CircuitBreaker != "MONITORING" || m.Threshold != 3 || len(m.Alarms) != 2 {
		t.Errorf("monitors %+v", s.Monitors)
	}
	if f.Calls(testrig.ECSListServiceDeployments) != 1 || f.Calls(testrig.ECSDescribeServiceDeployments) != 1 || f.Calls(testrig.ECSDescribeServiceRevisions) != 1 {
		t.Errorf("calls: list %d describe %d revisions %d", f.Calls(testrig.ECSListServiceDeployments), f.Calls(testrig.ECSDescribeServiceDeployments), f.Calls(testrig.ECSDescribeServiceRevisions))
	}
	// A hook event names the service deployment: no list call.
	hook := event(t, "hook/awaiting-action.json")
	if d, _ := newEnricher(f).Details(context.Background(), &hook); d.DeploymentID != depARN || f.Calls(testrig.ECSListServiceDeployments) != 1 {
		t.Errorf("hook event: %s, %d list calls", d.DeploymentID, f.Calls(testrig.ECSListServiceDeployments))
	}
}

func TestWindowByStage(t *testing.T) {
	f := testrig.ECSFakeBlueGreen(t)
	ev := event(t, "hook/in-progress.json")
	set := func(change func(map[string]any)) {
		d := f.Deployment(depARN)
		change(d)
		f.AddDeployment(d)
	}
	// Before the shift: no window, but the rollback command.
	set(func(d map[string]any) { d["lifecycleStage"] = "TEST_TRAFFIC_SHIFT" })
	d, _ := newEnricher(f).Details(context.Background(), &ev)
	if d.Window != nil || d.Commands.RollBack == "" {
		t.Errorf("before the shift: window %+v, rollback %q", d.Window, d.Commands.RollBack)
	}
	// At POST_PRODUCTION_TRAFFIC_SHIFT bake time follows the event.
	set(func(d map[string]any) { d["lifecycleStage"] = "POST_PRODUCTION_TRAFFIC_SHIFT" })
	d, _ = newEnricher(f).Details(context.Background(), &ev)
	if w := d.Window; w == nil || w.StartFrom != "event" || !w.Deadline.Equal(ev.LastUpdated.Add(30*time.Minute)) {
		t.Errorf("post production shift: %+v", d.Window)
	}
	// Bake time 0: no window.
	set(func(d map[string]any) {
		d["lifecycleStage"] = "BAKE_TIME"
		d["deploymentConfiguration"].(map[string]any)["bakeTimeInMinutes"] = 0
	})
	d, _ = newEnricher(f).Details(context.Background(), &ev)
	if w := d.Window; w == nil || !w.NoWindow {
		t.Errorf("bake time 0: %+v", d.Window)
	}
	// Finished: the window closed, no command.
	set(func(d map[string]any) {
		d["status"] = "SUCCESSFUL"
		d["lifecycleStage"] = "CLEAN_UP"
		d["finishedAt"] = 1795695464.12
	})
	done := event(t, "deployment/completed.json")
	d, _ = newEnricher(f).Details(context.Background(), &done)
	if w := d.Window; w == nil || !w.Ended || d.Commands.RollBack != "" {
		t.Errorf("completed: %+v %+v", d.Window, d.Commands)
	}
	// Rolling back: no window, no command.
	set(func(d map[string]any) { d["status"] = "ROLLBACK_IN_PROGRESS" })
	back := event(t, "deployment/rolling-back.json")
	d, _ = newEnricher(f).Details(context.Background(), &back)
	if d.Window != nil || d.Commands.RollBack != "" {
		t.Errorf("rolling back: %+v %+v", d.Window, d.Commands)
	}
}

// TestMissingPermissions: each denied call gives one warning naming the
// action and resource, and the details keep what the other calls found.
func TestMissingPermissions(t *testing.T) {
	ev := event(t, "deployment/in-progress.json")
	for _, tc := range []struct {
		op, action string
		resource   string
		keeps      func(*enrich.Details) bool
	}{
		{testrig.ECSListServiceDeployments, ActListServiceDeployments, "arn:aws:ecs:us-east-1:111122223333:service/prod-cluster/web-frontend",
			func(d *enrich.Details) bool { return d.Links.Service != "" && d.Window == nil }},
		{testrig.ECSDescribeServiceDeployments, ActDescribeServiceDeployments, depARN,
			func(d *enrich.Details) bool { return d.Service == nil && d.Commands.RollBack != "" }},
		{testrig.ECSDescribeServiceRevisions, ActDescribeServiceRevisions, targetRev,
			func(d *enrich.Details) bool {
				return d.Window != nil && d.Service.New().TrafficKnown && d.Service.New().TaskDefinition == ""
			}},
	} {
		t.Run(tc.op, func(t *testing.T) {
			f := testrig.ECSFakeBlueGreen(t)
			f.Fail(tc.op, testrig.ECSDenied(tc.op, tc.resource))
			d, warnings := newEnricher(f).Details(context.Background(), &ev)
			if len(warnings) != 1 || warnings[0].Action != tc.action || warnings[0].Reason != enrich.ReasonDenied || warnings[0].Resource != tc.resource {
				t.Fatalf("warnings %+v", warnings)
			}
			if d == nil || !tc.keeps(d) {
				t.Errorf("details %+v", d)
			}
			if f.Calls(tc.op) != 1 {
				t.Errorf("a denied call is not retried: %d calls", f.Calls(tc.op))
			}
		})
	}
}

// TestThrottledAndBounded: throttling retries within the short budget and
// ends in a warning; Details returns within its timeout.
func TestThrottledAndBounded(t *testing.T) {
	f := testrig.ECSFakeBlueGreen(t)
	f.Fail(testrig.ECSDescribeServiceDeployments, testrig.ECSThrottled())
	ev := event(t, "hook/failed.json")
	e := New(f.AWSConfig(), Options{Timeout: 3 * time.Second})
	d, warnings := e.Details(context.Background(), &ev)
	if len(warnings) != 1 || warnings[0].Reason != enrich.ReasonThrottled || d == nil {
		t.Fatalf("warnings %+v", warnings)
	}
	if n := f.Calls(testrig.ECSDescribeServiceDeployments); n < 2 {
		t.Errorf("throttling is retried: %d calls", n)
	}
	if !strings.Contains(warnings[0].String(), "ecs:DescribeServiceDeployments") {
		t.Errorf("warning line %q", warnings[0].String())
	}
}

func TestOtherPlatformsGetNothing(t *testing.T) {
	f := testrig.ECSFakeBlueGreen(t)
	ev := deploy.Event{Name: codedeploy.InstanceSuccess, Platform: deploy.CodeDeployECS, DeploymentID: "d-7XQ2K9ABC"}
	if d, w := newEnricher(f).Details(context.Background(), &ev); d != nil || w != nil {
		t.Errorf("CodeDeploy event got %+v %v", d, w)
	}
	if f.Calls(testrig.ECSDescribeServiceDeployments) != 0 {
		t.Error("called ECS for a CodeDeploy event")
	}
}

func TestIsRollbackDeployment(t *testing.T) {
	f := testrig.ECSFakeBlueGreen(t)
	e := newEnricher(f)
	if e.IsRollbackDeployment(context.Background(), "", depARN) {
		t.Error("an IN_PROGRESS deployment without rollback is not a rollback")
	}
	d := f.Deployment(depARN)
	d["status"] = "ROLLBACK_IN_PROGRESS"
	d["rollback"] = map[string]any{"reason": "alarm web-frontend-5xx", "startedAt": 1795694000.0, "serviceRevisionArn": "x"}
	f.AddDeployment(d)
	if !e.IsRollbackDeployment(context.Background(), "", depARN) {
		t.Error("a rolled-back deployment")
	}
	if !IsDeployment(depARN) || !IsDeployment("ecs-svc/1") || IsDeployment("d-7XQ2K9ABC") {
		t.Error("IsDeployment")
	}
}
