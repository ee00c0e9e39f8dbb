package setup

import (
	"fmt"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/dispatch"
)

// addActions configures the CloudFront action when distributions are set.
func (s *System) addActions(d *dispatch.Dispatcher, cfg *config.Config, opts Options) error {
	if !cfg.CloudFront.Enabled() {
		return nil
	}
	cf, err := action.NewCloudFront(s.AWS, cfg.CloudFront, action.CloudFrontOptions{
		Logger: s.log,
		DryRun: opts.DryRun,
		Now:    opts.Now,
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
