package app

import (
	"context"
	"log/slog"

	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/message"
)

// addEnrichment adds the CodeDeploy/ECS lookups to notices: simulated
// for the demo, real when CUTOVER_ENRICH is on. It only sets the notice's
// Details: the message reads a rollback the details reveal from there
// (message.Build), the event stays as it came.
func (s *System) addEnrichment(d *delivery.Dispatcher, opts Options) {
	switch {
	case opts.Simulated:
		d.Enrich = func(_ context.Context, n *message.Notice) {
			n.Details = enrich.Simulated(&n.Event)
		}
	case s.enricher != nil:
		e, log := s.enricher, s.log
		d.Enrich = func(ctx context.Context, n *message.Notice) {
			// One session per notice: lookups run once per deployment.
			det, warnings := e.NewSession().Details(ctx, &n.Event)
			for _, w := range warnings {
				log.LogAttrs(ctx, slog.LevelWarn, "enrichment incomplete; message sent without that part",
					slog.String("deployment_id", n.Event.DeploymentID), slog.String("warning", w.String()))
			}
			n.Details = det
		}
	}
}
