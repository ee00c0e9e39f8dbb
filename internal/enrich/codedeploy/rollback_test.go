package codedeploy

import (
	"context"
	"testing"
)

// TestIsRollbackDeployment asks GetDeployment whether a deployment rolls
// another back, in the region asked for, and says false when the lookup
// fails.
func TestIsRollbackDeployment(t *testing.T) {
	rollback := []byte(`{"deploymentInfo":{"deploymentId":"d-R7ZQ1ROLL","rollbackInfo":{"rollbackTriggeringDeploymentId":"d-M4QFAIL01","rollbackMessage":"rolls back d-M4QFAIL01"}}}`)
	cases := []struct {
		name   string
		route  *route
		region string
		want   bool
	}{
		{"rollback deployment", &route{body: rollback}, "", true},
		{"rollback in another region", &route{body: rollback}, "eu-west-1", true},
		{"ordinary deployment", &route{file: "get-deployment.json"}, "", false},
		{"deployment that was rolled back", &route{file: "get-deployment-failed.json"}, "", false},
		{"access denied", &route{status: 400, file: "error-access-denied.json"}, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeAWS(t, map[string]*route{"GetDeployment": c.route})
			if got := f.enricher(0).IsRollbackDeployment(context.Background(), c.region, "d-R7ZQ1ROLL"); got != c.want {
				t.Errorf("IsRollbackDeployment = %v, want %v", got, c.want)
			}
			want := c.region
			if want == "" {
				want = "us-east-1"
			}
			if got := f.regions["GetDeployment"]; len(got) == 0 || got[0] != want {
				t.Errorf("GetDeployment signed for regions %v, want %s", got, want)
			}
		})
	}
	f := newFakeAWS(t, map[string]*route{})
	if f.enricher(0).IsRollbackDeployment(context.Background(), "", "") || f.hits["GetDeployment"] != 0 {
		t.Error("IsRollbackDeployment without a deployment ID called GetDeployment or said true")
	}
}
