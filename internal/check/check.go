// Package check verifies a new version the moment production traffic
// reaches it: HTTP checks against the service (a URL, or one discovered
// from the deployment's production or test listener) and CloudWatch
// alarms that must not be in ALARM. A lifecycle hook runs the checks
// routed to its event and answers FAILED when one fails, so that ECS or
// CodeDeploy rolls the deployment back; the message says what was checked
// and with which figures.
package check

import (
	"context"
	"time"

	"github.com/cutover-dev/cutover/internal/deploy"
)

// Types of check.
const (
	// TypeHTTP sends requests and checks status, body and latency.
	TypeHTTP = "http"
	// TypeAlarms checks that CloudWatch alarms are not in ALARM.
	TypeAlarms = "alarms"
)

// Result is what one check found.
type Result struct {
	// Name is the check's configured name.
	Name string `json:"name"`
	// Type is TypeHTTP or TypeAlarms.
	Type string `json:"type"`
	// Passed is true when the check ran and every expectation held.
	Passed bool `json:"passed"`
	// Summary says what was checked and with which figures, in one line,
	// e.g. "p99 2.4 s above 800 ms budget on GET /api/ping, 200 requests"
	// or "200 requests to GET /api/ping: all 200, p95 41 ms, p99 88 ms".
	Summary string `json:"summary"`
	// Error is set when the check could not run at all (no listener found,
	// alarms unreadable): it did not pass, but nothing was measured.
	Error string `json:"error,omitempty"`
	// Duration is how long the check took.
	Duration time.Duration `json:"duration"`
}

// Report is the outcome of the checks run for one event.
type Report struct {
	// Results are in configuration order.
	Results []Result `json:"results"`
}

// Failed reports whether any check did not pass.
func (r Report) Failed() bool {
	for _, res := range r.Results {
		if !res.Passed {
			return true
		}
	}
	return false
}

// Runner runs the checks routed to an event. It never panics through to
// the caller and honours ctx's deadline: a check cut short is a failed
// Result that says so.
type Runner interface {
	Run(ctx context.Context, ev *deploy.Event) Report
}
