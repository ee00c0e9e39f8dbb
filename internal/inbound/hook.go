package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/hook"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/source"
)

// Hook is a lifecycle-hook invocation, as classified.
type Hook struct {
	// Platform is deploy.ECSNative or deploy.CodeDeployECS.
	Platform deploy.Platform
	// DeploymentID, ExecutionID and Stage (ECS) are the invocation's
	// identifiers as received, for logs, even when it cannot be read.
	DeploymentID, ExecutionID, Stage string
	// Invocation is the decoded invocation; nil when Err is set.
	Invocation *hook.Invocation
	// Err says why the invocation cannot be read.
	Err error
	// Raw is the invocation as received.
	Raw json.RawMessage
}

// HookOptions configure lifecycle-hook mode.
type HookOptions struct {
	// OnError is how a hook answers when cutover itself fails
	// (CUTOVER_HOOK_ON_ERROR; default hook.Continue).
	OnError hook.OnError
	// CodeDeploy looks up and answers CodeDeploy hooks; nil: CodeDeploy
	// hooks cannot be answered (their invocation fails).
	CodeDeploy hook.CodeDeployAPI
	// CodeDeployEvent is the CodeDeploy hook assumed when the lookup fails
	// (default AfterAllowTraffic).
	CodeDeployEvent string
	// Region is the function's region: CodeDeploy invokes hooks in its
	// own region.
	Region string
	// Reserve is kept free before the deadline for the answer (default
	// 5 s, less when the invocation has less than four times that).
	Reserve time.Duration
	// LookupTimeout bounds the CodeDeploy lookup (default 3 s).
	LookupTimeout time.Duration
	// CallBackDelay is the seconds an ECS hook asks to wait after
	// IN_PROGRESS (default 30).
	CallBackDelay int
	// Answers keeps each hook execution's answer; nil: the delivery
	// records (Delivery.Records). Without either, a duplicate invocation
	// may answer again.
	Answers records.Store
	// Keep, when set, keeps an ECS hook whose notifications could not all
	// be delivered where `cutover replay` finds it (app: the failure queue,
	// as a failure-destination record; see FailureRecord). ECS reads the
	// answer synchronously, so the invocation cannot fail for Lambda to
	// retry it. A CodeDeploy hook's invocation fails instead.
	Keep func(ctx context.Context, record []byte) error
	// MaxCallBacks bounds how many times an ECS hook answers IN_PROGRESS
	// because its checks did not finish in one invocation (default 3);
	// then the checks count as failed.
	MaxCallBacks int
}

func (o HookOptions) withDefaults() HookOptions {
	if o.OnError == "" {
		o.OnError = hook.Continue
	}
	if o.CodeDeployEvent == "" {
		o.CodeDeployEvent = hook.CodeDeployAfterAllowTraffic
	}
	if o.Reserve <= 0 {
		o.Reserve = 5 * time.Second
	}
	if o.LookupTimeout <= 0 {
		o.LookupTimeout = 3 * time.Second
	}
	if o.CallBackDelay <= 0 {
		o.CallBackDelay = 30
	}
	if o.MaxCallBacks <= 0 {
		o.MaxCallBacks = 3
	}
	return o
}

// HookReport says how a lifecycle hook was answered.
type HookReport struct {
	// Platform is deploy.ECSNative or deploy.CodeDeployECS.
	Platform deploy.Platform `json:"platform"`
	// DeploymentID and Execution identify the hook execution.
	DeploymentID string `json:"deploymentId,omitempty"`
	Execution    string `json:"execution,omitempty"`
	// Event is the event name the hook became, e.g.
	// POST_PRODUCTION_TRAFFIC_SHIFT or AfterAllowTraffic.
	Event string `json:"event,omitempty"`
	// Status is the answer.
	Status hook.Status `json:"status"`
	// Reported is true when this invocation called
	// PutLifecycleEventHookExecutionStatus (CodeDeploy).
	Reported bool `json:"reported,omitempty"`
	// Duplicate is true when an earlier invocation of the same execution
	// had answered (or was answering): its answer was reused.
	Duplicate bool `json:"duplicate,omitempty"`
	// Checks are the results of the checks run.
	Checks []check.Result `json:"checks,omitempty"`
	// Faults are cutover's own failures that CUTOVER_HOOK_ON_ERROR
	// decided about.
	Faults []string `json:"faults,omitempty"`
}

