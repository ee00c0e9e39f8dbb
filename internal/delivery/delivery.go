// Package delivery runs decoded deployment events through cutover: the
// actions and the chat notifications each event calls for, concurrently,
// each at most once per event and destination, and says what happened in a
// typed report. It does not decode: package inbound classifies and decodes
// inputs and hands delivery the events.
//
// The Lambda handler, `cutover send`, `cutover replay`, `cutover serve` and
// `cutover demo` all reach a Dispatcher through inbound, so they behave the
// same.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/route"
)

// Destination is a named notifier and the events it receives.
type Destination struct {
	// Name identifies the destination in delivery records and logs, e.g.
	// "slack". It must be stable across retries.
	Name string
	// Type is the destination type, e.g. "slack" (for reports).
	Type string
	// Notifier delivers to it.
	Notifier chat.Notifier
	// Route selects the events it receives; nil: the kinds in the
	// Dispatcher's Events.
	Route *route.Route
}

// Dispatcher routes events to actions and destinations.
type Dispatcher struct {
	// Destinations receive the notices of the events their routes select.
	Destinations []Destination
	// Events are the kinds that notify the destinations without a Route.
	Events map[string]bool
	// Planner gives the actions an event calls for; nil for none.
	Planner action.Planner
	// Records remembers what was delivered, so retries and redeliveries
	// send only what is missing; nil keeps no records.
	Records records.Store
	// Receipts keeps, per deployment and destination, the receipt of the
	// last message sent, so the next event of the deployment can update or
	// thread it (Notification.Earlier); nil keeps none.
	Receipts records.ReceiptStore
	// Enrich, when set, adds looked-up details to a notice before it is
	// rendered. It must return within its own bound (about 2 s) and never
	// fail the notice.
	Enrich func(ctx context.Context, n *message.Notice)
	// ActionWait bounds how long a notice waits for the actions' results
	// before it is sent without them (default 5 s).
	ActionWait time.Duration
	// Lease is how long a claim on a delivery is held before another
	// attempt may take it over (default: the context's remaining time
	// plus 5 s, or 5 min without a deadline).
	Lease time.Duration
	// BusyWait bounds how long a delivery waits for another attempt that
	// holds it (a concurrent duplicate) before failing so it is retried
	// later (default 30 s, and never past the context's deadline).
	BusyWait time.Duration
	// Log receives one line per delivery decision.
	Log *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Delivery is what happened to one event at one destination or action.
type Delivery struct {
	// Destination is the destination or action target.
	Destination string `json:"destination"`
	// Outcome is what happened; see the Outcome constants.
	Outcome Outcome `json:"outcome"`
	// Result is the action's result, for actions.
	Result *action.Result `json:"result,omitempty"`
	// Error is the failure, if any.
	Error string `json:"error,omitempty"`

	// err is the failure itself, so callers can still tell permanent
	// failures from retryable ones (retry.IsPermanent).
	err error
}

// failed reports whether the delivery did not happen and must be retried.
func (d Delivery) failed() bool { return d.Outcome == Failed || d.Outcome == InProgressElsewhere }

// Outcome is what happened to one delivery.
type Outcome string

// Outcomes of a Delivery.
const (
	// Delivered: sent (or the action ran) in this attempt.
	Delivered Outcome = "delivered"
	// AlreadyDelivered: an earlier attempt completed it; skipped.
	AlreadyDelivered Outcome = "already-delivered"
	// DryRun: the action was described, not performed.
	DryRun Outcome = "dry-run"
	// Pending: the action had not finished when the notice was sent.
	Pending Outcome = "pending"
	// Failed: it did not happen; the event is retried.
	Failed Outcome = "failed"
	// InProgressElsewhere: another attempt held the delivery for longer
	// than this one could wait (a failure: the event is retried).
	InProgressElsewhere Outcome = "in-progress-elsewhere"
)

// EventReport says what happened to one event.
type EventReport struct {
	// Event is the decoded event.
	Event deploy.Event `json:"event"`
	// Notified is false when no destination's route selects the event.
	Notified bool `json:"notified"`
	// Deliveries lists each action and selected destination, actions
	// first.
	Deliveries []Delivery `json:"deliveries"`
	// Routes says, for every destination, whether its route selects the
	// event and why.
	Routes []Decision `json:"routes,omitempty"`
}

// Decision is whether one destination receives an event, and why.
type Decision struct {
	// Destination is the destination's name.
	Destination string `json:"destination"`
	// Type is its type.
	Type string `json:"type,omitempty"`
	// Selected is true when the destination receives the event.
	Selected bool `json:"selected"`
	// Reason names the filters that matched, or the one that excluded the
	// event.
	Reason string `json:"reason"`
}

// Routes decides, for each destination in order, whether it receives ev:
// its Route, or the Dispatcher's Events for a destination without one.
// It sends nothing.
func (d *Dispatcher) Routes(ev *deploy.Event) []Decision {
	out := make([]Decision, len(d.Destinations))
	var def *route.Route
	for i, dst := range d.Destinations {
		r := dst.Route
		if r == nil {
			if def == nil {
				// Never nil: a route with nil Events takes every event,
				// and an empty set of events must take none.
				def = &route.Route{Events: []string{}}
				for _, k := range slices.Sorted(maps.Keys(d.Events)) {
					if d.Events[k] {
						def.Events = append(def.Events, k)
					}
				}
			}
			r = def
		}
		ok, why := r.Match(ev)
		out[i] = Decision{Destination: dst.Name, Type: dst.Type, Selected: ok, Reason: why}
	}
	return out
}

// Report says what happened to a list of events.
type Report struct {
	// Events are the events handled, in order.
	Events []EventReport `json:"events"`
}

// HandleEvents runs the actions and notifications of each event, in order.
// It returns an error when any delivery failed (retryable or not), so that
// the caller (Lambda) fails the invocation and its retries and failure
// destination keep the event.
func (d *Dispatcher) HandleEvents(ctx context.Context, events []deploy.Event) (Report, error) {
	var (
		rep  Report
		errs []error
	)
	for i := range events {
		er, err := d.HandleEvent(ctx, &events[i])
		rep.Events = append(rep.Events, er)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return rep, errors.Join(errs...)
}

func (d *Dispatcher) log() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Log
}

func (d *Dispatcher) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

// HandleEvent runs the actions and notifications one event calls for.
func (d *Dispatcher) HandleEvent(ctx context.Context, ev *deploy.Event) (EventReport, error) {
	log := d.log().With("deployment_id", ev.DeploymentID, "sns_message_id", ev.MessageID,
		"event", string(ev.Name), "event_id", ev.Identity())
	rep := EventReport{Event: *ev, Routes: d.Routes(ev)}
	var selected []Destination
	for i, dec := range rep.Routes {
		if dec.Selected {
			selected = append(selected, d.Destinations[i])
		}
	}
	rep.Notified = len(selected) > 0

	var tasks []action.Task
	if d.Planner != nil {
		tasks = d.Planner.Tasks(ev)
	}
	if !rep.Notified && len(tasks) == 0 {
		log.Info("no destination's route selects the event and it calls for no action; nothing to do",
			"traffic_switched", ev.TrafficSwitched())
		return rep, nil
	}
	log.Info("event received", "traffic_switched", ev.TrafficSwitched(), "actions", len(tasks), "destinations", len(selected))
	for _, dec := range rep.Routes {
		log.Debug("route", "destination", dec.Destination, "selected", dec.Selected, "reason", dec.Reason)
	}

	// Actions start at once; the notice waits for them only up to ActionWait.
	acts := make([]Delivery, len(tasks))
	var (
		mu       sync.Mutex
		finished = make([]bool, len(tasks))
		wg       sync.WaitGroup
	)
	for i, t := range tasks {
		acts[i] = Delivery{Destination: t.Destination, Outcome: "pending"}
		wg.Add(1)
		go func() {
			defer wg.Done()
			del := d.runAction(ctx, log, ev, t)
			mu.Lock()
			acts[i], finished[i] = del, true
			mu.Unlock()
		}()
	}
	actionsDone := make(chan struct{})
	go func() { wg.Wait(); close(actionsDone) }()

	var notes []Delivery
	if rep.Notified {
		n := &message.Notice{Event: *ev}
		enriched := make(chan struct{})
		go func() {
			defer close(enriched)
			if d.Enrich != nil {
				d.Enrich(ctx, n)
			}
		}()
		wait := d.ActionWait
		if wait <= 0 {
			wait = 5 * time.Second
		}
		timer := time.NewTimer(wait)
		select {
		case <-actionsDone:
		case <-timer.C:
			log.Warn("actions still running; sending the notice without their final results", "waited", wait.String())
		case <-ctx.Done():
		}
		timer.Stop()
		<-enriched
		mu.Lock()
		for i, del := range acts {
			switch {
			case del.Result != nil:
				n.Actions = append(n.Actions, *del.Result)
			case !finished[i]:
				// The task's destination is "kind:target", e.g.
				// "cloudfront:E2QWRUHAPOMQZL".
				kind, target, _ := strings.Cut(del.Destination, ":")
				n.Actions = append(n.Actions, action.Result{Action: kind, Target: target, Pending: true})
			}
		}
		mu.Unlock()
		n.Now = d.now().UTC()
		notes = d.notifyAll(ctx, log, selected, ev.Identity(), n)
	}
	<-actionsDone

	var errs []error
	for _, del := range append(acts, notes...) {
		rep.Deliveries = append(rep.Deliveries, del)
		if del.failed() {
			errs = append(errs, del.err)
		}
	}
	if len(errs) > 0 {
		return rep, fmt.Errorf("deliver %s %s: %w", ev.Name, ev.DeploymentID, errors.Join(errs...))
	}
	return rep, nil
}

func (d *Dispatcher) runAction(ctx context.Context, log *slog.Logger, ev *deploy.Event, t action.Task) Delivery {
	var (
		res  action.Result
		have bool
	)
	del := d.once(ctx, log, ev.Identity(), t.Destination, func(ctx context.Context) ([]byte, error) {
		r, err := t.Run(ctx)
		res, have = r, r.Action != "" || r.Target != ""
		if err != nil {
			return nil, err
		}
		return json.Marshal(r)
	}, func(stored []byte) {
		have = json.Unmarshal(stored, &res) == nil
	})
	if !have && del.Outcome == Failed {
		res, have = action.Result{Target: t.Destination}, true
	}
	if have {
		if res.Error == "" && del.Error != "" {
			res.Error = del.Error
		}
		del.Result = &res
	}
	if res.DryRun && del.Outcome == Delivered {
		del.Outcome = DryRun
	}
	return del
}

// Notify sends n once to every destination without a Route and to those
// whose Route selects n.Event, keyed in the delivery records by
// n.Event.ID, and returns the failures joined. It is for notices that do
// not come from a CodeDeploy event, such as action follow-ups (which go
// where the event they follow went).
func (d *Dispatcher) Notify(ctx context.Context, n *message.Notice) error {
	log := d.log().With("deployment_id", n.Event.DeploymentID, "event_id", n.Event.ID, "follow_up", n.FollowUp)
	key := n.Event.ID
	if !n.FollowUp {
		key = n.Event.Identity()
	}
	if n.Now.IsZero() {
		n.Now = d.now().UTC()
	}
	// A follow-up goes where the event it follows went: the same routes,
	// the default one (Events) included.
	var dsts []Destination
	for i, dec := range d.Routes(&n.Event) {
		if dec.Selected {
			dsts = append(dsts, d.Destinations[i])
		}
	}
	var errs []error
	for _, del := range d.notifyAll(ctx, log, dsts, key, n) {
		if del.failed() {
			errs = append(errs, del.err)
		}
	}
	return errors.Join(errs...)
}

// notifyAll sends n to each of dsts once, concurrently: each is claimed,
// sent, retried and recorded on its own.
func (d *Dispatcher) notifyAll(ctx context.Context, log *slog.Logger, dsts []Destination, key string, n *message.Notice) []Delivery {
	out := make([]Delivery, len(dsts))
	// What the notice says is decided once; each destination formats it.
	note := &chat.Notification{Message: message.Build(n), Notice: n}
	var wg sync.WaitGroup
	for i, dst := range dsts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = d.once(ctx, log, key, dst.Name, func(ctx context.Context) ([]byte, error) {
				return nil, d.notifyOne(ctx, log, dst, note)
			}, nil)
		}()
	}
	wg.Wait()
	return out
}

