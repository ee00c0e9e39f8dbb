package records

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Log messages of WithFallback, one per failed call.
const (
	msgClaimFailed    = "delivery records unavailable: duplicates are possible"
	msgClaimSlow      = "delivery records too slow: sending without a claim; a copy of this event delivered at the same time or retried later may be sent twice"
	msgCompleteFailed = "delivered, but the delivery record could not be saved: a copy of the event arriving before the claim's lease ends waits for it and fails, and one arriving after it sends again"
	msgReleaseFailed  = "delivery claim not released: a retry may wait for the lease"
	// msgCompleteNoClaim is msgCompleteFailed after a Claim that the store
	// never made (Degraded): no lease holds back the next copy.
	msgCompleteNoClaim = "delivered without a claim, and the delivery record could not be saved: a copy of this event may be sent again"
)

// resilient is the Store WithFallback returns.
type resilient struct {
	s       Store
	log     *slog.Logger
	timeout time.Duration
	// unclaimed holds the keys whose Claim answered Degraded: the store
	// holds no claim of ours for them, until Complete or Release.
	unclaimed sync.Map // Key → struct{}
}

// WithFallback wraps s so that a failing store never stops a notification.
// When s fails, Claim logs a warning "delivery records unavailable:
// duplicates are possible" and answers Acquired with [Claim.Degraded] set;
// Complete and Release log a warning and return nil. Each failed call logs
// exactly once, with the key, the error and whether the store was
// unavailable ([ErrUnavailable], or the call timed out) rather than
// misconfigured.
//
// Claim is bounded by [ClaimTimeout] (or the call timeout when shorter):
// a claim that takes longer logs "delivery records too slow: sending
// without a claim…" with the time waited and answers Acquired, Degraded.
// Each other call to s is bounded by [WithCallTimeout] (default 5s). Complete and
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

// ClaimTimeout bounds how long [WithFallback]'s Claim waits for the store
// before the notification is sent without a claim. A DynamoDB conditional
// PutItem answers in milliseconds in its region, and the SDK's own retry
// of a throttled or failed call fits in a few hundred; a claim still
// pending after a second means the store is in trouble, and a deployment
// notification that waits for it loses what it is for (acting inside the
// rollback window). One second keeps the send prompt while leaving a
// slow-but-working store room to answer, so that deduplication stays on
// in all but a real outage; when it does not answer, the warning says so.
const ClaimTimeout = time.Second

// Claim implements [Store.Claim].
func (r *resilient) Claim(ctx context.Context, k Key, lease time.Duration) (Claim, error) {
	bound := min(ClaimTimeout, r.timeout)
	cctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	c, err := r.s.Claim(cctx, k, lease)
	if err != nil {
		if ctx.Err() == nil && cctx.Err() != nil {
			// The store, not the caller, ran out of time.
			r.log.LogAttrs(context.WithoutCancel(ctx), slog.LevelWarn, msgClaimSlow,
				slog.String("event_id", k.EventID),
				slog.String("destination", k.Destination),
				slog.Bool("unavailable", true),
				slog.Duration("waited", bound),
				slog.Any("err", err),
			)
		} else {
			r.warn(ctx, msgClaimFailed, k, err)
		}
		r.unclaimed.Store(k, struct{}{})
		return Claim{Status: Acquired, Degraded: true}, nil
	}
	return c, nil
}

// completeAttempts bounds how often Complete tries a store that is
// unavailable: the delivery already happened, and until the record says so
// every copy of the event waits for the claim's lease and then sends again.
const completeAttempts = 3

// Complete implements [Store.Complete]. A store that is unavailable
// (ErrUnavailable, a timeout) is tried again, up to completeAttempts times
// within the call timeout, so that a passing fault does not leave a live
// claim behind a delivery that happened.
func (r *resilient) Complete(ctx context.Context, k Key, result []byte) error {
	_, noClaim := r.unclaimed.LoadAndDelete(k)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.timeout)
	defer cancel()
	pause := 100 * time.Millisecond
	var err error
	for attempt := 1; ; attempt++ {
		if err = r.s.Complete(cctx, k, result); err == nil {
			return nil
		}
		unavailable := errors.Is(err, ErrUnavailable) || errors.Is(err, context.DeadlineExceeded)
		if !unavailable || attempt == completeAttempts || cctx.Err() != nil {
			break
		}
		t := time.NewTimer(pause)
		select {
		case <-cctx.Done():
		case <-t.C:
		}
		t.Stop()
		pause *= 3
	}
	msg := msgCompleteFailed
	if noClaim {
		msg = msgCompleteNoClaim
	}
	r.warn(ctx, msg, k, err)
	return nil
}

// Release implements [Store.Release]. After a Degraded claim there is no
// claim of ours in the store: nothing to release, and no call to a store
// that just failed.
func (r *resilient) Release(ctx context.Context, k Key) error {
	if _, noClaim := r.unclaimed.LoadAndDelete(k); noClaim {
		return nil
	}
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
