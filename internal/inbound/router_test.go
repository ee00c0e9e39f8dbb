package inbound

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// recorder is a notifier that records notices and fails on demand.
type recorder struct {
	mu      sync.Mutex
	notices []message.Notice
	fail    error
	calls   int
}

func (r *recorder) Notify(_ context.Context, n *chat.Notification) (chat.Receipt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail != nil {
		return chat.Receipt{}, r.fail
	}
	r.notices = append(r.notices, *n.Notice)
	return chat.Receipt{}, nil
}

// checker is a FollowUpChecker with a fixed answer.
type checker struct {
	done   bool
	res    action.Result
	err    error
	checks int
}

func (c *checker) Check(context.Context, cloudfront.FollowUp) (bool, action.Result, error) {
	c.checks++
	return c.done, c.res, c.err
}

func newRouter(rec *recorder, fu FollowUpChecker, log *slog.Logger) *Router {
	events := map[string]bool{}
	for _, k := range codedeploy.Names {
		events[k] = true
	}
	d := &delivery.Dispatcher{
		Destinations: []delivery.Destination{{Name: "slack", Notifier: rec}},
		Events:       events,
		Records:      records.NewMemory(time.Hour),
		Now:          func() time.Time { return time.Date(2022, 10, 13, 16, 0, 0, 0, time.UTC) },
	}
	r := &Router{Registry: testSources, Delivery: d, Log: log}
	if fu != nil {
		r.FollowUps = fu
	}
	return r
}

func TestBadInputIsDroppedNotRetried(t *testing.T) {
	rec := &recorder{}
	r := newRouter(rec, nil, nil)
	rep, err := r.Handle(context.Background(), []byte(`{"Records":[{"EventSource":"aws:sns","Sns":{"MessageId":"m-1","Message":"hello"}}]}`))
	if err != nil {
		t.Fatalf("undecodable input must not fail the invocation: %v", err)
	}
	if len(rep.Rejected) != 1 || rec.calls != 0 {
		t.Errorf("rejected %v, notifier calls %d", rep.Rejected, rec.calls)
	}
	if rep.Rejected[0].MessageID != "m-1" || rep.Accepted() {
		t.Errorf("rejection %+v (accepted %v): want message m-1, nothing accepted", rep.Rejected[0], rep.Accepted())
	}
}

// TestNotificationIsDelivered: a notification goes to delivery, and the
// report carries delivery's typed outcomes.
func TestNotificationIsDelivered(t *testing.T) {
	rec := &recorder{}
	r := newRouter(rec, nil, nil)
	rep, err := r.Handle(context.Background(), read(t, "sns-lambda/deployment-failure.json"))
	if err != nil || rep.Kind != KindNotification || len(rep.Events) != 1 || rec.calls != 1 {
		t.Fatalf("kind %s, %d events, err %v, %d notices", rep.Kind, len(rep.Events), err, rec.calls)
	}
	if o := rep.Events[0].Deliveries[0].Outcome; o != delivery.Delivered {
		t.Errorf("outcome %s", o)
	}
	if s := rep.Summary(); !strings.Contains(s, "slack=delivered") {
		t.Errorf("summary %q", s)
	}
}

