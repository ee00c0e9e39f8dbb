package inbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/source"
)

// FollowUpChecker checks one CloudFront follow-up;
// *cloudfront.Invalidator implements it.
type FollowUpChecker interface {
	Check(ctx context.Context, f cloudfront.FollowUp) (done bool, res action.Result, err error)
}

// Router classifies payloads and runs each kind.
type Router struct {
	// Registry decodes notifications (app.Sources in production).
	Registry *source.Registry
	// Delivery runs the decoded events and sends follow-up notices.
	Delivery *delivery.Dispatcher
	// FollowUps checks CloudFront follow-ups; nil when no distribution is
	// configured (a follow-up then fails permanently).
	FollowUps FollowUpChecker
	// Checks runs the checks of a lifecycle hook at the traffic switch;
	// nil when none are configured.
	Checks check.Runner
	// Interact handles Slack button clicks (function URL requests and
	// the self-invocations that act on them); nil when no slack-app
	// destination has a signing secret.
	Interact Interactions
	// Hooks configures lifecycle-hook mode.
	Hooks HookOptions
	// Log receives one line per dropped or failed part.
	Log *slog.Logger
}

// Report says what happened to one payload.
type Report struct {
	// Kind is what the payload was.
	Kind Kind `json:"kind"`
	// Events are the delivered events (KindNotification).
	Events []delivery.EventReport `json:"events,omitempty"`
	// Rejected are the parts that were dropped: no retry can help.
	Rejected []Rejection `json:"-"`
	// FollowUp is the follow-up checked (KindFollowUp).
	FollowUp *FollowUpReport `json:"followUp,omitempty"`
	// Hook says how a lifecycle hook was answered (KindHook).
	Hook *HookReport `json:"hook,omitempty"`
	// Records are the records of an SQS batch (KindBatch), in order.
	Records []RecordReport `json:"records,omitempty"`
	// Response is what the invocation answers, for payloads that need an
	// answer (an ECS lifecycle hook's hookStatus, a Lambda function URL
	// request's HTTP response); nil otherwise. The Lambda handler returns
	// it as the invocation's result.
	Response any `json:"response,omitempty"`
}

// FollowUpReport says what a follow-up check found.
type FollowUpReport struct {
	// Key identifies the invalidation in the delivery records.
	Key string `json:"key"`
	// Done is true once the invalidation completed or checking stopped
	// (and the team was told); false while the next check is queued.
	Done bool `json:"done"`
	// Result is the invalidation's state.
	Result action.Result `json:"result"`
}

// RecordReport says what happened to one record of an SQS batch.
type RecordReport struct {
	// MessageID is the SQS message ID.
	MessageID string `json:"messageId"`
	// Report is the record's own report.
	Report Report `json:"report"`
	// Err is the record's failure, if any.
	Err error `json:"-"`
}

// Keep reports whether the queue must keep the record (redeliver it, and in
// the end move it to its dead-letter queue for `cutover replay`): it
// failed, unless it is a follow-up that can never succeed. A notification
// that failed is kept whatever the cause, since a permanent failure (a
// revoked webhook) can be fixed and replayed; rejected input is dropped.
func (r RecordReport) Keep() bool {
	if r.Err == nil {
		return false
	}
	return r.Report.Kind != KindFollowUp || !retry.IsPermanent(r.Err)
}

// Classify classifies data with the router's registry.
func (r *Router) Classify(data []byte) Payload {
	return Classify(r.Registry, data)
}

func (r *Router) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// Handle classifies data and runs it. The error is non-nil when the
// payload (or, for a batch, any record) must be kept and retried: a
// delivery or follow-up failed (for a lifecycle hook also: its CodeDeploy
// status could not be reported; see Router.hook). Rejected parts
// are logged and are not an error. For a batch, each record's own outcome
// is in Report.Records (see RecordReport.Keep).
func (r *Router) Handle(ctx context.Context, data []byte) (Report, error) {
	return r.Run(ctx, r.Classify(data))
}

// Run runs a classified payload; see Handle.
func (r *Router) Run(ctx context.Context, p Payload) (Report, error) {
	return r.run(ctx, r.log(), p)
}

func (r *Router) run(ctx context.Context, log *slog.Logger, p Payload) (Report, error) {
	rep := Report{Kind: p.Kind, Rejected: p.Rejected}
	for _, rj := range p.Rejected {
		logRejection(log, rj)
	}
	switch p.Kind {
	case KindHTTP:
		rep.Response = r.serveHTTP(ctx, log, p.HTTP)
		return rep, nil
	case KindInteraction:
		// Never an error: the outcome is reported in Slack and logged,
		// and a retried invocation could only act twice or fail again.
		if r.Interact == nil {
			log.Error("slack action dropped: no slack-app destination is configured")
			return rep, nil
		}
		if err := r.Interact.Run(ctx, *p.Interaction); err != nil {
			log.Warn("slack action", "error", err)
		}
		return rep, nil
	case KindHook:
		return r.hook(ctx, log, p.Hook)
	case KindFollowUp:
		fr, err := r.followUp(ctx, log, *p.FollowUp)
		rep.FollowUp = &fr
		return rep, err
	case KindBatch:
		return r.batch(ctx, log, p, rep)
	}
	if len(p.Events) == 0 {
		return rep, nil
	}
	drep, err := r.Delivery.HandleEvents(ctx, p.Events)
	rep.Events = drep.Events
	return rep, err
}

