package records

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// inUseError is the error of OpenFile when another process holds the file.
type inUseError struct{ path string }

func (e *inUseError) Error() string {
	return fmt.Sprintf("records file %s is in use by another cutover process", e.path)
}

// Is makes errors.Is(err, ErrInUse) true.
func (e *inUseError) Is(target error) bool { return target == ErrInUse }

// recordsBucket is the bbolt bucket holding one record per key.
var recordsBucket = []byte("records")

// recordVersion is the first byte of an encoded record.
const recordVersion = 1

// File is a [Store] in a bbolt database file: the default for the CLI,
// needing no server. It is safe for concurrent goroutines, but bbolt lets
// only one process at a time open the file: a second cutover process waits
// for the lock (see [WithLockTimeout]) and then fails with [ErrInUse].
// Expired records are removed when the file is opened and, at most once a
// minute, by Claim.
type File struct {
	shared *fileDB
	own    owners
}

// fileDB is what a File and its peers share.
type fileDB struct {
	db   *bolt.DB
	path string
	ttl  time.Duration
	now  func() time.Time

	mu        sync.Mutex
	lastSweep time.Time
}

// OpenFile opens the records file at path, creating it (mode 0600) and its
// directory (mode 0700) if needed, and removes expired records. Records
// expire after ttl ([DefaultTTL] when ttl <= 0). It honours [WithClock] and
// [WithLockTimeout]. Close the File when done.
func OpenFile(path string, ttl time.Duration, opts ...Option) (*File, error) {
	c := newConfig(opts)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open records file: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: c.lockTimeout})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, &inUseError{path: path}
	}
	if err != nil {
		return nil, fmt.Errorf("open records file %s: %w", path, err)
	}
	f := &File{shared: &fileDB{db: db, path: path, ttl: ttlOrDefault(ttl), now: c.now}}
	now := c.now()
	err = db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(recordsBucket)
		if err != nil {
			return err
		}
		return sweepBucket(b, now)
	})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open records file %s: %w", path, err)
	}
	f.shared.lastSweep = now
	return f, nil
}

// Peer returns another claimant over the same file, as a second process
// would be if bbolt allowed one: its claims are its own, and its Release
// never drops a claim f made. Closing either closes the file for both.
func (f *File) Peer() *File {
	return &File{shared: f.shared}
}

// Path returns the file's path.
func (f *File) Path() string { return f.shared.path }

// Close closes the file. Calls after Close fail.
func (f *File) Close() error {
	if err := f.shared.db.Close(); err != nil {
		return fmt.Errorf("close records file: %w", err)
	}
	return nil
}

// Claim implements [Store.Claim].
func (f *File) Claim(ctx context.Context, k Key, lease time.Duration) (Claim, error) {
	if err := checkCall(ctx, k); err != nil {
		return Claim{}, fmt.Errorf("claim: %w", err)
	}
	if err := checkLease(lease); err != nil {
		return Claim{}, fmt.Errorf("claim: %w", err)
	}
	s := f.shared
	key := fileKey(k)
	var (
		c     Claim
		token string
	)
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(recordsBucket)
		now := s.now()
		if s.sweepDue(now) {
			if err := sweepBucket(b, now); err != nil {
				return err
			}
		}
		var cur *record
		if v := b.Get(key); v != nil {
			r, err := decodeRecord(v)
			if err != nil {
				return err
			}
			cur = &r
		}
		switch judge(cur, now) {
		case done:
			c = Claim{Status: Done, Result: cur.result} // decodeRecord copied it
			return nil
		case busy:
			c = Claim{Status: Busy}
			return nil
		}
		token = newToken()
		rec := newClaim(token, now, lease, s.ttl)
		c = Claim{Status: Acquired}
		return b.Put(key, encodeRecord(&rec))
	})
	if err != nil {
		return Claim{}, fmt.Errorf("claim: %w", err)
	}
	if c.Status == Acquired {
		f.own.set(k, token)
	}
	return c, nil
}

