// Package messagetest holds the notices that destination formatters are
// tested with: notices built in Go (action results, rollbacks, long and
// hostile text, enrichment details of every kind) and every CodeDeploy
// fixture of package codedeploy, decoded, so that every destination
// renders the same cases; and the golden-file checks of their tests. For
// tests only.
package messagetest

import (
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	simenrich "github.com/cutover-dev/cutover/internal/enrich/simulated"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
	"github.com/cutover-dev/cutover/internal/source/ecsnative"
)

// Now is the render time of every notice.
var Now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// GoNotices are the notices built in Go, by name (e.g.
// "traffic-switched-actions", "hostile-text", "details-stop"), their
// phase and platform set as decoding would. Each call builds new ones.
func GoNotices() map[string]*message.Notice {
	m := PlainNotices()
	maps.Copy(m, DetailNotices())
	for _, n := range m {
		Classify(&n.Event)
	}
	return m
}

// Classify sets the phase and platform of an event built in Go from its
// CodeDeploy name, as decoding does, unless it has a phase already.
func Classify(ev *deploy.Event) {
	if ev.Phase == "" {
		codedeploy.Classify(ev)
	}
}

// Cases are GoNotices under "go__<name>" and every CodeDeploy fixture
// decoded, under "<dir>__<file>" (".<i>" added when a fixture holds
// several events), then the ECS-native ones (ecsNativeCases): the golden
// cases of a destination.
func Cases(t testing.TB) map[string]*message.Notice {
	t.Helper()
	cases := map[string]*message.Notice{}
	for name, n := range GoNotices() {
		cases["go__"+name] = n
	}
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("messagetest: cannot locate the codedeploy fixtures")
	}
	root := filepath.Join(filepath.Dir(self), "..", "..", "source", "codedeploy", "testdata")
	paths, err := filepath.Glob(filepath.Join(root, "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("messagetest: no fixture in %s", root)
	}
	for _, p := range paths {
		dir := filepath.Base(filepath.Dir(p))
		if dir == "decoded" {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		events, err := codedeploy.Decode(data)
		if len(events) == 0 {
			// A fixture of an input Decode rejects: nothing to render.
			t.Logf("%s: no event (%v)", p, err)
			continue
		}
		base := dir + "__" + strings.TrimSuffix(filepath.Base(p), ".json")
		for i, ev := range events {
			name := base
			if len(events) > 1 {
				name += "." + strconv.Itoa(i)
			}
			cases[name] = &message.Notice{Event: ev, Now: Now}
		}
	}
	ecsNativeCases(t, cases)
	return cases
}

// Notification is what delivery gives a destination for n: the notice
// and the message built from it.
func Notification(n *message.Notice) *chat.Notification {
	return &chat.Notification{Message: message.Build(n), Notice: n}
}

// PlainNotices are the notices without details, unclassified, by name:
// action results, rollback switch-back, long and hostile text. Each call
// builds new ones.
func PlainNotices() map[string]*message.Notice {
	switched := deploy.Event{
		Name: codedeploy.InstanceSuccess, Phase: deploy.TrafficSwitched, Platform: deploy.CodeDeployECS, Source: codedeploy.SourceTrigger,
		ID: "5f1c2a3b-msg", MessageID: "5f1c2a3b-msg",
		Region: "us-east-1", AccountID: "111122223333", TriggerName: "cutover",
		Application: "web-frontend", DeploymentGroup: "web-frontend-prod", DeploymentID: "d-7XQ2K9ABC",
		Status: "SUCCEEDED", RawStatus: "Succeeded",
		CreateTime:  time.Date(2026, 11, 26, 11, 40, 0, 0, time.UTC),
		LastUpdated: time.Date(2026, 11, 26, 11, 52, 31, 0, time.UTC),
		Target: &deploy.Target{
			ID: "prod-cluster:web-frontend", Type: "ECS", Cluster: "prod-cluster", Service: "web-frontend",
			Lifecycle: []deploy.LifecycleStep{
				{Name: "BeforeInstall", Status: "Succeeded"},
				{Name: "Install", Status: "Succeeded", Start: time.Date(2026, 11, 26, 11, 40, 5, 0, time.UTC), End: time.Date(2026, 11, 26, 11, 47, 0, 0, time.UTC)},
				{Name: "AllowTraffic", Status: "Succeeded", Start: time.Date(2026, 11, 26, 11, 52, 0, 0, time.UTC), End: time.Date(2026, 11, 26, 11, 52, 30, 0, time.UTC)},
			},
		},
	}
	rollbackSwitch := switched
	rollbackSwitch.DeploymentID = "d-R8BACK001"
	rollbackSwitch.Rollback = &deploy.Rollback{RollsBack: "d-7XQ2K9ABC", Message: "Deployment d-R8BACK001 is triggered to roll back deployment d-7XQ2K9ABC."}

	long := strings.Repeat("The replacement task set <web-frontend:42> is unhealthy & failing health checks. ", 80)
	failure := deploy.Event{
		Name: codedeploy.DeploymentFailure, Source: codedeploy.SourceTrigger,
		Region: "eu-west-1", Application: "checkout-api", DeploymentGroup: "checkout-api-prod", DeploymentID: "d-FAIL00001",
		Status: "FAILED", RawStatus: "FAILED",
		CreateTime:   time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC),
		CompleteTime: time.Date(2026, 11, 26, 10, 14, 9, 0, time.UTC),
		Overview:     &deploy.Overview{Failed: 1},
		Error:        &deploy.Error{Code: "ECS_UPDATE_ERROR", Message: long},
	}
	hostile := deploy.Event{
		Name: codedeploy.DeploymentStop, Region: "us-east-1",
		Application: "<!channel> & <@U0123>", DeploymentGroup: "grp\nwith\tcontrol\u202eRTL",
		DeploymentID: "d-<b>|x", TriggerName: "`tick`",
		Error: &deploy.Error{Code: "`code`", Message: "stopped by <!here> <https://evil.example|click>"},
	}
	many := make([]action.Result, 40)
	for i := range many {
		many[i] = action.Result{Action: "cloudfront-invalidation", Target: fmt.Sprintf("E%03d", i), ID: fmt.Sprintf("I%03d", i), Paths: []string{"/*"}, Status: "InProgress"}
	}
	paths := make([]string, 14)
	for i := range paths {
		paths[i] = fmt.Sprintf("/assets/%d/*", i)
	}
	return map[string]*message.Notice{
		"traffic-switched-actions": {Event: switched, Now: Now, Actions: []action.Result{
			{Action: "cloudfront-invalidation", Target: "E123", ID: "I2J3", Paths: []string{"/*", "/index.html"}, Status: "InProgress"},
			{Action: "cloudfront-invalidation", Target: "E456", DryRun: true, Paths: []string{"/*"}},
			{Action: "cloudfront-invalidation", Target: "E789", Skipped: "already invalidated for this deployment"},
			{Action: "cloudfront-invalidation", Target: "EBAD", Error: "TooManyInvalidationsInProgress: too many <wildcard> invalidations in progress"},
			{Action: "cloudfront-invalidation", Target: "EMANY", ID: "I9", Paths: paths, Status: "InProgress"},
		}},
		"rollback-traffic-switched": {Event: rollbackSwitch, Now: Now},
		"actions-pending": {Event: switched, Now: Now, Actions: []action.Result{
			{Action: "cloudfront", Target: "E2QWRUHAPOMQZL", Pending: true},
			{Action: "cloudfront-invalidation", Target: "E123", ID: "I2J3", Paths: []string{"/*"}, Status: "InProgress"},
		}},
		"failure-long-error":   {Event: failure, Now: Now},
		"hostile-text":         {Event: hostile, Now: Now},
		"many-actions":         {Event: switched, Now: Now, Actions: many},
		"bare-unknown":         {Event: deploy.Event{Name: codedeploy.Unknown}, Now: Now},
		"trigger-test-no-name": {Event: deploy.Event{Name: codedeploy.TriggerTest}},
		"checks-failed": {Event: switched, Now: Now, Actions: []action.Result{
			{Action: "cloudfront-invalidation", Target: "E123", ID: "I2J3", Paths: []string{"/*"}, Status: "InProgress"},
		}, Checks: []check.Result{
			{Name: "api-ping", Type: check.TypeHTTP, Passed: true, Summary: "GET /api/ping: 20 requests, all 200, p95 41 ms, p99 88 ms", Duration: 412 * time.Millisecond},
			{Name: "api-latency", Type: check.TypeHTTP, Summary: "p99 2.4 s above 800 ms budget on GET /api/orders, 200 requests", Duration: 9 * time.Second},
			{Name: "health", Type: check.TypeHTTP, Summary: "3 of 20 requests answered 503 on GET /health (expected 200); body of GET /health lacks \"ok\" in 2 of 20 answers", Duration: 1200 * time.Millisecond},
			{Name: "alarms", Type: check.TypeAlarms, Summary: "1 of 2 alarms in ALARM: web-5xx <!channel> (Threshold Crossed: 1 datapoint [12.0 (26/11/26 11:52:00)] was greater than the threshold (1.0).)", Duration: 80 * time.Millisecond},
			{Name: "test-listener", Type: check.TypeHTTP, Error: "discover test listener: deployment group web-frontend-prod has no test traffic route", Summary: "discover test listener: deployment group web-frontend-prod has no test traffic route", Duration: 30 * time.Millisecond},
		}},
		"checks-passed": {Event: switched, Now: Now, Checks: []check.Result{
			{Name: "api-ping", Type: check.TypeHTTP, Passed: true, Summary: "GET /api/ping: 20 requests, all 200, p95 41 ms, p99 88 ms", Duration: 412 * time.Millisecond},
			{Name: "alarms", Type: check.TypeAlarms, Passed: true, Summary: "2 alarms not in ALARM: web-5xx, web-latency", Duration: 80 * time.Millisecond},
		}},
		"followup-completed": {Event: switched, Now: Now, FollowUp: true, Actions: []action.Result{
			{Action: "cloudfront-invalidation", Target: "E123", ID: "I2J3", Paths: []string{"/*", "/index.html"}, Status: "Completed"},
		}},
		"followup-gave-up": {Event: switched, Now: Now, FollowUp: true, Actions: []action.Result{
			{Action: "cloudfront-invalidation", Target: "E123", ID: "I2J3", Paths: []string{"/*"}, Status: "InProgress", Error: "still in progress after 12 checks; giving up"},
		}},
	}
}

