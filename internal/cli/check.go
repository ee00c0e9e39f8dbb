package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/inbound"
)

// checkUsage is the usage of `cutover check` (`cutover help check`).
const checkUsage = `Usage: cutover check [--all] [--timeout 2m] [FILE|-]

Run the checks of $` + config.EnvChecks + ` (or $` + config.EnvChecksParameter + `) for
each event in FILE (standard input for "-" or no FILE), as a lifecycle hook
at the traffic switch runs them: HTTP requests to the URL or to the
listener discovered from the deployment's load balancer, and CloudWatch
alarms, with the AWS credentials of the environment. Prints, per event,
one line per check: PASS or FAIL and what it found; checks whose routing
filters do not take the event are listed as "skip" with the reason (a
check without events runs only where production traffic switched, such
as InstanceSuccess). Nothing is sent to chat and no record is kept.

Give --all to run every check whatever its routing filters.

Exit status: 0 when every check that ran passed (or none ran), 1 when one
failed or could not run, or the input holds no deployment event, 2 for
usage and configuration errors.

A lifecycle-hook payload is read as far as it tells: an ECS hook at
POST_PRODUCTION_TRAFFIC_SHIFT is the traffic switch (other stages run only
the checks whose events name the stage); a CodeDeploy hook is taken as
AfterAllowTraffic, the traffic switch.
`

func runCheck(ctx context.Context, args []string, env Env) error {
	fs := newFlags("check", env)
	all := fs.Bool("all", false, "run every configured check, whatever its routing filters")
	timeout := fs.Duration("timeout", 2*time.Minute, "stop the checks after this long (a check cut short fails)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *timeout <= 0 {
		return usageErr("--timeout must be positive")
	}
	data, _, err := readInput(fs.Args(), env)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	if len(cfg.Checks) == 0 && cfg.ChecksParameter == "" {
		return &ExitError{Code: 2, Err: fmt.Errorf("check: no check configured: set %s (see docs/checks.md)", config.EnvChecks)}
	}
	log := cliLogger(env, cfg.LogLevel)
	runner, err := app.BuildChecks(ctx, cfg, log)
	if err != nil {
		return &ExitError{Code: 2, Err: err}
	}
	payload := inbound.Classify(app.Sources(), data)
	events, skipped, refused := renderable(payload, "")
	if len(events) == 0 {
		refused = append(refused, skipped...)
		if len(refused) == 0 {
			refused = []error{errors.New("no event in the input")}
		}
		return &ExitError{Code: 1, Err: fmt.Errorf("check: %s", oneLine(refused[0]))}
	}
	for _, err := range append(skipped, refused...) {
		fmt.Fprintf(env.Stderr, "check: skipped: %s\n", oneLine(err))
	}
	if runner == nil {
		return &ExitError{Code: 2, Err: fmt.Errorf("check: no check configured: set %s (see docs/checks.md)", config.EnvChecks)}
	}
	if *all {
		runner = runner.Unrouted()
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	failed := 0
	for i := range events {
		ev := &events[i]
		fmt.Fprintln(env.Stdout, eventLine(ev))
		rep := runner.Run(ctx, ev)
		_, why := runner.Routed(ev)
		results := map[string]check.Result{}
		for _, r := range rep.Results {
			results[r.Name] = r
		}
		for j, s := range runner.Specs() {
			r, ran := results[s.Name]
			switch {
			case !ran:
				fmt.Fprintf(env.Stdout, "  skip  %s: %s\n", s.Name, why[j])
			case r.Passed:
				fmt.Fprintf(env.Stdout, "  PASS  %s: %s\n", s.Name, r.Summary)
			default:
				failed++
				fmt.Fprintf(env.Stdout, "  FAIL  %s: %s\n", s.Name, r.Summary)
			}
		}
	}
	if failed > 0 {
		return &ExitError{Code: 1, Err: fmt.Errorf("check: %d check(s) failed", failed)}
	}
	return nil
}
