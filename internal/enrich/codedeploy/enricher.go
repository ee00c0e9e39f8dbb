package codedeploy

import (
	"context"
	"sync"
	"time"

	"github.com/cutover-dev/cutover/internal/enrich"

	"github.com/aws/aws-sdk-go-v2/aws"
	cdsdk "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/cutover-dev/cutover/internal/accounts"
	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/deploy"
	cdsource "github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// DefaultTimeout bounds one Details call when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// CodeDeployAPI is the part of the CodeDeploy client the enricher uses;
// the SDK's *codedeploy.Client implements it and tests may inject a fake.
type CodeDeployAPI interface {
	// GetDeployment is codedeploy:GetDeployment.
	GetDeployment(ctx context.Context, in *cdsdk.GetDeploymentInput, optFns ...func(*cdsdk.Options)) (*cdsdk.GetDeploymentOutput, error)
	// GetDeploymentGroup is codedeploy:GetDeploymentGroup.
	GetDeploymentGroup(ctx context.Context, in *cdsdk.GetDeploymentGroupInput, optFns ...func(*cdsdk.Options)) (*cdsdk.GetDeploymentGroupOutput, error)
	// ListDeploymentTargets is codedeploy:ListDeploymentTargets.
	ListDeploymentTargets(ctx context.Context, in *cdsdk.ListDeploymentTargetsInput, optFns ...func(*cdsdk.Options)) (*cdsdk.ListDeploymentTargetsOutput, error)
	// BatchGetDeploymentTargets is codedeploy:BatchGetDeploymentTargets.
	BatchGetDeploymentTargets(ctx context.Context, in *cdsdk.BatchGetDeploymentTargetsInput, optFns ...func(*cdsdk.Options)) (*cdsdk.BatchGetDeploymentTargetsOutput, error)
}

// ECSAPI is the part of the ECS client the enricher uses; *ecs.Client
// implements it and tests may inject a fake.
type ECSAPI interface {
	// DescribeTaskSets is ecs:DescribeTaskSets.
	DescribeTaskSets(ctx context.Context, in *ecs.DescribeTaskSetsInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskSetsOutput, error)
	// DescribeTaskDefinition is ecs:DescribeTaskDefinition.
	DescribeTaskDefinition(ctx context.Context, in *ecs.DescribeTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
}

var (
	_ CodeDeployAPI   = (*cdsdk.Client)(nil)
	_ ECSAPI          = (*ecs.Client)(nil)
	_ enrich.Enricher = (*Enricher)(nil)
)

// Options tune an Enricher. The zero value is ready to use.
type Options struct {
	// Timeout bounds one Details call, all lookups included (default
	// DefaultTimeout). Details returns what it found when it runs out.
	Timeout time.Duration
	// CodeDeploy replaces the CodeDeploy client built from the aws.Config.
	CodeDeploy CodeDeployAPI
	// ECS replaces the ECS client built from the aws.Config.
	ECS ECSAPI
	// Now is the clock, used only when an event carries no time of its own
	// (default time.Now).
	Now func() time.Time
	// Accounts, when set, gives the AWS configuration for each event's
	// account and region (*accounts.Resolver): the lookups for a spoke
	// account run with its assumed role, and an event from an account
	// that is not connected gets no lookups, only Details.NotConnected.
	// Nil: every lookup uses the aws.Config given to New.
	Accounts Configs
}

// Configs gives the AWS configuration for an event's account, region and
// deployment; *accounts.Resolver implements it. An error for which
// accounts.IsNotListed is true means the account is not connected.
type Configs interface {
	// Config returns the configuration for account and region; with
	// deploymentID "" the deployment comes from each call's context
	// (accounts.WithDeployment).
	Config(ctx context.Context, account, region, deploymentID string) (aws.Config, error)
}

// maxClients bounds the per-account, per-region clients an Enricher keeps.
const maxClients = 64

// Enricher looks up the details of CodeDeploy deployments for
// notifications; it implements enrich.Enricher. Build one per process
// (during Lambda init) with New; it is safe for concurrent use.
type Enricher struct {
	cd      CodeDeployAPI
	ecs     ECSAPI
	fixed   bool // cd and ecs came from Options (tests): used for every account
	region  string
	timeout time.Duration
	now     func() time.Time

	accounts Configs
	mu       sync.Mutex
	clients  map[string]clients // by account and region
	order    []string           // keys of clients, oldest first
}

// clients are the clients of one account and region.
type clients struct {
	cd  CodeDeployAPI
	ecs ECSAPI
	// regional is true when the clients are bound to region (built from a
	// per-account configuration), so calls need no region option.
	regional bool
	region   string
	// scope starts the session's memo keys (the account).
	scope string
}

// New returns an Enricher that calls AWS with cfg. The clients it builds
// retry within awsx.Short (at most twice, waiting at most 250 ms) so that
// retries fit in the timeout; clients given in opts are used as they are.
func New(cfg aws.Config, opts Options) *Enricher {
	e := &Enricher{
		cd:      opts.CodeDeploy,
		ecs:     opts.ECS,
		region:  cfg.Region,
		timeout: opts.Timeout,
		now:     opts.Now,
		fixed:   opts.CodeDeploy != nil && opts.ECS != nil,

		accounts: opts.Accounts,
		clients:  map[string]clients{},
	}
	if e.timeout <= 0 {
		e.timeout = DefaultTimeout
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.cd == nil {
		e.cd = cdsdk.NewFromConfig(awsx.WithRetries(cfg, awsx.Short))
	}
	if e.ecs == nil {
		e.ecs = ecs.NewFromConfig(awsx.WithRetries(cfg, awsx.Short))
	}
	return e
}

// Timeout is the bound of one Details call.
func (e *Enricher) Timeout() time.Duration { return e.timeout }

// NewSession returns a Session: a scope (one Lambda invocation, one batch
// of events) within which each lookup is made once per deployment, however
// many events ask for it.
func (e *Enricher) NewSession() *Session {
	return &Session{e: e, calls: map[string]*call{}}
}

// Details enriches one event in a session of its own. See Session.Details.
func (e *Enricher) Details(ctx context.Context, ev *deploy.Event) (*enrich.Details, []enrich.Warning) {
	return e.NewSession().Details(ctx, ev)
}

// IsRollbackDeployment reports whether the deployment deploymentID (in
// region; the enricher's region when empty) was created by CodeDeploy to
// roll back another deployment, from GetDeployment, within the enricher's
// timeout. Instance events never say so themselves. A failed lookup says
// false: the caller then treats the deployment as an ordinary one.
func (e *Enricher) IsRollbackDeployment(ctx context.Context, region, deploymentID string) bool {
	if deploymentID == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	var opts []func(*cdsdk.Options)
	if region != "" && region != e.region {
		opts = append(opts, func(o *cdsdk.Options) { o.Region = region })
	}
	out, err := e.cd.GetDeployment(ctx, &cdsdk.GetDeploymentInput{DeploymentId: aws.String(deploymentID)}, opts...)
	if err != nil || out == nil || out.DeploymentInfo == nil {
		return false
	}
	dep := out.DeploymentInfo
	return dep.RollbackInfo != nil && aws.ToString(dep.RollbackInfo.RollbackTriggeringDeploymentId) != ""
}

// Session memoizes lookups by deployment (and group, service, task
// definition) for the events of one invocation. Concurrent Details calls
// share in-flight lookups. It is safe for concurrent use; drop it at the
// end of the invocation so that the next one sees fresh data.
type Session struct {
	e     *Enricher
	mu    sync.Mutex
	calls map[string]*call
}

// call is one memoized lookup.
type call struct {
	done chan struct{}
	val  any
	err  error
	// cancelled is true when the lookup ended because its caller's context
	// ended; such a result is not kept, and a waiter with time left retries.
	cancelled bool
}

// do runs fn once per key in the session and shares its result with every
// caller. A caller stops waiting when its ctx ends.
func (s *Session) do(ctx context.Context, key string, fn func(ctx context.Context) (any, error)) (any, error) {
	for {
		s.mu.Lock()
		c, ok := s.calls[key]
		if !ok {
			c = &call{done: make(chan struct{})}
			s.calls[key] = c
			s.mu.Unlock()
			c.val, c.err = fn(ctx)
			if c.err != nil && ctx.Err() != nil {
				c.cancelled = true
				s.mu.Lock()
				if s.calls[key] == c {
					delete(s.calls, key)
				}
				s.mu.Unlock()
			}
			close(c.done)
			return c.val, c.err
		}
		s.mu.Unlock()
		select {
		case <-c.done:
			if c.cancelled && ctx.Err() == nil {
				continue // the first caller ran out of time; we have some left
			}
			return c.val, c.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// memo is do with a typed result.
func memo[T any](ctx context.Context, s *Session, key string, fn func(ctx context.Context) (T, error)) (T, error) {
	v, err := s.do(ctx, key, func(ctx context.Context) (any, error) { return fn(ctx) })
	t, _ := v.(T)
	return t, err
}

// Details looks up what the event leaves out, concurrently and within the
// enricher's timeout, and returns what it found with one Warning per lookup
// that gave nothing. It never fails: on any error or timeout the details
// are partial. It returns nil details for a nil event, an event without a
// deployment ID, and the trigger test notification.
func (s *Session) Details(ctx context.Context, ev *deploy.Event) (*enrich.Details, []enrich.Warning) {
	if ev == nil || ev.DeploymentID == "" || ev.Name == cdsource.TriggerTest {
		return nil, nil
	}
	e := s.e
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()

	c, err := e.clientsFor(ctx, ev)
	if account, ok := accounts.IsNotListed(err); ok {
		return notConnected(ev, account), nil
	}
	if err != nil {
		return nil, []enrich.Warning{{Reason: enrich.ReasonFailed, Action: "sts:AssumeRole", Resource: ev.AccountID, Err: err,
			LeftOut: "every detail (the account's role could not be used)"}}
	}
	// Assumed-role credentials name their session after the deployment.
	ctx = accounts.WithDeployment(ctx, ev.DeploymentID)
	g := newGather(s, ev, c)
	g.run(ctx)
	select {
	case <-g.allDone:
	case <-ctx.Done():
	}
	snap := g.close()
	return build(ev, snap, e.now())
}

// clientsFor returns the clients for ev's account and region: those New
// built when no Accounts are set (as before accounts existed), else
// clients built from the account's configuration, kept per account and
// region (at most maxClients). Their calls carry ev's deployment in the
// context, the session name of assumed-role credentials.
func (e *Enricher) clientsFor(ctx context.Context, ev *deploy.Event) (clients, error) {
	if e.accounts == nil {
		return clients{cd: e.cd, ecs: e.ecs}, nil
	}
	cfg, err := e.accounts.Config(ctx, ev.AccountID, ev.Region, "")
	if err != nil {
		return clients{}, err
	}
	if e.fixed {
		return clients{cd: e.cd, ecs: e.ecs, scope: ev.AccountID + "/"}, nil
	}
	key := ev.AccountID + "/" + cfg.Region
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.clients[key]; ok {
		return c, nil
	}
	cfg = awsx.WithRetries(cfg, awsx.Short)
	c := clients{
		cd:       cdsdk.NewFromConfig(cfg),
		ecs:      ecs.NewFromConfig(cfg),
		regional: true,
		region:   cfg.Region,
		scope:    ev.AccountID + "/",
	}
	if len(e.order) >= maxClients {
		delete(e.clients, e.order[0])
		e.order = e.order[1:]
	}
	e.clients[key] = c
	e.order = append(e.order, key)
	return c, nil
}

// notConnected are the details of an event whose account is not connected
// to cutover: what the event says, and that nothing was looked up.
func notConnected(ev *deploy.Event, account string) *enrich.Details {
	return &enrich.Details{
		DeploymentID:    ev.DeploymentID,
		Region:          ev.Region,
		AccountID:       account,
		Application:     ev.Application,
		DeploymentGroup: ev.DeploymentGroup,
		NotConnected:    true,
	}
}