const (
	// ConsoleBase is the AWS console of the notices' region, us-east-1.
	ConsoleBase = "https://us-east-1.console.aws.amazon.com"
	// ExecID is the CodePipeline execution of "details-pipeline-start".
	ExecID = "0f4c2b1e-7d3a-4b8e-9c21-5a6f7e8d9c0b"
)

// SwitchedDetails are complete details of the traffic switch of
// "traffic-switched-actions": window open at Now, new and old task sets,
// pipeline, links and commands.
func SwitchedDetails() *enrich.Details {
	img := func(tag string) string { return "111122223333.dkr.ecr.us-east-1.amazonaws.com/web-frontend:" + tag }
	envoy := "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod"
	switchedAt := time.Date(2026, 11, 26, 11, 52, 30, 0, time.UTC)
	return &enrich.Details{
		DeploymentID: "d-7XQ2K9ABC", Region: "us-east-1", AccountID: "111122223333",
		Application: "web-frontend", DeploymentGroup: "web-frontend-prod",
		Deployment: &enrich.Deployment{
			Status: "InProgress", Creator: "user", ComputePlatform: "ECS",
			Description:            "Release 3f9c2e1: faster <checkout> & cart",
			ConfigName:             "CodeDeployDefault.ECSAllAtOnce",
			CreateTime:             time.Date(2026, 11, 26, 11, 40, 0, 0, time.UTC),
			TerminationWaitStarted: true,
		},
		Window: &enrich.Window{
			Kind: enrich.WindowRollback, Start: switchedAt, StartFrom: "lifecycle",
			Wait: time.Hour, Deadline: switchedAt.Add(time.Hour), Action: "TERMINATE",
		},
		Service: &enrich.Service{Cluster: "prod-cluster", Name: "web-frontend", TargetStatus: "Succeeded", TaskSets: []enrich.TaskSet{
			{
				ID: "ecs-svc/9223370493423413672", Label: "GREEN", Status: "PRIMARY", TrafficWeight: 100, TrafficKnown: true,
				DesiredCount: 4, RunningCount: 4, TargetGroup: "web-frontend-green", TaskDefinition: "web-frontend:43",
				Containers: []enrich.Container{{Name: "web", Image: img("3f9c2e1"), LogGroup: "/ecs/web-frontend"}, {Name: "envoy", Image: envoy}},
			},
			{
				ID: "ecs-svc/9223370493425779968", Label: "BLUE", Status: "ACTIVE", TrafficWeight: 0, TrafficKnown: true,
				DesiredCount: 4, RunningCount: 3, PendingCount: 1, TargetGroup: "web-frontend-blue", TaskDefinition: "web-frontend:42",
				Containers: []enrich.Container{{Name: "web", Image: img("a1b7d04")}, {Name: "envoy", Image: envoy}},
			},
		}},
		Links: enrich.Links{
			Deployment:      ConsoleBase + "/codesuite/codedeploy/deployments/d-7XQ2K9ABC?region=us-east-1",
			DeploymentGroup: ConsoleBase + "/codesuite/codedeploy/applications/web-frontend/deployment-groups/web-frontend-prod?region=us-east-1",
			Service:         ConsoleBase + "/ecs/v2/clusters/prod-cluster/services/web-frontend/health?region=us-east-1",
			Logs:            []enrich.Link{{Label: "/ecs/web-frontend", URL: ConsoleBase + "/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Fecs$252Fweb-frontend"}},
		},
		Commands: enrich.Commands{
			RollBack:    "aws deploy stop-deployment --deployment-id d-7XQ2K9ABC --auto-rollback-enabled --region us-east-1",
			FinishEarly: "aws deploy continue-deployment --deployment-id d-7XQ2K9ABC --deployment-wait-type TERMINATION_WAIT --region us-east-1",
		},
	}
}

