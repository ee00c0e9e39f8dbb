package app

import (
	"context"
	"fmt"

	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"

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
		// rollback; GetDeployment does. Used only when
		// CUTOVER_INVALIDATE_ON_ROLLBACK is false, to skip a rollback's
		// switch back.
		isRollback = func(ctx context.Context, id string) bool {
			d, _ := e.Details(ctx, &deploy.Event{Name: codedeploy.DeploymentStart, DeploymentID: id, Region: s.AWS.Region})
			return d != nil && d.Deployment != nil && d.Deployment.RollbackTriggeringDeploymentID != ""
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
