package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/secret"
)

// buildChecks reads the checks' secrets once (the JSON of
// CUTOVER_CHECKS_PARAMETER first, then each header given by reference)
// and returns the runner of the configured checks, or nil when there are
// none. Errors name the check and the header, never a value.
func buildChecks(ctx context.Context, cfg *config.Config, awsCfg aws.Config, reader secretReader, log *slog.Logger) (*check.Checker, error) {
	if ref := cfg.ChecksParameter; ref != "" {
		raw, err := reader.Read(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", config.EnvChecksParameter, err)
		}
		if err := cfg.SetChecks(config.EnvChecksParameter+" ("+secret.Name(ref)+")", raw.Reveal()); err != nil {
			return nil, err
		}
	}
	if len(cfg.Checks) == 0 {
		return nil, nil
	}
	var errs []error
	specs := make([]check.Spec, len(cfg.Checks))
	copy(specs, cfg.Checks)
	for i := range specs {
		s := &specs[i]
		s.Headers = append([]check.Header(nil), s.Headers...)
		for j := range s.Headers {
			h := &s.Headers[j]
			if h.Ref == "" {
				continue
			}
			v, err := reader.Read(ctx, h.Ref, "value", h.Name)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: check %s: headers: %s: %w", config.EnvChecks, s.Name, h.Name, err))
				continue
			}
			h.Value = v
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	clients := awsx.WithRetries(awsCfg, awsx.Standard)
	return check.New(specs, check.Deps{
		HTTP:      check.NewHTTPClient(),
		Alarms:    cloudwatch.NewFromConfig(clients),
		Listeners: check.NewListeners(clients),
		Log:       log,
	}), nil
}

// BuildChecks builds the runner of the configured checks alone, with the
// AWS SDK's default configuration (`cutover check`): nil when none are
// configured.
func BuildChecks(ctx context.Context, cfg *config.Config, log *slog.Logger) (*check.Checker, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("setup: aws config: %w", err)
	}
	return buildChecks(ctx, cfg, awsCfg, &lazyReader{aws: awsCfg}, log)
}
