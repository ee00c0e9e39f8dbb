package retry

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestIsPermanent(t *testing.T) {
	base := errors.New("boom")
	perm := Permanent(base)
	cases := map[string]struct {
		err  error
		want bool
	}{
		"nil":                   {nil, false},
		"plain":                 {base, false},
		"permanent":             {perm, true},
		"wrapped permanent":     {fmt.Errorf("slack: %w", perm), true},
		"joined all perm":       {errors.Join(perm, Permanent(errors.New("x"))), true},
		"joined mixed":          {errors.Join(perm, base), false},
		"wrapped joined mix":    {fmt.Errorf("deliver: %w", errors.Join(base, perm)), false},
		"empty join":            {errors.Join(), false},
		"after is retryable":    {After(base, time.Second), false},
		"permanent of nil":      {Permanent(nil), false},
		"two %w, one retryable": {fmt.Errorf("%w %w", perm, base), false},
	}
	for name, c := range cases {
		if got := IsPermanent(c.err); got != c.want {
			t.Errorf("%s: IsPermanent = %v, want %v", name, got, c.want)
		}
	}
	if !errors.Is(perm, base) {
		t.Error("Permanent must keep the chain")
	}
}

func TestRetryAfter(t *testing.T) {
	err := fmt.Errorf("slack: %w", After(errors.New("429"), 3*time.Second))
	d, ok := RetryAfter(err)
	if !ok || d != 3*time.Second {
		t.Fatalf("RetryAfter = %v, %v", d, ok)
	}
	if _, ok := RetryAfter(errors.New("x")); ok {
		t.Error("plain error has no Retry-After")
	}
}

// sleeps records the waits Do asks for instead of sleeping.
type sleeps []time.Duration

func (s *sleeps) sleep(_ context.Context, d time.Duration) error { *s = append(*s, d); return nil }

func TestDoStopsOnSuccessAndPermanent(t *testing.T) {
	var waits sleeps
	calls := 0
	err := Do(context.Background(), Policy{Attempts: 5, Sleep: waits.sleep}, func(context.Context) error {
		calls++
		if calls < 3 {
			return errors.New("transient")
		}
		return nil
	})
	if err != nil || calls != 3 || len(waits) != 2 {
		t.Fatalf("err %v calls %d waits %v", err, calls, waits)
	}
	calls = 0
	err = Do(context.Background(), Policy{Sleep: waits.sleep}, func(context.Context) error {
		calls++
		return Permanent(errors.New("404"))
	})
	if calls != 1 || !IsPermanent(err) {
		t.Fatalf("permanent error retried: calls %d err %v", calls, err)
	}
}

func TestDoGivesUpAfterAttempts(t *testing.T) {
	var waits sleeps
	calls := 0
	err := Do(context.Background(), Policy{Attempts: 4, Base: 100 * time.Millisecond, Max: time.Second, Sleep: waits.sleep}, func(context.Context) error {
		calls++
		return errors.New("500")
	})
	if err == nil || calls != 4 || len(waits) != 3 {
		t.Fatalf("err %v calls %d waits %v", err, calls, waits)
	}
	for i, w := range waits {
		hi := min(100*time.Millisecond<<i, time.Second)
		if w < hi/2 || w > hi {
			t.Errorf("wait %d = %v, want within [%v, %v]", i, w, hi/2, hi)
		}
	}
}

func TestDoHonoursRetryAfter(t *testing.T) {
	var waits sleeps
	calls := 0
	err := Do(context.Background(), Policy{Base: time.Millisecond, Max: 10 * time.Second, Sleep: waits.sleep}, func(context.Context) error {
		calls++
		if calls == 1 {
			return After(errors.New("429"), 2*time.Second)
		}
		return nil
	})
	if err != nil || len(waits) != 1 || waits[0] != 2*time.Second {
		t.Fatalf("err %v waits %v", err, waits)
	}
	// A Retry-After longer than Max is handed back to the caller.
	calls = 0
	err = Do(context.Background(), Policy{Max: time.Second, Sleep: waits.sleep}, func(context.Context) error {
		calls++
		return After(errors.New("429"), time.Minute)
	})
	if calls != 1 || err == nil || IsPermanent(err) {
		t.Fatalf("long Retry-After: calls %d err %v", calls, err)
	}
}

func TestDoRespectsDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var waits sleeps
	calls := 0
	err := Do(ctx, Policy{Attempts: 10, Base: time.Second, Sleep: waits.sleep}, func(context.Context) error {
		calls++
		return errors.New("503")
	})
	// The first backoff (at least 500 ms) cannot fit before the deadline.
	if calls != 1 || len(waits) != 0 || err == nil {
		t.Fatalf("calls %d waits %v err %v", calls, waits, err)
	}
}
