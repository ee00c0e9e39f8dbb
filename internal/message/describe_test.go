package message

import (
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/enrich"
)

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "0 s",
		45 * time.Second:                      "45 s",
		59*time.Second + 900*time.Millisecond: "59 s",
		time.Minute:                           "1 min",
		58*time.Minute + 59*time.Second:       "58 min",
		time.Hour:                             "1 h",
		time.Hour + 5*time.Minute:             "1 h 5 min",
		48 * time.Hour:                        "48 h",
		-90 * time.Second:                     "1 min",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestWindowDescribe(t *testing.T) {
	now := time.Date(2026, time.March, 10, 13, 54, 0, 0, time.UTC)
	deadline := time.Date(2026, time.March, 10, 14, 52, 0, 0, time.UTC)
	rollback := func(mod func(*enrich.Window)) *enrich.Window {
		w := &enrich.Window{Kind: enrich.WindowRollback, Start: deadline.Add(-time.Hour), Wait: time.Hour, Deadline: deadline, Action: "TERMINATE"}
		if mod != nil {
			mod(w)
		}
		return w
	}
	for _, tc := range []struct {
		name string
		w    *enrich.Window
		now  time.Time
		want string
	}{
		{"open", rollback(nil), now, "Roll back before 14:52 UTC (58 min left)"},
		{"open long", rollback(nil), deadline.Add(-65 * time.Minute), "Roll back before 14:52 UTC (1 h 5 min left)"},
		{"last seconds", rollback(nil), deadline.Add(-45 * time.Second), "Roll back before 14:52 UTC (45 s left)"},
		{"next day", rollback(func(w *enrich.Window) { w.Deadline = deadline.Add(24 * time.Hour) }), now,
			"Roll back before Mar 11 14:52 UTC (24 h 58 min left)"},
		{"closed", rollback(nil), deadline, "Rollback window closed at 14:52 UTC"},
		{"closed later", rollback(nil), deadline.Add(3 * time.Hour), "Rollback window closed at 14:52 UTC"},
		{"finished early", rollback(func(w *enrich.Window) { w.Ended, w.EndedAt = true, deadline.Add(-20*time.Minute) }), now,
			"Rollback window closed at 14:32 UTC"},
		{"finished, time unknown", rollback(func(w *enrich.Window) { w.Ended = true; w.Deadline = time.Time{} }), now,
			"Rollback window closed: the deployment has finished"},
		{"no window", rollback(func(w *enrich.Window) { w.NoWindow, w.Wait, w.Deadline = true, 0, w.Start }), now,
			"No rollback window: the original task set is terminated immediately"},
		{"reroute open", &enrich.Window{Kind: enrich.WindowReroute, Deadline: deadline, Wait: 2 * time.Hour}, now,
			"Reroute traffic before 14:52 UTC (58 min left) or the deployment stops"},
		{"reroute passed", &enrich.Window{Kind: enrich.WindowReroute, Deadline: deadline, Wait: 2 * time.Hour}, deadline.Add(time.Minute),
			"Reroute deadline passed at 14:52 UTC: the deployment stops"},
		{"reroute ended", &enrich.Window{Kind: enrich.WindowReroute, Deadline: deadline, Ended: true, EndedAt: deadline.Add(-time.Hour)}, now,
			"Reroute window closed at 13:52 UTC"},
		{"nil", nil, now, ""},
	} {
		if got := DescribeWindow(tc.w, tc.now); got != tc.want {
			t.Errorf("%s: Describe = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestInitiatedBy(t *testing.T) {
	for _, tc := range []struct {
		d    *enrich.Deployment
		want string
	}{
		{nil, ""},
		{&enrich.Deployment{}, ""},
		{&enrich.Deployment{Creator: "user"}, "a user"},
		{&enrich.Deployment{Creator: "codeDeployRollback"}, "an automatic rollback"},
		{&enrich.Deployment{Creator: "autoscaling"}, "EC2 Auto Scaling"},
		{&enrich.Deployment{Creator: "CloudFormation"}, "CloudFormation"},
		{&enrich.Deployment{Creator: "somethingNew"}, "somethingNew"},
		{&enrich.Deployment{Creator: "user", Pipeline: &enrich.Pipeline{Name: "web"}}, "pipeline web"},
		{&enrich.Deployment{Creator: "user", Pipeline: &enrich.Pipeline{Name: "a-very-long-pipeline", NameTruncated: true}}, "pipeline a-very-long-pipeline…"},
	} {
		if got := InitiatedBy(tc.d); got != tc.want {
			t.Errorf("InitiatedBy(%+v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// TestDescribeEnriched words what enrich's tests find in the CodeDeploy and
// ECS fixtures (internal/enrich/testdata) at their fixed time.
func TestDescribeEnriched(t *testing.T) {
	fixedNow := time.Date(2022, time.October, 13, 16, 0, 0, 0, time.UTC)
	dep := &enrich.Deployment{Creator: "user", Pipeline: &enrich.Pipeline{Name: "web-frontend-release", ExecutionID: "0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f"}}
	if got, want := InitiatedBy(dep), "pipeline web-frontend-release (execution 0f4c2b1e-9d3a-4c57-8e21-6b7a9c0d1e2f)"; got != want {
		t.Errorf("InitiatedBy = %q, want %q", got, want)
	}
	start := time.Date(2022, time.October, 13, 15, 58, 2, 391e6, time.UTC)
	w := &enrich.Window{Kind: enrich.WindowRollback, Start: start, Wait: time.Hour, Deadline: start.Add(time.Hour)}
	if got, want := DescribeWindow(w, fixedNow), "Roll back before 16:58 UTC (58 min left)"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	ready := time.Date(2022, time.October, 13, 15, 55, 3, 412e6, time.UTC)
	w = &enrich.Window{Kind: enrich.WindowReroute, Start: ready, Wait: 2 * time.Hour, Deadline: ready.Add(2 * time.Hour), Action: "STOP_DEPLOYMENT"}
	if got, want := DescribeWindow(w, fixedNow), "Reroute traffic before 17:55 UTC (1 h 55 min left) or the deployment stops"; got != want {
		t.Errorf("Describe = %q, want %q", got, want)
	}
	green := &enrich.TaskSet{Label: "GREEN", TaskDefinition: "web-frontend:43", TrafficKnown: true, TrafficWeight: 100, RunningCount: 4, DesiredCount: 4}
	if got, want := DescribeTaskSet(green), "GREEN web-frontend:43, 100% traffic, 4/4 running"; got != want {
		t.Errorf("DescribeTaskSet = %q, want %q", got, want)
	}
	fl := &enrich.Failure{LifecycleEvent: "AfterAllowTraffic", Status: "Failed", Diagnostics: &enrich.Diagnostics{
		ErrorCode: "ScriptFailed", ScriptName: "CodeDeployHook_checkout-smoke",
		Message: "The lifecycle event hook CodeDeployHook_checkout-smoke returned Failed.",
	}}
	if got, want := DescribeFailure(fl), "AfterAllowTraffic failed: ScriptFailed: The lifecycle event hook CodeDeployHook_checkout-smoke returned Failed. (CodeDeployHook_checkout-smoke)"; got != want {
		t.Errorf("DescribeFailure = %q, want %q", got, want)
	}
	if InitiatedBy(&enrich.Deployment{}) != "" || DescribeWindow(nil, fixedNow) != "" {
		t.Error("an unknown creator or a missing window should say nothing")
	}
}
