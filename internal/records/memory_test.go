package records

import (
	"testing"
	"time"
)

func TestMemoryConformance(t *testing.T) {
	runConformance(t, func(t *testing.T, now func() time.Time, ttl time.Duration) (Store, Store) {
		m := NewMemory(ttl, WithClock(now))
		return m, m.Peer()
	}, true)
}

func TestMemorySweepsExpired(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(time.Hour, WithClock(clock.Now))
	for _, id := range []string{"a", "b", "c"} {
		mustComplete(t, m, Key{EventID: id, Destination: "slack"}, nil)
	}
	clock.Advance(time.Hour + sweepEvery)
	mustClaim(t, m, Key{EventID: "d", Destination: "slack"}, time.Minute, Acquired)
	if n := m.Len(); n != 1 {
		t.Fatalf("Len after sweep = %d, want 1", n)
	}
}

func TestDefaultTTL(t *testing.T) {
	clock := newFakeClock()
	m := NewMemory(0, WithClock(clock.Now))
	k := Key{EventID: "e", Destination: "slack"}
	mustComplete(t, m, k, nil)
	clock.Advance(DefaultTTL - time.Minute)
	mustClaim(t, m, k, time.Minute, Done)
	clock.Advance(2 * time.Minute)
	mustClaim(t, m, k, time.Minute, Acquired)
}

func TestStatusString(t *testing.T) {
	for s, want := range map[Status]string{Acquired: "acquired", Done: "done", Busy: "busy", 0: "Status(0)"} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}