// notifyOne sends note to dst with the receipt of the deployment's earlier
// message there, and keeps the new receipt when the destination gave one.
func (d *Dispatcher) notifyOne(ctx context.Context, log *slog.Logger, dst Destination, note *chat.Notification) error {
	own := *note
	var rkey records.Key
	id := note.Notice.Deployment()
	if d.Receipts != nil && id != "" {
		rkey = records.DeploymentKey(id, dst.Name)
		if raw, err := d.Receipts.Receipt(ctx, rkey); err == nil && len(raw) > 0 {
			var r chat.Receipt
			if json.Unmarshal(raw, &r) == nil {
				own.Earlier = &r
			}
		}
	}
	r, err := dst.Notifier.Notify(ctx, &own)
	if err != nil || rkey.EventID == "" || (r.MessageID == "" && r.Channel == "" && r.Thread == "") {
		return err
	}
	raw, _ := json.Marshal(r)
	if perr := d.Receipts.PutReceipt(context.WithoutCancel(ctx), rkey, raw); perr != nil {
		log.Warn("message receipt not saved: the next event posts a new message", "destination", dst.Name, "error", perr)
	}
	return nil
}

// once runs fn for (eventKey, destination) unless the delivery records say a
// previous attempt completed it or a concurrent one holds it.
func (d *Dispatcher) once(ctx context.Context, log *slog.Logger, eventKey, dest string,
	fn func(ctx context.Context) ([]byte, error), restore func(stored []byte)) Delivery {
	del := Delivery{Destination: dest}
	key := records.NewKey(eventKey, dest)
	claimed := false
	if d.Records != nil {
		c, err := d.claim(ctx, log, key)
		switch {
		case err != nil && c.Status == records.Busy:
			// Another attempt holds the delivery and did not finish while
			// we could wait: fail, so a later retry (or the failure queue)
			// still has the event if that attempt never completes.
			log.Warn("another attempt holds this delivery; failing so it is retried", "destination", dest)
			del.Outcome, del.Error, del.err = InProgressElsewhere, err.Error(), err
			return del
		case err != nil:
			// Never let the records stop a delivery: send, and say that a
			// duplicate is possible.
			log.Warn("delivery records unavailable; delivering anyway, duplicates are possible",
				"destination", dest, "error", err)
		case c.Status == records.Done:
			log.Info("already delivered by an earlier attempt; skipped", "destination", dest)
			if restore != nil && len(c.Result) > 0 {
				restore(c.Result)
			}
			del.Outcome = AlreadyDelivered
			return del
		default:
			claimed = true
		}
	}
	start := d.now()
	result, err := fn(ctx)
	if err != nil {
		kind := "retryable"
		if retry.IsPermanent(err) {
			kind = "permanent"
		}
		log.Error("delivery failed", "destination", dest, "failure", kind, "error", err,
			"elapsed_ms", d.now().Sub(start).Milliseconds())
		del.Outcome, del.Error, del.err = Failed, err.Error(), err
		if claimed {
			if rerr := d.Records.Release(context.WithoutCancel(ctx), key); rerr != nil {
				log.Warn("could not release delivery claim; a retry waits for the lease to expire",
					"destination", dest, "error", rerr)
			}
		}
		return del
	}
	log.Info("delivered", "destination", dest, "elapsed_ms", d.now().Sub(start).Milliseconds())
	del.Outcome = Delivered
	if claimed {
		if cerr := d.Records.Complete(context.WithoutCancel(ctx), key, result); cerr != nil {
			log.Warn("delivered but could not record it; a retry may send it again",
				"destination", dest, "error", cerr)
		}
	}
	return del
}

