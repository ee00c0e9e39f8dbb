package message

import (
	"time"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// Notice is what a message is built from: one deployment event and what
// cutover learned and did about it. Building from a Notice is pure: the
// same Notice always gives the same Message.
type Notice struct {
	// Event is the deployment event.
	Event deploy.Event
	// Actions are the cutover actions run for this event (e.g. CloudFront
	// invalidations), in a stable order; empty when none ran.
	Actions []action.Result
	// Details are what cutover looked up about the deployment (rollback
	// window, serving task sets, creator, links, commands); nil when
	// enrichment is off or found nothing.
	Details *enrich.Details
	// Checks are the results of the checks run at this event (a lifecycle
	// hook at the traffic switch); nil when none ran.
	Checks []check.Result
	// FollowUp marks a later notice that reports how earlier actions ended
	// (e.g. "CloudFront invalidation completed") rather than a new event.
	FollowUp bool
	// Now is the time the notice is built for; Build uses it instead of
	// the clock (e.g. for "58 min left").
	Now time.Time
}