// Complete implements [Store.Complete].
func (f *File) Complete(ctx context.Context, k Key, result []byte) error {
	if err := checkCall(ctx, k); err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	s := f.shared
	err := s.db.Update(func(tx *bolt.Tx) error {
		rec := newDone(result, s.now(), s.ttl)
		return tx.Bucket(recordsBucket).Put(fileKey(k), encodeRecord(&rec))
	})
	if err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	if token, ok := f.own.get(k); ok {
		f.own.drop(k, token)
	}
	return nil
}

// Release implements [Store.Release]. It does nothing when f holds no claim
// on k, or when another claimant has taken the claim over.
func (f *File) Release(ctx context.Context, k Key) error {
	if err := checkCall(ctx, k); err != nil {
		return fmt.Errorf("release: %w", err)
	}
	token, ok := f.own.get(k)
	if !ok {
		return nil
	}
	key := fileKey(k)
	err := f.shared.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(recordsBucket)
		v := b.Get(key)
		if v == nil {
			return nil
		}
		r, err := decodeRecord(v)
		if err != nil {
			return err
		}
		if r.state != stateClaimed || r.owner != token {
			return nil
		}
		return b.Delete(key)
	})
	if err != nil {
		return fmt.Errorf("release: %w", err)
	}
	f.own.drop(k, token)
	return nil
}

// sweepDue reports whether a Claim at now should sweep, and if so records
// that it does.
func (s *fileDB) sweepDue(now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.lastSweep) < sweepEvery {
		return false
	}
	s.lastSweep = now
	return true
}

// sweepBucket deletes every expired record in b.
func sweepBucket(b *bolt.Bucket, now time.Time) error {
	var stale [][]byte
	err := b.ForEach(func(k, v []byte) error {
		r, err := decodeRecord(v)
		if err != nil || r.expired(now) {
			// A record that cannot be read is dropped rather than kept
			// forever: at worst one delivery is sent again.
			stale = append(stale, append([]byte(nil), k...))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	for _, k := range stale {
		if err := b.Delete(k); err != nil {
			return fmt.Errorf("sweep: %w", err)
		}
	}
	return nil
}

// fileKey encodes k as uvarint(len(EventID)) EventID Destination, so that
// no two keys share an encoding whatever bytes they hold.
func fileKey(k Key) []byte {
	b := make([]byte, 0, binary.MaxVarintLen64+len(k.EventID)+len(k.Destination))
	b = binary.AppendUvarint(b, uint64(len(k.EventID)))
	b = append(b, k.EventID...)
	return append(b, k.Destination...)
}

// encodeRecord encodes r as: version, state (1 claimed, 2 done), varint
// lease_until, varint expires_at, uvarint owner length, owner, result.
func encodeRecord(r *record) []byte {
	b := make([]byte, 0, 2+3*binary.MaxVarintLen64+len(r.owner)+len(r.result))
	b = append(b, recordVersion)
	if r.state == stateDone {
		b = append(b, 2)
	} else {
		b = append(b, 1)
	}
	b = binary.AppendVarint(b, r.leaseUntil)
	b = binary.AppendVarint(b, r.expiresAt)
	b = binary.AppendUvarint(b, uint64(len(r.owner)))
	b = append(b, r.owner...)
	return append(b, r.result...)
}

var errCorrupt = errors.New("corrupt record")

// decodeRecord decodes what encodeRecord wrote, copying out of v (bbolt's
// memory is valid only inside the transaction).
func decodeRecord(v []byte) (record, error) {
	var r record
	if len(v) < 2 || v[0] != recordVersion {
		return r, errCorrupt
	}
	switch v[1] {
	case 1:
		r.state = stateClaimed
	case 2:
		r.state = stateDone
	default:
		return r, errCorrupt
	}
	v = v[2:]
	var n int
	if r.leaseUntil, n = binary.Varint(v); n <= 0 {
		return r, errCorrupt
	}
	v = v[n:]
	if r.expiresAt, n = binary.Varint(v); n <= 0 {
		return r, errCorrupt
	}
	v = v[n:]
	ol, n := binary.Uvarint(v)
	if n <= 0 || ol > uint64(len(v)-n) {
		return r, errCorrupt
	}
	v = v[n:]
	r.owner = string(v[:ol])
	r.result = nonEmpty(v[ol:])
	return r, nil
}