// LogTail is the hook log of "details-failure-diagnostics": 120 numbered
// lines with text to escape, longer than any message can show.
func LogTail() string {
	var b strings.Builder
	for i := 1; i <= 120; i++ {
		fmt.Fprintf(&b, "[smoke] %03d GET /api/cart?id=%d&v=2 -> 502 <Bad Gateway> `upstream` reset\n", i, i)
	}
	b.WriteString("[smoke] FAIL: 120 of 120 requests failed\n")
	return b.String()
}

// DetailNotices are the notices with enrich.Details, unclassified, by
// name: one per kind of message and part of the details. Each call builds
// new ones.
func DetailNotices() map[string]*message.Notice {
	base := PlainNotices()
	switched := base["traffic-switched-actions"].Event
	failure := base["failure-long-error"].Event

	full := SwitchedDetails()

	closed := SwitchedDetails()
	closed.Deployment.Status = "Succeeded"
	closed.Deployment.CompleteTime = time.Date(2026, 11, 26, 11, 58, 0, 0, time.UTC)
	closed.Window.Ended, closed.Window.EndedAt = true, closed.Deployment.CompleteTime
	closed.Commands = enrich.Commands{}

	noWindow := SwitchedDetails()
	noWindow.Window = &enrich.Window{Kind: enrich.WindowRollback, Start: noWindow.Window.Start, Deadline: noWindow.Window.Start, Action: "TERMINATE", NoWindow: true}
	noWindow.Commands = enrich.Commands{}

	ready := deploy.Event{
		Name: codedeploy.DeploymentReady, Source: codedeploy.SourceTrigger, Region: "us-east-1", AccountID: "111122223333",
		Application: "web-frontend", DeploymentGroup: "web-frontend-prod", DeploymentID: "d-7XQ2K9ABC",
		Status: "READY", RawStatus: "READY",
		CreateTime: time.Date(2026, 11, 26, 11, 40, 0, 0, time.UTC),
		Published:  time.Date(2026, 11, 26, 11, 45, 0, 0, time.UTC),
		Overview:   &deploy.Overview{InProgress: 1},
	}
	readyDet := SwitchedDetails()
	readyDet.Service = nil
	readyDet.Deployment.Status = "Ready"
	readyDet.Window = &enrich.Window{
		Kind: enrich.WindowReroute, Start: ready.Published, StartFrom: "event", Wait: 2 * time.Hour,
		Deadline: ready.Published.Add(2 * time.Hour), Action: "STOP_DEPLOYMENT",
	}
	readyDet.Commands = enrich.Commands{
		RollBack: "aws deploy stop-deployment --deployment-id d-7XQ2K9ABC --auto-rollback-enabled --region us-east-1",
		Reroute:  "aws deploy continue-deployment --deployment-id d-7XQ2K9ABC --deployment-wait-type READY_WAIT --region us-east-1",
	}

	failed := failure
	failed.Error = &deploy.Error{Code: "HEALTH_CONSTRAINTS", Message: "The deployment failed because a lifecycle hook (AfterAllowTraffic) reported Failed."}
	failDet := SwitchedDetails()
	failDet.DeploymentID, failDet.Region = "d-FAIL00001", "eu-west-1"
	failDet.Window, failDet.Commands = nil, enrich.Commands{}
	failDet.Deployment.Status = "Failed"
	failDet.Deployment.ErrorCode, failDet.Deployment.ErrorMessage = failed.Error.Code, failed.Error.Message
	failDet.Deployment.StatusMessages = []string{failed.Error.Message, "Rollback of d-FAIL00001 started: traffic returns to <blue>"}
	failDet.Deployment.RollbackDeploymentID = "d-ROLLB0001"
	failDet.Links.Related = "https://eu-west-1.console.aws.amazon.com/codesuite/codedeploy/deployments/d-ROLLB0001?region=eu-west-1"
	failDet.Failure = &enrich.Failure{
		TargetID: "prod-cluster:checkout-api", LifecycleEvent: "AfterAllowTraffic", Status: "Failed",
		Start: time.Date(2026, 11, 26, 10, 12, 0, 0, time.UTC), End: time.Date(2026, 11, 26, 10, 14, 5, 0, time.UTC),
		Diagnostics: &enrich.Diagnostics{
			ErrorCode: "ScriptFailed", ScriptName: "CodeDeployHook_checkout-smoke",
			Message: "The AfterAllowTraffic hook returned Failed: 120 of 120 requests to <https://checkout.internal> failed",
			LogTail: LogTail(),
		},
	}

	stop := deploy.Event{
		Name: codedeploy.DeploymentStop, Source: codedeploy.SourceTrigger, Region: "us-east-1",
		Application: "web-frontend", DeploymentGroup: "web-frontend-prod", DeploymentID: "d-7XQ2K9ABC",
		Status: "STOPPED", RawStatus: "STOPPED",
		CreateTime: time.Date(2026, 11, 26, 11, 40, 0, 0, time.UTC), CompleteTime: time.Date(2026, 11, 26, 11, 55, 0, 0, time.UTC),
	}
	stopDet := SwitchedDetails()
	stopDet.Window, stopDet.Commands = nil, enrich.Commands{}
	stopDet.Deployment.Status = "Stopped"
	stopDet.Deployment.ErrorCode = "DEPLOYMENT_STOPPED_ON_REQUEST"
	stopDet.Deployment.ErrorMessage = "The deployment was stopped by a user request & rolled back."
	stopDet.Failure = &enrich.Failure{TargetID: "prod-cluster:web-frontend", LifecycleEvent: "AfterAllowTraffic", Status: "Unknown"}
	stopDet.Service.TaskSets[0].TrafficWeight, stopDet.Service.TaskSets[1].TrafficWeight = 0, 100

	// The instance event of a rollback deployment does not say it is one:
	// the details do.
	back := switched
	back.DeploymentID = "d-R8BACK001"
	backDet := SwitchedDetails()
	backDet.DeploymentID = "d-R8BACK001"
	backDet.Window, backDet.Commands = nil, enrich.Commands{}
	backDet.Deployment = &enrich.Deployment{
		Status: "InProgress", Creator: "codeDeployRollback", ComputePlatform: "ECS",
		RollbackTriggeringDeploymentID: "d-7XQ2K9ABC",
		RollbackMessage:                "Deployment d-R8BACK001 is triggered to roll back deployment d-7XQ2K9ABC.",
	}
	backDet.Links.Related = ConsoleBase + "/codesuite/codedeploy/deployments/d-7XQ2K9ABC?region=us-east-1"
	backDet.Service.TaskSets[0].TrafficWeight, backDet.Service.TaskSets[0].Status = 0, "ACTIVE"
	backDet.Service.TaskSets[1].TrafficWeight, backDet.Service.TaskSets[1].Status = 100, "PRIMARY"

	start := deploy.Event{
		Name: codedeploy.DeploymentStart, Source: codedeploy.SourceTrigger, Region: "us-east-1",
		Application: "web-frontend", DeploymentGroup: "web-frontend-prod", DeploymentID: "d-7XQ2K9ABC",
		Status: "CREATED", RawStatus: "CREATED", CreateTime: time.Date(2026, 11, 26, 11, 40, 0, 0, time.UTC),
	}
	pipeDet := &enrich.Details{
		DeploymentID: "d-7XQ2K9ABC", Region: "us-east-1", Application: "web-frontend", DeploymentGroup: "web-frontend-prod",
		Deployment: &enrich.Deployment{
			Status: "Created", Creator: "user", ComputePlatform: "ECS",
			Description: "Deployed by CodePipeline web-frontend-release, execution " + ExecID,
			Pipeline:    &enrich.Pipeline{Name: "web-frontend-release", ExecutionID: ExecID, From: "description"},
		},
		Links: enrich.Links{
			Deployment: ConsoleBase + "/codesuite/codedeploy/deployments/d-7XQ2K9ABC?region=us-east-1",
			Pipeline:   ConsoleBase + "/codesuite/codepipeline/pipelines/web-frontend-release/executions/" + ExecID + "/timeline?region=us-east-1",
		},
	}

	partial := &enrich.Details{
		DeploymentID: "d-7XQ2K9ABC", Region: "us-east-1",
		Links: enrich.Links{Service: ConsoleBase + "/ecs/v2/clusters/prod-cluster/services/web-frontend/health?region=us-east-1"},
	}
	onlyCreator := &enrich.Details{DeploymentID: "d-7XQ2K9ABC", Deployment: &enrich.Deployment{Creator: "autoscaling"}}
	simulated := *full
	simulated.Simulated = true
	// A deployment outside the commercial partition: every console link
	// (headline, footer, details) must point at that partition's console.
	partitioned := func(region string) *message.Notice {
		ev := switched
		ev.Region = region
		return &message.Notice{Event: ev, Now: Now, Details: simenrich.Details(&ev),
			Actions: []action.Result{{Action: "cloudfront", Target: "E2QWRUHAPOMQZL", Pending: true}}}
	}

	// A traffic switch in an account that is not connected to cutover
	// (CUTOVER_ACCOUNTS): no lookups, one line saying so.
	spoke := switched
	spoke.AccountID, spoke.Region = "444455556666", "eu-west-1"
	unconnected := &enrich.Details{
		DeploymentID: spoke.DeploymentID, Region: spoke.Region, AccountID: spoke.AccountID,
		Application: spoke.Application, DeploymentGroup: spoke.DeploymentGroup, NotConnected: true,
	}

	return map[string]*message.Notice{
		"details-not-connected":           {Event: spoke, Now: Now, Details: unconnected},
		"details-traffic-switched":        {Event: switched, Now: Now, Details: full, Actions: base["traffic-switched-actions"].Actions[:1]},
		"details-window-closed":           {Event: switched, Now: Now, Details: closed},
		"details-no-window":               {Event: switched, Now: Now, Details: noWindow},
		"details-ready-reroute":           {Event: ready, Now: Now, Details: readyDet},
		"details-failure-diagnostics":     {Event: failed, Now: Now, Details: failDet},
		"details-stop":                    {Event: stop, Now: Now, Details: stopDet},
		"details-rollback-switched-back":  {Event: back, Now: Now, Details: backDet},
		"details-pipeline-start":          {Event: start, Now: Now, Details: pipeDet},
		"details-partial":                 {Event: switched, Now: Now, Details: partial},
		"details-only-creator":            {Event: deploy.Event{Name: codedeploy.DeploymentSuccess, DeploymentID: "d-7XQ2K9ABC"}, Now: Now, Details: onlyCreator},
		"details-simulated":               {Event: switched, Now: Now, Details: &simulated},
		"details-partition-cn-north-1":    partitioned("cn-north-1"),
		"details-partition-us-gov-west-1": partitioned("us-gov-west-1"),
	}
}

