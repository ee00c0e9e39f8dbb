package message

import (
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/deploy"
)

func TestBuildChecks(t *testing.T) {
	ev := deploy.Event{Name: "InstanceSuccess", Phase: deploy.TrafficSwitched, Platform: deploy.CodeDeployECS, DeploymentID: "d-1"}
	plain := Build(&Notice{Event: ev})
	if plain.Checks != nil {
		t.Fatal("a notice without checks has a checks section")
	}
	passed := Build(&Notice{Event: ev, Checks: []check.Result{
		{Name: "ping", Type: check.TypeHTTP, Passed: true, Summary: "GET /: 10 requests, all 200, p95 4 ms, p99 5 ms"},
	}})
	if passed.Checks == nil || passed.Checks.Title != "Checks at the switch (passed)" || passed.Severity != plain.Severity {
		t.Errorf("passed: %+v severity %s", passed.Checks, passed.Severity)
	}
	if got := Line(textOf(passed.Fallback)); !strings.HasSuffix(got, " · checks passed") {
		t.Errorf("fallback %q", got)
	}
	failed := Build(&Notice{Event: ev, Checks: []check.Result{
		{Name: "ping", Type: check.TypeHTTP, Passed: true, Summary: "fine"},
		{Name: "alarms", Type: check.TypeAlarms, Summary: "1 of 1 alarms in ALARM: web-5xx"},
		{Name: "lb", Type: check.TypeHTTP, Error: "discover production listener: no target group pair"},
	}})
	if failed.Checks.Title != "Checks at the switch (2 of 3 failed)" || failed.Severity != Warning {
		t.Errorf("failed: %q severity %s", failed.Checks.Title, failed.Severity)
	}
	var items []string
	for _, it := range failed.Checks.Items {
		items = append(items, textOf(it))
	}
	want := []string{"[succeeded] ping: fine", "[failed] alarms: 1 of 1 alarms in ALARM: web-5xx", "[failed] lb: could not run: discover production listener: no target group pair"}
	if strings.Join(items, "\n") != strings.Join(want, "\n") {
		t.Errorf("items:\n%s\nwant:\n%s", strings.Join(items, "\n"), strings.Join(want, "\n"))
	}
	// A failure that is already danger stays danger.
	fail := ev
	fail.Name, fail.Phase = "DeploymentFailure", deploy.Failed
	if m := Build(&Notice{Event: fail, Checks: []check.Result{{Name: "x", Summary: "failed"}}}); m.Severity != Danger {
		t.Errorf("severity %s", m.Severity)
	}
}

// textOf shows t with icons as [icon].
func textOf(t Text) string {
	var b strings.Builder
	for _, s := range t {
		if s.Kind == Emoji {
			b.WriteString("[" + string(s.Icon) + "]")
			continue
		}
		b.WriteString(s.Text)
	}
	return b.String()
}
