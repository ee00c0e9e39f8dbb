// Package records keeps the delivery records: it records which deliveries cutover has made, so that an event
// that arrives again (SNS and Lambda deliver at least once) is not sent to the
// same destination twice.
//
// A delivery is one event to one destination ([Key]). Before sending, the
// dispatcher calls [Store.Claim]: [Acquired] means go ahead, [Done] means an
// earlier attempt already delivered it, [Busy] means a concurrent duplicate
// holds the claim right now. After the destination acknowledged, it calls
// [Store.Complete]; after a failed attempt, [Store.Release], so that a retry
// can claim the delivery again. A claim is a lease: when the attempt that
// holds it crashes, the next Claim after the lease ran out takes it over.
// Records expire after the store's TTL and then count as absent.
//
// Three stores implement the contract with the same semantics and are
// checked by one conformance test suite:
//
//   - [DynamoDB], for the Lambda function: one item per delivery in the table
//     the Terraform module creates; the conditional write decides races
//     between concurrent invocations.
//   - [File], for the CLI: a bbolt database file that needs no server, one
//     process at a time.
//   - [Memory], for tests and for running without persistent records.
//
// [WithFallback] wraps a store so that an unreachable store never stops a
// notification: Claim then answers Acquired with [Claim.Degraded] set and
// logs that duplicates are possible.
//
// A Store value is one claimant. It remembers the owner token of each claim
// it made, so that its Release only ever drops its own claim and never one
// that another claimant took over after the lease ran out. Two Store values
// over the same records (two Lambda instances, or [Memory.Peer] and
// [File.Peer] in tests) are two claimants. Within one Store value, attempts
// on the same key are not told apart: if an attempt outlives its lease and
// another attempt through the same value takes the claim over, the first
// one's Release drops the second one's claim. Choose leases longer than an
// attempt can take (the send timeout plus a margin).
package records

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultTTL is how long a record is kept when a constructor is given a TTL
// of zero or less. Lambda gives up on an asynchronous event after at most
// six hours, but an event can also be re-driven from a dead-letter queue,
// which keeps messages for up to 14 days; records are small, so they are
// kept that long.
const DefaultTTL = 14 * 24 * time.Hour

// Key limits. DynamoDB limits a partition key to 2048 bytes and a sort key
// to 1024 bytes; every store enforces the same limits so that all of them
// accept the same keys.
const (
	// MaxEventIDLen is the longest EventID in bytes.
	MaxEventIDLen = 2048
	// MaxDestinationLen is the longest Destination in bytes.
	MaxDestinationLen = 1024
)

// ErrInvalidKey is returned for a Key that no store can hold: an empty
// field, a field longer than [MaxEventIDLen] or [MaxDestinationLen], or text
// that is not valid UTF-8.
var ErrInvalidKey = errors.New("invalid delivery key")

// ErrUnavailable marks an error after which the store may work again later:
// the store could not be reached, timed out, throttled the request or failed
// on its side. Other errors (a missing table, denied access) need a change
// in configuration. Test with errors.Is.
var ErrUnavailable = errors.New("delivery records unavailable")

// ErrInUse is matched (errors.Is) by the error of [OpenFile] when another
// process holds the records file; the error says "records file PATH is in
// use by another cutover process".
var ErrInUse = errors.New("records file in use")

// Key identifies one delivery: an event (SNS MessageId, else derived key) to
// one destination.
type Key struct {
	// EventID identifies the event: the SNS MessageId, which stays the same
	// across redeliveries, or a key derived from the event when there is
	// none. At most MaxEventIDLen bytes of UTF-8.
	EventID string
	// Destination names where the event goes, such as "slack" or
	// "cloudfront:E123". At most MaxDestinationLen bytes of UTF-8.
	Destination string
}

