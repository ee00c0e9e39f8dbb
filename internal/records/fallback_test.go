package records

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// logRecord is one record a recording logger saw.
type logRecord struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

// recordingHandler keeps every record it handles.
type recordingHandler struct {
	mu   *sync.Mutex
	recs *[]logRecord
}

func (h recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h recordingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h recordingHandler) WithGroup(string) slog.Handler            { return h }

func (h recordingHandler) Handle(_ context.Context, r slog.Record) error {
	rec := logRecord{level: r.Level, msg: r.Message, attrs: map[string]string{}}
	r.Attrs(func(a slog.Attr) bool {
		rec.attrs[a.Key] = a.Value.String()
		return true
	})
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.recs = append(*h.recs, rec)
	return nil
}

// newRecordingLogger returns a logger and a function returning what it
// logged so far.
func newRecordingLogger() (*slog.Logger, func() []logRecord) {
	h := recordingHandler{mu: new(sync.Mutex), recs: new([]logRecord)}
	return slog.New(h), func() []logRecord {
		h.mu.Lock()
		defer h.mu.Unlock()
		return append([]logRecord(nil), *h.recs...)
	}
}

// failingStore fails every call with err and counts the calls.
type failingStore struct {
	err   error
	mu    sync.Mutex
	calls int
	ctxs  []error // ctx.Err() seen by each call
}

func (f *failingStore) note(ctx context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.ctxs = append(f.ctxs, ctx.Err())
}

func (f *failingStore) Claim(ctx context.Context, _ Key, _ time.Duration) (Claim, error) {
	f.note(ctx)
	return Claim{}, f.err
}

func (f *failingStore) Complete(ctx context.Context, _ Key, _ []byte) error {
	f.note(ctx)
	return f.err
}

func (f *failingStore) Release(ctx context.Context, _ Key) error {
	f.note(ctx)
	return f.err
}

func TestFallbackDeliversWhenStoreFails(t *testing.T) {
	inner := &failingStore{err: fmt.Errorf("claim: %w: dial tcp: connection refused", ErrUnavailable)}
	log, records := newRecordingLogger()
	s := WithFallback(inner, log)
	k := Key{EventID: "e", Destination: "slack"}
	ctx := testCtx(t)

	for i := range 3 {
		c, err := s.Claim(ctx, k, time.Minute)
		if err != nil || c.Status != Acquired || !c.Degraded {
			t.Fatalf("Claim %d = %+v, %v; want Acquired, Degraded, nil", i, c, err)
		}
		if n := len(records()); n != i+1 {
			t.Fatalf("after Claim %d: %d log records, want %d", i, n, i+1)
		}
	}
	if err := s.Complete(ctx, k, []byte("r")); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if err := s.Release(ctx, k); err != nil {
		t.Fatalf("Release: %v", err)
	}

	got := records()
	// The claims were never made: Complete says so (no lease holds back a copy).
	wantMsgs := []string{msgClaimFailed, msgClaimFailed, msgClaimFailed, msgCompleteNoClaim, msgReleaseFailed}
	if len(got) != len(wantMsgs) {
		t.Fatalf("logged %d records, want %d (one per call): %+v", len(got), len(wantMsgs), got)
	}
	for i, r := range got {
		if r.msg != wantMsgs[i] || r.level != slog.LevelWarn {
			t.Errorf("record %d = %v %q, want WARN %q", i, r.level, r.msg, wantMsgs[i])
		}
		for key, want := range map[string]string{"event_id": "e", "destination": "slack", "unavailable": "true"} {
			if r.attrs[key] != want {
				t.Errorf("record %d: %s = %q, want %q", i, key, r.attrs[key], want)
			}
		}
		if r.attrs["err"] == "" {
			t.Errorf("record %d: no err attribute", i)
		}
	}
	if got[0].msg != "delivery records unavailable: duplicates are possible" {
		t.Errorf("Claim warning = %q", got[0].msg)
	}
	// Three claims, Complete tried completeAttempts times (the store is
	// unavailable: a passing fault must not leave a live claim), one release.
	if inner.calls != 3+completeAttempts+1 {
		t.Errorf("store calls = %d, want %d", inner.calls, 3+completeAttempts+1)
	}
}

func TestFallbackPassesThrough(t *testing.T) {
	log, records := newRecordingLogger()
	m := NewMemory(time.Hour)
	s := WithFallback(m, log)
	k := Key{EventID: "e", Destination: "slack"}
	mustClaim(t, s, k, time.Minute, Acquired)
	mustClaim(t, m.Peer(), k, time.Minute, Busy)
	mustRelease(t, s, k)
	mustClaim(t, s, k, time.Minute, Acquired)
	mustComplete(t, s, k, []byte("r"))
	if c := mustClaim(t, s, k, time.Minute, Done); string(c.Result) != "r" {
		t.Fatalf("Result = %q", c.Result)
	}
	if got := records(); len(got) != 0 {
		t.Fatalf("a working store logged %+v", got)
	}
}