// FuzzDetails puts a fuzzer's strings in every text of Details (images,
// descriptions, log tails, labels, commands, link labels and URLs); bits
// of k choose the window and which parts are there (none when k&0x80).
func FuzzDetails(msg, name, id, target string, k uint8) *enrich.Details {
	if k&0x80 != 0 {
		return nil
	}
	at := Now.Add(time.Duration(int8(k)) * time.Minute)
	ts := func(label string, weight float64) enrich.TaskSet {
		return enrich.TaskSet{
			ID: id, Label: label, Status: name, TrafficWeight: weight, TrafficKnown: k&1 == 0,
			DesiredCount: int64(len(msg)), RunningCount: -1, PendingCount: int64(k),
			TargetGroup: target, TaskDefinition: name,
			Containers: []enrich.Container{{Name: name, Image: msg, LogGroup: target}, {Image: name}, {Image: target}, {Image: id}, {Image: msg + "x"}},
		}
	}
	links := enrich.Links{Deployment: "https://" + target, Service: "https://h.example/" + id, DeploymentGroup: msg,
		Logs:     []enrich.Link{{Label: msg, URL: "https://h.example/$" + name}, {Label: name, URL: "https://h.example/@"}, {Label: "|", URL: "https://h.example/"}, {Label: id, URL: id}},
		Pipeline: "https://h.example/p?" + id, Related: "https://" + name}
	cmds := enrich.Commands{RollBack: msg, FinishEarly: name + "```" + id, Reroute: target}
	if k&2 != 0 {
		cmds.Reroute = ""
	}
	return &enrich.Details{
		DeploymentID: id, Region: name, Simulated: k&4 != 0,
		Deployment: &enrich.Deployment{
			Creator: name, Description: msg, Stage: target, Status: id, StatusMessages: []string{msg, name, target, id},
			ErrorCode: name, ErrorMessage: msg, RollbackDeploymentID: target, RollbackTriggeringDeploymentID: target,
			RollbackMessage: msg,
			Pipeline:        &enrich.Pipeline{Name: name, ExecutionID: id, NameTruncated: k&8 != 0, From: "description"},
		},
		Window: &enrich.Window{
			Kind:  []enrich.WindowKind{enrich.WindowRollback, enrich.WindowReroute, enrich.WindowKind(name)}[int(k)%3],
			Start: at, Deadline: at.Add(time.Duration(len(msg)) * time.Minute), NoWindow: k&16 != 0, Ended: k&32 != 0, EndedAt: at,
		},
		Service: &enrich.Service{Cluster: target, Name: name, TaskSets: []enrich.TaskSet{
			ts("GREEN", float64(len(name))), ts("BLUE", math.NaN()), ts(name, 1e300), ts(msg, -1), ts("", 50),
		}, Revisions: k&64 != 0, Monitors: &enrich.Monitors{
			CircuitBreaker: name, FailureCount: int32(k), Threshold: int32(len(msg)), AlarmStatus: msg,
			Alarms: []string{msg, name, target}, Triggered: []string{id}[:int(k&1)],
		}},
		Failure: &enrich.Failure{TargetID: target, LifecycleEvent: name, Status: msg, Start: at, End: at.Add(time.Second),
			Diagnostics: &enrich.Diagnostics{ErrorCode: name, Message: msg, ScriptName: target, LogTail: msg + "\n" + msg}},
		Links:    links,
		Commands: cmds,
	}
}

