package accounts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cutover-dev/cutover/internal/awsx"
)

// DefaultMaxSessions bounds the assumed-role credential caches a Resolver
// keeps (one per account and session name) when Options.MaxSessions is 0.
const DefaultMaxSessions = 256

// expiryWindow refreshes assumed-role credentials this long before they
// expire, so that no call is signed with credentials about to expire.
const expiryWindow = time.Minute

// STSAPI is the part of the STS client a Resolver uses; *sts.Client
// implements it and tests may inject a fake.
type STSAPI interface {
	// AssumeRole is sts:AssumeRole.
	AssumeRole(ctx context.Context, in *sts.AssumeRoleInput, optFns ...func(*sts.Options)) (*sts.AssumeRoleOutput, error)
	// GetCallerIdentity is sts:GetCallerIdentity (needs no permission).
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

var _ STSAPI = (*sts.Client)(nil)

// NotListedError says that an event's account is not connected to cutover
// (not in CUTOVER_ACCOUNTS, nor the hub's own): notify with what the
// payload carries, never look up or act with the hub's credentials.
type NotListedError struct {
	// Account is the event's account ID as it came (validated or not).
	Account string
}

// Error says which account is not connected.
func (e *NotListedError) Error() string {
	if awsx.ValidAccount(e.Account) {
		return "account " + e.Account + " is not connected to cutover (not in CUTOVER_ACCOUNTS)"
	}
	return "the event's account is not a 12-digit account ID: not connected to cutover"
}

// IsNotListed reports whether err says the account is not connected, and
// returns the account.
func IsNotListed(err error) (string, bool) {
	var nl *NotListedError
	if errors.As(err, &nl) {
		return nl.Account, true
	}
	return "", false
}

// Options configure a Resolver.
type Options struct {
	// Hub is the function's own AWS configuration: used as it is for the
	// hub's own account, and to call STS (required).
	Hub aws.Config
	// Accounts are the connected accounts by ID (CUTOVER_ACCOUNTS). With
	// none, every event uses Hub: cutover as it was before accounts.
	Accounts map[string]Account
	// HubAccount is the hub's own account ID when known; when empty it is
	// looked up once with sts:GetCallerIdentity, the first time an event's
	// account is not listed.
	HubAccount string
	// STS replaces the STS client built from Hub.
	STS STSAPI
	// Log receives one warning per account that is not listed, per
	// process (default: discarded).
	Log *slog.Logger
	// MaxSessions bounds the credential caches kept (DefaultMaxSessions).
	MaxSessions int
}

// Resolver gives the AWS configuration to use for an event's account,
// region and deployment. Build one per process (Lambda init); it is safe
// for concurrent use, and keeps assumed-role credentials per account and
// session name until they expire (aws.CredentialsCache refreshes them
// then, within the same process).
type Resolver struct {
	hub      aws.Config
	accounts map[string]Account
	sts      STSAPI
	stsOnce  sync.Once
	log      *slog.Logger
	max      int

	mu         sync.Mutex
	hubAccount string
	sessions   map[string]*aws.CredentialsCache
	order      []string // keys of sessions, oldest first
	warned     map[string]bool
}

// New returns a Resolver.
func New(opts Options) *Resolver {
	r := &Resolver{
		hub:        opts.Hub,
		accounts:   opts.Accounts,
		sts:        opts.STS,
		log:        opts.Log,
		max:        opts.MaxSessions,
		hubAccount: opts.HubAccount,
		sessions:   map[string]*aws.CredentialsCache{},
		warned:     map[string]bool{},
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	if r.max <= 0 {
		r.max = DefaultMaxSessions
	}
	return r
}

// stsClient returns the STS client, building the default one on first
// use: without CUTOVER_ACCOUNTS (and for the hub's own account) no STS
// call is ever made, so start-up builds none.
func (r *Resolver) stsClient() STSAPI {
	r.stsOnce.Do(func() {
		if r.sts == nil {
			r.sts = sts.NewFromConfig(awsx.WithRetries(r.hub, awsx.Short))
		}
	})
	return r.sts
}

// Connected reports whether any account is connected (CUTOVER_ACCOUNTS is
// set): without, every event uses the hub's own configuration.
func (r *Resolver) Connected() bool { return r != nil && len(r.accounts) > 0 }

// Hub is the hub's own AWS configuration.
func (r *Resolver) Hub() aws.Config { return r.hub }

// Region is the region to use for an event: region when it has the shape
// of an AWS region, else the hub's.
func (r *Resolver) Region(region string) string {
	if awsx.ValidRegion(region) {
		return region
	}
	return r.hub.Region
}

// Config returns the AWS configuration for acting on deploymentID in
// account and region (the event's; region falls back to the hub's):
//
//   - no accounts connected, an event without an account, or the hub's
//     own account (not listed): the hub's configuration, in that region;
//   - a listed account: the hub's configuration with credentials of the
//     account's role, assumed with its external ID under the session name
//     SessionName(deploymentID) (with deploymentID "", the session name
//     comes from each call's context: WithDeployment), cached until they
//     expire;
//   - any other account: a *NotListedError (logged once per account).
//
// It makes no AWS call itself, except, once, sts:GetCallerIdentity to learn
// the hub's own account when an account is not listed; the AssumeRole call
// happens on the first request signed with the configuration.
func (r *Resolver) Config(ctx context.Context, account, region, deploymentID string) (aws.Config, error) {
	cfg := r.hub.Copy()
	cfg.Region = r.Region(region)
	if !r.Connected() || account == "" {
		return cfg, nil
	}
	if a, ok := r.accounts[account]; ok {
		cfg.Credentials = &contextProvider{r: r, account: a, deploymentID: deploymentID}
		return cfg, nil
	}
	hub, err := r.hubID(ctx)
	if err != nil {
		return aws.Config{}, err
	}
	if account == hub {
		return cfg, nil
	}
	r.warnOnce(account)
	return aws.Config{}, &NotListedError{Account: account}
}

// hubID is the hub's own account ID, looked up once.
func (r *Resolver) hubID(ctx context.Context) (string, error) {
	r.mu.Lock()
	id := r.hubAccount
	r.mu.Unlock()
	if id != "" {
		return id, nil
	}
	out, err := r.stsClient().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", fmt.Errorf("accounts: the hub's own account (sts:GetCallerIdentity): %w", err)
	}
	id = aws.ToString(out.Account)
	r.mu.Lock()
	r.hubAccount = id
	r.mu.Unlock()
	return id, nil
}

// warnOnce logs that account is not connected, the first time only.
func (r *Resolver) warnOnce(account string) {
	r.mu.Lock()
	seen := r.warned[account]
	if !seen && len(r.warned) < r.max {
		r.warned[account] = true
	}
	r.mu.Unlock()
	if seen {
		return
	}
	shown := account
	if !awsx.ValidAccount(account) {
		shown = "(not a 12-digit account ID)"
	}
	r.log.Warn("an event's account is not connected to cutover: it is notified without details and never acted on; add it to CUTOVER_ACCOUNTS (and deploy the spoke module there) to connect it",
		"account", shown)
}

// session returns the credential cache of account a under name, creating
// it (and dropping the oldest beyond the bound).
func (r *Resolver) session(a Account, name string) *aws.CredentialsCache {
	key := a.ID + "/" + name
	r.mu.Lock()
	defer r.mu.Unlock()
	if c, ok := r.sessions[key]; ok {
		return c
	}
	p := stscreds.NewAssumeRoleProvider(r.stsClient(), a.RoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = name
		if !a.ExternalID.IsZero() {
			o.ExternalID = aws.String(a.ExternalID.Reveal())
		}
	})
	c := aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = expiryWindow })
	if len(r.order) >= r.max {
		delete(r.sessions, r.order[0])
		r.order = r.order[1:]
	}
	r.sessions[key] = c
	r.order = append(r.order, key)
	return c
}

