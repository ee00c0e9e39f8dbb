package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/inbound"
	"github.com/cutover-dev/cutover/internal/message"
)

// renderUsage is the usage of `cutover render` (`cutover help render`).
const renderUsage = `Usage: cutover render [--to TYPE|NAME] [FILE|-]

Print the exact body cutover would POST for each event in FILE (standard
input for "-" or no FILE), one JSON document per line. --to takes a
destination type (slack, slack-app, teams, discord, googlechat, webhook;
default slack) or the name of a destination in CUTOVER_DESTINATIONS. Nothing is sent and
no AWS API is called. Input that is not a deployment notification exits 1
with one line on stderr and nothing on stdout.
`

// renderTarget resolves --to: a destination type renders as a destination
// of that type named after it; the name of a destination configured in
// CUTOVER_DESTINATIONS renders exactly what that destination sends (its
// mentions, its name). Only the destinations' settings are read: no
// secret, no AWS call.
func renderTarget(to string, env Env) (func(*message.Notice) ([]byte, error), bool) {
	types := app.Destinations()
	spec := chat.Spec{Name: to, Type: to}
	if _, ok := types[to]; !ok {
		cfg, err := config.Load(env.Getenv, app.Sources(), types.Names())
		if err != nil {
			return nil, false
		}
		found := false
		for _, d := range cfg.Destinations {
			if d.Name == to {
				spec, found = chat.Spec{Name: d.Name, Type: d.Type, Mentions: d.Mentions}, true
			}
		}
		if !found {
			return nil, false
		}
	}
	typ, ok := types[spec.Type]
	if !ok || typ.Render == nil {
		return nil, false
	}
	return func(n *message.Notice) ([]byte, error) { return typ.Render(n, spec) }, true
}

func runRender(_ context.Context, args []string, env Env) error {
	fs := newFlags("render", env)
	to := fs.String("to", "slack", "destination type ("+strings.Join(app.Destinations().Names(), ", ")+") or configured destination name")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	render, ok := renderTarget(*to, env)
	if !ok {
		return usageErr("unknown destination %q for --to (types: %s; or the name of a destination in %s)", *to, strings.Join(app.Destinations().Names(), ", "), config.EnvDestinations)
	}
	data, _, err := readInput(fs.Args(), env)
	if err != nil {
		return err
	}
	// The same routing as send and the Lambda: render what they would
	// deliver, name what they would drop or refuse.
	events, skipped, refused := renderable(inbound.Classify(app.Sources(), data), "")
	if len(events) == 0 {
		// Nothing on stdout for bad input: one clear line on stderr.
		if len(refused) == 0 {
			refused = skipped
		}
		if len(refused) == 0 {
			refused = []error{errors.New("no event in the input")}
		}
		return &ExitError{Code: 1, Err: errors.New(oneLine(refused[0]))}
	}
	for _, err := range skipped {
		fmt.Fprintf(env.Stderr, "render: skipped: %s\n", oneLine(err))
	}
	var out []byte
	for i := range events {
		n := &message.Notice{Event: events[i], Now: noticeTime(&events[i])}
		body, err := render(n)
		if err != nil {
			return &ExitError{Code: 1, Err: fmt.Errorf("render %s: %w", events[i].Name, err)}
		}
		out = append(append(out, body...), '\n')
	}
	if _, err := env.Stdout.Write(out); err != nil {
		return err
	}
	if len(refused) > 0 {
		// What the Lambda would not deliver (an unreadable hook) fails here too.
		return &ExitError{Code: 1, Err: errors.New(oneLine(errors.Join(refused...)))}
	}
	return nil
}

// renderable walks a classified input the way the router runs it: the
// events of every notification, the parts that would be dropped
// (skipped), and those that would fail (refused: a lifecycle hook that
// cannot be read). A
// follow-up carries nothing to render and is skipped.
func renderable(p inbound.Payload, msgID string) (events []deploy.Event, skipped, refused []error) {
	prefix := func(err error) error {
		if msgID == "" {
			return err
		}
		return fmt.Errorf("sqs message %s: %w", msgID, err)
	}
	for _, rj := range p.Rejected {
		skipped = append(skipped, rj)
	}
	switch p.Kind {
	case inbound.KindHook:
		// A hook renders the message of its event (a CodeDeploy hook as
		// AfterAllowTraffic: which hook it is needs an AWS lookup).
		ev, err := p.Hook.Event("")
		if err != nil {
			refused = append(refused, prefix(err))
		} else {
			events = append(events, ev)
		}
	case inbound.KindFollowUp:
		skipped = append(skipped, prefix(fmt.Errorf("CloudFront follow-up %s: not a deployment notification, nothing to render", p.FollowUp.Key())))
	case inbound.KindBatch:
		for _, r := range p.Records {
			e, s, f := renderable(r.Payload, r.MessageID)
			events, skipped, refused = append(events, e...), append(skipped, s...), append(refused, f...)
		}
	}
	return append(events, p.Events...), skipped, refused
}

// noticeTime is the time render uses for "now": the event's own time, so
// that the same input always renders the same bytes; zero (no time shown)
// when the input carries none.
func noticeTime(ev *deploy.Event) time.Time {
	for _, t := range []time.Time{ev.Published, ev.LastUpdated, ev.CompleteTime, ev.CreateTime} {
		if !t.IsZero() {
			return t.UTC()
		}
	}
	return time.Time{}
}
