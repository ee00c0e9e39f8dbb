package cloudfront

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscf "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/source"
)

// FollowUpType marks a follow-up message: the "type" field of its JSON
// body and the value of its "cutover-type" SQS message attribute.
const FollowUpType = "cutover.cloudfront-invalidation.followup"

// FollowUpVersion is the version of the FollowUp body this code writes and
// reads.
const FollowUpVersion = 1

// maxFollowUpBody keeps a follow-up within SQS's classic 256 KiB limit.
const maxFollowUpBody = 256 << 10

// FollowUp is the SQS message body of an invalidation completion check.
// CloudFront takes minutes to complete an invalidation; instead of holding
// a Lambda, Invalidate queues a FollowUp with a delay, and each delivery
// runs one check (DecodeFollowUp, then Check) that either reports
// completion or queues the next check. The chain stops after MaxChecks
// checks.
type FollowUp struct {
	// Type is FollowUpType.
	Type string `json:"type"`
	// Version is FollowUpVersion.
	Version int `json:"version"`
	// Event is the CodeDeploy event that caused the invalidation, for the
	// completion message.
	Event deploy.Event `json:"event"`
	// DistributionID is the invalidated distribution.
	DistributionID string `json:"distributionId"`
	// InvalidationID is CloudFront's ID of the invalidation.
	InvalidationID string `json:"invalidationId"`
	// CallerReference is the invalidation's reference.
	CallerReference string `json:"callerReference,omitempty"`
	// Paths are the invalidated paths; left out when they would make the
	// message too large.
	Paths []string `json:"paths,omitempty"`
	// CreatedAt is when the invalidation was created.
	CreatedAt time.Time `json:"createdAt"`
	// Attempt is the number of the check this message asks for, from 1.
	Attempt int `json:"attempt"`
}

// Key identifies the invalidation a follow-up is about, for delivery
// records: SQS may deliver a message twice, and every copy of a chain
// reports the same completion under the same Key.
func (f FollowUp) Key() string {
	return "cloudfront-followup:" + f.DistributionID + ":" + f.InvalidationID
}

// IsFollowUp reports whether body is a FollowUp message, so that a
// dispatcher can tell follow-ups from CodeDeploy notifications in the same
// SQS batch (codedeploy.Decode rejects them).
func IsFollowUp(body []byte) bool {
	var probe struct {
		Type string `json:"type"`
	}
	return json.Unmarshal(body, &probe) == nil && probe.Type == FollowUpType
}

// DecodeFollowUp decodes and checks a FollowUp body. Its errors are
// permanent: the same body always fails the same way.
func DecodeFollowUp(body []byte) (FollowUp, error) {
	var f FollowUp
	if err := json.Unmarshal(body, &f); err != nil {
		return FollowUp{}, retry.Permanent(fmt.Errorf("followup: not a follow-up message: %w", boundedError{err}))
	}
	var errs []error
	if f.Type != FollowUpType {
		errs = append(errs, fmt.Errorf("type %q is not %q", clip(f.Type), FollowUpType))
	}
	if f.Version != FollowUpVersion {
		errs = append(errs, fmt.Errorf("version %d is not %d", f.Version, FollowUpVersion))
	}
	if err := validateDistributionID(f.DistributionID); err != nil {
		errs = append(errs, fmt.Errorf("distributionId: %w", err))
	}
	if !isUpperAlnum(f.InvalidationID) {
		errs = append(errs, fmt.Errorf("invalidationId %q is not a CloudFront invalidation ID", clip(f.InvalidationID)))
	}
	if f.Attempt < 1 {
		errs = append(errs, fmt.Errorf("attempt %d is not positive", f.Attempt))
	}
	if err := errors.Join(errs...); err != nil {
		return FollowUp{}, retry.Permanent(fmt.Errorf("followup: %w", err))
	}
	return f, nil
}

