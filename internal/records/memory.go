package records

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// sweepEvery is how often a Claim also removes every expired record from a
// Memory or File store.
const sweepEvery = time.Minute

// Memory is a [Store] that keeps records in the process's memory: for tests,
// and for running without persistent records, where it still stops
// duplicates within one process. The zero value is not usable; call
// [NewMemory].
type Memory struct {
	shared *memRecords
	own    owners
}

// memRecords is what a Memory and its peers share.
type memRecords struct {
	mu        sync.Mutex
	recs      map[Key]record
	receipts  map[Key]record
	ttl       time.Duration
	now       func() time.Time
	lastSweep time.Time
}

// NewMemory returns an empty Memory store whose records expire after ttl
// ([DefaultTTL] when ttl <= 0). It honours [WithClock].
func NewMemory(ttl time.Duration, opts ...Option) *Memory {
	c := newConfig(opts)
	return &Memory{shared: &memRecords{
		recs:      make(map[Key]record),
		ttl:       ttlOrDefault(ttl),
		now:       c.now,
		lastSweep: c.now(),
	}}
}

// Peer returns another claimant over the same records, as a second process
// sharing the records would be: its claims are its own, and its Release
// never drops a claim m made.
func (m *Memory) Peer() *Memory {
	return &Memory{shared: m.shared}
}

// Len returns how many records m holds, expired ones not yet swept
// included.
func (m *Memory) Len() int {
	m.shared.mu.Lock()
	defer m.shared.mu.Unlock()
	return len(m.shared.recs)
}

// Claim implements [Store.Claim].
func (m *Memory) Claim(ctx context.Context, k Key, lease time.Duration) (Claim, error) {
	if err := checkCall(ctx, k); err != nil {
		return Claim{}, fmt.Errorf("claim: %w", err)
	}
	if err := checkLease(lease); err != nil {
		return Claim{}, fmt.Errorf("claim: %w", err)
	}
	s := m.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweepLocked(now)
	var cur *record
	if r, ok := s.recs[k]; ok {
		cur = &r
	}
	switch judge(cur, now) {
	case done:
		return Claim{Status: Done, Result: nonEmpty(cur.result)}, nil
	case busy:
		return Claim{Status: Busy}, nil
	}
	token := newToken()
	s.recs[k] = newClaim(token, now, lease, s.ttl)
	m.own.set(k, token)
	return Claim{Status: Acquired}, nil
}

// Complete implements [Store.Complete].
func (m *Memory) Complete(ctx context.Context, k Key, result []byte) error {
	if err := checkCall(ctx, k); err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	s := m.shared
	s.mu.Lock()
	s.recs[k] = newDone(result, s.now(), s.ttl)
	s.mu.Unlock()
	if token, ok := m.own.get(k); ok {
		m.own.drop(k, token)
	}
	return nil
}

// Release implements [Store.Release]. It does nothing when m holds no claim
// on k, or when another claimant has taken the claim over.
func (m *Memory) Release(ctx context.Context, k Key) error {
	if err := checkCall(ctx, k); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	token, ok := m.own.get(k)
	if !ok {
		return nil
	}
	s := m.shared
	s.mu.Lock()
	if r, ok := s.recs[k]; ok && r.state == stateClaimed && r.owner == token {
		delete(s.recs, k)
	}
	s.mu.Unlock()
	m.own.drop(k, token)
	return nil
}

// sweepLocked removes expired records at most once per sweepEvery.
func (s *memRecords) sweepLocked(now time.Time) {
	if now.Sub(s.lastSweep) < sweepEvery {
		return
	}
	s.lastSweep = now
	for k, r := range s.recs {
		if r.expired(now) {
			delete(s.recs, k)
		}
	}
}

// checkCall checks what every call of the in-process stores checks first.
func checkCall(ctx context.Context, k Key) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return k.Validate()
}
