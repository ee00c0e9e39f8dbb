package records

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// Log messages of WithFallback, one per failed call.
const (
	msgClaimFailed    = "delivery records unavailable: duplicates are possible"
	msgCompleteFailed = "delivery record not saved: a redelivery may send again"
	msgReleaseFailed  = "delivery claim not released: a retry may wait for the lease"
)

// resilient is the Store WithFallback returns.
type resilient struct {
	s       Store
	log     *slog.Logger
	timeout time.Duration
}

// WithFallback wraps s so that a failing store never stops a notification.
// When s fails, Claim logs a warning "delivery records unavailable:
// duplicates are possible" and answers Acquired with [Claim.Degraded] set;
// Complete and Release log a warning and return nil. Each failed call logs
// exactly once, with the key, the error and whether the store was
// unavailable ([ErrUnavailable], or the call timed out) rather than
// misconfigured.
//
// Each call to s is bounded by [WithCallTimeout] (default 5s). Complete and
// Release run even when ctx is already cancelled (still bounded by the
// timeout): the delivery happened, or failed because ctx ran out, and
// recording that is what lets a redelivery or retry do the right thing.
// A nil log discards the warnings.
func WithFallback(s Store, log *slog.Logger, opts ...Option) Store {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := newConfig(opts)
	return &resilient{s: s, log: log, timeout: c.callTimeout}
}

// Claim implements [Store.Claim].
func (r *resilient) Claim(ctx context.Context, k Key, lease time.Duration) (Claim, error) {
	cctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	c, err := r.s.Claim(cctx, k, lease)
	if err != nil {
		r.warn(ctx, msgClaimFailed, k, err)
		return Claim{Status: Acquired, Degraded: true}, nil
	}
	return c, nil
}

// Complete implements [Store.Complete].
func (r *resilient) Complete(ctx context.Context, k Key, result []byte) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()
	if err := r.s.Complete(cctx, k, result); err != nil {
		r.warn(ctx, msgCompleteFailed, k, err)
	}
	return nil
}

// Release implements [Store.Release].
func (r *resilient) Release(ctx context.Context, k Key) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()
	if err := r.s.Release(cctx, k); err != nil {
		r.warn(ctx, msgReleaseFailed, k, err)
	}
	return nil
}

func (r *resilient) warn(ctx context.Context, msg string, k Key, err error) {
	r.log.LogAttrs(context.WithoutCancel(ctx), slog.LevelWarn, msg,
		slog.String("event_id", k.EventID),
		slog.String("destination", k.Destination),
		slog.Bool("unavailable", errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)),
		slog.Any("err", err),
	)
}