// FuzzEvent is the event of a formatter's fuzz target: the fuzzer's
// strings in every text field, kind choosing the CodeDeploy name, phase
// and platform set as decoding does, and the phase forced to a traffic
// switch when switched.
func FuzzEvent(msg, name, id, target string, kind uint8, switched bool) deploy.Event {
	kinds := codedeploy.Names
	ev := deploy.Event{
		Name:   kinds[int(kind)%len(kinds)],
		Region: name, AccountID: name, TriggerName: name, Application: name, DeploymentGroup: msg,
		DeploymentID: id, RawStatus: msg, MessageID: id,
		Error:    &deploy.Error{Code: name, Message: msg},
		Rollback: &deploy.Rollback{RollsBack: id, Message: msg},
		Overview: &deploy.Overview{Succeeded: len(msg), Failed: 1},
		Target: &deploy.Target{ID: target, Type: "ECS", Lifecycle: []deploy.LifecycleStep{
			{Name: name, Status: msg}, {Name: target, Status: id},
		}},
	}
	codedeploy.Classify(&ev)
	if kind&0x80 != 0 {
		// An ECS-native event: its own names, the service and hook stage.
		ev.Platform, ev.Target, ev.Overview = deploy.ECSNative, nil, nil
		ev.Name = ecsnative.Names[int(kind)%len(ecsnative.Names)]
		ev.Phase = []deploy.Phase{deploy.Started, deploy.RollingBack, deploy.Succeeded, deploy.Failed, deploy.Ready, deploy.Unknown}[int(kind)%6]
		ev.Cluster, ev.Service, ev.Stage, ev.Execution = target, name, msg, id
	}
	if switched {
		ev.Phase = deploy.TrafficSwitched
	}
	return ev
}

