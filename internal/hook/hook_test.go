package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/smithy-go"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/retry"
)

var update = flag.Bool("update", false, "rewrite golden files")

func top(t testing.TB, data []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFixtures decodes every fixture into its event (golden files
// testdata/*.event.json; -update rewrites them). CodeDeploy fixtures are
// decoded as if the lookup found AfterAllowTraffic on prod:web.
func TestFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".event.json") {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			kind := Kind(top(t, data))
			inv, err := Parse(kind, data)
			if err != nil {
				t.Fatal(err)
			}
			var ev deploy.Event
			switch kind {
			case deploy.ECSNative:
				ev = inv.ECS.Event()
			case deploy.CodeDeployECS:
				ev = inv.CodeDeploy.Event(CodeDeployAfterAllowTraffic, Lifecycle{
					Application: "web", DeploymentGroup: "web-prod", Target: "prod:web",
					Region: "eu-west-1", AccountID: "111122223333",
				}, "us-east-1")
			default:
				t.Fatalf("%s is no hook", f)
			}
			if ev.Execution != inv.Execution() || ev.DeploymentID != inv.DeploymentID() {
				t.Errorf("event %s/%s, invocation %s/%s", ev.DeploymentID, ev.Execution, inv.DeploymentID(), inv.Execution())
			}
			got, _ := json.MarshalIndent(ev, "", "  ")
			got = append(got, '\n')
			golden := strings.TrimSuffix(f, ".json") + ".event.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("event differs from %s:\n%s", golden, got)
			}
		})
	}
	if n < 5 {
		t.Fatalf("only %d fixtures", n)
	}
}

// TestECSPhases: the switch, the rollback (target at 0% of production)
// and the stages in between.
func TestECSPhases(t *testing.T) {
	const target = "arn:aws:ecs:us-west-2:123456789012:service-revision/c/s/2"
	const blue = "arn:aws:ecs:us-west-2:123456789012:service-revision/c/s/1"
	cases := []struct {
		stage   string
		weights map[string]float64
		name    string
		phase   deploy.Phase
	}{
		{StagePostProductionTrafficShift, map[string]float64{}, StagePostProductionTrafficShift, deploy.TrafficSwitched},
		{StageProductionTrafficShift, map[string]float64{target: 100, blue: 0}, StageProductionTrafficShift, deploy.Started},
		{StageProductionTrafficShift, map[string]float64{target: 10, blue: 90}, StageProductionTrafficShift, deploy.Started},
		{StageProductionTrafficShift, map[string]float64{target: 0, blue: 100}, EventRollbackTrafficShift, deploy.RollingBack},
		{StageProductionTrafficShift, map[string]float64{}, StageProductionTrafficShift, deploy.Started},
		{StagePreProductionTrafficShift, map[string]float64{target: 0, blue: 100}, StagePreProductionTrafficShift, deploy.Started},
		{StagePreScaleUp, nil, StagePreScaleUp, deploy.Started},
		{"SOME_FUTURE_STAGE", nil, "SOME_FUTURE_STAGE", deploy.Unknown},
	}
	for _, c := range cases {
		e := ECSInvocation{ExecutionID: "x", LifecycleStage: c.stage,
			ResourceARN:      "arn:aws:ecs:us-west-2:123456789012:service-deployment/c/s/abc",
			ExecutionDetails: ECSExecutionDetails{TargetServiceRevisionARN: target, ProductionTrafficWeights: c.weights}}
		ev := e.Event()
		if ev.Name != c.name || ev.Phase != c.phase {
			t.Errorf("%s %v: %s %s, want %s %s", c.stage, c.weights, ev.Name, ev.Phase, c.name, c.phase)
		}
		if ev.Cluster != "c" || ev.Service != "s" || ev.Region != "us-west-2" || ev.AccountID != "123456789012" {
			t.Errorf("%s: cluster %q service %q region %q account %q", c.stage, ev.Cluster, ev.Service, ev.Region, ev.AccountID)
		}
	}
}

