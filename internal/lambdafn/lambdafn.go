// Package lambdafn is cutover's AWS Lambda entry point: it builds the
// dispatcher once at init and serves SNS, EventBridge and follow-up-queue
// invocations.
package lambdafn

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/retry"
)

// Start loads the configuration from getenv, builds the handler and serves
// invocations until the runtime stops the process. It returns an error only
// when init fails (bad configuration, unreadable secret).
func Start(ctx context.Context, getenv func(string) string) error {
	// JSON logs, at AWS_LAMBDA_LOG_LEVEL until the configuration (which
	// may set CUTOVER_LOG_LEVEL) is read.
	level := new(slog.LevelVar)
	if lvl, err := config.ParseLevel(getenv("AWS_LAMBDA_LOG_LEVEL")); err == nil {
		level.Set(lvl)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: level}))
	cfg, err := config.Load(getenv, app.Sources())
	if err != nil {
		log.Error("init failed: invalid configuration", "error", err)
		return err
	}
	level.Set(cfg.LogLevel)
	sys, err := app.Build(ctx, cfg, app.Options{Log: log, Lambda: true})
	if err != nil {
		log.Error("init failed", "error", err)
		return err
	}
	h := &Handler{System: sys, Log: log}
	lambda.StartWithOptions(h.Invoke, lambda.WithEnableSIGTERM(sys.Close))
	return nil
}

// Handler serves one invocation.
type Handler struct {
	// System is the assembled dispatcher and follow-up checker.
	System *app.System
	// Log is the function's logger.
	Log *slog.Logger
	// Margin is kept free before the invocation deadline so the handler can
	// return its own error rather than be timed out (default 500 ms).
	Margin time.Duration
}

// Invoke handles one Lambda event. SQS batches (the follow-up queue)
// return partial-batch failures; everything else goes through the
// dispatcher, and
// a failed delivery fails the invocation so Lambda retries and, finally,
// sends the event to the failure destination.
func (h *Handler) Invoke(ctx context.Context, payload json.RawMessage) (any, error) {
	margin := h.Margin
	if margin <= 0 {
		margin = 500 * time.Millisecond
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) > 2*margin {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-margin))
		defer cancel()
	}
	if recs, ok := sqsBatch(payload); ok {
		return h.sqs(ctx, recs), nil
	}
	_, err := h.System.Dispatcher.Handle(ctx, payload)
	return nil, err
}

type sqsRecord struct {
	MessageID   string `json:"messageId"`
	EventSource string `json:"eventSource"`
	Body        string `json:"body"`
}

// sqsBatch recognises an SQS batch (the follow-up queue, or a queue
// subscribed to the topic): records that all come from SQS.
func sqsBatch(payload []byte) ([]sqsRecord, bool) {
	if !bytes.Contains(payload, []byte(`"aws:sqs"`)) {
		return nil, false
	}
	var ev struct {
		Records []sqsRecord `json:"Records"`
	}
	if json.Unmarshal(payload, &ev) != nil || len(ev.Records) == 0 {
		return nil, false
	}
	for _, r := range ev.Records {
		if r.EventSource != "aws:sqs" {
			return nil, false
		}
	}
	return ev.Records, true
}

// sqs handles each record on its own: a CloudFront follow-up, or a
// notification (an SNS envelope or a bare event). A notification that
// failed is reported as a batch-item failure whatever the cause, so the
// queue redelivers it and, in the end, its redrive policy keeps it for
// `cutover replay` (input that is no notification at all is dropped by the
// dispatcher and is not a failure). A follow-up that can never succeed is
// dropped. Records not reached before the deadline are reported as
// failures without being tried.
func (h *Handler) sqs(ctx context.Context, recs []sqsRecord) events.SQSEventResponse {
	var resp events.SQSEventResponse
	for _, r := range recs {
		if ctx.Err() != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageID})
			continue
		}
		body := []byte(r.Body)
		if app.IsFollowUp(body) {
			err := h.System.FollowUp(ctx, body)
			switch {
			case err == nil:
			case retry.IsPermanent(err):
				h.Log.Error("follow-up dropped: retrying cannot help", "sqs_message_id", r.MessageID, "error", err)
			default:
				h.Log.Error("follow-up failed; the queue will redeliver it", "sqs_message_id", r.MessageID, "error", err)
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageID})
			}
			continue
		}
		if _, err := h.System.Dispatcher.Handle(ctx, body); err != nil {
			h.Log.Error("queue message not delivered; the queue will redeliver it", "sqs_message_id", r.MessageID, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageID})
		}
	}
	return resp
}

// String describes the handler for logs.
func (h *Handler) String() string {
	return fmt.Sprintf("cutover handler (%d destinations)", len(h.System.Dispatcher.Destinations))
}
