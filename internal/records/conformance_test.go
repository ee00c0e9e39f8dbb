package records

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a clock the tests move by hand. It starts at the real time
// so that records look current to a server that checks them.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newStoresFunc returns two claimants over the same fresh, empty records
// (as two processes would be) that read the time from now and keep records
// for ttl.
type newStoresFunc func(t *testing.T, now func() time.Time, ttl time.Duration) (a, b Store)

const (
	testTTL   = time.Hour
	testLease = time.Minute
)

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustClaim(t *testing.T, s Store, k Key, lease time.Duration, want Status) Claim {
	t.Helper()
	c, err := s.Claim(testCtx(t), k, lease)
	if err != nil {
		t.Fatalf("Claim(%v): %v", k, err)
	}
	if c.Status != want {
		t.Fatalf("Claim(%v) = %v, want %v", k, c.Status, want)
	}
	if c.Degraded {
		t.Fatalf("Claim(%v) is Degraded from a working store", k)
	}
	return c
}

func mustComplete(t *testing.T, s Store, k Key, result []byte) {
	t.Helper()
	if err := s.Complete(testCtx(t), k, result); err != nil {
		t.Fatalf("Complete(%v): %v", k, err)
	}
}

func mustRelease(t *testing.T, s Store, k Key) {
	t.Helper()
	if err := s.Release(testCtx(t), k); err != nil {
		t.Fatalf("Release(%v): %v", k, err)
	}
}

