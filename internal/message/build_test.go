package message

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// plainText is t without markup, for assertions.
func plainText(t Text) string {
	var b strings.Builder
	for _, s := range t {
		b.WriteString(s.Text)
	}
	return b.String()
}

func TestFormatTime(t *testing.T) {
	tm := time.Date(2026, 3, 4, 23, 30, 15, 999, time.FixedZone("CET", 3600))
	if got, want := FormatTime(tm), "2026-03-04 22:30:15 UTC"; got != want {
		t.Errorf("FormatTime = %q, want %q", got, want)
	}
}

// TestOneDurationStyle covers the durations the Slack renderer used to
// show as "3m 20s": every duration of a message now reads like the
// deadline's "58 min left".
func TestOneDurationStyle(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "1 s"},
		{0, "0 s"},
		{400 * time.Millisecond, "0 s"},
		{45*time.Second + 600*time.Millisecond, "45 s"},
		{3*time.Minute + 20*time.Second, "3 min"},
		{time.Hour, "1 h"},
		{2*time.Hour + 5*time.Minute + 59*time.Second, "2 h 5 min"},
		{48 * time.Hour, "48 h"},
		{28*time.Hour + 30*time.Minute, "28 h 30 min"},
	} {
		if got := FormatDuration(tc.d); got != tc.want {
			t.Errorf("FormatDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestBuildNil(t *testing.T) {
	if Build(nil) != nil {
		t.Error("Build(nil) is not nil")
	}
}

// TestBuildReadsPhase: the message follows the phase, whatever the
// source calls the event, and names the source only for an unknown status
// and for ECS-native events, which have their own wording (revisions,
// hooks, "ECS deployment").
func TestBuildReadsPhase(t *testing.T) {
	for _, tc := range []struct {
		ev    deploy.Event
		title string
		sev   Severity
	}{
		{deploy.Event{Name: "SERVICE_DEPLOYMENT_FAILED", Phase: deploy.Failed, Platform: deploy.ECSNative}, "ECS deployment failed", Danger},
		{deploy.Event{Name: "HOOK_SUCCEEDED", Phase: deploy.Succeeded, Platform: deploy.ECSNative}, "Lifecycle hook succeeded", Good},
		{deploy.Event{Name: "y", Phase: deploy.Failed, Platform: "other"}, "Deployment failed", Danger},
		{deploy.Event{Name: "x", Phase: deploy.Started, Target: &deploy.Target{ID: "c:s"}}, "Deployment target started", Info},
		{deploy.Event{Name: "x", Phase: deploy.Stopped}, "Deployment stopped", Warning},
		{deploy.Event{Name: "x", Phase: deploy.TrafficSwitched, Platform: deploy.ECSNative}, "Traffic switched to the new revision", Good},
		{deploy.Event{Name: "x", Phase: deploy.TrafficSwitched, Platform: deploy.CodeDeployECS}, "Traffic switched to the new task set", Good},
		{deploy.Event{Name: "x", Phase: deploy.Unknown, Platform: deploy.ECSNative, RawStatus: "WEIRD"}, "Unrecognised ECS event:", Neutral},
		{deploy.Event{Name: "x", Phase: deploy.Unknown, Platform: "other", RawStatus: "WEIRD"}, "Unrecognised deployment status:", Neutral},
		{deploy.Event{Name: "x", Phase: deploy.Unknown, Platform: deploy.CodeDeployECS}, "Unrecognised CodeDeploy status:", Neutral},
	} {
		m := Build(&Notice{Event: tc.ev})
		if m.Title != tc.title || m.Severity != tc.sev {
			t.Errorf("%+v: title %q, severity %s; want %q, %s", tc.ev, m.Title, m.Severity, tc.title, tc.sev)
		}
	}
}

// TestBuildRollbackFromDetails: a rollback that only the details reveal
// reads as one, links the rolled-back deployment from the details, and
// leaves the notice's event as it came.
func TestBuildRollbackFromDetails(t *testing.T) {
	ev := deploy.Event{Name: "InstanceSuccess", Phase: deploy.TrafficSwitched, DeploymentID: "d-R", Region: "cn-north-1",
		Target: &deploy.Target{ID: "c:s", Type: deploy.TargetECS}}
	n := &Notice{Event: ev, Details: &enrich.Details{Deployment: &enrich.Deployment{RollbackTriggeringDeploymentID: "d-M"}}}
	m := Build(n)
	if m.Title != "Traffic switched back to the original task set" || m.Icon != IconSwitchedBack {
		t.Errorf("title %q, icon %s", m.Title, m.Icon)
	}
	if got := plainText(m.Subject); got != "· rolling back d-M" {
		t.Errorf("subject = %q", got)
	}
	if l := m.Subject[len(m.Subject)-1]; l.Kind != Link || l.URL != "https://cn-north-1.console.amazonaws.cn/codesuite/codedeploy/deployments/d-M?region=cn-north-1" {
		t.Errorf("rollback link = %+v", l)
	}
	if !reflect.DeepEqual(n.Event, ev) {
		t.Errorf("Build changed the event: %+v", n.Event)
	}
}

// TestBuildPendingAction: an action slower than the notice's wait reads as
// pending, not as done.
func TestBuildPendingAction(t *testing.T) {
	m := Build(&Notice{Event: deploy.Event{Phase: deploy.TrafficSwitched}, Actions: []action.Result{{Action: "cloudfront", Target: "E1", Pending: true}}})
	if m.Actions == nil || len(m.Actions.Items) != 1 {
		t.Fatalf("actions = %+v", m.Actions)
	}
	item := m.Actions.Items[0]
	if item[0].Kind != Emoji || item[0].Icon != IconPending || plainText(item) != " CloudFront E1: pending" {
		t.Errorf("pending action = %+v (%q)", item, plainText(item))
	}
}

// TestBuildWentWrong: the error and status messages of the details show
// for every phase in which the deployment went wrong, and only then.
func TestBuildWentWrong(t *testing.T) {
	d := &enrich.Details{Deployment: &enrich.Deployment{ErrorCode: "E", ErrorMessage: "boom", StatusMessages: []string{"first"}}}
	for _, p := range []deploy.Phase{deploy.Failed, deploy.Stopped, deploy.RollingBack, deploy.Succeeded, deploy.Started} {
		m := Build(&Notice{Event: deploy.Event{Phase: p}, Details: d})
		shown := m.Error != nil && m.Error.Code == "E" && m.Failure != nil && len(m.Failure.Notes) == 1
		if shown != p.WentWrong() {
			t.Errorf("%s: error %+v, failure %+v", p, m.Error, m.Failure)
		}
	}
}

func TestIconEmoji(t *testing.T) {
	icons := []Icon{IconStarted, IconTargetStarted, IconWaiting, IconTrafficSwitched, IconSwitchedBack, IconRollingBack,
		IconSucceeded, IconFailed, IconStopped, IconTest, IconDeadline, IconWarning, IconLink, IconInfo, IconPending, IconSkipped, IconDryRun}
	for _, i := range icons {
		if e := i.Emoji(); e == "" || e == "❔" {
			t.Errorf("%s: emoji %q", i, e)
		}
	}
	for _, i := range []Icon{IconUnknown, "", "no-such-icon"} {
		if e := i.Emoji(); e != "❔" {
			t.Errorf("%q: emoji %q, want ❔", i, e)
		}
	}
}

// TestECSNativeWording: an ECS-native deployment in bake time says the
// service, the bake-time deadline, the revisions, the rollback command and
// that there is no finish early; a CodeDeploy one keeps its finish-early.
func TestECSNativeWording(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	start := time.Date(2026, 11, 26, 11, 52, 0, 0, time.UTC)
	ev := deploy.Event{Name: "SERVICE_DEPLOYMENT_IN_PROGRESS", Phase: deploy.Started, Platform: deploy.ECSNative,
		Region: "us-east-1", Cluster: "prod", Service: "web", DeploymentID: "ecs-svc/1"}
	d := &enrich.Details{
		DeploymentID: "arn:aws:ecs:us-east-1:1:service-deployment/prod/web/X",
		Window:       &enrich.Window{Kind: enrich.WindowRollback, Action: "BAKE_TIME", Start: start, Wait: 30 * time.Minute, Deadline: start.Add(30 * time.Minute)},
		Service: &enrich.Service{Cluster: "prod", Name: "web", Revisions: true, TaskSets: []enrich.TaskSet{
			{ID: "r1", Label: "GREEN", TaskDefinition: "web:2", TrafficWeight: 100, TrafficKnown: true},
			{ID: "r0", Label: "BLUE", TaskDefinition: "web:1", TrafficKnown: true},
		}},
		Commands: enrich.Commands{RollBack: "aws ecs stop-service-deployment --service-deployment-arn arn:aws:ecs:us-east-1:1:service-deployment/prod/web/X --stop-type ROLLBACK"},
	}
	m := Build(&Notice{Event: ev, Details: d, Now: now})
	if m.Title != "ECS deployment started" || m.Deadline == nil || m.Deadline.Text != "Roll back before 12:22 UTC (22 min left)" {
		t.Errorf("title %q deadline %+v", m.Title, m.Deadline)
	}
	if got := plainText(m.Summary); got != "service prod/web · ecs-svc/1" {
		t.Errorf("summary %q", got)
	}
	if m.TaskSets == nil || m.TaskSets.Title != "Service revisions" || !strings.HasPrefix(plainText(m.TaskSets.Items[0]), "Target revision (new) web:2") {
		t.Errorf("revisions %+v", m.TaskSets)
	}
	if len(m.Commands) != 1 || !strings.Contains(m.Commands[0].Note, "no finish early") || !strings.Contains(m.Commands[0].Command, "--stop-type ROLLBACK") {
		t.Errorf("commands %+v", m.Commands)
	}
	for _, f := range m.Footer {
		if strings.Contains(plainText(f), "CodeDeploy") {
			t.Errorf("an ECS-native message links CodeDeploy: %q", plainText(f))
		}
	}
	// Without DescribeServiceRevisions a revision is named by its ID.
	d.Service.TaskSets[0].TaskDefinition, d.Service.TaskSets[0].ID = "", "arn:aws:ecs:us-east-1:1:service-revision/prod/web/4503257381420581834"
	if m := Build(&Notice{Event: ev, Details: d, Now: now}); !strings.HasPrefix(plainText(m.TaskSets.Items[0]), "Target revision (new) 4503257381420581834 ·") {
		t.Errorf("revision without task definition: %q", plainText(m.TaskSets.Items[0]))
	}
	d.Window = &enrich.Window{Kind: enrich.WindowRollback, Action: "BAKE_TIME", NoWindow: true}
	if m := Build(&Notice{Event: ev, Details: d, Now: now}); m.Deadline == nil || !strings.Contains(m.Deadline.Text, "bake time is 0 minutes") {
		t.Errorf("bake time 0: %+v", m.Deadline)
	}
}