// TestKeyIsPerExecution: the same execution twice is one delivery; a
// rollback's rerun of a stage (another execution) is another.
func TestKeyIsPerExecution(t *testing.T) {
	data, _ := os.ReadFile("testdata/ecs-production-traffic-shift.json")
	a, err := Parse(deploy.ECSNative, data)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Parse(deploy.ECSNative, data)
	c, _ := Parse(deploy.ECSNative, data)
	c.ECS.ExecutionID = "another-run"
	ea, eb, ec := a.ECS.Event(), b.ECS.Event(), c.ECS.Event()
	if ea.Identity() != eb.Identity() {
		t.Errorf("same execution, identities %q and %q", ea.Identity(), eb.Identity())
	}
	if ea.Identity() == ec.Identity() {
		t.Errorf("another execution has the same identity %q", ea.Identity())
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]struct {
		p    deploy.Platform
		in   string
		want string
	}{
		"ecs stage not a string":   {deploy.ECSNative, `{"executionId":"a","lifecycleStage":7,"resourceArn":"r"}`, "lifecycleStage"},
		"ecs empty execution":      {deploy.ECSNative, `{"executionId":"","lifecycleStage":"PRE_SCALE_UP","resourceArn":"r"}`, "executionId"},
		"ecs no resourceArn":       {deploy.ECSNative, `{"executionId":"a","lifecycleStage":"PRE_SCALE_UP"}`, "resourceArn"},
		"ecs hookDetails a list":   {deploy.ECSNative, `{"executionId":"a","lifecycleStage":"PRE_SCALE_UP","resourceArn":"r","hookDetails":[1]}`, "hookDetails"},
		"codedeploy id a number":   {deploy.CodeDeployECS, `{"DeploymentId":5,"LifecycleEventHookExecutionId":"x"}`, "DeploymentId"},
		"codedeploy empty exec":    {deploy.CodeDeployECS, `{"DeploymentId":"d-1","LifecycleEventHookExecutionId":" "}`, "LifecycleEventHookExecutionId"},
		"codedeploy newline in id": {deploy.CodeDeployECS, `{"DeploymentId":"d-1\n","LifecycleEventHookExecutionId":"x"}`, "DeploymentId"},
		"not a hook":               {"", `{}`, "not a lifecycle hook"},
	}
	for name, c := range cases {
		_, err := Parse(c.p, []byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %s", name, err, c.want)
		}
	}
}

func TestNames(t *testing.T) {
	names := Names{}.EventNames()
	for _, want := range []string{StagePostProductionTrafficShift, EventRollbackTrafficShift, CodeDeployAfterAllowTraffic} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("EventNames lacks %s: %v", want, names)
		}
	}
	if (Names{}).Claims(nil) {
		t.Error("Names claims a message")
	}
}

func TestProgressRoundTrip(t *testing.T) {
	details := WithProgress(json.RawMessage(`{"smokeTest":"passed"}`), Progress{Delivered: true, Attempts: 2})
	if string(details) != `{"cutover":{"delivered":true,"attempts":2},"smokeTest":"passed"}` {
		t.Errorf("details %s", details)
	}
	if p := ProgressOf(details); !p.Delivered || p.Attempts != 2 {
		t.Errorf("progress %+v", p)
	}
	if p := ProgressOf(json.RawMessage(`garbage`)); p != (Progress{}) {
		t.Errorf("progress of garbage %+v", p)
	}
}

// fakeCodeDeploy answers like CodeDeploy for one ECS deployment.
type fakeCodeDeploy struct {
	events  []cdtypes.LifecycleEvent
	listErr error
	putErr  error
	puts    []string
}

func (f *fakeCodeDeploy) GetDeployment(ctx context.Context, in *cd.GetDeploymentInput, _ ...func(*cd.Options)) (*cd.GetDeploymentOutput, error) {
	return &cd.GetDeploymentOutput{DeploymentInfo: &cdtypes.DeploymentInfo{
		ApplicationName: aws.String("web"), DeploymentGroupName: aws.String("web-prod"), DeploymentId: in.DeploymentId}}, nil
}

func (f *fakeCodeDeploy) ListDeploymentTargets(ctx context.Context, in *cd.ListDeploymentTargetsInput, _ ...func(*cd.Options)) (*cd.ListDeploymentTargetsOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	return &cd.ListDeploymentTargetsOutput{TargetIds: []string{"prod:web"}}, nil
}

func (f *fakeCodeDeploy) GetDeploymentTarget(ctx context.Context, in *cd.GetDeploymentTargetInput, _ ...func(*cd.Options)) (*cd.GetDeploymentTargetOutput, error) {
	return &cd.GetDeploymentTargetOutput{DeploymentTarget: &cdtypes.DeploymentTarget{
		DeploymentTargetType: cdtypes.DeploymentTargetTypeEcsTarget,
		EcsTarget: &cdtypes.ECSTarget{TargetId: aws.String("prod:web"),
			TargetArn:       aws.String("arn:aws:ecs:eu-west-1:111122223333:service/prod/web"),
			LifecycleEvents: f.events}}}, nil
}

func (f *fakeCodeDeploy) PutLifecycleEventHookExecutionStatus(ctx context.Context, in *cd.PutLifecycleEventHookExecutionStatusInput, _ ...func(*cd.Options)) (*cd.PutLifecycleEventHookExecutionStatusOutput, error) {
	f.puts = append(f.puts, string(in.Status))
	return &cd.PutLifecycleEventHookExecutionStatusOutput{}, f.putErr
}

