package app

import (
	"context"
	"log/slog"

	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	ecsenrich "github.com/cutover-dev/cutover/internal/enrich/ecsnative"
	"github.com/cutover-dev/cutover/internal/message"
)

// addEnrichment adds the system's enricher (the CodeDeploy/ECS lookups
// when CUTOVER_ENRICH is on, or the one Options gave, e.g. the demo's
// simulated details) to notices. It only sets the notice's Details: the
// message reads a rollback the details reveal from there (message.Build),
// the event stays as it came. Each warning is logged on one line.
func (s *System) addEnrichment(d *delivery.Dispatcher) {
	e, log := s.enricher, s.log
	if e == nil {
		return
	}
	d.Enrich = func(ctx context.Context, n *message.Notice) {
		det, warnings := e.Details(ctx, &n.Event)
		for _, w := range warnings {
			log.LogAttrs(ctx, slog.LevelWarn, "enrichment incomplete; message sent without that part",
				slog.String("deployment_id", n.Event.DeploymentID), slog.String("warning", w.String()))
		}
		n.Details = det
	}
}

// byPlatform is the configured enricher: the ECS-native lookups for
// ECS-native events and deployments, the CodeDeploy/ECS lookups for the
// rest.
type byPlatform struct {
	codeDeploy enrich.Enricher
	ecsNative  enrich.Enricher
}

// Details asks the enricher of ev's platform.
func (b byPlatform) Details(ctx context.Context, ev *deploy.Event) (*enrich.Details, []enrich.Warning) {
	if ev != nil && ev.Platform == deploy.ECSNative {
		return b.ecsNative.Details(ctx, ev)
	}
	return b.codeDeploy.Details(ctx, ev)
}

// IsRollbackDeployment asks the enricher the deployment ID belongs to: a
// service-deployment ARN or "ecs-svc/…" is ECS-native.
func (b byPlatform) IsRollbackDeployment(ctx context.Context, region, deploymentID string) bool {
	if ecsenrich.IsDeployment(deploymentID) {
		return b.ecsNative.IsRollbackDeployment(ctx, region, deploymentID)
	}
	return b.codeDeploy.IsRollbackDeployment(ctx, region, deploymentID)
}
