// Package notify renders cutover notices for chat destinations and delivers
// them. Every destination is one small file behind the Notifier interface;
// all of them post through one shared Poster.
package notify

import (
	"context"
	"time"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// Notice is what a destination renders: one CodeDeploy event and what
// cutover learned and did about it. Rendering a Notice is pure: the same
// Notice always gives the same bytes.
type Notice struct {
	// Event is the decoded CodeDeploy event.
	Event deploy.Event
	// Actions are the cutover actions run for this event (e.g. CloudFront
	// invalidations), in a stable order; empty when none ran.
	Actions []action.Result
	// Details are what cutover looked up about the deployment (rollback
	// window, serving task sets, creator, links, commands); nil when
	// enrichment is off or found nothing.
	Details *enrich.Details
	// FollowUp marks a later notice that reports how earlier actions ended
	// (e.g. "CloudFront invalidation completed") rather than a new event.
	FollowUp bool
	// Now is the time the notice is rendered for; renderers use it instead
	// of the clock (e.g. for "58 min left").
	Now time.Time
}

// Notifier delivers a notice to one destination.
type Notifier interface {
	// Notify sends n. It returns nil once the destination acknowledged it,
	// an error for which retry.IsPermanent is true when no retry can help,
	// and any other error when a later attempt may succeed.
	Notify(ctx context.Context, n *Notice) error
}
