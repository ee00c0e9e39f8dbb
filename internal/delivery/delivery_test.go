package delivery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// recorder is a notifier that records notices and fails on demand.
type recorder struct {
	mu      sync.Mutex
	notices []message.Notice
	fail    func(n int) error // called with the attempt number (1-based)
	calls   int
}

func (r *recorder) Notify(_ context.Context, nt *chat.Notification) (chat.Receipt, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.fail != nil {
		if err := r.fail(r.calls); err != nil {
			return chat.Receipt{}, err
		}
	}
	r.notices = append(r.notices, *nt.Notice)
	return chat.Receipt{}, nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.notices)
}

// planner plans one task per event for traffic switches.
type planner struct {
	runs atomic.Int32
	fail atomic.Bool
	wait chan struct{}
}

func (p *planner) Tasks(ev *deploy.Event) []action.Task {
	if !ev.TrafficSwitched() {
		return nil
	}
	return []action.Task{{Destination: "cloudfront:E1", Run: func(ctx context.Context) (action.Result, error) {
		if p.wait != nil {
			<-p.wait
		}
		p.runs.Add(1)
		if p.fail.Load() {
			return action.Result{Action: "cloudfront-invalidation", Target: "E1"}, errors.New("throttled")
		}
		return action.Result{Action: "cloudfront-invalidation", Target: "E1", ID: "I123", Paths: []string{"/*"}, Status: "InProgress"}, nil
	}}}
}

