package inbound

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

// TestSQSRecordLogLinesNameTheMessage: every warning or error the router
// logs about an SQS record it drops or fails (undecodable, a lifecycle
// hook, a failed follow-up, a record not tried before the deadline)
// carries that record's SQS message ID, so the line can be matched to the
// message in the queue.
func TestSQSRecordLogLinesNameTheMessage(t *testing.T) {
	batch := sqsBatch(t,
		[]byte("not a notification"),
		read(t, "hook-codedeploy.json"),
		read(t, "followup.json"),
		[]byte(`{"deploymentId":12345}`),
	)
	ids := map[string]bool{"m-1": true, "m-2": true, "m-3": true, "m-4": true}
	for _, tc := range []struct {
		name string
		ctx  func() context.Context
	}{
		{"tried", context.Background},
		{"not tried", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
			r := newRouter(&recorder{}, &checker{err: errors.New("throttled")}, log)
			if _, err := r.Handle(tc.ctx(), batch); err == nil {
				t.Fatal("a batch with a hook and a failing follow-up: no error")
			}
			seen := map[string]bool{}
			lines := 0
			for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if l == "" {
					continue
				}
				var rec map[string]any
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					t.Fatalf("log line is not JSON: %s", l)
				}
				if rec["level"] != "WARN" && rec["level"] != "ERROR" {
					continue
				}
				lines++
				id, _ := rec["sqs_message_id"].(string)
				if !ids[id] {
					t.Errorf("log line without the SQS message ID: %s", l)
				}
				seen[id] = true
			}
			if len(seen) != len(ids) {
				t.Errorf("log lines name SQS messages %v, want all of %v:\n%s", seen, ids, buf.String())
			}
		})
	}
}
