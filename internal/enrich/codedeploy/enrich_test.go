package codedeploy

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/enrich"

	"github.com/cutover-dev/cutover/internal/deploy"
	cdsource "github.com/cutover-dev/cutover/internal/source/codedeploy"
)

func TestDetailsTrafficSwitched(t *testing.T) {
	f := newFakeAWS(t, standardRoutes())
	d, warns := f.enricher(0).Details(context.Background(), switchEvent())
	if len(warns) != 0 {
		t.Fatalf("warnings: %v", warns)
	}
	if d == nil || d.Deployment == nil {
		t.Fatalf("no deployment details: %+v", d)
	}
	dep := d.Deployment
	if dep.Creator != "user" || dep.Status != "InProgress" || !dep.TerminationWaitStarted || !dep.AutoRollback {
		t.Errorf("deployment = %+v", dep)
	}
	if p := dep.Pipeline; p == nil || p.Name != "web-frontend-release" || p.ExecutionID != "0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f" {
		t.Errorf("pipeline = %+v", dep.Pipeline)
	}
	// message.TestDescribeEnriched words this deployment, window, task
	// set and failure.

	w := d.Window
	if w == nil {
		t.Fatal("no window")
	}
	wantStart := at("2022-10-13T15:58:02.391Z")
	if w.Kind != enrich.WindowRollback || !w.Start.Equal(wantStart) || w.StartFrom != "lifecycle" ||
		w.Wait != time.Hour || !w.Deadline.Equal(wantStart.Add(time.Hour)) || w.NoWindow || w.Ended {
		t.Errorf("window = %+v", w)
	}
	if !w.Open(fixedNow) || w.Left(fixedNow).Truncate(time.Minute) != 58*time.Minute {
		t.Errorf("window at %v: open %v, %v left; want 58 min left", fixedNow, w.Open(fixedNow), w.Left(fixedNow))
	}

	s := d.Service
	if s == nil || s.Cluster != "prod-cluster" || s.Name != "web-frontend" || len(s.TaskSets) != 2 {
		t.Fatalf("service = %+v", s)
	}
	green, blue := s.New(), s.Old()
	if green == nil || blue == nil {
		t.Fatalf("new/old = %v/%v", green, blue)
	}
	if green.ID != "ecs-svc/9223370493423413672" || green.TaskDefinition != "web-frontend:43" || green.TrafficWeight != 100 ||
		green.Status != "PRIMARY" || green.TargetGroup != "web-frontend-green" || green.RunningCount != 4 ||
		!strings.HasSuffix(green.ARN, "/9223370493423413672") {
		t.Errorf("green = %+v", green)
	}
	if got := green.Images(); !slices.Equal(got, []string{
		"111122223333.dkr.ecr.us-east-1.amazonaws.com/web-frontend:3f9c2e1", "public.ecr.aws/datadog/agent:7.48.0",
	}) {
		t.Errorf("green images = %v", got)
	}
	if blue.TaskDefinition != "web-frontend:42" || blue.TrafficWeight != 0 || blue.Containers[0].Image != "111122223333.dkr.ecr.us-east-1.amazonaws.com/web-frontend:a1b7d04" {
		t.Errorf("blue = %+v", blue)
	}
	if live := s.Live(); live != green {
		t.Errorf("live = %+v", live)
	}
	if green.Label != "GREEN" || !green.TrafficKnown || green.DesiredCount != 4 || green.PendingCount != 0 {
		t.Errorf("green = %+v", green)
	}

	l := d.Links
	wantLinks := enrich.Links{
		Deployment:      "https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-7XQ2K9ABC?region=us-east-1",
		DeploymentGroup: "https://us-east-1.console.aws.amazon.com/codesuite/codedeploy/applications/web-frontend/deployment-groups/web-frontend-prod?region=us-east-1",
		Service:         "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/prod-cluster/services/web-frontend/health?region=us-east-1",
		Logs: []enrich.Link{
			{Label: "/ecs/web-frontend", URL: "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fecs$252Fweb-frontend"},
			{Label: "/ecs/web-frontend-sidecars", URL: "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fecs$252Fweb-frontend-sidecars"},
		},
		Pipeline: "https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/web-frontend-release/executions/0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f/timeline?region=us-east-1",
	}
	if l.Deployment != wantLinks.Deployment || l.DeploymentGroup != wantLinks.DeploymentGroup || l.Service != wantLinks.Service ||
		!slices.Equal(l.Logs, wantLinks.Logs) || l.Pipeline != wantLinks.Pipeline || l.Related != "" {
		t.Errorf("links =\n%+v\nwant\n%+v", l, wantLinks)
	}
	wantCmds := enrich.Commands{
		RollBack:    "aws deploy stop-deployment --deployment-id d-7XQ2K9ABC --auto-rollback-enabled --region us-east-1",
		FinishEarly: "aws deploy continue-deployment --deployment-id d-7XQ2K9ABC --deployment-wait-type TERMINATION_WAIT --region us-east-1",
	}
	if d.Commands != wantCmds {
		t.Errorf("commands = %+v", d.Commands)
	}
	// The event names its target: no ListDeploymentTargets; every other
	// lookup exactly once (two task definitions).
	for op, want := range map[string]int{
		"GetDeployment": 1, "GetDeploymentGroup": 1, "ListDeploymentTargets": 0,
		"BatchGetDeploymentTargets": 1, "DescribeTaskSets": 1, "DescribeTaskDefinition": 2,
	} {
		if got := f.hitCount(op); got != want {
			t.Errorf("%s called %d times, want %d", op, got, want)
		}
	}
}

