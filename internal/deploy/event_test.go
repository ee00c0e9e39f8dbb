package deploy

import "testing"

func TestKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   Event
		want string
	}{
		{"deployment", Event{DeploymentID: "d-1", Name: "DeploymentSuccess", Phase: Succeeded}, "d-1/DeploymentSuccess"},
		{"target", Event{DeploymentID: "d-1", Name: "InstanceSuccess", Target: &Target{ID: "c:s"}}, "d-1/InstanceSuccess/c:s"},
		{"unknown status", Event{DeploymentID: "d-1", Name: "X", Phase: Unknown, Status: "ODD"}, "d-1/X/ODD"},
		{"hook execution", Event{DeploymentID: "arn:sd", Name: "PRODUCTION_TRAFFIC_SHIFT", Execution: "e-2"}, "arn:sd/PRODUCTION_TRAFFIC_SHIFT/e-2"},
	} {
		if got := tc.ev.Key(); got != tc.want {
			t.Errorf("%s: Key() = %q, want %q", tc.name, got, tc.want)
		}
	}
	a := Event{DeploymentID: "arn:sd", Name: "PRODUCTION_TRAFFIC_SHIFT", Execution: "e-1"}
	b := a
	b.Execution = "e-2"
	if a.Identity() == b.Identity() {
		t.Errorf("two executions of one hook stage share identity %q: the rollback run would be taken for a duplicate", a.Identity())
	}
}
