package cloudfront

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// FuzzDecodeFollowUp feeds arbitrary SQS message bodies to IsFollowUp and
// DecodeFollowUp, as the Lambda function does with every SQS record. They
// must not panic; DecodeFollowUp fails only with a permanent error with a
// short, valid UTF-8 message, accepts only what IsFollowUp recognises, and
// what it accepts is a valid follow-up that survives being queued again.
func FuzzDecodeFollowUp(f *testing.F) {
	// Follow-ups as Invalidate and Check queue them, for recorded events.
	created := time.Date(2026, 11, 26, 10, 0, 3, 0, time.UTC)
	for i, name := range []string{
		"sns-lambda/instance-success.json",
		"eventbridge/instance-success.json",
		"trigger-real/rollback-instance-success.json",
		"trigger-documented/instance-success-ecs.json",
	} {
		fu := FollowUp{
			Type: FollowUpType, Version: FollowUpVersion, Event: *fixture(f, name),
			DistributionID: "E2QWRUHAPOMQZL", InvalidationID: "I2J0I21PCUYOIK",
			CallerReference: CallerReference("d-7XQ2K9ABC", codedeploy.InstanceSuccess, []string{"/index.html"}),
			Paths:           []string{"/index.html", "/assets/*"}, CreatedAt: created, Attempt: i + 1,
		}
		body, err := json.Marshal(fu)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(body)
	}
	// The other bodies the same queue may carry: CodeDeploy notifications
	// (SNS envelopes, EventBridge events, raw triggers).
	for _, name := range []string{"sns-lambda/instance-success.json", "eventbridge/deployment-failure.json", "trigger-real/deployment-success.json", "sns-http/instance-success.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "source", "codedeploy", "testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		`{"type":"` + FollowUpType + `","version":1,"event":{"kind":"InstanceSuccess","deploymentId":"d-1"},"distributionId":"E1","invalidationId":"I2J0I21PCUYOIK","attempt":1}`,
		`{"type":"` + FollowUpType + `","version":2,"distributionId":"e1","invalidationId":"","attempt":0}`,
		`{"type":"` + FollowUpType + `","version":1,"distributionId":"E1","invalidationId":"I1","attempt":1,"createdAt":"not a time"}`,
		`{"type":"` + FollowUpType + `","version":1e400}`,
		`{"type":"` + FollowUpType + `"} trailing`,
		`{"type":"other","version":1,"distributionId":"E1","invalidationId":"I1","attempt":1}`,
		`{"Records":[]}`,
		`{"type":["` + FollowUpType + `"]}`,
		"{\"type\":\"\xff\xfe\"}",
		`null`, `[]`, `"` + FollowUpType + `"`, ``, `not json`,
		// JSON errors quote what they could not read: the message must
		// stay short.
		`{"type":"` + FollowUpType + `","createdAt":"` + strings.Repeat("\u00e9x", 1500) + `"}`,
		`{"type":"` + FollowUpType + `","attempt":` + strings.Repeat("9", 3000) + `}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		is := IsFollowUp(body)
		fu, err := DecodeFollowUp(body)
		if err != nil {
			if !retry.IsPermanent(err) {
				t.Fatalf("error is not permanent: %v", err)
			}
			if msg := err.Error(); !utf8.ValidString(msg) || len(msg) > 1024 {
				t.Fatalf("error message not valid UTF-8 or too long (%d bytes): %q", len(msg), msg)
			}
			return
		}
		if !is {
			t.Fatalf("DecodeFollowUp accepted a body IsFollowUp rejects: %q", body)
		}
		if fu.Type != FollowUpType || fu.Version != FollowUpVersion || fu.Attempt < 1 ||
			validateDistributionID(fu.DistributionID) != nil || !isUpperAlnum(fu.InvalidationID) {
			t.Fatalf("accepted an invalid follow-up: %+v", fu)
		}
		// Check queues the next check in the same shape.
		again, err := json.Marshal(fu)
		if err != nil {
			t.Fatalf("accepted follow-up does not encode: %v", err)
		}
		got, err := DecodeFollowUp(again)
		if err != nil || !IsFollowUp(again) {
			t.Fatalf("re-encoded follow-up does not decode: %v\n%s", err, again)
		}
		if got.Key() != fu.Key() || got.Attempt != fu.Attempt || !got.CreatedAt.Equal(fu.CreatedAt) {
			t.Fatalf("re-encoded follow-up changed: %+v, was %+v", got, fu)
		}
	})
}