// NewKey returns the key of one delivery, bounded to what every store can
// hold: an event ID or destination longer than its limit (or not valid
// UTF-8) is replaced by its first bytes and a SHA-256 of the whole, so the
// key stays the same for every copy of the event and deduplication keeps
// working however long a deployment ID a payload carries.
func NewKey(eventID, destination string) Key {
	return Key{EventID: bound(eventID, MaxEventIDLen), Destination: bound(destination, MaxDestinationLen)}
}

// bound returns s when it fits in limit bytes of valid UTF-8, else a
// prefix of it and "#sha256:" with the hash of all of s.
func bound(s string, limit int) string {
	if len(s) <= limit && utf8.ValidString(s) {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	suffix := "#sha256:" + hex.EncodeToString(sum[:])
	prefix := strings.ToValidUTF8(s[:min(len(s), limit/2)], "")
	for !utf8.ValidString(prefix) || len(prefix)+len(suffix) > limit {
		prefix = prefix[:len(prefix)-1]
	}
	return prefix + suffix
}

// String returns the key as "EventID -> Destination", for logs.
func (k Key) String() string { return k.EventID + " -> " + k.Destination }

// Validate returns an error wrapping [ErrInvalidKey] when k cannot be
// stored.
func (k Key) Validate() error {
	switch {
	case k.EventID == "":
		return fmt.Errorf("%w: empty event id", ErrInvalidKey)
	case k.Destination == "":
		return fmt.Errorf("%w: empty destination", ErrInvalidKey)
	case len(k.EventID) > MaxEventIDLen:
		return fmt.Errorf("%w: event id is %d bytes, more than %d", ErrInvalidKey, len(k.EventID), MaxEventIDLen)
	case len(k.Destination) > MaxDestinationLen:
		return fmt.Errorf("%w: destination is %d bytes, more than %d", ErrInvalidKey, len(k.Destination), MaxDestinationLen)
	case !utf8.ValidString(k.EventID):
		return fmt.Errorf("%w: event id is not valid UTF-8", ErrInvalidKey)
	case !utf8.ValidString(k.Destination):
		return fmt.Errorf("%w: destination is not valid UTF-8", ErrInvalidKey)
	}
	return nil
}

// Status is the answer of [Store.Claim]. The zero Status is not a valid
// answer, so a zero [Claim] never reads as Acquired.
type Status int

const (
	// Acquired means the caller holds the claim and should deliver.
	Acquired Status = iota + 1
	// Done means an earlier attempt delivered; do not send again.
	Done
	// Busy means another caller holds an unexpired claim (a concurrent
	// duplicate); do not send.
	Busy
)

// String returns "acquired", "done" or "busy".
func (s Status) String() string {
	switch s {
	case Acquired:
		return "acquired"
	case Done:
		return "done"
	case Busy:
		return "busy"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Claim is the answer of [Store.Claim].
type Claim struct {
	// Status says whether to deliver.
	Status Status
	// Result is what Complete stored, when Status is Done; nil when it
	// stored nothing.
	Result []byte
	// Degraded is set by [WithFallback] when the store failed and the claim
	// was granted without a record: duplicates are possible.
	Degraded bool
}

// Store records deliveries. Implementations are safe for concurrent use.
type Store interface {
	// Claim atomically reserves k for this caller for lease. Acquired: go ahead.
	// Done: a previous attempt completed it (Result holds what it stored). Busy: another
	// caller holds an unexpired lease (a concurrent duplicate): do not send.
	// An expired lease (a crashed attempt) can be taken over: Acquired.
	Claim(ctx context.Context, k Key, lease time.Duration) (Claim, error)
	// Complete records k as delivered with result; the record expires after the store's TTL.
	Complete(ctx context.Context, k Key, result []byte) error
	// Release drops this caller's claim on k after a failed attempt so a retry can claim it.
	Release(ctx context.Context, k Key) error
}

// Option configures a store or [WithFallback].
type Option func(*config)

type config struct {
	now         func() time.Time
	lockTimeout time.Duration
	callTimeout time.Duration
}

func newConfig(opts []Option) config {
	c := config{
		now:         time.Now,
		lockTimeout: time.Second,
		callTimeout: 5 * time.Second,
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WithClock makes a store read the time from now instead of time.Now, to
// test leases and expiry. Stores compare the lease in milliseconds and the
// TTL in whole seconds, as DynamoDB's TTL attribute does.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithLockTimeout sets how long [OpenFile] waits for another process to
// let go of the records file before it fails with [ErrInUse] (default 1s).
// Other constructors ignore it.
func WithLockTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.lockTimeout = d
		}
	}
}

// WithCallTimeout bounds each call [WithFallback] makes to the store it
// wraps (default 5s), so that a store that hangs delays a notification by
// at most d. Stores ignore it.
func WithCallTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.callTimeout = d
		}
	}
}

