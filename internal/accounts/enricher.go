package accounts

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// maxEnrichers bounds the per-account, per-region enrichers PerAccount
// keeps.
const maxEnrichers = 64

// PerAccount is an enrich.Enricher that runs each event's lookups with the
// AWS configuration of the event's account (Resolver.Config): an enricher
// built by New per account and region, kept (at most maxEnrichers), with
// the deployment in the context so assumed-role sessions are named after
// it. An event from an account that is not connected gets no lookups,
// only Details.NotConnected; it is never looked up with the hub's own
// credentials. Enrichers that handle accounts themselves (enrich/codedeploy)
// do not need it.
type PerAccount struct {
	// Resolver gives each account's configuration.
	Resolver *Resolver
	// New builds an enricher that calls AWS with cfg.
	New func(cfg aws.Config) enrich.Enricher

	mu    sync.Mutex
	cache map[string]enrich.Enricher
	order []string
}

var _ enrich.Enricher = (*PerAccount)(nil)

// Details implements enrich.Enricher.
func (p *PerAccount) Details(ctx context.Context, ev *deploy.Event) (*enrich.Details, []enrich.Warning) {
	cfg, err := p.Resolver.Config(ctx, ev.AccountID, ev.Region, "")
	if account, ok := IsNotListed(err); ok {
		return &enrich.Details{DeploymentID: ev.DeploymentID, Region: ev.Region, AccountID: account,
			Application: ev.Application, DeploymentGroup: ev.DeploymentGroup, NotConnected: true}, nil
	}
	if err != nil {
		return nil, []enrich.Warning{{Reason: enrich.ReasonFailed, Action: "sts:AssumeRole", Resource: ev.AccountID, Err: err,
			LeftOut: "every detail (the account's role could not be used)"}}
	}
	return p.enricher(ev.AccountID+"/"+cfg.Region, cfg).Details(WithDeployment(ctx, ev.DeploymentID), ev)
}

// IsRollbackDeployment implements enrich.Enricher with the hub's own
// configuration: the question names no account.
func (p *PerAccount) IsRollbackDeployment(ctx context.Context, region, deploymentID string) bool {
	hub := p.Resolver.Hub()
	return p.enricher("hub/"+hub.Region, hub).IsRollbackDeployment(ctx, region, deploymentID)
}

func (p *PerAccount) enricher(key string, cfg aws.Config) enrich.Enricher {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.cache[key]; ok {
		return e
	}
	if p.cache == nil {
		p.cache = map[string]enrich.Enricher{}
	}
	if len(p.order) >= maxEnrichers {
		delete(p.cache, p.order[0])
		p.order = p.order[1:]
	}
	e := p.New(cfg)
	p.cache[key] = e
	p.order = append(p.order, key)
	return e
}
