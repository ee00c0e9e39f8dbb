package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/route"
)

// sendUsage is the usage of `cutover send` (`cutover help send`).
const sendUsage = `Usage: cutover send [--no-records] [FILE|-]

Run exactly what the Lambda function runs on the input in FILE (standard
input for "-" or no FILE), with the same configuration from the
environment: notify the chat destinations, invalidate CloudFront and keep
delivery records, in $` + config.EnvRecordsTable + ` or else a local file
($` + config.EnvRecordsFile + `). Prints one summary line, then for each event one
line per action and destination: its name, type and outcome, or why its
route does not take the event (see cutover routes).
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
	if rep.Response != nil {
		// A lifecycle hook's answer, exactly as the Lambda returns it.
		if raw, jerr := json.Marshal(rep.Response); jerr == nil {
			fmt.Fprintln(env.Stdout, "answer: "+string(raw))
		}
	}
	for _, er := range rep.EventReports() {
		fmt.Fprintln(env.Stdout, eventLine(&er.Event))
		for _, l := range deliveryLines(er) {
			fmt.Fprintln(env.Stdout, "  "+l)
		}
	}
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

// deliveryLines says what happened to each action and destination of an
// event, one line each, in order: actions, then every destination (those
// its route does not select with the reason).
func deliveryLines(er delivery.EventReport) []string {
	var lines []string
	describe := func(d delivery.Delivery) string {
		s := string(d.Outcome)
		if r := d.Result; r != nil && len(r.Paths) > 0 {
			s += " (" + strings.Join(r.Paths, ", ") + ")"
		}
		if d.Error != "" {
			s += ": " + d.Error
		}
		return s
	}
	byName := map[string]delivery.Delivery{}
	for _, d := range er.Deliveries {
		byName[d.Destination] = d
	}
	routed := map[string]bool{}
	for _, r := range er.Routes {
		routed[r.Destination] = true
	}
	for _, d := range er.Deliveries {
		if !routed[d.Destination] {
			lines = append(lines, d.Destination+": "+describe(d))
		}
	}
	for _, r := range er.Routes {
		name := r.Destination
		if r.Type != "" {
			name += " (" + r.Type + ")"
		}
		d, ok := byName[r.Destination]
		switch {
		case !r.Selected:
			lines = append(lines, name+": not sent: "+r.Reason)
		case ok:
			lines = append(lines, name+": "+describe(d))
		default:
			lines = append(lines, name+": selected ("+r.Reason+")")
		}
	}
	return lines
}

// eventLine names an event: its name, deployment, application and group,
// and the service when it has one.
func eventLine(ev *deploy.Event) string {
	s := ev.Name
	if ev.DeploymentID != "" {
		s += " " + ev.DeploymentID
	}
	var where []string
	if ev.Application != "" || ev.DeploymentGroup != "" {
		where = append(where, strings.Trim(ev.Application+" / "+ev.DeploymentGroup, " /"))
	}
	if svc, ok := route.Service(ev); ok {
		where = append(where, "service "+svc)
	}
	if ev.AccountID != "" {
		where = append(where, "account "+ev.AccountID)
	}
	if ev.Region != "" {
		where = append(where, ev.Region)
	}
	if len(where) > 0 {
		s += " (" + strings.Join(where, ", ") + ")"
	}
	return s
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
	opts := app.Options{Log: cliLogger(env, cfg.LogLevel)}
	if env.appOptions != nil {
		env.appOptions(&opts)
	}
	sys, err := app.Build(ctx, cfg, opts)
	if err != nil {
		return nil, &ExitError{Code: 1, Err: err}
	}
	return sys, nil
}