// Summary is one line for the CLI: the answer, and whether it was
// reported.
func (h *HookReport) Summary() string {
	s := fmt.Sprintf("lifecycle hook %s %s: %s", h.Platform, h.Event, h.Status)
	switch {
	case h.Platform == deploy.CodeDeployECS && h.Reported:
		s += " (reported " + h.Status.CodeDeploy() + " to CodeDeploy)"
	case h.Platform == deploy.CodeDeployECS && h.Duplicate:
		s += " (reported earlier)"
	case h.Platform == deploy.CodeDeployECS:
		s += " (not reported)"
	case h.Duplicate:
		s += " (answered earlier)"
	}
	if n := len(h.Faults); n > 0 {
		s += fmt.Sprintf("; %d fault(s)", n)
	}
	return s
}

// storedAnswer is what the records keep per hook execution.
type storedAnswer struct {
	Status   hook.Status       `json:"status"`
	Response *hook.ECSResponse `json:"response,omitempty"`
	// Checks are the results the answer was decided on, notified again
	// (once) by a duplicate invocation if their notice failed.
	Checks []check.Result `json:"checks,omitempty"`
}

// answerKey is the records key of a hook execution's answer.
func answerKey(inv *hook.Invocation) records.Key {
	return records.NewKey("hook:"+string(inv.Platform)+":"+inv.DeploymentID()+"/"+inv.Execution(), "hook-answer")
}

