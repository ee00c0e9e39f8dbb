// Package action runs cutover actions: things done the moment production
// traffic switches (or switches back), such as invalidating CloudFront.
package action

import (
	"context"

	"github.com/cutover-dev/cutover/internal/deploy"
)

// Result reports one action on one target, for chat messages and logs.
type Result struct {
	// Action names the action, e.g. "cloudfront-invalidation".
	Action string `json:"action"`
	// Target is what it acted on, e.g. a CloudFront distribution ID.
	Target string `json:"target"`
	// ID is the identifier the target returned, e.g. an invalidation ID.
	ID string `json:"id,omitempty"`
	// Paths are the invalidated paths, for invalidations.
	Paths []string `json:"paths,omitempty"`
	// Reference is the idempotency key the action sent to the target, e.g.
	// a CloudFront invalidation CallerReference; the same event always
	// yields the same Reference.
	Reference string `json:"reference,omitempty"`
	// Status is the target's status after the action, e.g. "InProgress".
	Status string `json:"status,omitempty"`
	// DryRun is true when the action was only described, not performed.
	DryRun bool `json:"dryRun,omitempty"`
	// Skipped says why the action was not performed, when it was not.
	Skipped string `json:"skipped,omitempty"`
	// Error is the failure, when the action failed.
	Error string `json:"error,omitempty"`
	// Pending is true when the action had not finished by the time its
	// outcome was reported (it was slower than the notice's wait); the
	// other fields then say only what it acts on.
	Pending bool `json:"pending,omitempty"`
}

// Task is one action on one target for one event. The dispatcher runs it at
// most once per event and destination: it claims Destination in the delivery
// records first, and skips the task when a previous attempt completed it.
type Task struct {
	// Destination identifies the target for delivery records and logs,
	// e.g. "cloudfront:E2QWRUHAPOMQZL". It must be stable across retries.
	Destination string
	// Run performs the action. It returns the result to report and nil on
	// success; a retry.Permanent error when no retry can help; any other
	// error when a later attempt (e.g. a Lambda retry) may succeed. A
	// non-nil error may come with a Result describing the failure.
	Run func(ctx context.Context) (Result, error)
}

// Planner turns an event into the tasks it calls for; none for most events.
type Planner interface {
	Tasks(ev *deploy.Event) []Task
}