// deploymentKey keys the deployment ID in a context.
type deploymentKey struct{}

// WithDeployment returns ctx carrying deploymentID: the session name of
// assumed-role credentials from a configuration that Config returned for
// no particular deployment (one set of clients per account and region,
// shared by every deployment's calls).
func WithDeployment(ctx context.Context, deploymentID string) context.Context {
	return context.WithValue(ctx, deploymentKey{}, deploymentID)
}

// deploymentFrom is the deployment ID ctx carries, or "".
func deploymentFrom(ctx context.Context) string {
	id, _ := ctx.Value(deploymentKey{}).(string)
	return id
}

// AssumeError says that the role of a connected account could not be
// assumed (trust policy, external ID, the hub's sts:AssumeRole permission).
type AssumeError struct {
	// RoleARN is the role.
	RoleARN string
	// Err is STS's error.
	Err error
}

// Error names the role and STS's error.
func (e *AssumeError) Error() string { return "accounts: assume " + e.RoleARN + ": " + e.Err.Error() }

// Unwrap returns STS's error.
func (e *AssumeError) Unwrap() error { return e.Err }

// IsAssumeFailure reports whether err comes from assuming a connected
// account's role, and returns the role ARN.
func IsAssumeFailure(err error) (string, bool) {
	var ae *AssumeError
	if errors.As(err, &ae) {
		return ae.RoleARN, true
	}
	return "", false
}

// contextProvider gives the credentials of an account's role under the
// session name of its deployment, or, without one, of the deployment the
// call's context carries.
type contextProvider struct {
	r            *Resolver
	account      Account
	deploymentID string
}

// Retrieve returns the cached (or freshly assumed) credentials.
func (p *contextProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	id := p.deploymentID
	if id == "" {
		id = deploymentFrom(ctx)
	}
	creds, err := p.r.session(p.account, SessionName(id)).Retrieve(ctx)
	if err != nil {
		return aws.Credentials{}, &AssumeError{RoleARN: p.account.RoleARN, Err: err}
	}
	return creds, nil
}
