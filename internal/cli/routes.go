package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/inbound"
)

// routesUsage is the usage of `cutover routes` (`cutover help routes`).
const routesUsage = `Usage: cutover routes [FILE|-]

Explain, for each event in FILE (standard input for "-" or no FILE), which
destinations would receive it and why: the filters of each destination's
route that matched, or the one that excluded the event. The destinations
are those of $` + config.EnvDestinations + ` and the Slack webhook of
$` + config.EnvSlackWebhookURL + ` (or _SECRET), routed by $` + config.EnvEvents + `.
Nothing is sent, no secret is read and no AWS API is called: with
$` + config.EnvDestinationsParameter + `, put the parameter's JSON in
$` + config.EnvDestinations + ` instead, e.g.
  ` + config.EnvDestinations + `="$(aws ssm get-parameter --with-decryption --name NAME --query Parameter.Value --output text)"
`

func runRoutes(_ context.Context, args []string, env Env) error {
	fs := newFlags("routes", env)
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
	if cfg.DestinationsParameter != "" {
		return &ExitError{Code: 1, Err: fmt.Errorf("routes: the destinations are in the SSM parameter %s (%s), which routes does not read: set %s to its JSON instead",
			config.EnvDestinationsParameter, cfg.DestinationsParameter, config.EnvDestinations)}
	}
	events, skipped, refused := renderable(inbound.Classify(app.Sources(), data), "")
	if len(events) == 0 {
		refused = append(refused, skipped...)
		if len(refused) == 0 {
			refused = []error{errors.New("no event in the input")}
		}
		return &ExitError{Code: 1, Err: errors.New(oneLine(refused[0]))}
	}
	for _, err := range append(skipped, refused...) {
		fmt.Fprintf(env.Stderr, "routes: skipped: %s\n", oneLine(err))
	}
	// The same decision delivery makes, without notifiers.
	d := &delivery.Dispatcher{Destinations: app.Routed(cfg), Events: cfg.Events}
	var b strings.Builder
	if len(d.Destinations) == 0 {
		fmt.Fprintf(&b, "No destination is configured (%s, or %s): no event would notify.\n", config.EnvDestinations, config.EnvSlackWebhookURL)
	}
	for i := range events {
		ev := &events[i]
		decisions := d.Routes(ev)
		n := 0
		for _, dec := range decisions {
			if dec.Selected {
				n++
			}
		}
		fmt.Fprintf(&b, "%s: %s\n", eventLine(ev), plural(n, "destination"))
		for _, dec := range decisions {
			mark := "  no   "
			if dec.Selected {
				mark = "  yes  "
			}
			fmt.Fprintf(&b, "%s%s (%s): %s\n", mark, dec.Destination, dec.Type, dec.Reason)
		}
	}
	_, err = fmt.Fprint(env.Stdout, b.String())
	return err
}

// plural says n things.
func plural(n int, thing string) string {
	switch n {
	case 0:
		return "no " + thing
	case 1:
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
