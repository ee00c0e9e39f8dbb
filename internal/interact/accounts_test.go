package interact

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cutover-dev/cutover/internal/accounts"
	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/retry"
)

// configsFunc adapts a function to PerAccount.Configs.
type configsFunc func(ctx context.Context, account, region, deploymentID string) (aws.Config, error)

func (f configsFunc) Config(ctx context.Context, account, region, deploymentID string) (aws.Config, error) {
	return f(ctx, account, region, deploymentID)
}

// regionPlatform records the configuration it was built with.
type regionPlatform struct {
	cfg  aws.Config
	done *[]string
}

func (r regionPlatform) State(context.Context, control.Ref) (State, error) {
	return State{Status: "InProgress", Window: true}, nil
}

func (r regionPlatform) Do(_ context.Context, ref control.Ref, a control.Action) error {
	*r.done = append(*r.done, string(a)+" "+ref.DeploymentID+" in "+r.cfg.Region)
	return nil
}

func TestPerAccountActsInTheDeploymentsAccount(t *testing.T) {
	var asked []string
	var done []string
	p := PerAccount{
		Configs: configsFunc(func(_ context.Context, account, region, deploymentID string) (aws.Config, error) {
			asked = append(asked, account+"/"+region+"/"+deploymentID)
			if account == "999988887777" {
				return aws.Config{}, &accounts.NotListedError{Account: account}
			}
			return aws.Config{Region: region}, nil
		}),
		New: func(cfg aws.Config) Platform { return regionPlatform{cfg: cfg, done: &done} },
	}
	ctx := context.Background()
	spoke := control.Ref{Platform: deploy.CodeDeployECS, Region: "eu-west-1", AccountID: "444455556666", DeploymentID: "d-SPOKE"}
	if st, err := p.State(ctx, spoke); err != nil || st.Status != "InProgress" {
		t.Fatalf("state: %+v %v", st, err)
	}
	if err := p.Do(ctx, spoke, control.Rollback); err != nil {
		t.Fatal(err)
	}
	if len(done) != 1 || done[0] != "rollback d-SPOKE in eu-west-1" || asked[1] != "444455556666/eu-west-1/d-SPOKE" {
		t.Errorf("acted %q after asking %q", done, asked)
	}

	// An account that is not connected: nothing read, nothing done, and
	// the reason is permanent (no retry) and names the account.
	other := spoke
	other.AccountID = "999988887777"
	_, err := p.State(ctx, other)
	if err == nil || !retry.IsPermanent(err) || !strings.Contains(err.Error(), "999988887777 is not connected") {
		t.Errorf("unlisted state: %v", err)
	}
	if err := p.Do(ctx, other, control.Rollback); err == nil || len(done) != 1 {
		t.Errorf("unlisted account acted on: %v, %q", err, done)
	}
}
