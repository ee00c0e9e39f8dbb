package records

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// brokenReceipts fails every call, as an unreachable table would.
type brokenReceipts struct{ calls int }

func (b *brokenReceipts) PutReceipt(context.Context, Key, []byte) error {
	b.calls++
	return errors.New("dial tcp: connection refused")
}

func (b *brokenReceipts) Receipt(context.Context, Key) ([]byte, error) {
	b.calls++
	return nil, errors.New("dial tcp: connection refused")
}

func TestReceiptsWithFallbackNeverStopsANotification(t *testing.T) {
	var logs bytes.Buffer
	broken := &brokenReceipts{}
	r := ReceiptsWithFallback(broken, slog.New(slog.NewTextHandler(&logs, nil)))
	k := DeploymentKey("d-1", "slack-app")
	if got, err := r.Receipt(context.Background(), k); err != nil || got != nil {
		t.Fatalf("Receipt through fallback = %q, %v; want nil, nil", got, err)
	}
	if err := r.PutReceipt(context.Background(), k, []byte("x")); err != nil {
		t.Fatalf("PutReceipt through fallback = %v; want nil", err)
	}
	if broken.calls != 2 {
		t.Fatalf("store called %d times, want 2", broken.calls)
	}
	out := logs.String()
	for _, want := range []string{msgReceiptReadFailed, msgReceiptSaveFailed, "deployment:d-1", "slack-app"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs do not say %q:\n%s", want, out)
		}
	}
	// Working stores pass receipts through unchanged.
	m := ReceiptsWithFallback(NewMemory(0), nil)
	if err := m.PutReceipt(context.Background(), k, []byte("ts=1")); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Receipt(context.Background(), k); string(got) != "ts=1" {
		t.Fatalf("receipt through fallback = %q", got)
	}
}

func TestReceiptKeysAreValidated(t *testing.T) {
	m := NewMemory(0)
	if err := m.PutReceipt(context.Background(), Key{}, nil); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("empty key: %v", err)
	}
	if _, err := m.Receipt(context.Background(), Key{EventID: "deployment:d-1"}); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("no destination: %v", err)
	}
}

func TestNewKeyBoundsLongIdentities(t *testing.T) {
	long := "event:" + strings.Repeat("d-", 1500) + "/InstanceSuccess"
	k := NewKey(long, "slack")
	if err := k.Validate(); err != nil {
		t.Fatalf("bounded key does not validate: %v", err)
	}
	if again := NewKey(long, "slack"); again != k {
		t.Fatalf("bounded key is not stable: %q vs %q", k.EventID, again.EventID)
	}
	if other := NewKey(long+"x", "slack"); other.EventID == k.EventID {
		t.Fatal("two identities share a bounded key")
	}
	if !strings.HasPrefix(k.EventID, "event:d-d-") || !strings.Contains(k.EventID, "#sha256:") {
		t.Fatalf("bounded key %q keeps no readable prefix or hash", k.EventID)
	}
	short := NewKey("event:d-1/InstanceSuccess", "slack")
	if short.EventID != "event:d-1/InstanceSuccess" {
		t.Fatalf("short key changed: %q", short.EventID)
	}
	bad := NewKey("event:d-\xff", strings.Repeat("é", 600))
	if err := bad.Validate(); err != nil {
		t.Fatalf("invalid UTF-8 and a long destination must be bounded too: %v", err)
	}
	// A bounded key works in a store like any other.
	m := NewMemory(0)
	mustClaim(t, m, k, testLease, Acquired)
	mustComplete(t, m, k, nil)
	mustClaim(t, m.Peer(), NewKey(long, "slack"), testLease, Done)
}

func FuzzNewKey(f *testing.F) {
	f.Add("event:d-1/InstanceSuccess", "slack")
	f.Add(strings.Repeat("é", 2000), strings.Repeat("\xff", 2000))
	f.Fuzz(func(t *testing.T, id, dest string) {
		if id == "" || dest == "" {
			return
		}
		k := NewKey(id, dest)
		if err := k.Validate(); err != nil {
			t.Fatalf("NewKey(%q, %q) = %+v: %v", id, dest, k, err)
		}
		if NewKey(id, dest) != k {
			t.Fatal("not stable")
		}
	})
}

// TestDeploymentKeyLeavesRoomForThePrefix: the receipt's DynamoDB
// partition key (receiptPrefix + EventID) stays within the key limit
// however long the deployment ID.
func TestDeploymentKeyLeavesRoomForThePrefix(t *testing.T) {
	for _, n := range []int{2030, 2037, 2041, 2048, 5000} {
		k := DeploymentKey(strings.Repeat("d", n), "slack")
		if l := len(receiptPrefix + k.EventID); l > MaxEventIDLen {
			t.Errorf("deployment ID of %d bytes: partition key of %d bytes", n, l)
		}
		if k != DeploymentKey(strings.Repeat("d", n), "slack") {
			t.Error("not stable")
		}
	}
}
