// Package lambdafn is cutover's AWS Lambda entry point: it builds the
// system once at init and hands every invocation (SNS, EventBridge, SQS
// batches, follow-ups, lifecycle hooks) to the inbound router.
package lambdafn

import (
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
	"github.com/cutover-dev/cutover/internal/inbound"
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
	cfg, err := config.Load(getenv, app.Sources(), app.Destinations().Names())
	if err != nil {
		log.Error("init failed: invalid configuration", "error", err)
		return err
	}
	level.Set(cfg.LogLevel)
	sys, err := app.Build(ctx, cfg, app.Options{Log: log, Lambda: true, FunctionName: getenv("AWS_LAMBDA_FUNCTION_NAME")})
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
	// System is the assembled system; its Inbound router handles
	// invocations.
	System *app.System
	// Log is the function's logger.
	Log *slog.Logger
	// Margin is kept free before the invocation deadline so the handler can
	// return its own error rather than be timed out (default 500 ms).
	Margin time.Duration
}

// Invoke handles one Lambda event through the inbound router. An SQS
// batch (the follow-up queue, or a queue subscribed to the topic) returns
// its partial-batch failures: the records the queue must keep (see
// inbound.RecordReport.Keep); records not reached before the deadline are
// failures without being tried. An ECS lifecycle hook returns its answer
// (hookStatus), always. Anything else fails the invocation when a delivery
// failed (for a CodeDeploy hook also: its status could not be reported),
// so that Lambda retries
// and, finally, sends the event to the failure destination; input that can
// never be delivered is logged and dropped, and the invocation succeeds.
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
	p := h.System.Inbound.Classify(payload)
	rep, err := h.System.Inbound.Run(ctx, p)
	if rep.Response != nil {
		// The caller reads the answer (an ECS hook's status, a function
		// URL's HTTP response); the router decided it, error or not.
		return rep.Response, nil
	}
	if p.Kind != inbound.KindBatch {
		return nil, err
	}
	var resp events.SQSEventResponse
	for _, r := range rep.Records {
		if r.Keep() {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageID})
		}
	}
	return resp, nil
}

// String describes the handler for logs.
func (h *Handler) String() string {
	return fmt.Sprintf("cutover handler (%d destinations)", len(h.System.Dispatcher.Destinations))
}