func TestDetailsReadyRerouteDeadline(t *testing.T) {
	routes := standardRoutes()
	routes["GetDeployment"] = &route{file: "get-deployment-ready.json"}
	f := newFakeAWS(t, routes)
	d, warns := f.enricher(0).Details(context.Background(), readyEvent())
	if len(warns) != 0 {
		t.Fatalf("warnings: %v", warns)
	}
	w := d.Window
	start := at("2022-10-13T15:55:03.412Z")
	if w == nil || w.Kind != enrich.WindowReroute || w.Action != "STOP_DEPLOYMENT" || w.Wait != 2*time.Hour ||
		!w.Start.Equal(start) || w.StartFrom != "event" || !w.Deadline.Equal(start.Add(2*time.Hour)) {
		t.Fatalf("window = %+v", w)
	}
	if !w.Open(fixedNow) || w.Left(fixedNow).Truncate(time.Minute) != 115*time.Minute {
		t.Errorf("window at %v: open %v, %v left; want 1 h 55 min left", fixedNow, w.Open(fixedNow), w.Left(fixedNow))
	}
	want := enrich.Commands{
		RollBack: "aws deploy stop-deployment --deployment-id d-7XQ2K9ABC --auto-rollback-enabled --region us-east-1",
		Reroute:  "aws deploy continue-deployment --deployment-id d-7XQ2K9ABC --deployment-wait-type READY_WAIT --region us-east-1",
	}
	if d.Commands != want {
		t.Errorf("commands = %+v", d.Commands)
	}
	if d.Service != nil {
		t.Errorf("service looked up for DeploymentReady: %+v", d.Service)
	}
	for _, op := range []string{"ListDeploymentTargets", "BatchGetDeploymentTargets", "DescribeTaskSets", "DescribeTaskDefinition"} {
		if n := f.hitCount(op); n != 0 {
			t.Errorf("%s called %d times for DeploymentReady", op, n)
		}
	}
}