// TestBatchRoutesEachRecord: in an SQS batch, each record stands alone:
// the good notification is delivered, junk dropped, a hook kept, a
// follow-up that can never succeed dropped, one that can kept.
func TestBatchRoutesEachRecord(t *testing.T) {
	rec := &recorder{}
	fu := &checker{err: errors.New("throttled")}
	r := newRouter(rec, fu, nil)
	in := sqsBatch(t,
		read(t, "sns-http/instance-success.json"),
		[]byte("not a notification"),
		read(t, "hook-codedeploy.json"),
		read(t, "followup.json"),
	)
	rep, err := r.Handle(context.Background(), in)
	if err == nil || rep.Kind != KindBatch || len(rep.Records) != 4 {
		t.Fatalf("kind %s, %d records, err %v", rep.Kind, len(rep.Records), err)
	}
	keep := []bool{false, false, true, true}
	for i, rr := range rep.Records {
		if rr.Keep() != keep[i] {
			t.Errorf("record %s (%s, err %v): keep %v, want %v", rr.MessageID, rr.Report.Kind, rr.Err, rr.Keep(), keep[i])
		}
	}
	// The hook's event (AfterAllowTraffic, not routed here) is reported
	// too; its status cannot be reported without a CodeDeploy client, so
	// the record is kept.
	if rec.calls != 1 || len(rep.EventReports()) != 2 || len(rep.Rejections()) != 1 || rep.Rejections()[0].MessageID != "m-2" {
		t.Errorf("%d notices, %d events, rejections %v", rec.calls, len(rep.EventReports()), rep.Rejections())
	}
	// Without CloudFront configured the follow-up can never succeed: dropped.
	r = newRouter(&recorder{}, nil, nil)
	rep, _ = r.Handle(context.Background(), sqsBatch(t, read(t, "followup.json")))
	if rr := rep.Records[0]; rr.Err == nil || !retry.IsPermanent(rr.Err) || rr.Keep() {
		t.Errorf("follow-up without CloudFront: err %v, keep %v", rr.Err, rr.Keep())
	}
	// A failed notification is kept whatever the cause, for replay.
	r = newRouter(&recorder{fail: retry.Permanent(errors.New("slack: 404: channel_not_found"))}, nil, nil)
	rep, _ = r.Handle(context.Background(), sqsBatch(t, read(t, "trigger-real/deployment-stop.json")))
	if !rep.Records[0].Keep() {
		t.Error("a permanently failed notification must stay in the queue")
	}
	// Records not reached before the deadline are kept without being tried.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec = &recorder{}
	rep, _ = newRouter(rec, nil, nil).Handle(ctx, sqsBatch(t, read(t, "sns-http/instance-success.json")))
	if !rep.Records[0].Keep() || rec.calls != 0 {
		t.Errorf("an untried record: keep %v, %d notices", rep.Records[0].Keep(), rec.calls)
	}
}

// TestFollowUpCheckThenNotifyOnce: a follow-up is checked; the team is
// told once when the invalidation completed or checking stopped, and not
// while it runs.
func TestFollowUpCheckThenNotifyOnce(t *testing.T) {
	body := read(t, "followup.json")
	completed := action.Result{Action: cloudfront.ActionCloudFrontInvalidation, Target: "E2QWRUHAPOMQZL", ID: "I2J3K4L5M6N7O8", Status: "Completed"}

	rec, fu := &recorder{}, &checker{done: true, res: completed}
	r := newRouter(rec, fu, nil)
	for range 2 {
		rep, err := r.Handle(context.Background(), body)
		if err != nil || rep.Kind != KindFollowUp || rep.FollowUp == nil || !rep.FollowUp.Done {
			t.Fatalf("kind %s, report %+v, err %v", rep.Kind, rep.FollowUp, err)
		}
	}
	if fu.checks != 2 || rec.calls != 1 {
		t.Fatalf("%d checks, %d notices: want every copy checked and one notice", fu.checks, rec.calls)
	}
	n := rec.notices[0]
	if !n.FollowUp || n.Event.ID != "cloudfront-followup:E2QWRUHAPOMQZL:I2J3K4L5M6N7O8" || len(n.Actions) != 1 || n.Actions[0].Status != "Completed" {
		t.Errorf("notice %+v", n)
	}

	// Still running: the next check is queued, nothing is said.
	rec, fu = &recorder{}, &checker{}
	if _, err := newRouter(rec, fu, nil).Handle(context.Background(), body); err != nil || rec.calls != 0 {
		t.Errorf("running: err %v, %d notices", err, rec.calls)
	}
	// Checking stopped: the team is told why, and the message is done.
	rec, fu = &recorder{}, &checker{done: true, res: action.Result{Target: "E2QWRUHAPOMQZL"}, err: retry.Permanent(errors.New("stopped checking"))}
	if _, err := newRouter(rec, fu, nil).Handle(context.Background(), body); err != nil || rec.calls != 1 || rec.notices[0].Actions[0].Error != "stopped checking" {
		t.Errorf("abandoned: err %v, notices %+v", err, rec.notices)
	}
	// A check that may succeed later keeps the message.
	rec, fu = &recorder{}, &checker{err: errors.New("throttled")}
	if _, err := newRouter(rec, fu, nil).Handle(context.Background(), body); err == nil || retry.IsPermanent(err) || rec.calls != 0 {
		t.Errorf("throttled: err %v, %d notices", err, rec.calls)
	}
	// A notice that failed keeps the message.
	rec, fu = &recorder{fail: errors.New("slack: 500")}, &checker{done: true, res: completed}
	if _, err := newRouter(rec, fu, nil).Handle(context.Background(), body); err == nil || !strings.Contains(err.Error(), "slack: 500") {
		t.Errorf("notice failed: err %v", err)
	}
}