// runConformance checks the Store contract against stores from newStores.
// The error cases (invalid keys and leases, a cancelled context) are run
// only when errorsSurface is true: WithFallback swallows errors by design,
// so they do not apply to it.
func runConformance(t *testing.T, newStores newStoresFunc, errorsSurface bool) {
	k := Key{EventID: "6b2f2a8e-0d7c-5c53-9f7e-1a2b3c4d5e6f", Destination: "slack"}
	fresh := func(t *testing.T) (a, b Store, clock *fakeClock) {
		clock = newFakeClock()
		a, b = newStores(t, clock.Now, testTTL)
		return a, b, clock
	}

	t.Run("Receipts", func(t *testing.T) {
		a, b, clock := fresh(t)
		ra, okA := a.(ReceiptStore)
		rb, okB := b.(ReceiptStore)
		if !okA || !okB {
			if errorsSurface {
				t.Fatalf("%T does not keep receipts", a)
			}
			return // WithFallback wraps delivery records only; ReceiptsWithFallback wraps receipts.
		}
		dk := DeploymentKey("d-7XQ2K9ABC", "slack-app")
		if got, err := ra.Receipt(testCtx(t), dk); err != nil || got != nil {
			t.Fatalf("Receipt of nothing = %q, %v; want nil, nil", got, err)
		}
		first, second := []byte(`{"channel":"C1","ts":"1732600000.000100"}`), []byte(`{"channel":"C1","ts":"1732600099.000200"}`)
		if err := ra.PutReceipt(testCtx(t), dk, first); err != nil {
			t.Fatal(err)
		}
		if got, err := rb.Receipt(testCtx(t), dk); err != nil || !bytes.Equal(got, first) {
			t.Fatalf("other claimant reads %q, %v; want %q", got, err, first)
		}
		if err := rb.PutReceipt(testCtx(t), dk, second); err != nil {
			t.Fatal(err)
		}
		if got, _ := ra.Receipt(testCtx(t), dk); !bytes.Equal(got, second) {
			t.Fatalf("receipt not replaced: %q", got)
		}
		// A receipt never answers a delivery claim, nor a claim a receipt.
		mustClaim(t, a, Key{EventID: dk.EventID, Destination: dk.Destination}, testLease, Acquired)
		if got, _ := ra.Receipt(testCtx(t), DeploymentKey("d-OTHER", "slack-app")); got != nil {
			t.Fatalf("receipt of another deployment: %q", got)
		}
		clock.Advance(testTTL + time.Hour)
		if got, err := ra.Receipt(testCtx(t), dk); err != nil || got != nil {
			t.Fatalf("expired receipt = %q, %v; want nil", got, err)
		}
	})

	t.Run("ClaimCompleteThenDone", func(t *testing.T) {
		a, b, _ := fresh(t)
		mustClaim(t, a, k, testLease, Acquired)
		result := []byte("ts=1732600000.000100\x00\xff")
		mustComplete(t, a, k, result)
		for name, s := range map[string]Store{"same claimant": a, "other claimant": b} {
			c := mustClaim(t, s, k, testLease, Done)
			if !bytes.Equal(c.Result, result) {
				t.Errorf("%s: Result = %q, want %q", name, c.Result, result)
			}
		}
	})

	t.Run("EmptyResult", func(t *testing.T) {
		a, _, _ := fresh(t)
		mustClaim(t, a, k, testLease, Acquired)
		mustComplete(t, a, k, []byte{})
		if c := mustClaim(t, a, k, testLease, Done); c.Result != nil {
			t.Errorf("Result = %q, want nil", c.Result)
		}
	})

	t.Run("ClaimReleaseThenAcquired", func(t *testing.T) {
		a, b, _ := fresh(t)
		mustClaim(t, a, k, testLease, Acquired)
		mustRelease(t, a, k)
		mustClaim(t, b, k, testLease, Acquired)
		mustRelease(t, b, k)
		mustClaim(t, a, k, testLease, Acquired)
	})

	t.Run("BusyWhileLeased", func(t *testing.T) {
		a, b, _ := fresh(t)
		mustClaim(t, a, k, testLease, Acquired)
		mustClaim(t, b, k, testLease, Busy)
		// A second goroutine of the same claimant is a duplicate too.
		mustClaim(t, a, k, testLease, Busy)
	})

	t.Run("KeysAreIndependent", func(t *testing.T) {
		a, _, _ := fresh(t)
		keys := []Key{
			{EventID: "e1", Destination: "slack"},
			{EventID: "e1", Destination: "cloudfront:E123"},
			{EventID: "e2", Destination: "slack"},
			// Same concatenation, different split.
			{EventID: "a/b", Destination: "c"},
			{EventID: "a", Destination: "b/c"},
		}
		for _, k := range keys {
			mustClaim(t, a, k, testLease, Acquired)
		}
		mustComplete(t, a, keys[0], []byte("first"))
		c := mustClaim(t, a, keys[0], testLease, Done)
		if string(c.Result) != "first" {
			t.Errorf("Result = %q, want %q", c.Result, "first")
		}
		for _, k := range keys[1:] {
			mustClaim(t, a, k, testLease, Busy)
		}
	})

	t.Run("ConcurrentClaimsOneWins", func(t *testing.T) {
		a, b, _ := fresh(t)
		const n = 50
		var (
			wg     sync.WaitGroup
			start  = make(chan struct{})
			counts = make(map[Status]int)
			errs   []error
			mu     sync.Mutex
		)
		for i := range n {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Go(func() {
				<-start
				c, err := s.Claim(testCtx(t), k, testLease)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, err)
					return
				}
				counts[c.Status]++
			})
		}
		close(start)
		wg.Wait()
		if len(errs) > 0 {
			t.Fatalf("%d Claims failed, first: %v", len(errs), errs[0])
		}
		if counts[Acquired] != 1 || counts[Busy] != n-1 {
			t.Fatalf("%d concurrent Claims gave %v, want exactly 1 acquired and %d busy", n, counts, n-1)
		}
	})

	t.Run("ExpiredLeaseTakeover", func(t *testing.T) {
		a, b, clock := fresh(t)
		lease := 2 * time.Second
		mustClaim(t, a, k, lease, Acquired)
		clock.Advance(lease / 2)
		mustClaim(t, b, k, lease, Busy)
		clock.Advance(lease)
		// a crashed (as far as b can tell): b takes over.
		mustClaim(t, b, k, lease, Acquired)
		// a wakes up and gives up: that must not drop b's claim.
		mustRelease(t, a, k)
		mustClaim(t, a, k, lease, Busy)
		mustComplete(t, b, k, []byte("b"))
		if c := mustClaim(t, a, k, lease, Done); string(c.Result) != "b" {
			t.Errorf("Result = %q, want %q", c.Result, "b")
		}
	})

	t.Run("ExpiredLeaseTakeoverRealClock", func(t *testing.T) {
		a, b := newStores(t, time.Now, testTTL)
		lease := 20 * time.Millisecond
		mustClaim(t, a, k, lease, Acquired)
		time.Sleep(3 * lease)
		mustClaim(t, b, k, time.Minute, Acquired)
		mustRelease(t, a, k)
		mustClaim(t, a, k, time.Minute, Busy)
	})

	t.Run("StaleOwnerCompleteRecords", func(t *testing.T) {
		a, b, clock := fresh(t)
		mustClaim(t, a, k, time.Second, Acquired)
		clock.Advance(2 * time.Second)
		mustClaim(t, b, k, time.Second, Acquired)
		// a did deliver after all: that is recorded.
		mustComplete(t, a, k, []byte("a"))
		mustRelease(t, b, k) // b failed: its Release must not undo Done.
		if c := mustClaim(t, b, k, time.Second, Done); string(c.Result) != "a" {
			t.Errorf("Result = %q, want %q", c.Result, "a")
		}
	})

	t.Run("ReleaseByNonOwner", func(t *testing.T) {
		a, b, _ := fresh(t)
		mustClaim(t, a, k, testLease, Acquired)
		mustRelease(t, b, k) // b never claimed k
		mustClaim(t, b, k, testLease, Busy)
		mustRelease(t, b, k) // b was told Busy: still not its claim
		mustClaim(t, b, k, testLease, Busy)
		mustRelease(t, a, k)
		mustClaim(t, b, k, testLease, Acquired)
	})

	t.Run("ReleaseAfterCompleteKeepsDone", func(t *testing.T) {
		a, _, _ := fresh(t)
		mustClaim(t, a, k, testLease, Acquired)
		mustComplete(t, a, k, []byte("r"))
		mustRelease(t, a, k)
		mustClaim(t, a, k, testLease, Done)
	})

	t.Run("ReleaseWithoutClaim", func(t *testing.T) {
		a, _, _ := fresh(t)
		mustRelease(t, a, k)
		mustClaim(t, a, k, testLease, Acquired)
	})

	t.Run("CompleteWithoutClaim", func(t *testing.T) {
		a, b, _ := fresh(t)
		mustComplete(t, a, k, []byte("r"))
		mustClaim(t, b, k, testLease, Done)
	})

	t.Run("TTLExpiry", func(t *testing.T) {
		a, b, clock := fresh(t)
		mustClaim(t, a, k, testLease, Acquired)
		mustComplete(t, a, k, []byte("r"))
		clock.Advance(testTTL - time.Minute)
		mustClaim(t, b, k, testLease, Done)
		clock.Advance(2 * time.Minute)
		// The record outlived its TTL but may not be removed yet: absent.
		mustClaim(t, b, k, testLease, Acquired)
		mustClaim(t, a, k, testLease, Busy)
	})

	t.Run("ClaimOutlivesTTLWithLongLease", func(t *testing.T) {
		a, b, clock := fresh(t)
		lease := 2 * testTTL
		mustClaim(t, a, k, lease, Acquired)
		clock.Advance(testTTL + time.Minute)
		mustClaim(t, b, k, lease, Busy)
		clock.Advance(testTTL)
		mustClaim(t, b, k, lease, Acquired)
	})

	t.Run("OddKeys", func(t *testing.T) {
		a, b, _ := fresh(t)
		keys := []Key{
			{EventID: "déploiement-🚀-デプロイ", Destination: "slack:#déploiements"},
			{EventID: "arn:aws:sns:us-east-1:123456789012:topic/a/b", Destination: "cloudfront:E123/path/*"},
			{EventID: "with space\tand\nnewline", Destination: "'\"`${x}%s\\"},
			{EventID: "nul\x00inside", Destination: "nul\x00"},
			{EventID: strings.Repeat("e", MaxEventIDLen), Destination: strings.Repeat("d", MaxDestinationLen)},
			{EventID: strings.Repeat("é", MaxEventIDLen/2), Destination: strings.Repeat("🚀", MaxDestinationLen/4)},
		}
		for _, k := range keys {
			mustClaim(t, a, k, testLease, Acquired)
			mustClaim(t, b, k, testLease, Busy)
			mustComplete(t, a, k, []byte(k.Destination))
			c := mustClaim(t, b, k, testLease, Done)
			if string(c.Result) != k.Destination {
				t.Errorf("%q: Result = %q, want %q", k.EventID[:min(len(k.EventID), 20)], c.Result, k.Destination)
			}
		}
	})

	if errorsSurface {
		t.Run("InvalidKeys", func(t *testing.T) {
			a, _, _ := fresh(t)
			bad := []Key{
				{EventID: "", Destination: "slack"},
				{EventID: "e", Destination: ""},
				{EventID: strings.Repeat("e", MaxEventIDLen+1), Destination: "slack"},
				{EventID: "e", Destination: strings.Repeat("d", MaxDestinationLen+1)},
				{EventID: "bad\xffutf8", Destination: "slack"},
			}
			ctx := testCtx(t)
			for _, k := range bad {
				if _, err := a.Claim(ctx, k, testLease); !errors.Is(err, ErrInvalidKey) {
					t.Errorf("Claim(%.20q, %.20q) error = %v, want ErrInvalidKey", k.EventID, k.Destination, err)
				}
				if err := a.Complete(ctx, k, nil); !errors.Is(err, ErrInvalidKey) {
					t.Errorf("Complete(%.20q, %.20q) error = %v, want ErrInvalidKey", k.EventID, k.Destination, err)
				}
				if err := a.Release(ctx, k); !errors.Is(err, ErrInvalidKey) {
					t.Errorf("Release(%.20q, %.20q) error = %v, want ErrInvalidKey", k.EventID, k.Destination, err)
				}
			}
		})

		t.Run("NonPositiveLease", func(t *testing.T) {
			a, _, _ := fresh(t)
			for _, lease := range []time.Duration{0, -time.Second} {
				if _, err := a.Claim(testCtx(t), k, lease); err == nil {
					t.Errorf("Claim with lease %v: no error", lease)
				}
			}
		})

		t.Run("CancelledContext", func(t *testing.T) {
			a, _, _ := fresh(t)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := a.Claim(ctx, k, testLease); !errors.Is(err, context.Canceled) {
				t.Errorf("Claim error = %v, want context.Canceled", err)
			}
			if err := a.Complete(ctx, k, nil); !errors.Is(err, context.Canceled) {
				t.Errorf("Complete error = %v, want context.Canceled", err)
			}
			mustClaim(t, a, k, testLease, Acquired)
		})
	}
}
