// Package retry decides whether a failure is worth another attempt and runs
// attempts with capped, jittered exponential backoff inside the caller's
// deadline.
//
// An error is retryable unless it is marked permanent with Permanent (or
// implements Permanent() bool returning true). A retryable error may ask for
// a minimum wait with After, as an HTTP 429 Retry-After does.
package retry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// permanentError marks an error that no retry can fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() error   { return e.err }
func (e *permanentError) Permanent() bool { return true }

// Permanent marks err as not worth retrying. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err is permanent: an error in its chain says
// so (Permanent() true). A joined error (errors.Join) is permanent only
// when every error it joins is: one retryable part makes the whole worth
// retrying.
func IsPermanent(err error) bool {
	switch x := err.(type) {
	case nil:
		return false
	case interface{ Permanent() bool }:
		return x.Permanent()
	case interface{ Unwrap() []error }:
		errs := x.Unwrap()
		for _, e := range errs {
			if !IsPermanent(e) {
				return false
			}
		}
		return len(errs) > 0
	case interface{ Unwrap() error }:
		return IsPermanent(x.Unwrap())
	}
	return false
}

// afterError asks for a minimum wait before the next attempt.
type afterError struct {
	err   error
	after time.Duration
}

func (e *afterError) Error() string { return e.err.Error() }
func (e *afterError) Unwrap() error { return e.err }

// After marks err as retryable no sooner than d from now.
func After(err error, d time.Duration) error {
	if err == nil {
		return nil
	}
	return &afterError{err: err, after: d}
}

// RetryAfter returns the wait an error asked for with After, if any.
func RetryAfter(err error) (time.Duration, bool) {
	var a *afterError
	if errors.As(err, &a) {
		return a.after, true
	}
	return 0, false
}

// Policy bounds the attempts.
type Policy struct {
	// Attempts is the most attempts made, including the first (default 5).
	Attempts int
	// Base is the first backoff (default 200ms); each retry doubles it.
	Base time.Duration
	// Max caps one backoff, and a Retry-After honoured (default 10s).
	Max time.Duration
	// Reserve is kept free before the context's deadline: no attempt starts
	// when less than Reserve plus the wait would remain (default 0).
	Reserve time.Duration
	// Sleep waits; tests may replace it. Default: a timer that stops on ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnRetry, when set, is told about each failed attempt that will be retried.
	OnRetry func(attempt int, err error, wait time.Duration)
}

func (p Policy) withDefaults() Policy {
	if p.Attempts <= 0 {
		p.Attempts = 5
	}
	if p.Base <= 0 {
		p.Base = 200 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = 10 * time.Second
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	return p
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff is the wait before retry number attempt (1-based) under p, with
// full jitter over the upper half: between half and all of Base·2^(attempt-1),
// capped at Max.
func (p Policy) Backoff(attempt int) time.Duration {
	p = p.withDefaults()
	d := p.Base
	for i := 1; i < attempt && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	half := d / 2
	return half + rand.N(half+1)
}

// Do calls fn until it succeeds, returns a permanent error, the attempts run
// out, or the next wait would pass the context's deadline. It returns fn's
// last error (or the context's error if the context ended first).
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	p = p.withDefaults()
	var err error
	for attempt := 1; ; attempt++ {
		err = fn(ctx)
		if err == nil || IsPermanent(err) || attempt >= p.Attempts {
			return err
		}
		if ctx.Err() != nil {
			return err
		}
		wait := p.Backoff(attempt)
		if ra, ok := RetryAfter(err); ok {
			wait = max(wait, min(ra, p.Max))
			if ra > p.Max {
				// The server asks for longer than we may wait here: give the
				// retry to the caller (e.g. Lambda's own retries).
				return err
			}
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+p.Reserve {
			return err
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, err, wait)
		}
		if serr := p.Sleep(ctx, wait); serr != nil {
			return err
		}
	}
}