func TestDetailsFailureDiagnostics(t *testing.T) {
	f := newFakeAWS(t, map[string]*route{
		"GetDeployment":             {file: "get-deployment-failed.json"},
		"ListDeploymentTargets":     {file: "list-deployment-targets-failed.json"},
		"BatchGetDeploymentTargets": {file: "batch-get-deployment-targets-failed.json"},
	})
	d, warns := f.enricher(0).Details(context.Background(), failureEvent())
	if len(warns) != 0 {
		t.Fatalf("warnings: %v", warns)
	}
	dep := d.Deployment
	if dep.ErrorCode != "ECS_UPDATE_ERROR" || dep.RollbackDeploymentID != "d-R7ZQ1ROLL" || dep.Pipeline != nil ||
		!dep.CompleteTime.Equal(at("2022-11-04T09:31:55.203Z")) || len(dep.StatusMessages) != 1 {
		t.Errorf("deployment = %+v", dep)
	}
	fl := d.Failure
	if fl == nil || fl.TargetID != "prod-eu:checkout-api" || fl.LifecycleEvent != "AfterAllowTraffic" || fl.Diagnostics == nil ||
		fl.Diagnostics.ErrorCode != "ScriptFailed" || fl.Diagnostics.ScriptName != "CodeDeployHook_checkout-smoke" ||
		!strings.Contains(fl.Diagnostics.LogTail, "502") {
		t.Fatalf("failure = %+v", fl)
	}
	if fl.Status != "Failed" || fl.Diagnostics.Message != "The lifecycle event hook CodeDeployHook_checkout-smoke returned Failed." {
		t.Errorf("failure = %+v, diagnostics %+v", fl, fl.Diagnostics)
	}
	// What serves after the failure: the original, from the target alone.
	if s := d.Service; s == nil || s.Live() == nil || s.Live().Label != "BLUE" || s.TargetStatus != "Failed" {
		t.Errorf("service = %+v", d.Service)
	}
	if d.Window != nil || d.Commands != (enrich.Commands{}) {
		t.Errorf("window/commands for a failure: %+v %+v", d.Window, d.Commands)
	}
	if got, want := d.Links.Related, "https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-R7ZQ1ROLL?region=eu-west-1"; got != want {
		t.Errorf("related link = %q, want %q", got, want)
	}
	if f.hitCount("ListDeploymentTargets") != 1 || f.hitCount("GetDeploymentGroup") != 0 || f.hitCount("DescribeTaskSets") != 0 {
		t.Errorf("lookups: %v", f.hits)
	}
	// The enricher's region is us-east-1; the deployment's is eu-west-1.
	if got := f.regions["GetDeployment"]; len(got) != 1 || got[0] != "eu-west-1" {
		t.Errorf("GetDeployment signed for %v, want eu-west-1", got)
	}
}

func TestDetailsStartOnlyGetsDeployment(t *testing.T) {
	f := newFakeAWS(t, standardRoutes())
	ev := readyEvent()
	ev.Name, ev.Status = cdsource.DeploymentStart, "CREATED"
	d, warns := f.enricher(0).Details(context.Background(), ev)
	if len(warns) != 0 || d.Deployment == nil || d.Window != nil || d.Service != nil || d.Commands != (enrich.Commands{}) {
		t.Fatalf("details = %+v, warnings %v", d, warns)
	}
	for op, n := range f.hits {
		if op != "GetDeployment" && n > 0 {
			t.Errorf("%s called for DeploymentStart", op)
		}
	}
}

func TestDetailsNothingToEnrich(t *testing.T) {
	f := newFakeAWS(t, standardRoutes())
	e := f.enricher(0)
	for _, ev := range []*deploy.Event{
		nil,
		{Name: cdsource.TriggerTest, DeploymentID: "d-TEST00000"},
		{Name: cdsource.DeploymentStart},
	} {
		if d, w := e.Details(context.Background(), ev); d != nil || w != nil {
			t.Errorf("Details(%+v) = %+v, %v", ev, d, w)
		}
	}
	if len(f.hits) != 0 {
		t.Errorf("requests made: %v", f.hits)
	}
}

