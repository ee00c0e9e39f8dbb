package records

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cutover-dev/cutover/internal/testrig"
)

// benchClaimComplete measures one delivery's bookkeeping: a Claim that
// acquires a fresh key, then Complete with a small result.
func benchClaimComplete(b *testing.B, s Store) {
	run := newToken() // a store may keep records of an earlier run
	keys := make([]Key, b.N)
	for i := range keys {
		keys[i] = Key{EventID: run + "-" + strconv.Itoa(i), Destination: "slack"}
	}
	result := []byte("ts=1732600000.000100")
	ctx := testCtx(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c, err := s.Claim(ctx, keys[i], time.Minute)
		if err != nil || c.Status != Acquired {
			b.Fatalf("Claim = %+v, %v", c, err)
		}
		if err := s.Complete(ctx, keys[i], result); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkClaimComplete(b *testing.B) {
	b.Run("Memory", func(b *testing.B) {
		benchClaimComplete(b, NewMemory(time.Hour))
	})
	b.Run("File", func(b *testing.B) {
		benchClaimComplete(b, openTestFile(b, filepath.Join(b.TempDir(), "records.db"), time.Hour))
	})
}

// BenchmarkClaimCompleteDynamoDB runs the same against moto: a loopback
// round trip to a Python server per call, so it measures moto more than
// the store, but shows the store's allocations per delivery.
func BenchmarkClaimCompleteDynamoDB(b *testing.B) {
	moto := testrig.StartMoto(b)
	client := dynamodb.NewFromConfig(moto.AWSConfig(b))
	table := createRecordsTable(b, client)
	b.Run("moto", func(b *testing.B) {
		d, err := NewDynamoDB(client, table, time.Hour)
		if err != nil {
			b.Fatal(err)
		}
		benchClaimComplete(b, d)
	})
}
