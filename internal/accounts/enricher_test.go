package accounts

import (
	"context"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// recordingEnricher records the credentials each of its lookups would use.
type recordingEnricher struct {
	cfg   aws.Config
	mu    *sync.Mutex
	calls *[]string
}

func (r recordingEnricher) Details(ctx context.Context, ev *deploy.Event) (*enrich.Details, []enrich.Warning) {
	c, err := r.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, []enrich.Warning{{Reason: enrich.ReasonFailed, Err: err}}
	}
	r.mu.Lock()
	*r.calls = append(*r.calls, c.AccessKeyID+"@"+r.cfg.Region)
	r.mu.Unlock()
	return &enrich.Details{DeploymentID: ev.DeploymentID}, nil
}

func (recordingEnricher) IsRollbackDeployment(context.Context, string, string) bool { return false }

func TestPerAccount(t *testing.T) {
	f := newFakeSTS(t)
	r := New(Options{Hub: hubConfig(f.srv.URL), Accounts: map[string]Account{spoke.ID: spoke}})
	var (
		mu    sync.Mutex
		calls []string
		built int
	)
	p := &PerAccount{Resolver: r, New: func(cfg aws.Config) enrich.Enricher {
		built++
		return recordingEnricher{cfg: cfg, mu: &mu, calls: &calls}
	}}
	ctx := context.Background()
	arn := "arn:aws:ecs:us-west-2:444455556666:service-deployment/c/s/x"
	for range 2 {
		d, w := p.Details(ctx, &deploy.Event{Platform: deploy.ECSNative, AccountID: spoke.ID, Region: "us-west-2", DeploymentID: arn})
		if len(w) != 0 || d == nil || d.NotConnected {
			t.Fatalf("spoke: %+v %v", d, w)
		}
	}
	if built != 1 || len(calls) != 2 || calls[0] == "hub@us-west-2" || calls[0][len(calls[0])-len("@us-west-2"):] != "@us-west-2" {
		t.Errorf("spoke lookups: built %d enrichers, calls %q (want the assumed role's credentials in the event's region, one enricher)", built, calls)
	}
	// The session is named after the deployment.
	if assumed, _ := f.calls(); len(assumed) != 1 || assumed[0].Get("RoleSessionName") != SessionName(arn) {
		t.Errorf("assumed %v, want one session named %q", assumed, SessionName(arn))
	}

	// An account that is not connected: no lookup at all.
	before := len(calls)
	d, w := p.Details(ctx, &deploy.Event{Platform: deploy.ECSNative, AccountID: "999988887777", Region: "us-west-2", DeploymentID: "ecs-svc/1"})
	if len(w) != 0 || d == nil || !d.NotConnected || d.AccountID != "999988887777" || len(calls) != before {
		t.Errorf("unlisted: %+v %v, %d lookups", d, w, len(calls)-before)
	}
}