func TestDetailsAccessDenied(t *testing.T) {
	routes := standardRoutes()
	routes["GetDeployment"] = &route{status: http.StatusBadRequest, file: "error-access-denied.json"}
	routes["DescribeTaskDefinition"] = &route{status: http.StatusBadRequest, body: []byte(
		`{"__type":"AccessDeniedException","message":"User: arn:aws:sts::111122223333:assumed-role/cutover-notifier/cutover is not authorized to perform: ecs:DescribeTaskDefinition because no identity-based policy allows the ecs:DescribeTaskDefinition action"}`)}
	f := newFakeAWS(t, routes)
	d, warns := f.enricher(0).Details(context.Background(), switchEvent())
	if len(warns) != 2 {
		t.Fatalf("warnings = %v", warns)
	}
	w0, w1 := warns[0], warns[1]
	if w0.Action != "codedeploy:GetDeployment" || w0.Reason != enrich.ReasonDenied ||
		w0.Resource != "arn:aws:codedeploy:us-east-1:111122223333:deploymentgroup:web-frontend/web-frontend-prod" {
		t.Errorf("warning 0 = %+v", w0)
	}
	if got, want := w0.String(), "codedeploy:GetDeployment denied: grant it on arn:aws:codedeploy:us-east-1:111122223333:deploymentgroup:web-frontend/web-frontend-prod (left out: creator, pipeline, error and rollback details)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if w1.Action != "ecs:DescribeTaskDefinition" || w1.Reason != enrich.ReasonDenied || w1.Resource != "*" {
		t.Errorf("warning 1 = %+v", w1)
	}
	// The rest is there: window from the group, task sets without images.
	if d.Deployment != nil {
		t.Errorf("deployment = %+v", d.Deployment)
	}
	if d.Window == nil || d.Window.Wait != time.Hour || d.Window.StartFrom != "lifecycle" {
		t.Errorf("window = %+v", d.Window)
	}
	if g := d.Service.New(); g == nil || g.TaskDefinition != "web-frontend:43" || len(g.Containers) != 0 {
		t.Errorf("green = %+v", g)
	}
	if d.Commands.RollBack == "" || len(d.Links.Logs) != 0 {
		t.Errorf("commands %+v, logs %+v", d.Commands, d.Links.Logs)
	}
}

func TestDetailsDeniedResourceWithoutMessage(t *testing.T) {
	routes := standardRoutes()
	routes["GetDeploymentGroup"] = &route{status: http.StatusBadRequest, body: []byte(`{"__type":"AccessDeniedException","message":"Access denied"}`)}
	f := newFakeAWS(t, routes)
	_, warns := f.enricher(0).Details(context.Background(), switchEvent())
	if len(warns) != 1 || warns[0].Resource != "arn:aws:codedeploy:us-east-1:111122223333:deploymentgroup:web-frontend/web-frontend-prod" ||
		warns[0].LeftOut != "rollback window" {
		t.Fatalf("warnings = %+v", warns)
	}
}

func TestDetailsTimeoutReturnsPartial(t *testing.T) {
	hang := make(chan struct{})
	routes := standardRoutes()
	slow := &route{hang: hang, entered: make(chan struct{}), returned: make(chan struct{})}
	routes["BatchGetDeploymentTargets"] = slow
	f := newFakeAWS(t, routes)
	t.Cleanup(func() { close(hang) }) // runs before the server closes
	e := f.enricher(300 * time.Millisecond)

	type result struct {
		d     *enrich.Details
		warns []enrich.Warning
	}
	done := make(chan result, 1)
	go func() {
		d, w := e.Details(context.Background(), switchEvent())
		done <- result{d, w}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Details did not return while BatchGetDeploymentTargets hung")
	}
	select {
	case <-slow.returned:
		t.Fatal("the hang ended before Details returned")
	default:
	}
	select {
	case <-slow.entered:
	default:
		t.Fatal("BatchGetDeploymentTargets was never called")
	}
	if len(r.warns) != 1 || r.warns[0].Action != "codedeploy:BatchGetDeploymentTargets" || r.warns[0].Reason != enrich.ReasonTimeout {
		t.Fatalf("warnings = %v", r.warns)
	}
	if got, want := r.warns[0].String(), "codedeploy:BatchGetDeploymentTargets did not answer within 300ms (left out: task sets, traffic weights and lifecycle diagnostics)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	d := r.d
	if d.Deployment == nil || d.Deployment.Creator != "user" {
		t.Errorf("deployment = %+v", d.Deployment)
	}
	// The window falls back to the event's own lifecycle times.
	if d.Window == nil || !d.Window.Start.Equal(at("2022-10-13T15:58:02Z")) || d.Window.StartFrom != "lifecycle" {
		t.Errorf("window = %+v", d.Window)
	}
	// ECS answered: task sets without CodeDeploy's labels and weights.
	if d.Service == nil || len(d.Service.TaskSets) != 2 || d.Service.TaskSets[0].Label != "" || d.Service.Live() == nil ||
		d.Service.Live().TaskDefinition != "web-frontend:43" {
		t.Errorf("service = %+v", d.Service)
	}
}

