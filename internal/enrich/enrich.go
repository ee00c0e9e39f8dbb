package enrich

import (
	"context"

	"github.com/cutover-dev/cutover/internal/deploy"
)

// Enricher looks up what an event leaves out. The CodeDeploy/ECS lookups
// (package enrich/codedeploy) are one implementation, the demo's made-up
// details (package enrich/simulated) another; a source with other APIs
// adds its own. Implementations are safe for concurrent use.
type Enricher interface {
	// Details returns what it found about ev's deployment within its time
	// budget, with one Warning per lookup that gave nothing. It never
	// fails and never blocks a message for long: nil details (no
	// warnings) mean there is nothing to look up for this event.
	Details(ctx context.Context, ev *deploy.Event) (*Details, []Warning)
	// IsRollbackDeployment reports whether the deployment deploymentID (in
	// region; the enricher's own when empty) was created to roll back
	// another one. Instance events do not say so; false when it cannot
	// be told.
	IsRollbackDeployment(ctx context.Context, region, deploymentID string) bool
}
