package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/config"
)

// sendUsage is the usage of `cutover send` (`cutover help send`).
const sendUsage = `Usage: cutover send [--no-records] [FILE|-]

Run exactly what the Lambda function runs on the input in FILE (standard
input for "-" or no FILE), with the same configuration from the
environment: notify the chat destinations, invalidate CloudFront and keep
delivery records, in $` + config.EnvRecordsTable + ` or else a local file
($` + config.EnvRecordsFile + `). Prints one summary line.
`

func runSend(ctx context.Context, args []string, env Env) error {
	fs := newFlags("send", env)
	noRecords := fs.Bool("no-records", false, "keep no delivery records: send even what an earlier run delivered")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, _, err := readInput(fs.Args(), env)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	log := cliLogger(env, cfg.LogLevel)
	sys, err := buildCLI(ctx, cfg, env, *noRecords)
	if err != nil {
		return err
	}
	defer sys.Close()
	rep, err := sys.Inbound.Handle(ctx, data)
	fmt.Fprintln(env.Stdout, rep.Summary())
	rejected := rep.Rejections()
	if !rep.Accepted() && len(rejected) > 0 {
		return &ExitError{Code: 1, Err: errors.New(oneLine(rejected[0]))}
	}
	// The good parts were delivered; name the bad ones.
	for _, rj := range rejected {
		fmt.Fprintf(env.Stderr, "send: skipped: %s\n", oneLine(rj))
	}
	if err != nil {
		log.Debug("send failed", "error", err)
		return &ExitError{Code: 1, Err: err}
	}
	return nil
}

// buildCLI assembles the same system the Lambda runs, with the CLI's
// defaults: delivery records in a local file unless a table is configured.
func buildCLI(ctx context.Context, cfg *config.Config, env Env, noRecords bool) (*app.System, error) {
	if cfg.RecordsTable == "" && cfg.RecordsFile == "" && !noRecords {
		cfg.RecordsFile = config.DefaultRecordsFile()
	}
	if noRecords {
		cfg.RecordsTable, cfg.RecordsFile = "", ""
	}
	sys, err := app.Build(ctx, cfg, app.Options{Log: cliLogger(env, cfg.LogLevel)})
	if err != nil {
		return nil, &ExitError{Code: 1, Err: err}
	}
	return sys, nil
}