func ttlOrDefault(ttl time.Duration) time.Duration {
	if ttl <= 0 {
		return DefaultTTL
	}
	return ttl
}

// Record states as stored.
const (
	stateClaimed = "claimed"
	stateDone    = "done"
)

// record is one delivery record, the same in every store. Times are in the
// units DynamoDB stores them in.
type record struct {
	state      string
	owner      string // owner token of the claim; empty when done
	leaseUntil int64  // claim lease end, epoch milliseconds
	expiresAt  int64  // TTL, epoch seconds
	result     []byte // stored by Complete
}

// expired reports whether the record's TTL has passed: it counts as absent.
func (r *record) expired(now time.Time) bool { return r.expiresAt < now.Unix() }

// verdict is what a Claim makes of an existing record.
type verdict int

const (
	take verdict = iota // absent, expired or lease ran out: claim it
	done
	busy
)

// judge decides what a Claim does about rec (nil when absent).
func judge(rec *record, now time.Time) verdict {
	switch {
	case rec == nil || rec.expired(now):
		return take
	case rec.state == stateDone:
		return done
	case rec.state == stateClaimed && rec.leaseUntil < now.UnixMilli():
		return take
	}
	return busy
}

// newClaim builds the record a Claim at now writes for a lease.
func newClaim(owner string, now time.Time, lease, ttl time.Duration) record {
	leaseUntil := now.Add(lease)
	exp := now.Add(ttl)
	if leaseUntil.After(exp) {
		exp = leaseUntil
	}
	return record{
		state:      stateClaimed,
		owner:      owner,
		leaseUntil: ceilMilli(leaseUntil),
		expiresAt:  ceilSecond(exp),
	}
}

// newDone builds the record Complete at now writes.
func newDone(result []byte, now time.Time, ttl time.Duration) record {
	return record{
		state:     stateDone,
		expiresAt: ceilSecond(now.Add(ttl)),
		result:    nonEmpty(result),
	}
}

func ceilMilli(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.Sub(time.UnixMilli(ms)) > 0 {
		ms++
	}
	return ms
}

func ceilSecond(t time.Time) int64 {
	s := t.Unix()
	if t.Sub(time.Unix(s, 0)) > 0 {
		s++
	}
	return s
}

// nonEmpty returns a copy of b, or nil when b is empty.
func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

func checkLease(lease time.Duration) error {
	if lease <= 0 {
		return fmt.Errorf("lease %v is not positive", lease)
	}
	return nil
}

// newToken returns a random owner token for one claim.
func newToken() string { return rand.Text() }

// owners remembers the owner token of each claim one Store value holds.
type owners struct {
	mu sync.Mutex
	m  map[Key]string
}

func (o *owners) set(k Key, token string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil {
		o.m = make(map[Key]string)
	}
	o.m[k] = token
}

func (o *owners) get(k Key) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	t, ok := o.m[k]
	return t, ok
}

// drop forgets k's token if it is still token: a newer claim stays.
func (o *owners) drop(k Key, token string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m[k] == token {
		delete(o.m, k)
	}
}