// Check reads the invalidation's status with GetInvalidation (compared
// case-insensitively with "Completed": moto says COMPLETED) and:
//
//   - when complete, returns done with Result.Status "Completed", for the
//     dispatcher to post a completion message (keyed on f.Key());
//   - when not, and checks remain, queues the next check after the
//     follow-up delay and returns done=false with a nil error: acknowledge
//     the message;
//   - when not, after MaxChecks checks, returns done with a permanent error
//     saying it stopped checking.
//
// Any other error comes with done=false when retrying this same message
// may help (return it to the queue), and done=true with a retry.Permanent
// error when not. Needs cloudfront:GetInvalidation on the distribution and
// sqs:SendMessage on the queue.
func (c *Invalidator) Check(ctx context.Context, f FollowUp) (done bool, res action.Result, err error) {
	res = action.Result{
		Action:    ActionCloudFrontInvalidation,
		Target:    f.DistributionID,
		ID:        f.InvalidationID,
		Paths:     f.Paths,
		Reference: f.CallerReference,
	}
	log := c.log.With("distribution", f.DistributionID, "invalidation", f.InvalidationID,
		"deployment", f.Event.DeploymentID, "attempt", f.Attempt)
	if c.dryRun {
		res.DryRun = true
		return true, res, nil
	}
	in := &awscf.GetInvalidationInput{DistributionId: aws.String(f.DistributionID), Id: aws.String(f.InvalidationID)}
	var out *awscf.GetInvalidationOutput
	err = c.do(ctx, log, cloudFrontCall("GetInvalidation", &f.Event, f.DistributionID, f.CallerReference), func(ctx context.Context) error {
		var err error
		out, err = c.cf.GetInvalidation(ctx, in)
		return err
	})
	if err != nil {
		res.Error = err.Error()
		return retry.IsPermanent(err), res, err
	}
	status := ""
	if inv := out.Invalidation; inv != nil {
		status = aws.ToString(inv.Status)
		if len(res.Paths) == 0 && inv.InvalidationBatch != nil && inv.InvalidationBatch.Paths != nil {
			res.Paths = normalizePaths(inv.InvalidationBatch.Paths.Items)
		}
		if res.Reference == "" && inv.InvalidationBatch != nil {
			res.Reference = aws.ToString(inv.InvalidationBatch.CallerReference)
		}
	}
	if strings.EqualFold(status, "completed") {
		res.Status = "Completed"
		log.InfoContext(ctx, "cloudfront: invalidation completed", "after", c.now().Sub(f.CreatedAt).Round(time.Second))
		return true, res, nil
	}
	res.Status = status
	if f.Attempt >= c.maxChecks {
		err := retry.Permanent(fmt.Errorf("cloudfront %s: invalidation %s still %q after %d checks since %s: stopped checking",
			f.DistributionID, f.InvalidationID, status, f.Attempt, f.CreatedAt.Format(time.RFC3339)))
		res.Error = err.Error()
		log.WarnContext(ctx, "cloudfront: gave up waiting for the invalidation", "status", status)
		return true, res, err
	}
	next := f
	next.Attempt++
	if err := c.enqueue(ctx, next); err != nil {
		res.Error = err.Error()
		return retry.IsPermanent(err), res, err
	}
	log.InfoContext(ctx, "cloudfront: invalidation not complete yet; next check queued", "status", status, "delay", c.delay)
	return false, res, nil
}

// enqueue sends f to the follow-up queue after the follow-up delay.
func (c *Invalidator) enqueue(ctx context.Context, f FollowUp) error {
	queue := c.cfg.FollowUpQueueURL
	if queue == "" || c.sqs == nil {
		return retry.Permanent(fmt.Errorf("followup: no follow-up queue configured (%s)", c.cfg.Names.FollowUpQueueURL))
	}
	body, err := json.Marshal(f)
	if err == nil && len(body) > maxFollowUpBody {
		// The paths are informational (Check reads them back from
		// CloudFront); lifecycle details are not needed either.
		f.Paths = nil
		if f.Event.Target != nil {
			t := *f.Event.Target
			t.Lifecycle = nil
			f.Event.Target = &t
		}
		body, err = json.Marshal(f)
	}
	if err != nil {
		return retry.Permanent(fmt.Errorf("followup: encode: %w", err))
	}
	if len(body) > maxFollowUpBody {
		return retry.Permanent(fmt.Errorf("followup: message is %d bytes, more than SQS's %d", len(body), maxFollowUpBody))
	}
	in := &sqs.SendMessageInput{
		QueueUrl:     aws.String(queue),
		MessageBody:  aws.String(string(body)),
		DelaySeconds: int32(c.delay / time.Second),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			"cutover-type": {DataType: aws.String("String"), StringValue: aws.String(FollowUpType)},
		},
	}
	call := awsCall{prefix: "followup", op: "SendMessage", iamAction: "sqs:SendMessage", resource: "the queue " + queue}
	log := c.log.With("queue", queue, "invalidation", f.InvalidationID)
	return c.do(ctx, log, call, func(ctx context.Context) error {
		_, err := c.sqs.SendMessage(ctx, in)
		return err
	})
}

// boundedError keeps err in the chain but bounds its message: a JSON error
// quotes the value it could not read, which comes from outside and may be
// long or not UTF-8.
type boundedError struct{ err error }

func (e boundedError) Error() string { return source.Snippet([]byte(e.err.Error()), 200) }
func (e boundedError) Unwrap() error { return e.err }

// isUpperAlnum reports whether s is 1 to 64 upper-case letters and digits,
// the shape of CloudFront IDs.
func isUpperAlnum(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
