package records

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func openTestFile(t testing.TB, path string, ttl time.Duration, opts ...Option) *File {
	t.Helper()
	f, err := OpenFile(path, ttl, opts...)
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return f
}

func TestFileConformance(t *testing.T) {
	runConformance(t, func(t *testing.T, now func() time.Time, ttl time.Duration) (Store, Store) {
		f := openTestFile(t, filepath.Join(t.TempDir(), "records.db"), ttl, WithClock(now))
		return f, f.Peer()
	}, true)
}

// countRecords returns how many records f's file holds.
func countRecords(t *testing.T, f *File) int {
	t.Helper()
	n := 0
	err := f.shared.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(recordsBucket).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestFilePersistsAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "records.db")
	k := Key{EventID: "e", Destination: "slack"}
	f, err := OpenFile(path, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	mustClaim(t, f, k, time.Minute, Acquired)
	mustComplete(t, f, k, []byte("ts=1"))
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("records file: %v, mode %v, want 0600", err, fi.Mode().Perm())
	}
	f = openTestFile(t, path, time.Hour)
	if c := mustClaim(t, f, k, time.Minute, Done); string(c.Result) != "ts=1" {
		t.Fatalf("Result = %q, want %q", c.Result, "ts=1")
	}
}

func TestFileInUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "records.db")
	openTestFile(t, path, time.Hour)
	// bbolt's lock is per open file, so a second open in this process
	// meets it just as a second process would.
	_, err := OpenFile(path, time.Hour, WithLockTimeout(50*time.Millisecond))
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second OpenFile error = %v, want ErrInUse", err)
	}
	want := "records file " + path + " is in use by another cutover process"
	if err.Error() != want {
		t.Fatalf("second OpenFile error = %q, want it to say %q", err, want)
	}
}

func TestFileSweepsOnOpenAndClaim(t *testing.T) {
	path := filepath.Join(t.TempDir(), "records.db")
	clock := newFakeClock()
	f, err := OpenFile(path, time.Hour, WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b", "c"} {
		mustComplete(t, f, Key{EventID: id, Destination: "slack"}, nil)
	}
	clock.Advance(30 * time.Minute)
	mustComplete(t, f, Key{EventID: "young", Destination: "slack"}, nil)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	clock.Advance(31 * time.Minute)
	f = openTestFile(t, path, time.Hour, WithClock(clock.Now))
	if n := countRecords(t, f); n != 1 {
		t.Fatalf("records after open = %d, want 1 (3 expired)", n)
	}

	clock.Advance(time.Hour)
	mustClaim(t, f, Key{EventID: "new", Destination: "slack"}, time.Minute, Acquired)
	if n := countRecords(t, f); n != 1 {
		t.Fatalf("records after Claim = %d, want 1 (the new claim)", n)
	}
}

func TestFileClosed(t *testing.T) {
	f, err := OpenFile(filepath.Join(t.TempDir(), "records.db"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Claim(testCtx(t), Key{EventID: "e", Destination: "d"}, time.Minute); err == nil {
		t.Fatal("Claim after Close: no error")
	}
}

func TestFileCorruptRecord(t *testing.T) {
	f := openTestFile(t, filepath.Join(t.TempDir(), "records.db"), time.Hour)
	k := Key{EventID: "e", Destination: "slack"}
	err := f.shared.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(recordsBucket).Put(fileKey(k), []byte{9, 9})
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Claim(testCtx(t), k, time.Minute); !errors.Is(err, errCorrupt) {
		t.Fatalf("Claim error = %v, want errCorrupt", err)
	}
}

func TestRecordEncoding(t *testing.T) {
	for _, r := range []record{
		{state: stateClaimed, owner: "OWNER", leaseUntil: 1732600000123, expiresAt: 1732603600},
		{state: stateDone, expiresAt: 1732603600, result: []byte("\x00result\xff")},
		{state: stateDone, expiresAt: -1},
	} {
		got, err := decodeRecord(encodeRecord(&r))
		if err != nil {
			t.Fatalf("decode %+v: %v", r, err)
		}
		if got.state != r.state || got.owner != r.owner || got.leaseUntil != r.leaseUntil ||
			got.expiresAt != r.expiresAt || string(got.result) != string(r.result) {
			t.Errorf("round trip %+v = %+v", r, got)
		}
	}
	for _, bad := range [][]byte{nil, {1}, {2, 1, 0, 0, 0}, {1, 3, 0, 0, 0}, {1, 1, 0, 0, 5, 'a'}} {
		if _, err := decodeRecord(bad); !errors.Is(err, errCorrupt) {
			t.Errorf("decode %v: error = %v, want errCorrupt", bad, err)
		}
	}
}