// hook runs a lifecycle hook: deliver its event (notifications,
// CloudFront), run the checks at the traffic switch and notify their
// results once, then answer: the ECS response (Report.Response), or
// PutLifecycleEventHookExecutionStatus exactly once per execution. The
// answer is claimed in the delivery records per execution, so a duplicate
// invocation delivers what is missing and answers the same (ECS) or not
// again (CodeDeploy). Failing checks answer FAILED; cutover's own faults
// answer as HookOptions.OnError says. The error is non-nil when a
// delivery failed (so the Lambda retry, and in the end the failure queue,
// keeps the notification) or the CodeDeploy status could not be reported.
func (r *Router) hook(ctx context.Context, log *slog.Logger, h *Hook) (Report, error) {
	opts := r.Hooks.withDefaults()
	hr := &HookReport{Platform: h.Platform, DeploymentID: h.DeploymentID, Execution: h.ExecutionID}
	rep := Report{Kind: KindHook, Hook: hr}
	log = log.With("hook_platform", string(h.Platform), "deployment_id", h.DeploymentID, "hook_execution", h.ExecutionID)

	// The work stops Reserve before the deadline; the answer has the rest.
	work, cancel := ctx, context.CancelFunc(func() {})
	if dl, ok := ctx.Deadline(); ok {
		reserve := min(opts.Reserve, time.Until(dl)/4)
		work, cancel = context.WithDeadline(ctx, dl.Add(-reserve))
	}
	defer cancel()

	if h.Err != nil {
		hr.Status = opts.OnError.Status()
		hr.Faults = append(hr.Faults, h.Err.Error())
		log.Error("lifecycle hook cannot be read; answering as the on-error policy says",
			"stage", h.Stage, "error", h.Err, "answer", string(hr.Status), "on_error", string(opts.OnError))
		if h.Platform == deploy.ECSNative {
			rep.Response = &hook.ECSResponse{HookStatus: hr.Status}
			return rep, nil
		}
		// Without readable IDs CodeDeploy cannot be answered: its hook
		// times out and fails the deployment.
		return rep, retry.Permanent(fmt.Errorf("lifecycle hook: cannot answer: %w", h.Err))
	}
	inv := h.Invocation

	var ev deploy.Event
	switch inv.Platform {
	case deploy.ECSNative:
		ev = inv.ECS.Event()
	default:
		name, l := opts.CodeDeployEvent, hook.Lifecycle{}
		if opts.CodeDeploy != nil {
			lctx, lcancel := context.WithTimeout(work, opts.LookupTimeout)
			var err error
			l, err = hook.Lookup(lctx, opts.CodeDeploy, inv.CodeDeploy.DeploymentID)
			lcancel()
			if err != nil {
				log.Warn("could not tell which CodeDeploy hook invoked the function; assuming "+opts.CodeDeployEvent,
					"error", err, "found", l.Event)
			}
		}
		if l.Event != "" {
			name = l.Event
		}
		ev = inv.CodeDeploy.Event(name, l, opts.Region)
	}
	hr.Event = ev.Name
	log = log.With("event", ev.Name)

	// Claim the answer of this execution.
	store := opts.Answers
	if store == nil && r.Delivery != nil {
		store = r.Delivery.Records
	}
	akey := answerKey(inv)
	claimed := false
	var faults []error
	if store != nil {
		c, err := store.Claim(work, akey, answerLease(ctx))
		switch {
		case err != nil:
			log.Warn("hook answer records unavailable: a duplicate invocation may answer again", "error", err)
			faults = append(faults, fmt.Errorf("hook answer records: %w", err))
		case c.Status == records.Done:
			return r.hookAgain(work, log, inv, ev, rep, c.Result)
		case c.Status == records.Busy:
			hr.Duplicate = true
			if inv.Platform == deploy.ECSNative {
				hr.Status = hook.InProgress
				rep.Response = &hook.ECSResponse{HookStatus: hook.InProgress, CallBackDelay: opts.CallBackDelay, HookDetails: inv.ECS.HookDetails}
				log.Info("another invocation is answering this hook execution; asking ECS to call again")
				return rep, nil
			}
			return rep, fmt.Errorf("lifecycle hook %s: another invocation is answering this execution; retry later", ev.DeploymentID)
		case c.Degraded:
			// The records are down (WithFallback granted the claim without
			// a record): a fault of cutover's, decided by OnError.
			log.Warn("hook answer records unavailable: a duplicate invocation may answer again")
			faults = append(faults, errors.New("hook answer records unavailable: a duplicate invocation may answer again"))
		default:
			claimed = c.Status == records.Acquired
		}
	}
	release := func() {
		if claimed {
			if err := store.Release(context.WithoutCancel(ctx), akey); err != nil {
				log.Warn("could not release the hook answer claim; a retry waits for its lease", "error", err)
			}
		}
	}

	var progress hook.Progress
	if inv.ECS != nil {
		progress = hook.ProgressOf(inv.ECS.HookDetails)
	}

	// 1. Deliver the event: notifications and CloudFront, once each.
	var deliveryErrs []error
	if r.Delivery != nil {
		drep, err := r.Delivery.HandleEvents(work, []deploy.Event{ev})
		rep.Events = drep.Events
		if err != nil {
			log.Error("hook event not fully delivered", "error", err)
			deliveryErrs = append(deliveryErrs, err)
			faults = append(faults, err)
		} else {
			progress.Delivered = true
		}
	}

	// 2. Checks, at the traffic switch.
	var creport check.Report
	if ev.TrafficSwitched() && r.Checks != nil {
		// The checks leave time to notify their results.
		cctx, ccancel := work, context.CancelFunc(func() {})
		if dl, ok := work.Deadline(); ok {
			cctx, ccancel = context.WithDeadline(work, dl.Add(-min(opts.Reserve, time.Until(dl)/4)))
		}
		res, finished, err := runChecks(cctx, r.Checks, &ev)
		ccancel()
		if err != nil {
			log.Error("checks failed to run", "error", err)
			faults = append(faults, err)
		}
		if !finished {
			if inv.Platform == deploy.ECSNative && progress.Attempts+1 < opts.MaxCallBacks {
				progress.Attempts++
				hr.Status = hook.InProgress
				rep.Response = &hook.ECSResponse{HookStatus: hook.InProgress, CallBackDelay: opts.CallBackDelay,
					HookDetails: hook.WithProgress(inv.ECS.HookDetails, progress)}
				log.Warn("checks did not finish in this invocation; asking ECS to call again", "attempt", progress.Attempts)
				release()
				return rep, errors.Join(deliveryErrs...)
			}
			res.Results = append(res.Results, check.Result{Name: "checks", Summary: "the checks did not finish in time",
				Error: "the checks did not finish before the hook's time ran out"})
		}
		creport = res
		hr.Checks = res.Results
	}

	// 3. Notify the check results once (their own identity: a duplicate
	// invocation does not notify again).
	if err := r.notifyChecks(work, ev, creport.Results); err != nil {
		log.Error("check results not fully delivered", "error", err)
		deliveryErrs = append(deliveryErrs, err)
		faults = append(faults, err)
	}

	// An ECS invocation always succeeds: keep what was not delivered for
	// replay (which delivers what is missing and does not answer again).
	if len(deliveryErrs) > 0 && inv.Platform == deploy.ECSNative && opts.Keep != nil {
		kctx, kcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if err := opts.Keep(kctx, FailureRecord(h.Raw, errors.Join(deliveryErrs...))); err != nil {
			log.Error("undelivered hook notification could not be kept for replay", "error", err)
		} else {
			log.Warn("undelivered hook notification kept in the failure queue for cutover replay")
		}
		kcancel()
	}

	// 4. Decide.
	hr.Status = hook.Succeeded
	switch {
	case creport.Failed():
		hr.Status = hook.Failed
	case len(faults) > 0:
		hr.Status = opts.OnError.Status()
	}
	for _, f := range faults {
		hr.Faults = append(hr.Faults, f.Error())
	}
	log = log.With("answer", string(hr.Status), "checks_failed", creport.Failed(), "faults", len(faults))

	// 5. Answer, with the reserve.
	stored := storedAnswer{Status: hr.Status, Checks: creport.Results}
	if inv.Platform == deploy.ECSNative {
		resp := &hook.ECSResponse{HookStatus: hr.Status}
		rep.Response, stored.Response = resp, resp
	} else {
		if opts.CodeDeploy == nil {
			release()
			return rep, retry.Permanent(errors.New("lifecycle hook: no CodeDeploy client to report the status with"))
		}
		if err := hook.Report(ctx, opts.CodeDeploy, inv.CodeDeploy, hr.Status.CodeDeploy()); err != nil {
			log.Error("CodeDeploy hook status not reported", "error", err)
			release()
			return rep, fmt.Errorf("lifecycle hook %s: %w", ev.DeploymentID, err)
		}
		hr.Reported = true
	}
	log.Info("lifecycle hook answered")
	if claimed {
		raw, _ := json.Marshal(stored)
		if err := store.Complete(context.WithoutCancel(ctx), akey, raw); err != nil {
			log.Warn("hook answered but the answer could not be recorded; a duplicate invocation may answer again", "error", err)
		}
	}
	return rep, errors.Join(deliveryErrs...)
}