func TestLookup(t *testing.T) {
	f := &fakeCodeDeploy{events: []cdtypes.LifecycleEvent{
		{LifecycleEventName: aws.String("BeforeAllowTraffic"), Status: cdtypes.LifecycleEventStatusSucceeded},
		{LifecycleEventName: aws.String("AllowTraffic"), Status: cdtypes.LifecycleEventStatusSucceeded},
		{LifecycleEventName: aws.String("AfterAllowTraffic"), Status: cdtypes.LifecycleEventStatusInProgress},
	}}
	l, err := Lookup(context.Background(), f, "d-1")
	if err != nil {
		t.Fatal(err)
	}
	want := Lifecycle{Event: "AfterAllowTraffic", Application: "web", DeploymentGroup: "web-prod", Target: "prod:web", Region: "eu-west-1", AccountID: "111122223333"}
	if l != want {
		t.Errorf("lookup %+v, want %+v", l, want)
	}

	f.events = nil
	if _, err := Lookup(context.Background(), f, "d-1"); err == nil || !strings.Contains(err.Error(), "no lifecycle event in progress") {
		t.Errorf("nothing in progress: %v", err)
	}
	f.listErr = &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "no"}
	l, err = Lookup(context.Background(), f, "d-1")
	if err == nil || !strings.Contains(err.Error(), "codedeploy:ListDeploymentTargets") || l.Application != "web" {
		t.Errorf("denied list: %+v %v", l, err)
	}
}

func TestReport(t *testing.T) {
	inv := &CodeDeployInvocation{DeploymentID: "d-1", LifecycleEventHookExecutionID: "x"}
	f := &fakeCodeDeploy{}
	if err := Report(context.Background(), f, inv, Failed.CodeDeploy()); err != nil || len(f.puts) != 1 || f.puts[0] != "Failed" {
		t.Errorf("report: %v %v", err, f.puts)
	}
	f.putErr = &smithy.GenericAPIError{Code: "LifecycleEventAlreadyCompletedException"}
	if err := Report(context.Background(), f, inv, "Succeeded"); err != nil {
		t.Errorf("already completed counts as reported: %v", err)
	}
	f.putErr = &smithy.GenericAPIError{Code: "AccessDeniedException"}
	if err := Report(context.Background(), f, inv, "Succeeded"); !retry.IsPermanent(err) {
		t.Errorf("denied: %v, want permanent", err)
	}
	f.putErr = &smithy.GenericAPIError{Code: "ThrottlingException"}
	if err := Report(context.Background(), f, inv, "Succeeded"); err == nil || retry.IsPermanent(err) {
		t.Errorf("throttled: %v, want retryable", err)
	}
	if err := Report(context.Background(), f, inv, "IN_PROGRESS"); !retry.IsPermanent(err) {
		t.Errorf("bad status: %v", err)
	}
	if InProgress.CodeDeploy() != "Failed" || Succeeded.CodeDeploy() != "Succeeded" {
		t.Error("CodeDeploy statuses")
	}
}

func TestParseOnError(t *testing.T) {
	if o, err := ParseOnError("rollback"); err != nil || o.Status() != Failed {
		t.Errorf("rollback: %v %v", o, err)
	}
	if o, err := ParseOnError("continue"); err != nil || o.Status() != Succeeded {
		t.Errorf("continue: %v %v", o, err)
	}
	if _, err := ParseOnError("maybe"); err == nil {
		t.Error("maybe accepted")
	}
}

// fuzzHook checks what every hook input must hold: Parse never panics,
// and what it accepts decodes into an event with the execution and
// deployment, a name and a phase.
func fuzzHook(t *testing.T, p deploy.Platform, data []byte) {
	inv, err := Parse(p, data)
	if err != nil {
		return
	}
	var ev deploy.Event
	if inv.ECS != nil {
		ev = inv.ECS.Event()
	} else {
		ev = inv.CodeDeploy.Event(CodeDeployAfterAllowTraffic, Lifecycle{}, "us-east-1")
	}
	if ev.Execution == "" || ev.DeploymentID == "" || ev.Name == "" || ev.Phase == "" {
		t.Fatalf("accepted %q into incomplete event %+v", data, ev)
	}
	if ev.Platform != p {
		t.Fatalf("platform %s, want %s", ev.Platform, p)
	}
}

func FuzzECSHook(f *testing.F) {
	for _, name := range []string{"ecs-post-production-traffic-shift.json", "ecs-production-traffic-shift.json", "ecs-rollback-production-traffic-shift.json", "ecs-pre-scale-up.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"executionId":"a","lifecycleStage":"PRODUCTION_TRAFFIC_SHIFT","resourceArn":"arn:aws:ecs:r:1:service-deployment/c/s/x","executionDetails":{"targetServiceRevisionArn":"t","productionTrafficWeights":{"t":0}}}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzHook(t, deploy.ECSNative, data) })
}

func FuzzCodeDeployHook(f *testing.F) {
	data, err := os.ReadFile("testdata/codedeploy-after-allow-traffic.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte(`{"DeploymentId":"d-1","LifecycleEventHookExecutionId":""}`))
	f.Fuzz(func(t *testing.T, data []byte) { fuzzHook(t, deploy.CodeDeployECS, data) })
}
