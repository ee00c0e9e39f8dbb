package awsx

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sdkretry "github.com/aws/aws-sdk-go-v2/aws/retry"

	"github.com/cutover-dev/cutover/internal/retry"
)

// Budget bounds the attempts of an AWS call: how many, and how long the
// wait between two may be. It is the one retry policy of cutover's AWS
// calls. Every SDK client cutover builds takes it with WithRetries (the
// SDK's standard retryer within the budget: jittered exponential
// backoff, a token bucket against retry storms, and what it retries
// extended by Throttled, so SDK clients and cutover's own code agree on
// what throttling is). A caller that must run its attempts itself, to
// bound each attempt, log each retry and classify errors its own way
// (CloudFront), builds its clients with Once and runs Policy's attempts
// with internal/retry.
type Budget struct {
	// Attempts is the most attempts made, including the first; 1 (or
	// less) makes no retry.
	Attempts int
	// Base is the first wait of an own loop (Policy); the SDK's retryer
	// starts from its own base.
	Base time.Duration
	// MaxBackoff caps one wait; 0 keeps the SDK's cap (20 s).
	MaxBackoff time.Duration
}

// The budgets cutover's AWS calls use.
var (
	// Standard is the SDK's own default (3 attempts, waits up to 20 s), for
	// calls bounded from outside: delivery records, secrets at start-up,
	// the CLI's SQS and Lambda calls.
	Standard = Budget{Attempts: 3, MaxBackoff: 20 * time.Second}
	// Short fits lookups that must finish within a short timeout (the
	// enrichment's 2 s): 3 attempts, waits up to 250 ms.
	Short = Budget{Attempts: 3, MaxBackoff: 250 * time.Millisecond}
	// Once makes one attempt: the SDK client does not retry, because its
	// caller runs its own attempts (see Policy).
	Once = Budget{Attempts: 1}
)

// Retryer returns an SDK retryer within b: aws.NopRetryer for one
// attempt, else the SDK's standard retryer with b's bounds that also
// retries what Throttled reports.
func Retryer(b Budget) aws.Retryer {
	if b.Attempts <= 1 {
		return aws.NopRetryer{}
	}
	return sdkretry.NewStandard(func(o *sdkretry.StandardOptions) {
		o.MaxAttempts = b.Attempts
		if b.MaxBackoff > 0 {
			o.MaxBackoff = b.MaxBackoff
		}
		o.Retryables = append(o.Retryables, sdkretry.IsErrorRetryableFunc(func(err error) aws.Ternary {
			if Throttled(err) {
				return aws.TrueTernary
			}
			return aws.UnknownTernary
		}))
	})
}

// WithRetries returns a copy of cfg whose clients retry within b: pass it
// to a service's NewFromConfig. AWS_MAX_ATTEMPTS, when set, still
// overrides the number of attempts, as it does for any SDK client.
func WithRetries(cfg aws.Config, b Budget) aws.Config {
	cfg.Retryer = func() aws.Retryer { return Retryer(b) }
	return cfg
}

// Policy returns b as an internal/retry policy, for a caller that runs
// its own attempts around clients built with Once.
func (b Budget) Policy() retry.Policy {
	return retry.Policy{Attempts: b.Attempts, Base: b.Base, Max: b.MaxBackoff}
}
