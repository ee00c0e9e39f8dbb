package check

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/cutover-dev/cutover/internal/deploy"
)

// Deps are what the checks call: one shared HTTP client, CloudWatch for
// alarms and the listener discovery. A nil dependency fails only the
// checks that need it.
type Deps struct {
	// HTTP sends every HTTP check's requests (NewHTTPClient).
	HTTP *http.Client
	// Alarms reads CloudWatch alarms.
	Alarms AlarmsAPI
	// Listeners discovers listener URLs.
	Listeners Discoverer
	// Log receives one line per check run; nil discards.
	Log *slog.Logger
	// Now is the clock for Duration (time.Now when nil).
	Now func() time.Time
}

// Checker is the Runner of the configured checks.
type Checker struct {
	specs []Spec
	deps  Deps
	all   bool
}

// Checker is a Runner.
var _ Runner = (*Checker)(nil)

// New returns a Checker of specs (in configuration order).
func New(specs []Spec, deps Deps) *Checker {
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	return &Checker{specs: specs, deps: deps}
}

// Unrouted returns a Checker of the same checks that runs every one of
// them for any event, whatever its routing filters (`cutover check --all`).
func (c *Checker) Unrouted() *Checker {
	u := *c
	u.all = true
	return &u
}

// Specs returns the configured checks.
func (c *Checker) Specs() []Spec { return c.specs }

// Routed returns the checks that run for ev, in configuration order, and
// for every check why it runs or not.
func (c *Checker) Routed(ev *deploy.Event) (run []Spec, why []string) {
	for _, s := range c.specs {
		ok, reason := Routes(&s, ev)
		if c.all {
			ok, reason = true, "--all: every check"
		}
		if ok {
			run = append(run, s)
		}
		why = append(why, reason)
	}
	return run, why
}

// Routes reports whether s runs for ev, and why: its route's filters,
// and, when it lists no events, whether production traffic switched.
func Routes(s *Spec, ev *deploy.Event) (bool, string) {
	r := s.Route
	ok, why := r.Match(ev)
	if !ok {
		return false, why
	}
	if r.Events == nil {
		if !ev.TrafficSwitched() {
			return false, "events: none listed, and production traffic did not switch at " + quoteName(ev.Name)
		}
		why = "traffic switched; " + why
	}
	return true, why
}

// quoteName shows an empty event name readably.
func quoteName(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// Run runs the checks routed to ev at once, each within ctx's deadline,
// and returns their results in configuration order. A check that panics
// is a failed Result that says so.
func (c *Checker) Run(ctx context.Context, ev *deploy.Event) Report {
	specs, _ := c.Routed(ev)
	results := make([]Result, len(specs))
	var wg sync.WaitGroup
	for i := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = c.runOne(ctx, ev, &specs[i])
		}()
	}
	wg.Wait()
	return Report{Results: results}
}

// runOne runs one check, recovering a panic into its Result.
func (c *Checker) runOne(ctx context.Context, ev *deploy.Event, s *Spec) (res Result) {
	start := c.deps.Now()
	defer func() {
		if p := recover(); p != nil {
			res = Result{Error: fmt.Sprintf("the check failed unexpectedly (panic: %s)", clipText(fmt.Sprint(p), 100))}
		}
		res.Name, res.Type = s.Name, s.Type
		res.Duration = c.deps.Now().Sub(start)
		if res.Error != "" {
			res.Passed = false
			if res.Summary == "" {
				res.Summary = res.Error
			}
		}
		if ctx.Err() != nil && !res.Passed && !strings.Contains(res.Summary, "out of time") {
			res.Summary += " (out of time: " + ctx.Err().Error() + ")"
		}
		lvl := slog.LevelInfo
		if !res.Passed {
			lvl = slog.LevelWarn
		}
		c.deps.Log.Log(ctx, lvl, "check", "check", s.Name, "type", s.Type, "passed", res.Passed, "summary", res.Summary)
	}()
	switch s.Type {
	case TypeHTTP:
		return c.runHTTPCheck(ctx, ev, s)
	case TypeAlarms:
		return runAlarms(ctx, c.deps.Alarms, s)
	}
	return Result{Error: fmt.Sprintf("unknown check type %q", s.Type)}
}

// runHTTPCheck resolves the check's URL (discovering the listener when
// asked) and runs it.
func (c *Checker) runHTTPCheck(ctx context.Context, ev *deploy.Event, s *Spec) Result {
	if c.deps.HTTP == nil {
		return Result{Error: "no HTTP client"}
	}
	target := s.URL
	if target == "" {
		if c.deps.Listeners == nil {
			return Result{Error: "no listener discovery configured"}
		}
		base, err := c.deps.Listeners.Discover(ctx, ev, s.Listener)
		if err != nil {
			return Result{Error: err.Error()}
		}
		target = base + s.Path
	}
	return runHTTP(ctx, c.deps.HTTP, s, target)
}
