package check

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/check/checktest"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/route"
)

// discoverFunc is a Discoverer.
type discoverFunc func(ctx context.Context, ev *deploy.Event, listener string) (string, error)

func (f discoverFunc) Discover(ctx context.Context, ev *deploy.Event, listener string) (string, error) {
	return f(ctx, ev, listener)
}

// TestRunnerOrderRoutingPanics: results come in configuration order, only
// for the checks routed to the event; a panicking check and one whose
// listener cannot be found fail with what happened, the others still run.
func TestRunnerOrderRoutingPanics(t *testing.T) {
	app := checktest.NewApp(t)
	disc := discoverFunc(func(_ context.Context, ev *deploy.Event, listener string) (string, error) {
		switch listener {
		case ListenerProduction:
			return app.URL, nil
		case ListenerTest:
			panic("boom")
		}
		return "", errors.New("discover other listener: no such thing")
	})
	mk := func(name, listener string, r route.Route) Spec {
		s := httpSpec("")
		s.Name, s.Listener, s.Path, s.Route, s.Requests = name, listener, "/health", r, 3
		return s
	}
	specs := []Spec{
		mk("prod", ListenerProduction, route.Route{}),
		mk("other-app", ListenerProduction, route.Route{Applications: []string{"billing"}}),
		mk("panics", ListenerTest, route.Route{}),
		mk("undiscoverable", "nowhere", route.Route{}),
		mk("only-at-failure", ListenerProduction, route.Route{Events: []string{"DeploymentFailure"}}),
	}
	c := New(specs, Deps{HTTP: NewHTTPClient(), Listeners: disc})
	rep := c.Run(context.Background(), switched)
	var names []string
	for _, r := range rep.Results {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "prod,panics,undiscoverable" {
		t.Fatalf("ran %v", names)
	}
	if r := rep.Results[0]; !r.Passed || !strings.HasPrefix(r.Summary, "GET /health: 3 requests, all 200, p95 ") {
		t.Errorf("prod %+v", r)
	}
	if r := rep.Results[1]; r.Passed || !strings.Contains(r.Error, "panic: boom") || r.Summary == "" {
		t.Errorf("panics %+v", r)
	}
	if r := rep.Results[2]; r.Passed || r.Error != "discover other listener: no such thing" {
		t.Errorf("undiscoverable %+v", r)
	}
	if !rep.Failed() {
		t.Error("report passed")
	}

	// Not at the traffic switch: a check without events does not run.
	started := *switched
	started.Name, started.Phase = "DeploymentStart", deploy.Started
	if got := c.Run(context.Background(), &started).Results; len(got) != 0 {
		t.Errorf("ran at the start: %+v", got)
	}
	_, why := c.Routed(&started)
	if !strings.Contains(why[0], "production traffic did not switch") {
		t.Errorf("why %q", why[0])
	}
}