// FuzzActions are the action results of a formatter's fuzz target, the
// fuzzer's strings in each: an invalidation, a failure, a skip and a dry
// run, in that order.
func FuzzActions(msg, name, id, target string) []action.Result {
	return []action.Result{
		{Action: "cloudfront-invalidation", Target: target, ID: id, Paths: []string{msg, name, target}, Status: name},
		{Action: name, Target: target, Error: msg},
		{Action: "cloudfront-invalidation", Target: name, Skipped: msg},
		{Action: "cloudfront-invalidation", Target: id, DryRun: true, Paths: []string{msg}},
	}
}

// BenchNow is the render time of BenchNotice (the one BenchmarkDecodeRender
// in package delivery uses).
var BenchNow = time.Date(2022, 10, 13, 16, 0, 0, 0, time.UTC)

// BenchNotice is the notice the render benchmarks build and format: the
// Lambda SNS event of an instance's success (sns-lambda/instance-success.json,
// the fixture of BenchmarkDecodeRender), decoded once, at BenchNow.
func BenchNotice(t testing.TB) *message.Notice {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("messagetest: cannot locate the codedeploy fixtures")
	}
	data, err := os.ReadFile(filepath.Join(filepath.Dir(self), "..", "..", "source", "codedeploy", "testdata", "sns-lambda", "instance-success.json"))
	if err != nil {
		t.Fatal(err)
	}
	events, err := codedeploy.Decode(data)
	if err != nil || len(events) == 0 {
		t.Fatalf("messagetest: decode the bench fixture: %v", err)
	}
	return &message.Notice{Event: events[0], Now: BenchNow}
}

// BenchFormat benchmarks format over BenchNotice and its message, built
// once outside the loop: a destination's formatting cost alone.
func BenchFormat(b *testing.B, format func(n *message.Notice, m *message.Message) error) {
	b.Helper()
	n := BenchNotice(b)
	m := message.Build(n)
	b.ReportAllocs()
	for b.Loop() {
		if err := format(n, m); err != nil {
			b.Fatal(err)
		}
	}
}