func TestFallbackConformance(t *testing.T) {
	runConformance(t, func(t *testing.T, now func() time.Time, ttl time.Duration) (Store, Store) {
		m := NewMemory(ttl, WithClock(now))
		return WithFallback(m, nil), WithFallback(m.Peer(), nil)
	}, false)
}

// hangingStore blocks every call until its context ends.
type hangingStore struct{}

func (hangingStore) Claim(ctx context.Context, _ Key, _ time.Duration) (Claim, error) {
	<-ctx.Done()
	return Claim{}, ctx.Err()
}

func (hangingStore) Complete(ctx context.Context, _ Key, _ []byte) error {
	<-ctx.Done()
	return ctx.Err()
}

func (hangingStore) Release(ctx context.Context, _ Key) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestFallbackBoundsHangingStore(t *testing.T) {
	log, records := newRecordingLogger()
	s := WithFallback(hangingStore{}, log, WithCallTimeout(20*time.Millisecond))
	k := Key{EventID: "e", Destination: "slack"}
	c, err := s.Claim(context.Background(), k, time.Minute)
	if err != nil || c.Status != Acquired || !c.Degraded {
		t.Fatalf("Claim = %+v, %v; want Acquired, Degraded", c, err)
	}
	// No claim was made: Release has nothing to release and does not
	// call the store.
	if err := s.Release(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	got := records()
	if len(got) != 1 || got[0].attrs["unavailable"] != "true" {
		t.Fatalf("records = %+v, want one with unavailable=true (timed out)", got)
	}
	// Complete after a claim the store never made says so: no lease holds
	// back the next copy.
	if c, _ := s.Claim(context.Background(), k, time.Minute); !c.Degraded {
		t.Fatalf("Claim = %+v, want Degraded", c)
	}
	if err := s.Complete(context.Background(), k, nil); err != nil {
		t.Fatal(err)
	}
	got = records()
	if len(got) != 3 || got[2].msg != msgCompleteNoClaim {
		t.Fatalf("records = %+v, want the third %q", got, msgCompleteNoClaim)
	}
}

func TestFallbackCompleteAndReleaseOutliveCancel(t *testing.T) {
	inner := &failingStore{err: errors.New("boom")}
	s := WithFallback(inner, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	k := Key{EventID: "e", Destination: "slack"}
	_ = s.Complete(ctx, k, nil)
	_ = s.Release(ctx, k)
	for i, err := range inner.ctxs {
		if err != nil {
			t.Errorf("call %d ran with a done context: %v", i, err)
		}
	}
}

// flakyCompleteStore fails Complete the first fails times, as a DynamoDB
// blip right after a send would.
type flakyCompleteStore struct {
	Store
	mu    sync.Mutex
	fails int
	calls int
}

func (f *flakyCompleteStore) Complete(ctx context.Context, k Key, result []byte) error {
	f.mu.Lock()
	f.calls++
	fail := f.calls <= f.fails
	f.mu.Unlock()
	if fail {
		return fmt.Errorf("complete: %w: connection reset", ErrUnavailable)
	}
	return f.Store.Complete(ctx, k, result)
}

// TestFallbackCompleteOutlastsABlip: a record update that fails after a
// successful send is tried again, so the next copy of the event finds it
// delivered instead of waiting out the lease and sending a duplicate.
func TestFallbackCompleteOutlastsABlip(t *testing.T) {
	mem := NewMemory(0)
	// A blip of two failed calls, written as a literal: derived from
	// completeAttempts, the test would pass with no retry at all.
	const blip = 2
	flaky := &flakyCompleteStore{Store: mem, fails: blip}
	log, logged := newRecordingLogger()
	s := WithFallback(flaky, log)
	k := Key{EventID: "event:d-1/DeploymentFailure", Destination: "slack"}
	mustClaim(t, s, k, time.Minute, Acquired)
	if err := s.Complete(testCtx(t), k, nil); err != nil {
		t.Fatal(err)
	}
	if flaky.calls != blip+1 {
		t.Errorf("Complete tried %d times, want %d (two failures, then the record saved)", flaky.calls, blip+1)
	}
	if n := len(logged()); n != 0 {
		t.Errorf("a blip that passed logged %d warnings", n)
	}
	mustClaim(t, mem.Peer(), k, time.Minute, Done)

	// A store that stays down: one warning naming the real situation.
	down := &flakyCompleteStore{Store: NewMemory(0), fails: 100}
	s = WithFallback(down, log)
	mustClaim(t, s, k, time.Minute, Acquired)
	_ = s.Complete(testCtx(t), k, nil)
	got := logged()
	if len(got) != 1 || !strings.Contains(got[0].msg, "delivered, but the delivery record could not be saved") {
		t.Fatalf("warnings %+v", got)
	}
}