// batch runs each record on its own. Records not reached before the
// context ends fail without being tried, so the queue redelivers them.
func (r *Router) batch(ctx context.Context, log *slog.Logger, p Payload, rep Report) (Report, error) {
	var errs []error
	for _, rec := range p.Records {
		rr := RecordReport{MessageID: rec.MessageID, Report: Report{Kind: rec.Payload.Kind}}
		if err := ctx.Err(); err != nil {
			rr.Err = fmt.Errorf("sqs message %s: not tried: %w", rec.MessageID, err)
			log.Error("queue message not tried before the deadline; the queue will redeliver it",
				"sqs_message_id", rec.MessageID, "error", rr.Err)
		} else {
			rlog := log.With("sqs_message_id", rec.MessageID)
			rr.Report, rr.Err = r.run(ctx, rlog, rec.Payload)
			switch {
			case rr.Err == nil:
			case rr.Keep():
				rlog.Error("queue message not delivered; the queue will redeliver it", "kind", string(rr.Report.Kind), "error", rr.Err)
			default:
				rlog.Error("queue message dropped: retrying cannot help", "kind", string(rr.Report.Kind), "error", rr.Err)
			}
		}
		if rr.Err != nil {
			errs = append(errs, rr.Err)
		}
		rep.Records = append(rep.Records, rr)
	}
	return rep, errors.Join(errs...)
}

// logRejection logs one dropped part, once.
func logRejection(log *slog.Logger, rj Rejection) {
	var de *source.DecodeError
	switch {
	case errors.As(rj.Err, &de):
		log.Error("input is not a deployment notification; dropped (retrying cannot help)",
			"sns_message_id", de.MessageID, "reason", de.Reason, "received", de.Snippet)
	case errors.Is(rj.Err, source.ErrSubscriptionConfirmation):
		log.Warn("SNS subscription confirmation received; nothing to deliver")
	default:
		log.Error("input dropped (retrying cannot help)", "message_id", rj.MessageID, "error", rj.Err)
	}
}

// followUp checks one invalidation follow-up, then notifies once. The
// orchestration lives here rather than in delivery (which delivers an
// event once per destination and knows no action) or in cloudfront (which
// owns the follow-up's decoding and check but sends no chat message).
//
// While the invalidation runs the next check is already queued and
// followUp returns nil; once it has completed, or the check cannot go on,
// a follow-up notice says so to every destination, once (delivery records
// keyed by the invalidation). A non-nil error means the message must be
// kept: the check or the notice failed.
func (r *Router) followUp(ctx context.Context, log *slog.Logger, fu cloudfront.FollowUp) (FollowUpReport, error) {
	rep := FollowUpReport{Key: fu.Key()}
	if r.FollowUps == nil {
		return rep, retry.Permanent(errors.New("follow-up: no CloudFront distributions are configured"))
	}
	done, res, err := r.FollowUps.Check(ctx, fu)
	rep.Done, rep.Result = done, res
	switch {
	case err != nil && !done:
		return rep, fmt.Errorf("follow-up %s: %w", fu.Key(), err)
	case !done:
		return rep, nil
	case err != nil:
		// The check cannot go on (gave up, access denied): tell the team
		// the invalidation did not complete, once, and drop the message
		// only when they have been told.
		log.Error("follow-up abandoned", "deployment_id", fu.Event.DeploymentID,
			"distribution", fu.DistributionID, "invalidation", fu.InvalidationID, "error", err)
		if res.Error == "" {
			res.Error = err.Error()
		}
		rep.Result = res
	}
	n := &message.Notice{Event: fu.Event, Actions: []action.Result{res}, FollowUp: true}
	n.Event.ID = fu.Key()
	if err := r.Delivery.Notify(ctx, n); err != nil {
		return rep, fmt.Errorf("follow-up %s: %w", fu.Key(), err)
	}
	return rep, nil
}

// Summary is a one-line description of a report, for the CLI.
func (rep Report) Summary() string {
	var parts []string
	switch rep.Kind {
	case KindHook:
		if rep.Hook != nil {
			parts = append(parts, rep.Hook.Summary())
		}
	case KindFollowUp:
		if rep.FollowUp != nil {
			parts = append(parts, "CloudFront follow-up checked")
		}
	case KindBatch:
		for _, rr := range rep.Records {
			s := rr.Report.Summary()
			if rr.Err != nil {
				s = "failed"
			}
			parts = append(parts, "sqs "+rr.MessageID+": "+s)
		}
	}
	if s := (delivery.Report{Events: rep.Events}).Summary(); s != "" {
		parts = append(parts, s)
	}
	if len(rep.Rejected) > 0 {
		parts = append(parts, fmt.Sprintf("%d rejected", len(rep.Rejected)))
	}
	return strings.Join(parts, "; ")
}

// Rejections lists every rejected part of the report, batch records
// included, in order.
func (rep Report) Rejections() []Rejection {
	out := append([]Rejection(nil), rep.Rejected...)
	for _, rr := range rep.Records {
		out = append(out, rr.Report.Rejections()...)
	}
	return out
}

// Accepted reports whether any part of the payload was something cutover
// acts on (an event, a follow-up, a lifecycle hook) rather than only
// rejected input.
func (rep Report) Accepted() bool {
	switch rep.Kind {
	case KindHook, KindFollowUp, KindHTTP, KindInteraction:
		return true
	}
	if len(rep.Events) > 0 {
		return true
	}
	for _, rr := range rep.Records {
		if rr.Report.Accepted() || (rr.Err != nil && rr.Report.Kind != KindUnknown) {
			return true
		}
	}
	return false
}

// EventReports lists the reports of every event, batch records included,
// in order.
func (rep Report) EventReports() []delivery.EventReport {
	out := append([]delivery.EventReport(nil), rep.Events...)
	for _, rr := range rep.Records {
		out = append(out, rr.Report.EventReports()...)
	}
	return out
}
