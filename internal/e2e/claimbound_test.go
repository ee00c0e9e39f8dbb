package e2e

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	chatpost "github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// TestHangingRecordsStoreDoesNotHoldTheSend: the delivery records are in
// DynamoDB, reached with the real SDK client, at an endpoint that takes
// every request and never answers. The invocation's deadline leaves one
// second after records.ClaimTimeout: had the claim waited for the store's
// 5 s call bound, the send would have found its context ended and failed.
// The message must be delivered, once, and the log must say that the
// store was too slow and that a duplicate is possible.
func TestHangingRecordsStoreDoesNotHoldTheSend(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		select {
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
	table, err := records.NewDynamoDB(client, "cutover-records", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	log := jsonLogger(&logs)
	chat := testrig.NewFakeChat(t)
	d := newSlackDispatcher(chat.WebhookURL(), chatpost.NewPoster(chatpost.PosterOptions{}), records.WithFallback(table, log), log)

	ctx, cancel := context.WithTimeout(context.Background(), records.ClaimTimeout+time.Second)
	defer cancel()
	rep, err := handle(d)(ctx, snsEvent(t, "instance-success", "e2e-hanging-records", "d-HANG00001"))
	if err != nil {
		t.Fatalf("the invocation failed (the claim held the send past the deadline?): %v", err)
	}
	if got := deliveryOutcomes(rep); len(got) != 1 || got[0] != string(delivery.Delivered) {
		t.Errorf("outcomes %v, want one delivered", got)
	}
	if n := chat.Count(); n != 1 {
		t.Errorf("Slack got %d messages, want 1", n)
	}
	var slow logLine
	for _, l := range parseLogLines(logs.String()) {
		if strings.HasPrefix(l.str("msg"), "delivery records too slow") {
			slow = l
		}
	}
	if slow == nil || !strings.Contains(slow.str("msg"), "may be sent twice") || slow["waited"] == nil {
		t.Errorf("no warning that the store was too slow and a duplicate is possible:\n%s", logs.String())
	}
}
