package setup

import (
	"context"
	"fmt"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/notify"
	"github.com/cutover-dev/cutover/internal/retry"
)

// IsFollowUp reports whether body is a CloudFront completion follow-up
// from the follow-up queue rather than a CodeDeploy notification.
func IsFollowUp(body []byte) bool { return action.IsFollowUp(body) }

// FollowUp checks one invalidation follow-up. While the invalidation runs
// the next check is already queued and FollowUp returns nil; once it has
// completed, a follow-up notice goes to every destination, once (delivery
// records keyed by the invalidation). A non-nil error asks the queue to
// deliver the message again.
func (s *System) FollowUp(ctx context.Context, body []byte) error {
	if s.cloudfront == nil {
		return retry.Permanent(fmt.Errorf("follow-up: no CloudFront distributions are configured"))
	}
	fu, err := action.DecodeFollowUp(body)
	if err != nil {
		s.log.Error("follow-up message dropped: cannot be decoded", "error", err)
		return nil
	}
	done, res, err := s.cloudfront.Check(ctx, fu)
	switch {
	case err != nil && !done:
		return fmt.Errorf("follow-up %s: %w", fu.Key(), err)
	case err != nil:
		s.log.Error("follow-up abandoned", "deployment_id", fu.Event.DeploymentID,
			"distribution", fu.DistributionID, "invalidation", fu.InvalidationID, "error", err)
		return nil
	case !done:
		return nil
	}
	n := &notify.Notice{Event: fu.Event, Actions: []action.Result{res}, FollowUp: true}
	n.Event.ID = fu.Key()
	if err := s.Dispatcher.Notify(ctx, n); err != nil {
		return fmt.Errorf("follow-up %s: %w", fu.Key(), err)
	}
	return nil
}
