package records

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/cutover-dev/cutover/internal/testrig"
)

// TestFallbackClaimBoundedOnHangingDynamoDB points the real SDK client at
// a DynamoDB endpoint that accepts requests and never answers. With the
// default call timeout (5 s), Claim must still give up after ClaimTimeout:
// the caller's context, which ends a second later, must still be live when
// Claim returns Acquired and Degraded, and the warning must say the store
// was too slow and that a duplicate is possible.
func TestFallbackClaimBoundedOnHangingDynamoDB(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = io.ReadAll(r.Body)
		select { // never answers while the test runs
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(func() {
		close(release)
		hang.CloseClientConnections()
		hang.Close()
	})
	client := dynamodb.NewFromConfig(aws.Config{
		Region:       testrig.Region,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(hang.URL),
	})
	d := newTestDynamoDB(t, client, "cutover-records", time.Hour)
	log, records := newRecordingLogger()
	s := WithFallback(d, log) // default call timeout: 5 s

	// A hang past ClaimTimeout ends this context first, and the check
	// below fails.
	ctx, cancel := context.WithTimeout(context.Background(), ClaimTimeout+time.Second)
	defer cancel()
	k := Key{EventID: "event:d-HANG/DeploymentSuccess", Destination: "slack"}
	c, err := s.Claim(ctx, k, time.Minute)
	if ctx.Err() != nil {
		t.Fatalf("Claim held the caller until its context ended (%v): a hanging store must be given up after ClaimTimeout", ctx.Err())
	}
	if err != nil || c.Status != Acquired || !c.Degraded {
		t.Fatalf("Claim = %+v, %v; want Acquired, Degraded (send without a claim)", c, err)
	}
	if calls.Load() == 0 {
		t.Fatal("the SDK never reached the hanging endpoint")
	}
	got := records()
	if len(got) != 1 || got[0].msg != msgClaimSlow || got[0].attrs["waited"] != ClaimTimeout.String() || got[0].attrs["event_id"] != k.EventID {
		t.Fatalf("logged %+v, want one %q with waited=%s and the event", got, msgClaimSlow, ClaimTimeout)
	}
}