// fixture decodes a source fixture into its events: delivery takes
// decoded events (package inbound decodes).
func fixture(t *testing.T, name string) []deploy.Event {
	t.Helper()
	evs, err := codedeploy.Decode(fixtureB(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func fixtureB(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../source/codedeploy/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newDispatcher(rec *recorder, p action.Planner, store records.Store) *Dispatcher {
	events := map[string]bool{}
	for _, k := range codedeploy.Names {
		events[k] = true
	}
	return &Dispatcher{
		Destinations: []Destination{{Name: "slack", Notifier: rec}},
		Events:       events,
		Planner:      p,
		Records:      store,
		Now:          func() time.Time { return time.Date(2022, 10, 13, 16, 0, 0, 0, time.UTC) },
	}
}

func TestNoticeCarriesActionResults(t *testing.T) {
	rec, p := &recorder{}, &planner{}
	d := newDispatcher(rec, p, records.NewMemory(time.Hour))
	rep, err := d.HandleEvents(context.Background(), fixture(t, "sns-lambda/instance-success.json"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.count() != 1 || p.runs.Load() != 1 {
		t.Fatalf("notices %d, action runs %d", rec.count(), p.runs.Load())
	}
	n := rec.notices[0]
	if len(n.Actions) != 1 || n.Actions[0].ID != "I123" {
		t.Errorf("notice actions %+v", n.Actions)
	}
	if !n.Now.Equal(d.Now()) {
		t.Errorf("notice time %v", n.Now)
	}
	if got := rep.Summary(); got != "InstanceSuccess d-7XQ2K9ABC: cloudfront:E1=delivered, slack=delivered" {
		t.Errorf("summary %q", got)
	}
}

func TestRetryAfterPartialSuccessSendsOnlyWhatIsMissing(t *testing.T) {
	rec := &recorder{fail: func(n int) error {
		if n == 1 {
			return errors.New("slack: 500")
		}
		return nil
	}}
	p := &planner{}
	d := newDispatcher(rec, p, records.NewMemory(time.Hour))
	in := fixture(t, "sns-lambda/instance-success.json")
	if _, err := d.HandleEvents(context.Background(), in); err == nil {
		t.Fatal("first attempt: a failed notification must fail the invocation")
	}
	rep, err := d.HandleEvents(context.Background(), in)
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if p.runs.Load() != 1 {
		t.Errorf("the invalidation ran %d times, want once", p.runs.Load())
	}
	if rec.count() != 1 {
		t.Errorf("%d notices delivered, want 1", rec.count())
	}
	// The retry's notice still reports the invalidation from the record.
	if a := rec.notices[0].Actions; len(a) != 1 || a[0].ID != "I123" {
		t.Errorf("retry notice lost the invalidation result: %+v", a)
	}
	if rep.Events[0].Deliveries[0].Outcome != AlreadyDelivered {
		t.Errorf("action outcome on retry: %+v", rep.Events[0].Deliveries[0])
	}
	// A third delivery (SNS redelivery) sends nothing.
	if _, err := d.HandleEvents(context.Background(), in); err != nil || rec.count() != 1 || rec.calls != 2 {
		t.Errorf("redelivery: err %v, notices %d, calls %d", err, rec.count(), rec.calls)
	}
}

func TestActionFailureDoesNotBlockNotice(t *testing.T) {
	rec, p := &recorder{}, &planner{}
	p.fail.Store(true)
	d := newDispatcher(rec, p, records.NewMemory(time.Hour))
	_, err := d.HandleEvents(context.Background(), fixture(t, "sns-lambda/instance-success.json"))
	if err == nil {
		t.Fatal("a failed action must fail the invocation so Lambda retries it")
	}
	if rec.count() != 1 {
		t.Fatalf("notice not sent when the action failed")
	}
	if a := rec.notices[0].Actions; len(a) != 1 || a[0].Error == "" {
		t.Errorf("notice should report the failed action: %+v", a)
	}
	// The retry runs the action again but does not resend the notice.
	p.fail.Store(false)
	if _, err := d.HandleEvents(context.Background(), fixture(t, "sns-lambda/instance-success.json")); err != nil {
		t.Fatal(err)
	}
	if rec.count() != 1 || p.runs.Load() != 2 {
		t.Errorf("notices %d (want 1), action runs %d (want 2)", rec.count(), p.runs.Load())
	}
}

func TestSlowActionDoesNotHoldNotice(t *testing.T) {
	rec, p := &recorder{}, &planner{wait: make(chan struct{})}
	d := newDispatcher(rec, p, nil)
	d.ActionWait = 10 * time.Millisecond
	done := make(chan error)
	go func() {
		_, err := d.HandleEvents(context.Background(), fixture(t, "sns-lambda/instance-success.json"))
		done <- err
	}()
	// The notice goes out while the action is still blocked.
	for rec.count() == 0 {
		time.Sleep(time.Millisecond)
	}
	if a := rec.notices[0].Actions; len(a) != 1 || !a[0].Pending || a[0].Action != "cloudfront" || a[0].Target != "E1" {
		t.Errorf("pending action not reported: %+v", a)
	}
	close(p.wait)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentDuplicatesDeliverOnce(t *testing.T) {
	rec, p := &recorder{}, &planner{}
	d := newDispatcher(rec, p, records.NewMemory(time.Hour))
	in := fixture(t, "sns-lambda/instance-success.json")
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.HandleEvents(context.Background(), in); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if rec.count() != 1 || p.runs.Load() != 1 {
		t.Errorf("notices %d, action runs %d: want exactly one of each", rec.count(), p.runs.Load())
	}
}

func TestPermanentFailureFailsInvocation(t *testing.T) {
	rec := &recorder{fail: func(int) error { return retry.Permanent(errors.New("slack: 404: channel_not_found")) }}
	d := newDispatcher(rec, nil, records.NewMemory(time.Hour))
	_, err := d.HandleEvents(context.Background(), fixture(t, "sns-lambda/deployment-failure.json"))
	if err == nil || !strings.Contains(err.Error(), "channel_not_found") {
		t.Fatalf("error %v", err)
	}
}

func TestKindsNotConfiguredDoNothing(t *testing.T) {
	rec := &recorder{}
	d := newDispatcher(rec, &planner{}, nil)
	d.Events = map[string]bool{codedeploy.DeploymentFailure: true}
	rep, err := d.HandleEvents(context.Background(), fixture(t, "trigger-real/deployment-success.json"))
	if err != nil || rec.calls != 0 || rep.Events[0].Notified {
		t.Errorf("err %v calls %d report %+v", err, rec.calls, rep)
	}
}

// failingStore is a ledger whose backend is down.
type failingStore struct{}

func (failingStore) Claim(context.Context, records.Key, time.Duration) (records.Claim, error) {
	return records.Claim{}, errors.New("dynamodb: connection refused")
}
func (failingStore) Complete(context.Context, records.Key, []byte) error { return errors.New("down") }
func (failingStore) Release(context.Context, records.Key) error          { return errors.New("down") }

func TestRecordsDownStillDelivers(t *testing.T) {
	rec := &recorder{}
	d := newDispatcher(rec, nil, failingStore{})
	if _, err := d.HandleEvents(context.Background(), fixture(t, "sns-lambda/deployment-failure.json")); err != nil {
		t.Fatal(err)
	}
	if rec.count() != 1 {
		t.Errorf("an unreachable records store must not stop notifications")
	}
}

// TestStuckClaimIsRetriedNotLost: an attempt that claimed a delivery and
// died without completing or releasing it must not make later attempts
// report success: they fail (so Lambda retries) until the lease expires,
// then deliver.
func TestStuckClaimIsRetriedNotLost(t *testing.T) {
	rec := &recorder{}
	store := records.NewMemory(time.Hour)
	d := newDispatcher(rec, nil, store)
	d.BusyWait = 20 * time.Millisecond
	in := fixture(t, "sns-lambda/deployment-failure.json")
	evs := in
	// The "crashed" attempt, through another claimant of the same records.
	stuck := store.Peer()
	if c, err := stuck.Claim(context.Background(), records.Key{EventID: evs[0].Identity(), Destination: "slack"}, 300*time.Millisecond); err != nil || c.Status != records.Acquired {
		t.Fatalf("claim: %+v %v", c, err)
	}
	rep, err := d.HandleEvents(context.Background(), in)
	if err == nil || !strings.Contains(err.Error(), "another attempt") {
		t.Fatalf("a retry inside the lease must fail, got %v", err)
	}
	if rep.Events[0].Deliveries[0].Outcome != InProgressElsewhere || rec.count() != 0 {
		t.Fatalf("report %+v, notices %d", rep.Events[0].Deliveries, rec.count())
	}
	// After the lease, the next attempt takes the claim over and delivers.
	time.Sleep(350 * time.Millisecond)
	if _, err := d.HandleEvents(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if rec.count() != 1 {
		t.Errorf("notices %d, want 1", rec.count())
	}
}

// TestSameEventThroughSNSAndEventBridgeNotifiesOnce: the trigger message
// and the EventBridge event of one cutover share an identity.
func TestSameEventThroughSNSAndEventBridgeNotifiesOnce(t *testing.T) {
	rec, p := &recorder{}, &planner{}
	d := newDispatcher(rec, p, records.NewMemory(time.Hour))
	for _, f := range []string{"sns-lambda/instance-success.json", "eventbridge/instance-success.json"} {
		rep, err := d.HandleEvents(context.Background(), fixture(t, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		t.Logf("%s: %s", f, rep.Summary())
	}
	if rec.count() != 1 || p.runs.Load() != 1 {
		t.Errorf("notices %d, action runs %d: want one each", rec.count(), p.runs.Load())
	}
}

// TestMixedFailuresAreRetryable: one permanent and one retryable failure
// make the invocation retryable as a whole.
func TestMixedFailuresAreRetryable(t *testing.T) {
	perm := &recorder{fail: func(int) error { return retry.Permanent(errors.New("slack: 404 channel_not_found")) }}
	trans := &recorder{fail: func(int) error { return errors.New("teams: 503") }}
	d := newDispatcher(perm, nil, nil)
	d.Destinations = append(d.Destinations, Destination{Name: "teams", Notifier: trans})
	_, err := d.HandleEvents(context.Background(), fixture(t, "sns-lambda/deployment-failure.json"))
	if err == nil || retry.IsPermanent(err) {
		t.Fatalf("mixed failure: %v (permanent %v)", err, retry.IsPermanent(err))
	}
	d.Destinations = d.Destinations[:1]
	_, err = d.HandleEvents(context.Background(), fixture(t, "sns-lambda/deployment-failure.json"))
	if !retry.IsPermanent(err) {
		t.Fatalf("a permanent failure must stay permanent through the dispatcher: %v", err)
	}
}

// TestLongIdentityStillDeduplicates: a deployment ID longer than a record
// key holds (a crafted payload) is delivered once, not once per copy.
func TestLongIdentityStillDeduplicates(t *testing.T) {
	n := &recorder{}
	d := &Dispatcher{
		Destinations: []Destination{{Name: "slack", Notifier: n}},
		Events:       map[string]bool{codedeploy.DeploymentFailure: true},
		Records:      records.NewMemory(0),
	}
	ev := deploy.Event{Name: codedeploy.DeploymentFailure, Phase: deploy.Failed, DeploymentID: "d-" + strings.Repeat("X", 3000), Region: "us-east-1"}
	for range 3 {
		if _, err := d.HandleEvent(context.Background(), &ev); err != nil {
			t.Fatal(err)
		}
	}
	if got := n.count(); got != 1 {
		t.Fatalf("posted %d times, want 1", got)
	}
}

// threader is a destination that gives a message ID and records the
// earlier receipt it was given.
type threader struct {
	mu      sync.Mutex
	n       int
	earlier []*chat.Receipt
}

func (t *threader) Notify(_ context.Context, n *chat.Notification) (chat.Receipt, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n++
	t.earlier = append(t.earlier, n.Earlier)
	return chat.Receipt{Destination: "threader", Channel: "C1", MessageID: fmt.Sprintf("1732600000.%06d", t.n)}, nil
}

// TestReceiptsFollowTheDeployment: the second event of a deployment is
// given the receipt of the first, through the records store (as another
// invocation would be), and a destination that gives no receipt keeps none.
func TestReceiptsFollowTheDeployment(t *testing.T) {
	store := records.NewMemory(0)
	th := &threader{}
	mk := func() *Dispatcher {
		return &Dispatcher{
			Destinations: []Destination{{Name: "app", Notifier: th}, {Name: "hook", Notifier: &recorder{}}},
			Events:       map[string]bool{codedeploy.DeploymentReady: true, codedeploy.DeploymentFailure: true},
			Records:      store,
			Receipts:     store,
		}
	}
	ready := deploy.Event{Name: codedeploy.DeploymentReady, Phase: deploy.Ready, DeploymentID: "d-1", Region: "us-east-1"}
	failed := deploy.Event{Name: codedeploy.DeploymentFailure, Phase: deploy.Failed, DeploymentID: "d-1", Region: "us-east-1"}
	other := deploy.Event{Name: codedeploy.DeploymentFailure, Phase: deploy.Failed, DeploymentID: "d-2", Region: "us-east-1"}
	for _, ev := range []deploy.Event{ready, failed, other} {
		if _, err := mk().HandleEvent(context.Background(), &ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(th.earlier) != 3 {
		t.Fatalf("%d notifications", len(th.earlier))
	}
	if th.earlier[0] != nil || th.earlier[2] != nil {
		t.Errorf("first messages of a deployment were given a receipt: %+v, %+v", th.earlier[0], th.earlier[2])
	}
	if e := th.earlier[1]; e == nil || e.MessageID != "1732600000.000001" || e.Channel != "C1" {
		t.Errorf("second event of d-1 was given %+v, want the first message's receipt", e)
	}
	if raw, _ := store.Receipt(context.Background(), records.DeploymentKey("d-1", "hook")); raw != nil {
		t.Errorf("a webhook without a message ID keeps no receipt: %s", raw)
	}
}

// TestEmptyEventSetTakesNothing: a destination without a route and a
// Dispatcher whose Events select nothing receives nothing (a nil route
// filter would take every event).
func TestEmptyEventSetTakesNothing(t *testing.T) {
	n := &recorder{}
	d := &Dispatcher{Destinations: []Destination{{Name: "slack", Notifier: n}}, Events: map[string]bool{}}
	ev := deploy.Event{Name: codedeploy.DeploymentStart, Phase: deploy.Started, DeploymentID: "d-1"}
	if dec := d.Routes(&ev); len(dec) != 1 || dec[0].Selected {
		t.Fatalf("routes %+v: an empty event set must select nothing", dec)
	}
	if _, err := d.HandleEvent(context.Background(), &ev); err != nil || n.count() != 0 {
		t.Fatalf("err %v, %d notices", err, n.count())
	}
}

// TestFollowUpsFollowTheDefaultRoute: a follow-up goes to a route-less
// destination only when its Events take the event it follows.
func TestFollowUpsFollowTheDefaultRoute(t *testing.T) {
	n := &recorder{}
	d := &Dispatcher{Destinations: []Destination{{Name: "slack", Notifier: n}}, Events: map[string]bool{codedeploy.DeploymentFailure: true}}
	for _, c := range []struct {
		name string
		want int
	}{{codedeploy.InstanceSuccess, 0}, {codedeploy.DeploymentFailure, 1}} {
		fu := &message.Notice{Event: deploy.Event{Name: c.name, ID: "follow-up:" + c.name, DeploymentID: "d-1"}, FollowUp: true}
		before := n.count()
		if err := d.Notify(context.Background(), fu); err != nil {
			t.Fatal(err)
		}
		if got := n.count() - before; got != c.want {
			t.Errorf("follow-up of %s sent %d times, want %d", c.name, got, c.want)
		}
	}
}

// TestReceiptsFollowTheResolvedDeployment: an ECS-native EventBridge
// event names its deployment "ecs-svc/…", the lifecycle hook of the same
// deployment its service-deployment ARN; once the enrichment resolved the
// first to the second, both messages share one thread. Without a
// resolution the "ecs-svc/…" event keeps its own.
func TestReceiptsFollowTheResolvedDeployment(t *testing.T) {
	const arn = "arn:aws:ecs:us-east-1:111122223333:service-deployment/prod/web/EZe5RNVLH6PPzHXINuP28"
	store := records.NewMemory(0)
	th := &threader{}
	mk := func(resolve bool) *Dispatcher {
		d := &Dispatcher{
			Destinations: []Destination{{Name: "app", Notifier: th}},
			Events:       map[string]bool{"SERVICE_DEPLOYMENT_IN_PROGRESS": true, "POST_PRODUCTION_TRAFFIC_SHIFT": true},
			Records:      store,
			Receipts:     store,
		}
		d.Enrich = func(_ context.Context, n *message.Notice) {
			if resolve && n.Event.Platform == deploy.ECSNative {
				n.Details = &enrich.Details{DeploymentID: arn}
			}
		}
		return d
	}
	started := deploy.Event{Name: "SERVICE_DEPLOYMENT_IN_PROGRESS", Platform: deploy.ECSNative, Phase: deploy.Started, ID: "eb-1", DeploymentID: "ecs-svc/4503257381420581834", Region: "us-east-1"}
	switched := deploy.Event{Name: "POST_PRODUCTION_TRAFFIC_SHIFT", Platform: deploy.ECSNative, Phase: deploy.TrafficSwitched, ID: "ecs-hook:x", Execution: "x", DeploymentID: arn, Region: "us-east-1"}
	for _, c := range []struct {
		resolve bool
		ev      deploy.Event
	}{{true, started}, {true, switched}, {false, func() deploy.Event { e := started; e.ID, e.DeploymentID = "eb-2", "ecs-svc/1"; return e }()}} {
		if _, err := mk(c.resolve).HandleEvent(context.Background(), &c.ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(th.earlier) != 3 {
		t.Fatalf("%d notifications", len(th.earlier))
	}
	if e := th.earlier[1]; e == nil || e.MessageID != "1732600000.000001" {
		t.Errorf("the hook's message was given %+v, want the EventBridge event's receipt", e)
	}
	if th.earlier[2] != nil {
		t.Errorf("an unresolved ecs-svc/ deployment was given %+v", th.earlier[2])
	}
}
