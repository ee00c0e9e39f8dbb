package app

import (
	"context"
	"fmt"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/retry"
)

// IsFollowUp reports whether body is a CloudFront completion follow-up
// from the follow-up queue rather than a CodeDeploy notification.
func IsFollowUp(body []byte) bool { return cloudfront.IsFollowUp(body) }

// FollowUp checks one invalidation follow-up. While the invalidation runs
// the next check is already queued and FollowUp returns nil; once it has
// completed, or the check cannot go on, a follow-up notice says so to every
// destination, once (delivery records keyed by the invalidation). A
// non-nil error means the message must be kept: the check or the notice
// failed.
func (s *System) FollowUp(ctx context.Context, body []byte) error {
	if s.cloudfront == nil {
		return retry.Permanent(fmt.Errorf("follow-up: no CloudFront distributions are configured"))
	}
	fu, err := cloudfront.DecodeFollowUp(body)
	if err != nil {
		s.log.Error("follow-up message dropped: cannot be decoded", "error", err)
		return nil
	}
	done, res, err := s.cloudfront.Check(ctx, fu)
	switch {
	case err != nil && !done:
		return fmt.Errorf("follow-up %s: %w", fu.Key(), err)
	case !done:
		return nil
	case err != nil:
		// The check cannot go on (gave up, access denied): tell the team
		// the invalidation did not complete, once, and drop the message
		// only when they have been told.
		s.log.Error("follow-up abandoned", "deployment_id", fu.Event.DeploymentID,
			"distribution", fu.DistributionID, "invalidation", fu.InvalidationID, "error", err)
		if res.Error == "" {
			res.Error = err.Error()
		}
	}
	n := &message.Notice{Event: fu.Event, Actions: []action.Result{res}, FollowUp: true}
	n.Event.ID = fu.Key()
	if err := s.Dispatcher.Notify(ctx, n); err != nil {
		return fmt.Errorf("follow-up %s: %w", fu.Key(), err)
	}
	return nil
}