// claim claims key. When another attempt holds it (a concurrent duplicate
// delivery), claim waits for that attempt to finish — the record turns
// Done, or its lease expires and the claim is taken over — for as long as
// the context allows (at most BusyWait). If it is still held then, claim
// returns the Busy claim with an error.
func (d *Dispatcher) claim(ctx context.Context, log *slog.Logger, key records.Key) (records.Claim, error) {
	wait := d.BusyWait
	if wait <= 0 {
		wait = 30 * time.Second
	}
	// Real time, not d.Now: the wait is spent here, whatever clock the
	// records use.
	stop := time.Now().Add(wait)
	if dl, ok := ctx.Deadline(); ok && dl.Add(-time.Second).Before(stop) {
		stop = dl.Add(-time.Second)
	}
	pause := 50 * time.Millisecond
	for {
		c, err := d.Records.Claim(ctx, key, d.lease(ctx))
		if err != nil || c.Status != records.Busy {
			return c, err
		}
		if !time.Now().Add(pause).Before(stop) {
			return c, fmt.Errorf("%s: another attempt claimed this delivery and has not recorded its outcome (it is still sending, died, or could not save its record); retry later", key.Destination)
		}
		log.Debug("another attempt holds this delivery; waiting", "destination", key.Destination, "pause", pause.String())
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return c, fmt.Errorf("%s: another attempt claimed this delivery and has not recorded its outcome: %w", key.Destination, ctx.Err())
		case <-t.C:
		}
		pause = min(pause*2, time.Second)
	}
}

// lease is how long a claim holds: the invocation's remaining time plus a
// little, so that a Lambda retry (a minute or more later) of an attempt
// that died without releasing its claim can take it over.
func (d *Dispatcher) lease(ctx context.Context) time.Duration {
	if d.Lease > 0 {
		return d.Lease
	}
	if dl, ok := ctx.Deadline(); ok {
		return max(time.Until(dl), 0) + 5*time.Second
	}
	return 5 * time.Minute
}

// Summary is a one-line description of a report, for the CLI: each event
// with the outcome of each delivery.
func (r Report) Summary() string {
	var parts []string
	for _, e := range r.Events {
		var ds []string
		for _, d := range e.Deliveries {
			ds = append(ds, d.Destination+"="+string(d.Outcome))
		}
		if len(ds) == 0 {
			ds = append(ds, "nothing to do")
		}
		parts = append(parts, fmt.Sprintf("%s %s: %s", e.Event.Name, e.Event.DeploymentID, strings.Join(ds, ", ")))
	}
	return strings.Join(parts, "; ")
}
