package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cutover-dev/cutover/internal/chat/slackhook"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// renderers are the destinations render knows, by --to name.
var renderers = map[string]func(*message.Notice) ([]byte, error){
	"slack": slackhook.Render,
}

func runRender(_ context.Context, args []string, env Env) error {
	fs := newFlags("render", env)
	to := fs.String("to", "slack", "destination format: slack")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	render, ok := renderers[*to]
	if !ok {
		return usageErr("unknown destination %q for --to (known: slack)", *to)
	}
	data, _, err := readInput(fs.Args(), env)
	if err != nil {
		return err
	}
	events, err := codedeploy.Decode(data)
	if err != nil {
		// Nothing on stdout for bad input: one clear line on stderr.
		return &ExitError{Code: 1, Err: errors.New(oneLine(err))}
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
	_, err = env.Stdout.Write(out)
	return err
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