// hookAgain handles a duplicate invocation of an execution already
// answered: it delivers what may still be missing and answers as before
// (ECS) or not at all (CodeDeploy: the status was reported).
func (r *Router) hookAgain(ctx context.Context, log *slog.Logger, inv *hook.Invocation, ev deploy.Event, rep Report, raw []byte) (Report, error) {
	hr := rep.Hook
	hr.Duplicate = true
	var stored storedAnswer
	if err := json.Unmarshal(raw, &stored); err != nil || stored.Status == "" {
		stored = storedAnswer{Status: hook.Succeeded}
	}
	hr.Status = stored.Status
	if inv.Platform == deploy.ECSNative {
		resp := stored.Response
		if resp == nil {
			resp = &hook.ECSResponse{HookStatus: stored.Status}
		}
		rep.Response = resp
	}
	log.Info("hook execution answered earlier; delivering what is missing and answering the same", "answer", string(stored.Status))
	hr.Checks = stored.Checks
	if r.Delivery == nil {
		return rep, nil
	}
	d, err := r.Delivery.HandleEvents(ctx, []deploy.Event{ev})
	rep.Events = d.Events
	return rep, errors.Join(err, r.notifyChecks(ctx, ev, stored.Checks))
}

// notifyChecks notifies the check results of ev once: the notice has its
// own identity (the execution with "#checks"), so a duplicate invocation
// sends only what is missing.
func (r *Router) notifyChecks(ctx context.Context, ev deploy.Event, results []check.Result) error {
	if len(results) == 0 || r.Delivery == nil {
		return nil
	}
	n := &message.Notice{Event: ev, Checks: results}
	n.Event.Execution = ev.Execution + "#checks"
	n.Event.ID = ev.ID + "#checks"
	return r.Delivery.Notify(ctx, n)
}

