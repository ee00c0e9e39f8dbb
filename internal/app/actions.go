package app

import (
	"context"
	"fmt"

	"github.com/cutover-dev/cutover/internal/action/cloudfront"

	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/delivery"
)

// addActions configures the CloudFront action when distributions are set.
func (s *System) addActions(d *delivery.Dispatcher, cfg *config.Config, opts Options) error {
	if !cfg.CloudFront.Enabled() {
		return nil
	}
	var isRollback func(ctx context.Context, deploymentID string) bool
	if e := s.enricher; e != nil {
		// Instance events never say whether their deployment is a
		// rollback; the enricher's lookups do. Used only when
		// CUTOVER_INVALIDATE_ON_ROLLBACK is false, to skip a rollback's
		// switch back.
		region := s.AWS.Region
		isRollback = func(ctx context.Context, id string) bool {
			return e.IsRollbackDeployment(ctx, region, id)
		}
	}
	cf, err := cloudfront.New(s.AWS, cfg.CloudFront, cloudfront.Options{
		IsRollbackDeployment: isRollback,
		Logger:               s.log,
		DryRun:               opts.DryRun,
		Now:                  opts.Now,
		// The follow-up delay is the production default unless a test
		// shortens it.
		FollowUpDelay: opts.FollowUpDelay,
	})
	if err != nil {
		return fmt.Errorf("cloudfront: %w", err)
	}
	d.Planner = cf
	s.cloudfront = cf
	return nil
}
