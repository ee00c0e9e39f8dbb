package interact

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cutover-dev/cutover/internal/accounts"
	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/retry"
)

// PerAccount is a Platform that acts with the AWS configuration of the
// deployment's own account (accounts.Resolver.Config: the hub's own
// account with the function's credentials, a connected spoke through the
// role the hub assumes there, the session named after the deployment so
// CloudTrail shows which deployment it acted for). A deployment in an
// account that is not connected is never read or acted on with the hub's
// credentials: State and Do fail, and the thread says why.
type PerAccount struct {
	// Configs gives the configuration of an account and region
	// (*accounts.Resolver).
	Configs interface {
		Config(ctx context.Context, account, region, deploymentID string) (aws.Config, error)
	}
	// New builds the platform that calls AWS with cfg.
	New func(cfg aws.Config) Platform
}

func (p PerAccount) platform(ctx context.Context, ref control.Ref) (Platform, error) {
	cfg, err := p.Configs.Config(ctx, ref.AccountID, ref.Region, ref.DeploymentID)
	if account, ok := accounts.IsNotListed(err); ok {
		return nil, retry.Permanent(fmt.Errorf("account %s is not connected to cutover (CUTOVER_ACCOUNTS): it does not act on its deployments", account))
	}
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", ref.AccountID, err)
	}
	return p.New(cfg), nil
}

// State implements Platform.
func (p PerAccount) State(ctx context.Context, ref control.Ref) (State, error) {
	pl, err := p.platform(ctx, ref)
	if err != nil {
		return State{}, err
	}
	return pl.State(ctx, ref)
}

// Do implements Platform.
func (p PerAccount) Do(ctx context.Context, ref control.Ref, a control.Action) error {
	pl, err := p.platform(ctx, ref)
	if err != nil {
		return err
	}
	return pl.Do(ctx, ref, a)
}
