package interact

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Deferred is the payload of the Lambda self-invocation: the original
// click, verified again when it runs.
type Deferred struct {
	// SlackAction is the click as it arrived.
	SlackAction *Request `json:"cutoverSlackAction"`
}

// DecodeDeferred reads a self-invocation payload; ok is false when data
// is not one.
func DecodeDeferred(data []byte) (Request, bool) {
	if len(data) > 2*MaxBody {
		return Request{}, false
	}
	var d Deferred
	if json.Unmarshal(data, &d) != nil || d.SlackAction == nil {
		return Request{}, false
	}
	return *d.SlackAction, true
}

// LambdaAPI is the part of the Lambda client self-invocation uses.
type LambdaAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// LambdaInvoker defers a click to an asynchronous invocation of the
// function itself (InvocationType Event), as Slack's Bolt does on Lambda.
type LambdaInvoker struct {
	// Client invokes the function.
	Client LambdaAPI
	// FunctionName is the function's own name (AWS_LAMBDA_FUNCTION_NAME).
	FunctionName string
}

// Defer invokes the function with the Deferred payload of req.
func (l LambdaInvoker) Defer(ctx context.Context, req Request) error {
	if l.FunctionName == "" {
		return errors.New("self-invoke: no function name (AWS_LAMBDA_FUNCTION_NAME)")
	}
	payload, err := json.Marshal(Deferred{SlackAction: &req})
	if err != nil {
		return fmt.Errorf("self-invoke: %w", err)
	}
	_, err = l.Client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(l.FunctionName),
		InvocationType: lambdatypes.InvocationTypeEvent, Payload: payload})
	if err != nil {
		return fmt.Errorf("self-invoke: %w", err)
	}
	return nil
}

// DefaultBackground bounds the clicks `serve` works on at once.
const DefaultBackground = 8

// Background runs deferred clicks in goroutines of this process, at most
// Limit at once (more are refused, so the answer says so), each within
// Timeout. Wait waits for those running.
type Background struct {
	// Run is the work (Handler.Run).
	Run func(ctx context.Context, req Request) error
	// Limit bounds the goroutines (default DefaultBackground).
	Limit int
	// Timeout bounds one click's work (default 1 minute).
	Timeout time.Duration
	// Log receives failures.
	Log *slog.Logger

	once sync.Once
	sem  chan struct{}
	wg   sync.WaitGroup
}

// ErrBusy is returned by Background.Defer when Limit clicks are running.
var ErrBusy = errors.New("too many button clicks being handled at once")

// Defer starts req's work in a goroutine not tied to ctx's cancellation.
func (b *Background) Defer(ctx context.Context, req Request) error {
	b.once.Do(func() {
		n := b.Limit
		if n <= 0 {
			n = DefaultBackground
		}
		b.sem = make(chan struct{}, n)
	})
	select {
	case b.sem <- struct{}{}:
	default:
		return ErrBusy
	}
	timeout := b.Timeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer func() { <-b.sem }()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		if err := b.Run(ctx, req); err != nil && b.Log != nil {
			b.Log.Warn("slack action", "error", err)
		}
	}()
	return nil
}

// Wait waits for the running clicks.
func (b *Background) Wait() { b.wg.Wait() }
