package app

import (
	"context"
	"log/slog"

	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/notify"
)

// addEnrichment adds the CodeDeploy/ECS lookups to notices: simulated
// for the demo, real when CUTOVER_ENRICH is on.
func (s *System) addEnrichment(d *delivery.Dispatcher, opts Options) {
	switch {
	case opts.Simulated:
		d.Enrich = func(_ context.Context, n *notify.Notice) {
			n.Details = enrich.Simulated(&n.Event)
			linkRollback(n)
		}
	case s.enricher != nil:
		e, log := s.enricher, s.log
		d.Enrich = func(ctx context.Context, n *notify.Notice) {
			// One session per notice: lookups run once per deployment.
			det, warnings := e.NewSession().Details(ctx, &n.Event)
			for _, w := range warnings {
				log.LogAttrs(ctx, slog.LevelWarn, "enrichment incomplete; message sent without that part",
					slog.String("deployment_id", n.Event.DeploymentID), slog.String("warning", w.String()))
			}
			n.Details = det
			linkRollback(n)
		}
	}
}

// linkRollback fills in the rollback link of an event whose message did not
// carry it (instance events never do) from the looked-up deployment, so
// the message can say traffic switched back.
func linkRollback(n *notify.Notice) {
	if n.Details == nil || n.Details.Deployment == nil || n.Event.IsRollback() {
		return
	}
	if id := n.Details.Deployment.RollbackTriggeringDeploymentID; id != "" {
		n.Event.Rollback = &deploy.Rollback{RollsBack: id, Message: n.Details.Deployment.RollbackMessage}
	}
}