func TestDetailsThrottled(t *testing.T) {
	routes := standardRoutes()
	routes["GetDeploymentGroup"] = &route{status: http.StatusBadRequest, file: "error-throttling.json"}
	f := newFakeAWS(t, routes)
	d, warns := f.enricher(0).Details(context.Background(), switchEvent())
	if len(warns) != 1 || warns[0].Reason != enrich.ReasonThrottled || warns[0].Action != "codedeploy:GetDeploymentGroup" {
		t.Fatalf("warnings = %v", warns)
	}
	if got, want := warns[0].String(), "codedeploy:GetDeploymentGroup throttled by AWS (left out: rollback window)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
	if n := f.hitCount("GetDeploymentGroup"); n != 3 {
		t.Errorf("GetDeploymentGroup attempts = %d, want 3 (2 retries)", n)
	}
	// The deployment carries the blue/green settings too.
	if d.Window == nil || d.Window.Wait != time.Hour {
		t.Errorf("window = %+v", d.Window)
	}
}

func TestDetailsMissingFields(t *testing.T) {
	f := newFakeAWS(t, map[string]*route{
		"GetDeployment":             {file: "get-deployment-minimal.json"},
		"GetDeploymentGroup":        {file: "get-deployment-group-minimal.json"},
		"BatchGetDeploymentTargets": {file: "batch-get-deployment-targets-minimal.json"},
		"DescribeTaskSets":          {body: []byte(`{"taskSets":[],"failures":[]}`)},
	})
	ev := switchEvent()
	ev.Target.Lifecycle = nil
	ev.LastUpdated = time.Time{}
	d, warns := f.enricher(0).Details(context.Background(), ev)
	if len(warns) != 1 || warns[0].Reason != enrich.ReasonIncomplete ||
		warns[0].String() != "rollback window unknown: neither the deployment nor its group has terminateBlueInstancesOnDeploymentSuccess" {
		t.Fatalf("warnings = %v", warns)
	}
	if d.Deployment == nil || d.Deployment.Creator != "" || d.Deployment.Pipeline != nil || !d.Deployment.CreateTime.IsZero() {
		t.Errorf("deployment = %+v", d.Deployment)
	}
	if d.Window != nil {
		t.Errorf("window = %+v", d.Window)
	}
	if d.Service == nil || len(d.Service.TaskSets) != 0 || d.Service.Live() != nil || d.Service.New() != nil {
		t.Errorf("service = %+v", d.Service)
	}
	if d.Commands.RollBack == "" {
		t.Errorf("commands = %+v", d.Commands)
	}
}

func TestDetailsEventWithoutNames(t *testing.T) {
	// An EventBridge instance event may lack application and group: the
	// group and ECS lookups wait for GetDeployment and the target.
	f := newFakeAWS(t, standardRoutes())
	ev := switchEvent()
	ev.Application, ev.DeploymentGroup, ev.AccountID = "", "", ""
	ev.Target = nil
	d, warns := f.enricher(0).Details(context.Background(), ev)
	if len(warns) != 0 {
		t.Fatalf("warnings: %v", warns)
	}
	if d.Application != "web-frontend" || d.AccountID != "111122223333" || d.Service == nil || d.Service.New() == nil ||
		len(d.Service.New().Containers) != 2 || d.Window == nil || d.Window.StartFrom != "lifecycle" {
		t.Errorf("details = %+v", d)
	}
	if f.hitCount("ListDeploymentTargets") != 1 || f.hitCount("GetDeploymentGroup") != 1 {
		t.Errorf("lookups = %v", f.hits)
	}
}

