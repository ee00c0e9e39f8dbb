package cloudfront

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscf "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/retry"
)

// ActionCloudFrontInvalidation is the Result.Action of CloudFront
// invalidations and their completion checks.
const ActionCloudFrontInvalidation = "cloudfront-invalidation"

// API is the part of the CloudFront client the action uses;
// *awscf.Client implements it. Tests inject faults through it.
type API interface {
	// CreateInvalidation starts an invalidation batch.
	CreateInvalidation(ctx context.Context, in *awscf.CreateInvalidationInput, optFns ...func(*awscf.Options)) (*awscf.CreateInvalidationOutput, error)
	// GetInvalidation reads an invalidation's status.
	GetInvalidation(ctx context.Context, in *awscf.GetInvalidationInput, optFns ...func(*awscf.Options)) (*awscf.GetInvalidationOutput, error)
}

// SQSAPI is the part of the SQS client the completion follow-up uses;
// *sqs.Client implements it.
type SQSAPI interface {
	// SendMessage queues one message.
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// Defaults of Options.
const (
	// DefaultAttemptTimeout bounds one AWS API call.
	DefaultAttemptTimeout = 10 * time.Second
	// DefaultFollowUpDelay is the wait between completion checks.
	DefaultFollowUpDelay = 5 * time.Minute
	// MaxFollowUpDelay is SQS's largest DelaySeconds (900).
	MaxFollowUpDelay = 15 * time.Minute
	// DefaultMaxChecks is how many completion checks are made, about an
	// hour at DefaultFollowUpDelay.
	DefaultMaxChecks = 12
)

// Options tunes a CloudFront action. The zero value is the
// production setting.
type Options struct {
	// Logger receives the action's logs; nil discards them.
	Logger *slog.Logger
	// DryRun describes the invalidations (Result.DryRun, with the
	// CallerReference in Result.Reference) without calling AWS or
	// IsRollbackDeployment.
	DryRun bool
	// IsRollbackDeployment, when set, tells whether a deployment rolls
	// another one back. It is consulted only when OnRollback is false, for
	// a traffic switch whose event does not say (instance events never
	// carry rollback information): a rollback's switch back is then
	// skipped. Without it such a switch is invalidated like any cutover.
	IsRollbackDeployment func(ctx context.Context, deploymentID string) bool
	// Retry bounds the attempts of each AWS call; zero Attempts, Base and
	// Max come from DefaultRetry (5, 500ms and 8s). Reserve is kept as
	// given.
	Retry retry.Policy
	// AttemptTimeout bounds one AWS call (default DefaultAttemptTimeout),
	// so that a hung connection is retried within the caller's deadline.
	AttemptTimeout time.Duration
	// FollowUpDelay is the SQS delay before each completion check: zero
	// means DefaultFollowUpDelay, a negative value no delay (tests); at
	// most MaxFollowUpDelay.
	FollowUpDelay time.Duration
	// MaxChecks is how many completion checks to make before giving up
	// (default DefaultMaxChecks).
	MaxChecks int
	// CloudFront replaces the client built from the aws.Config (tests).
	CloudFront API
	// SQS replaces the client built from the aws.Config (tests).
	SQS SQSAPI
	// Now replaces the clock (tests).
	Now func() time.Time
}

// Invalidator is the action.Planner that invalidates CloudFront distributions when
// production traffic switches, and, when configured, when a deployment
// fails or rolls back (after a rollback the edge may cache new content).
//
// Every invalidation is idempotent per deployment, event kind, distribution
// and path list: its CallerReference (see CallerReference) is derived from
// them, so Lambda retries and SNS redeliveries get CloudFront's existing
// invalidation back instead of creating another one.
//
// IAM: the function's role needs cloudfront:CreateInvalidation on
// arn:aws:cloudfront::ACCOUNT:distribution/ID for every configured
// distribution; with a follow-up queue also cloudfront:GetInvalidation on
// the same distributions and sqs:SendMessage on the queue, and, for the
// Lambda event source mapping that delivers the follow-ups,
// sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on it.
// The Terraform module grants these.
type Invalidator struct {
	cfg            Config
	cf             API
	sqs            SQSAPI
	log            *slog.Logger
	dryRun         bool
	isRollback     func(ctx context.Context, deploymentID string) bool
	policy         retry.Policy
	attemptTimeout time.Duration
	delay          time.Duration
	maxChecks      int
	now            func() time.Time
}

// DefaultRetry bounds the attempts of each CloudFront and SQS call when
// Options.Retry leaves them zero: 5 attempts, waits from 500 ms up to 8 s.
// The action runs these attempts itself (see awsx.Budget): each attempt
// has its own timeout and ends before the caller's deadline, each retry is
// logged, and throttling and TooManyInvalidationsInProgress are retried.
var DefaultRetry = awsx.Budget{Attempts: 5, Base: 500 * time.Millisecond, MaxBackoff: 8 * time.Second}

// New returns the CloudFront action for cfg, with clients built
// from awsCfg unless opts supplies them. The clients make one attempt
// (awsx.Once): opts.Retry alone decides how often a call is repeated,
// inside the caller's deadline, so that attempts do not multiply and the
// classification of errors stays ours. cfg is validated.
func New(awsCfg aws.Config, cfg Config, opts Options) (*Invalidator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("cloudfront config: %w", err)
	}
	if opts.FollowUpDelay > MaxFollowUpDelay {
		return nil, fmt.Errorf("cloudfront: follow-up delay %s is longer than SQS's maximum of %s", opts.FollowUpDelay, MaxFollowUpDelay)
	}
	c := &Invalidator{
		cfg:            cfg.Normalized(),
		cf:             opts.CloudFront,
		sqs:            opts.SQS,
		log:            opts.Logger,
		dryRun:         opts.DryRun,
		isRollback:     opts.IsRollbackDeployment,
		policy:         opts.Retry,
		attemptTimeout: opts.AttemptTimeout,
		delay:          opts.FollowUpDelay,
		maxChecks:      opts.MaxChecks,
		now:            opts.Now,
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.cf == nil {
		c.cf = awscf.NewFromConfig(awsx.WithRetries(awsCfg, awsx.Once))
	}
	if c.sqs == nil && c.cfg.FollowUpQueueURL != "" {
		c.sqs = sqs.NewFromConfig(awsx.WithRetries(awsCfg, awsx.Once))
	}
	def := DefaultRetry.Policy()
	if c.policy.Attempts <= 0 {
		c.policy.Attempts = def.Attempts
	}
	if c.policy.Base <= 0 {
		c.policy.Base = def.Base
	}
	if c.policy.Max <= 0 {
		c.policy.Max = def.Max
	}
	if c.attemptTimeout <= 0 {
		c.attemptTimeout = DefaultAttemptTimeout
	}
	switch {
	case c.delay == 0:
		c.delay = DefaultFollowUpDelay
	case c.delay < 0:
		c.delay = 0
	}
	if c.maxChecks <= 0 {
		c.maxChecks = DefaultMaxChecks
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Tasks returns one task per distribution to invalidate for ev, with
// Destination "cloudfront:<DistributionID>", in distribution ID order. It
// plans invalidations for a traffic switch (ev.TrafficSwitched()) and, when
// OnRollback is set, for DeploymentFailure and DeploymentRollback; with
// OnRollback unset, a traffic switch known to belong to a rollback
// deployment plans nothing. Events without a deployment ID plan nothing.
func (c *Invalidator) Tasks(ev *deploy.Event) []action.Task {
	if ev == nil || ev.DeploymentID == "" || !c.wants(ev) {
		return nil
	}
	targets := c.cfg.Targets(ev)
	if len(targets) == 0 {
		return nil
	}
	e := *ev // the tasks may run after the caller reuses ev
	tasks := make([]action.Task, len(targets))
	for i, t := range targets {
		tasks[i] = action.Task{
			Destination: "cloudfront:" + t.DistributionID,
			Run: func(ctx context.Context) (action.Result, error) {
				return c.Invalidate(ctx, &e, t)
			},
		}
	}
	return tasks
}

func (c *Invalidator) wants(ev *deploy.Event) bool {
	switch {
	case ev.TrafficSwitched():
		return c.cfg.OnRollback || !ev.IsRollback()
	case !ev.IsTarget() && (ev.Phase == deploy.Failed || ev.Phase == deploy.RollingBack):
		// The deployment failed (and traffic may be back on the old
		// version) or a rollback started: the edge may hold new content.
		return c.cfg.OnRollback
	}
	return false
}

// CallerReference is the idempotency key of the invalidation for one
// deployment, event kind and path list:
//
//	"cutover-" + deploymentID + "-" + kind + "-" + hex(sha256(paths))[:16]
//
// where paths are sorted, deduplicated and joined with "\n"; for "/*":
// "cutover-d-7XQ2K9ABC-InstanceSuccess-766e0153d3f7ec95". The same event
// always gives the same reference, whatever the order of paths; another
// path list gives another. Valid paths hold no newline, so the joined
// list is unambiguous. CloudFront documents no length limit for
// CallerReference; the reference stays at most 122 bytes, below the
// 128-character limit CloudFront applies to its other free-text fields: a
// deployment ID or kind that is longer than 64 (32) characters or not made
// of [A-Za-z0-9_-] is replaced by "h" and 16 hex digits of its SHA-256.
// Real references are about 55 bytes.
func CallerReference(deploymentID string, kind string, paths []string) string {
	sum := sha256.Sum256([]byte(strings.Join(normalizePaths(paths), "\n")))
	return "cutover-" + refPart(deploymentID, 64) + "-" + refPart(string(kind), 32) + "-" + hex.EncodeToString(sum[:8])
}

func refPart(s string, limit int) string {
	ok := s != "" && len(s) <= limit
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
	}
	if ok {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "h" + hex.EncodeToString(sum[:8])
}

// Invalidate creates (or, for a repeated event, gets back) the invalidation
// of target for ev, retrying throttling, TooManyInvalidationsInProgress,
// 5xx answers and timeouts within ctx's deadline, and queues the first
// completion check when a follow-up queue is configured. It returns a
// retry.Permanent error when no retry can help and another error when a
// later attempt (a Lambda retry) may succeed; the action.Result always describes
// the invalidation, with Error set on failure.
func (c *Invalidator) Invalidate(ctx context.Context, ev *deploy.Event, target InvalidationTarget) (action.Result, error) {
	res := action.Result{Action: ActionCloudFrontInvalidation, Target: target.DistributionID}
	if ev == nil || ev.DeploymentID == "" {
		err := retry.Permanent(fmt.Errorf("cloudfront %s: event has no deployment ID to derive a caller reference from", target.DistributionID))
		res.Error = err.Error()
		return res, err
	}
	paths := normalizePaths(target.Paths)
	if len(paths) == 0 {
		paths = DefaultInvalidationPaths()
	}
	ref := CallerReference(ev.DeploymentID, ev.Name, paths)
	res.Paths, res.Reference = paths, ref
	if err := errors.Join(validateDistributionID(target.DistributionID), ValidateInvalidationPaths(paths)); err != nil {
		err = retry.Permanent(fmt.Errorf("cloudfront %s: invalid invalidation: %w", target.DistributionID, err))
		res.Error = err.Error()
		return res, err
	}
	log := c.log.With("distribution", target.DistributionID, "deployment", ev.DeploymentID, "kind", string(ev.Name), "reference", ref)

	if c.dryRun {
		res.DryRun = true
		log.InfoContext(ctx, "cloudfront: dry run: would invalidate", "paths", len(paths))
		return res, nil
	}
	if ev.TrafficSwitched() && !c.cfg.OnRollback && c.isRollback != nil && c.isRollback(ctx, ev.DeploymentID) {
		res.Skipped = "rollback deployment and " + c.cfg.Names.OnRollback + " is false"
		log.InfoContext(ctx, "cloudfront: skipped rollback traffic switch")
		return res, nil
	}

	in := &awscf.CreateInvalidationInput{
		DistributionId: aws.String(target.DistributionID),
		InvalidationBatch: &cftypes.InvalidationBatch{
			CallerReference: aws.String(ref),
			Paths:           &cftypes.Paths{Quantity: aws.Int32(int32(len(paths))), Items: paths},
		},
	}
	var out *awscf.CreateInvalidationOutput
	err := c.do(ctx, log, cloudFrontCall("CreateInvalidation", ev, target.DistributionID, ref), func(ctx context.Context) error {
		var err error
		out, err = c.cf.CreateInvalidation(ctx, in)
		return err
	})
	if err != nil {
		res.Error = err.Error()
		log.ErrorContext(ctx, "cloudfront: invalidation failed", "error", err, "permanent", retry.IsPermanent(err))
		return res, err
	}
	if out.Invalidation != nil {
		res.ID = aws.ToString(out.Invalidation.Id)
		res.Status = aws.ToString(out.Invalidation.Status)
	}
	log.InfoContext(ctx, "cloudfront: invalidation created", "invalidation", res.ID, "status", res.Status, "paths", len(paths))

	if c.cfg.FollowUpQueueURL != "" && res.ID != "" {
		created := c.now().UTC()
		if out.Invalidation.CreateTime != nil {
			created = out.Invalidation.CreateTime.UTC()
		}
		fu := FollowUp{
			Type:            FollowUpType,
			Version:         FollowUpVersion,
			Event:           *ev,
			DistributionID:  target.DistributionID,
			InvalidationID:  res.ID,
			CallerReference: ref,
			Paths:           paths,
			CreatedAt:       created,
			Attempt:         1,
		}
		// The invalidation exists: a failed follow-up must not fail the
		// task (a retry would only get the same invalidation back), so it
		// is logged, not returned.
		if err := c.enqueue(ctx, fu); err != nil {
			log.WarnContext(ctx, "cloudfront: completion check not queued; no completion message will follow", "invalidation", res.ID, "error", err)
		}
	}
	return res, nil
}

// do runs one AWS call under the retry policy and classifies its errors
// (see classify). Each attempt is bounded by the attempt timeout and ends
// Reserve before ctx's deadline, so that the caller keeps time to report.
// A retryable error that survives the policy is returned as is, marked
// retryable: the caller's retry (Lambda's) may still succeed.
func (c *Invalidator) do(ctx context.Context, log *slog.Logger, call awsCall, fn func(ctx context.Context) error) error {
	call.names = c.cfg.Names
	p := c.policy
	onRetry := p.OnRetry
	p.OnRetry = func(attempt int, err error, wait time.Duration) {
		log.WarnContext(ctx, "cloudfront: retrying "+call.op, "attempt", attempt, "wait", wait, "error", err)
		if onRetry != nil {
			onRetry(attempt, err, wait)
		}
	}
	attempts := 0
	err := retry.Do(ctx, p, func(ctx context.Context) error {
		timeout := c.attemptTimeout
		if dl, ok := ctx.Deadline(); ok {
			if left := time.Until(dl) - p.Reserve; left < timeout {
				timeout = left
			}
		}
		if timeout <= 0 {
			return fmt.Errorf("%s: %s: no time left before the deadline: %w", call.prefix, call.op, context.DeadlineExceeded)
		}
		attempts++
		actx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		err := fn(actx)
		switch {
		case err == nil:
			return nil
		case errors.Is(actx.Err(), context.DeadlineExceeded) && awsx.HTTPStatus(err) == 0:
			return fmt.Errorf("%s: %s timed out after %s: %w", call.prefix, call.op, timeout.Round(time.Millisecond), err)
		}
		return classify(call, err)
	})
	if err != nil && !retry.IsPermanent(err) {
		return fmt.Errorf("%w (gave up after %d attempts; retryable)", err, attempts)
	}
	return err
}

// awsCall names an AWS call for error messages.
type awsCall struct {
	// prefix starts the message, e.g. "cloudfront E2QWRUHAPOMQZL".
	prefix string
	// op is the API operation, e.g. "CreateInvalidation".
	op string
	// iamAction and resource make the access-denied hint.
	iamAction, resource string
	// ref is the CallerReference, for reference-reuse errors.
	ref string
	// names name the configuration, for not-found hints.
	names Names
}

func cloudFrontCall(op string, ev *deploy.Event, dist, ref string) awsCall {
	return awsCall{
		prefix:    "cloudfront " + dist,
		op:        op,
		iamAction: "cloudfront:" + op,
		resource:  distributionARN(ev, dist),
		ref:       ref,
	}
}

// classify turns an error of an AWS call into a message that names the
// distribution and says what to do, marked retry.Permanent when no retry
// can help. The kind of error comes from awsx: denied, not found and
// other 4xx answers are permanent; throttling (and
// TooManyInvalidationsInProgress), 5xx answers, expired credentials,
// network errors and timeouts are retryable. Errors of no known kind
// without an HTTP answer are left retryable.
func classify(call awsCall, err error) error {
	prefix := call.prefix
	code := awsx.Code(err)
	status := awsx.HTTPStatus(err)
	switch {
	case code == "TooManyInvalidationsInProgress":
		return fmt.Errorf("%s: too many invalidations in progress (CloudFront allows %d file and %d wildcard paths in progress per distribution): %w",
			prefix, MaxFilePaths, MaxWildcardPaths, err)
	case awsx.Denied(err):
		return retry.Permanent(fmt.Errorf("%s: access denied: the function's role needs %s on %s: %w",
			prefix, call.iamAction, call.resource, err))
	case code == "NoSuchDistribution":
		return retry.Permanent(fmt.Errorf("%s: no such distribution in this account: check %s and %s: %w",
			prefix, call.names.withDefaults().DistributionIDs, call.names.withDefaults().Routes, err))
	case code == "NoSuchInvalidation":
		return retry.Permanent(fmt.Errorf("%s: no such invalidation: %w", prefix, err))
	case awsx.NotFound(err):
		// e.g. the follow-up queue (QueueDoesNotExist).
		return retry.Permanent(fmt.Errorf("%s: %s: not found (%s): %w", prefix, call.op, code, err))
	case code == "InvalidationBatchAlreadyExists" ||
		(code == "InvalidArgument" && strings.Contains(strings.ToLower(awsx.Message(err)), "caller reference")):
		// CloudFront answers this when the reference was used before with
		// other paths. Ours hashes the path list, so it happens only when
		// something else created an invalidation with the same reference
		// on this distribution (another cutover installation with the same
		// deployment ID, an older cutover that hashed paths differently, a
		// hand-made invalidation) or on a 64-bit hash collision.
		return retry.Permanent(fmt.Errorf("%s: caller reference %s was already used for an invalidation with other paths "+
			"(another tool or cutover installation reused it for this deployment and event): not created; invalidate by hand if needed: %w",
			prefix, call.ref, err))
	case awsx.Retryable(err):
		if what := retryableWhat(code, status); what != "" {
			return fmt.Errorf("%s: %s: %s (retryable): %w", prefix, call.op, what, err)
		}
		return fmt.Errorf("%s: %s: %w", prefix, call.op, err)
	case status >= 400:
		if code == "" {
			code = fmt.Sprintf("HTTP %d", status)
		}
		return retry.Permanent(fmt.Errorf("%s: %s rejected the request (%s): %w", prefix, call.op, code, err))
	}
	return fmt.Errorf("%s: %s: %w", prefix, call.op, err)
}

// retryableWhat names a retryable error for its message: the AWS code
// unless the SDK could not read one, and the HTTP status when the status
// (429, 5xx) is what makes it retryable; "" for errors without an answer.
func retryableWhat(code string, status int) string {
	var parts []string
	if code != "" && code != "UnknownError" {
		parts = append(parts, code)
	}
	if status == 429 || status >= 500 {
		parts = append(parts, fmt.Sprintf("HTTP %d", status))
	}
	return strings.Join(parts, ", ")
}

// distributionARN is the distribution's ARN for IAM hints, with ACCOUNT
// when the event does not say.
func distributionARN(ev *deploy.Event, dist string) string {
	account, region := "ACCOUNT", ""
	if ev != nil {
		if ev.AccountID != "" {
			account = ev.AccountID
		}
		region = ev.Region
	}
	return awsx.GlobalARN("cloudfront", region, account, "distribution/"+dist)
}