// answerLease is how long the answer claim holds: the invocation's
// remaining time and a little, so a retry of an invocation that died can
// take it over.
func answerLease(ctx context.Context) time.Duration {
	if dl, ok := ctx.Deadline(); ok {
		return max(time.Until(dl), 0) + 5*time.Second
	}
	return 15 * time.Minute
}

// checkGrace is how long before the work deadline the checks' own
// deadline falls, so a Runner that honours it returns in time.
const checkGrace = 500 * time.Millisecond

// runChecks runs the checks, recovering a panic: logged as a fault of
// cutover's (the error), and reported as a failed check that could not
// run (crashed), so the message says so and the hook answers as for a
// failing check. finished is false when the Runner did not return
// before ctx ended: its results are then unknown.
func runChecks(ctx context.Context, runner check.Runner, ev *deploy.Event) (rep check.Report, finished bool, err error) {
	cctx, cancel := ctx, context.CancelFunc(func() {})
	if dl, ok := ctx.Deadline(); ok {
		cctx, cancel = context.WithDeadline(ctx, dl.Add(-min(checkGrace, time.Until(dl)/4)))
	}
	type outcome struct {
		rep check.Report
		err error
	}
	done := make(chan outcome, 1)
	e := *ev
	go func() {
		defer cancel()
		defer func() {
			if p := recover(); p != nil {
				done <- outcome{rep: crashed(p), err: fmt.Errorf("checks: panic: %v", p)}
			}
		}()
		done <- outcome{rep: runner.Run(cctx, &e)}
	}()
	select {
	case o := <-done:
		return o.rep, true, o.err
	case <-ctx.Done():
		return check.Report{}, false, nil
	}
}

// crashed is the report of checks whose Runner panicked: one failed
// Result that says the checks could not run.
func crashed(p any) check.Report {
	msg := "the checks could not run (panic: " + source.Snippet([]byte(fmt.Sprint(p)), 100) + ")"
	return check.Report{Results: []check.Result{{Name: "checks", Summary: msg, Error: msg}}}
}

// Event is the hook's event without any lookup (render): the ECS stage,
// or codeDeployEvent for a CodeDeploy hook (AfterAllowTraffic when
// empty). The error says why the invocation cannot be read.
func (h *Hook) Event(codeDeployEvent string) (deploy.Event, error) {
	if h.Err != nil {
		return deploy.Event{}, h.Err
	}
	if h.Invocation.ECS != nil {
		return h.Invocation.ECS.Event(), nil
	}
	if codeDeployEvent == "" {
		codeDeployEvent = hook.CodeDeployAfterAllowTraffic
	}
	return h.Invocation.CodeDeploy.Event(codeDeployEvent, hook.Lifecycle{}, ""), nil
}

// maxRecordError bounds the error a failure record carries.
const maxRecordError = 1000

// FailureRecord wraps a hook invocation the way Lambda's on-failure
// destination wraps a failed asynchronous invocation, so that `cutover
// replay` (and Classify) reads it as that hook: requestPayload is the
// invocation, responsePayload names the error (bounded; errors never
// carry secrets).
func FailureRecord(payload []byte, cause error) []byte {
	msg := ""
	if cause != nil {
		msg = source.Snippet([]byte(cause.Error()), maxRecordError)
	}
	raw := json.RawMessage(payload)
	if !json.Valid(raw) {
		raw, _ = json.Marshal(string(payload))
	}
	rec, _ := json.Marshal(map[string]any{
		"version":         "1.0",
		"requestContext":  map[string]any{"condition": "CutoverHookUndelivered", "approximateInvokeCount": 1},
		"requestPayload":  raw,
		"responseContext": map[string]any{"statusCode": 200},
		"responsePayload": map[string]any{"errorType": "HookUndelivered", "errorMessage": msg},
	})
	return rec
}