func TestSessionSharesLookups(t *testing.T) {
	f := newFakeAWS(t, standardRoutes())
	e := f.enricher(0)
	s := e.NewSession()
	evs := []*deploy.Event{switchEvent(), switchEvent(), readyEvent(), switchEvent(), readyEvent(), switchEvent()}
	var wg sync.WaitGroup
	var bad atomic.Int32
	for _, ev := range evs {
		wg.Go(func() {
			d, w := s.Details(context.Background(), ev)
			if d == nil || d.Deployment == nil || len(w) != 0 {
				bad.Add(1)
			}
		})
	}
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d calls lacked details", bad.Load())
	}
	for op, want := range map[string]int{
		"GetDeployment": 1, "GetDeploymentGroup": 1, "BatchGetDeploymentTargets": 1,
		"DescribeTaskSets": 1, "DescribeTaskDefinition": 2,
	} {
		if got := f.hitCount(op); got != want {
			t.Errorf("%s called %d times in one session, want %d", op, got, want)
		}
	}
	// A new session (the next invocation) looks again.
	e.NewSession().Details(context.Background(), readyEvent())
	if got := f.hitCount("GetDeployment"); got != 2 {
		t.Errorf("GetDeployment after a new session: %d calls, want 2", got)
	}
}

func TestSessionRetriesAfterCancelledCaller(t *testing.T) {
	s := (&Enricher{}).NewSession()
	release := make(chan struct{})
	var calls atomic.Int32
	fn := func(ctx context.Context) (any, error) {
		if calls.Add(1) == 1 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-release:
			}
		}
		return "value", nil
	}
	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() {
		_, err := s.do(ctxA, "k", fn)
		errA <- err
	}()
	for calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	resB := make(chan any, 1)
	go func() {
		v, _ := s.do(context.Background(), "k", fn)
		resB <- v
	}()
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller err = %v", err)
	}
	if v := <-resB; v != "value" {
		t.Fatalf("second caller got %v", v)
	}
	close(release)
	if v, err := s.do(context.Background(), "k", fn); v != "value" || err != nil || calls.Load() != 2 {
		t.Fatalf("memoized = %v, %v after %d calls", v, err, calls.Load())
	}
}

func TestFixturesAreJSON(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil || !jsonValid(b) {
			t.Errorf("%s: not valid JSON (%v)", f, err)
		}
	}
}

func TestDetailsLambdaTargetIsNotECS(t *testing.T) {
	// The decoder reads a Lambda target "function:alias" like an ECS
	// "cluster:service"; GetDeployment tells them apart.
	routes := standardRoutes()
	routes["GetDeployment"] = &route{body: []byte(`{"deploymentInfo":{"deploymentId":"d-7XQ2K9ABC","applicationName":"web-frontend",` +
		`"deploymentGroupName":"web-frontend-prod","status":"InProgress","creator":"user","computePlatform":"Lambda","createTime":1665676245.187}}`)}
	routes["BatchGetDeploymentTargets"] = &route{body: []byte(`{"deploymentTargets":[{"deploymentTargetType":"LambdaTarget","lambdaTarget":` +
		`{"deploymentId":"d-7XQ2K9ABC","targetId":"prod-cluster:web-frontend","status":"Succeeded","lifecycleEvents":[]}}]}`)}
	routes["DescribeTaskSets"] = &route{status: http.StatusBadRequest, body: []byte(`{"__type":"ClusterNotFoundException","message":"Cluster not found."}`)}
	f := newFakeAWS(t, routes)
	d, warns := f.enricher(0).Details(context.Background(), switchEvent())
	if len(warns) != 0 || d.Service != nil || d.Window != nil || d.Commands != (enrich.Commands{}) || d.Deployment.ComputePlatform != "Lambda" {
		t.Fatalf("details = %+v, warnings = %v", d, warns)
	}
}
