package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cd "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/smithy-go"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/hook"
	"github.com/cutover-dev/cutover/internal/records"
)

// runner is a check.Runner fake: a fixed report, a panic, or a block
// until released (ignoring ctx, as a broken Runner would).
type runner struct {
	mu     sync.Mutex
	report check.Report
	panics bool
	block  chan struct{}
	calls  int
}

func (r *runner) Run(ctx context.Context, ev *deploy.Event) check.Report {
	r.mu.Lock()
	r.calls++
	r.mu.Unlock()
	if r.panics {
		panic("check exploded")
	}
	if r.block != nil {
		<-r.block
	}
	return r.report
}

func passing() *runner {
	return &runner{report: check.Report{Results: []check.Result{{Name: "ping", Type: check.TypeHTTP, Passed: true, Summary: "20 requests: all 200"}}}}
}

func failing() *runner {
	return &runner{report: check.Report{Results: []check.Result{{Name: "ping", Type: check.TypeHTTP, Summary: "p99 2.4 s above 800 ms budget on GET /api/ping, 200 requests"}}}}
}

// fakeCD answers like CodeDeploy for one ECS deployment whose
// AfterAllowTraffic is in progress, and records every status reported.
type fakeCD struct {
	mu       sync.Mutex
	puts     []string
	putErrs  []error // returned by the next calls, in order
	listErr  error
	inflight string
}

func (f *fakeCD) GetDeployment(ctx context.Context, in *cd.GetDeploymentInput, _ ...func(*cd.Options)) (*cd.GetDeploymentOutput, error) {
	return &cd.GetDeploymentOutput{DeploymentInfo: &cdtypes.DeploymentInfo{ApplicationName: aws.String("web"), DeploymentGroupName: aws.String("web-prod")}}, nil
}

func (f *fakeCD) ListDeploymentTargets(ctx context.Context, in *cd.ListDeploymentTargetsInput, _ ...func(*cd.Options)) (*cd.ListDeploymentTargetsOutput, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	return &cd.ListDeploymentTargetsOutput{TargetIds: []string{"prod:web"}}, nil
}

func (f *fakeCD) GetDeploymentTarget(ctx context.Context, in *cd.GetDeploymentTargetInput, _ ...func(*cd.Options)) (*cd.GetDeploymentTargetOutput, error) {
	name := f.inflight
	if name == "" {
		name = "AfterAllowTraffic"
	}
	return &cd.GetDeploymentTargetOutput{DeploymentTarget: &cdtypes.DeploymentTarget{EcsTarget: &cdtypes.ECSTarget{
		TargetId: aws.String("prod:web"), TargetArn: aws.String("arn:aws:ecs:us-east-1:111122223333:service/prod/web"),
		LifecycleEvents: []cdtypes.LifecycleEvent{{LifecycleEventName: aws.String(name), Status: cdtypes.LifecycleEventStatusInProgress}}}}}, nil
}

func (f *fakeCD) PutLifecycleEventHookExecutionStatus(ctx context.Context, in *cd.PutLifecycleEventHookExecutionStatusInput, _ ...func(*cd.Options)) (*cd.PutLifecycleEventHookExecutionStatusOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.putErrs) > 0 {
		err := f.putErrs[0]
		f.putErrs = f.putErrs[1:]
		return nil, err
	}
	f.puts = append(f.puts, string(in.Status))
	return &cd.PutLifecycleEventHookExecutionStatusOutput{LifecycleEventHookExecutionId: in.LifecycleEventHookExecutionId}, nil
}

// hookRouter is a router with one destination (rec) that takes every
// hook event, memory records, and the given runner, CodeDeploy and
// on-error policy.
func hookRouter(rec *recorder, run check.Runner, api hook.CodeDeployAPI, onError hook.OnError) *Router {
	events := map[string]bool{}
	for _, k := range (hook.Names{}).EventNames() {
		events[k] = true
	}
	d := &delivery.Dispatcher{
		Destinations: []delivery.Destination{{Name: "slack", Notifier: rec}},
		Events:       events,
		Records:      records.NewMemory(time.Hour),
		Now:          func() time.Time { return time.Date(2026, 11, 26, 14, 6, 40, 0, time.UTC) },
		BusyWait:     time.Millisecond,
	}
	r := &Router{Registry: testSources, Delivery: d, Hooks: HookOptions{OnError: onError, CodeDeploy: api, Region: "us-east-1"}}
	if run != nil {
		r.Checks = run
	}
	return r
}

func ecsAnswer(t *testing.T, rep Report) hook.ECSResponse {
	t.Helper()
	resp, ok := rep.Response.(*hook.ECSResponse)
	if !ok || resp == nil {
		t.Fatalf("response %#v, want an ECS answer", rep.Response)
	}
	return *resp
}

// TestECSHookAnswers: the ECS answer for each outcome, and what was
// notified.
func TestECSHookAnswers(t *testing.T) {
	down := errors.New("slack: 503: service unavailable")
	cases := []struct {
		name     string
		fixture  string
		run      *runner
		chatErr  error
		onError  hook.OnError
		want     hook.Status
		notices  int // notices the destination accepted
		checkRun bool
	}{
		{"switch, no checks", "hook-ecs-post-production-traffic-shift.json", nil, nil, "", hook.Succeeded, 1, false},
		{"switch, checks pass", "hook-ecs-post-production-traffic-shift.json", passing(), nil, "", hook.Succeeded, 2, true},
		{"switch, checks fail", "hook-ecs-post-production-traffic-shift.json", failing(), nil, "", hook.Failed, 2, true},
		// A check that panics could not run: a failed check, whatever the
		// on-error policy, and the message says so.
		{"switch, check panics, continue", "hook-ecs-post-production-traffic-shift.json", &runner{panics: true}, nil, hook.Continue, hook.Failed, 2, true},
		{"switch, check panics, rollback", "hook-ecs-post-production-traffic-shift.json", &runner{panics: true}, nil, hook.Rollback, hook.Failed, 2, true},
		{"switch, chat down, continue", "hook-ecs-post-production-traffic-shift.json", passing(), down, "", hook.Succeeded, 0, true},
		{"switch, chat down, rollback", "hook-ecs-post-production-traffic-shift.json", passing(), down, hook.Rollback, hook.Failed, 0, true},
		{"switch, chat down, checks fail", "hook-ecs-post-production-traffic-shift.json", failing(), down, hook.Continue, hook.Failed, 0, true},
		{"forward traffic shift, no checks run", "hook-ecs-production-traffic-shift.json", passing(), nil, "", hook.Succeeded, 1, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := &recorder{fail: c.chatErr}
			var run check.Runner
			if c.run != nil {
				run = c.run
			}
			r := hookRouter(rec, run, nil, c.onError)
			rep, err := r.Handle(context.Background(), read(t, c.fixture))
			if rep.Kind != KindHook || rep.Hook == nil {
				t.Fatalf("kind %s", rep.Kind)
			}
			resp := ecsAnswer(t, rep)
			if resp.HookStatus != c.want || rep.Hook.Status != c.want {
				t.Errorf("answer %s (report %s), want %s; faults %v", resp.HookStatus, rep.Hook.Status, c.want, rep.Hook.Faults)
			}
			if len(rec.notices) != c.notices {
				t.Errorf("%d notices, want %d", len(rec.notices), c.notices)
			}
			if c.run != nil && (c.run.calls > 0) != c.checkRun {
				t.Errorf("checks ran %d times, want run=%v", c.run.calls, c.checkRun)
			}
			if (c.chatErr != nil) != (err != nil) {
				t.Errorf("error %v: want one exactly when delivery failed", err)
			}
			if c.chatErr != nil && len(rep.Hook.Faults) == 0 {
				t.Error("the delivery failure is not reported as a fault")
			}
			if c.checkRun && c.notices == 2 {
				// The second notice carries the check results.
				got := rec.notices[1].Checks
				switch {
				case c.run.panics:
					if len(got) != 1 || got[0].Passed || !strings.Contains(got[0].Error, "could not run (panic: check exploded)") {
						t.Errorf("check notice of a panic %+v", rec.notices[1])
					}
				case len(got) != 1 || got[0].Name != "ping":
					t.Errorf("check notice %+v", rec.notices[1])
				}
			}
		})
	}
}

// TestECSRollbackWeights: PRODUCTION_TRAFFIC_SHIFT with the target at 0%
// is the rollback: notified as ROLLBACK_TRAFFIC_SHIFT (rolling back), no
// checks, SUCCEEDED.
func TestECSRollbackWeights(t *testing.T) {
	rec, run := &recorder{}, passing()
	r := hookRouter(rec, run, nil, "")
	rep, err := r.Handle(context.Background(), read(t, "hook-ecs-rollback-production-traffic-shift.json"))
	if err != nil {
		t.Fatal(err)
	}
	if ecsAnswer(t, rep).HookStatus != hook.Succeeded || run.calls != 0 {
		t.Errorf("answer %+v, checks run %d times", rep.Response, run.calls)
	}
	if len(rec.notices) != 1 || rec.notices[0].Event.Name != hook.EventRollbackTrafficShift || rec.notices[0].Event.Phase != deploy.RollingBack {
		t.Errorf("notices %+v", rec.notices)
	}
}

// TestECSDuplicateInvocation: the same execution twice notifies once and
// answers the same, even when the checks would now pass.
func TestECSDuplicateInvocation(t *testing.T) {
	rec, run := &recorder{}, failing()
	r := hookRouter(rec, run, nil, "")
	in := read(t, "hook-ecs-post-production-traffic-shift.json")
	first, err := r.Handle(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	run.report = passing().report
	second, err := r.Handle(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	a, b := ecsAnswer(t, first), ecsAnswer(t, second)
	if a.HookStatus != hook.Failed || b.HookStatus != hook.Failed || !second.Hook.Duplicate {
		t.Errorf("answers %s then %s (duplicate %v), want FAILED twice", a.HookStatus, b.HookStatus, second.Hook.Duplicate)
	}
	if len(rec.notices) != 2 || run.calls != 1 {
		t.Errorf("%d notices and %d check runs, want 2 (event, checks) and 1", len(rec.notices), run.calls)
	}
	if !strings.Contains(second.Summary(), "answered earlier") {
		t.Errorf("summary %q", second.Summary())
	}
}

// TestECSSlowChecks: a Runner that does not return before the deadline
// gets IN_PROGRESS with callBackDelay and cutover's progress in
// hookDetails (the user's details kept); the next call resumes; after
// MaxCallBacks the checks count as failed.
func TestECSSlowChecks(t *testing.T) {
	rec := &recorder{}
	run := &runner{block: make(chan struct{})}
	defer close(run.block)
	r := hookRouter(rec, run, nil, "")
	r.Hooks.Reserve = 50 * time.Millisecond
	r.Hooks.MaxCallBacks = 2
	in := read(t, "hook-ecs-post-production-traffic-shift.json")

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	rep, err := r.Handle(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	resp := ecsAnswer(t, rep)
	if resp.HookStatus != hook.InProgress || resp.CallBackDelay != 30 {
		t.Fatalf("answer %+v, want IN_PROGRESS with a callBackDelay", resp)
	}
	var details map[string]json.RawMessage
	if err := json.Unmarshal(resp.HookDetails, &details); err != nil || string(details["smokeTest"]) != `"passed"` {
		t.Errorf("hookDetails %s lost the user's details", resp.HookDetails)
	}
	if p := hook.ProgressOf(resp.HookDetails); !p.Delivered || p.Attempts != 1 {
		t.Errorf("progress %+v", p)
	}

	// ECS calls again with the details it got: the second run is the last.
	var again map[string]json.RawMessage
	if err := json.Unmarshal(in, &again); err != nil {
		t.Fatal(err)
	}
	again["hookDetails"] = resp.HookDetails
	in2, _ := json.Marshal(again)
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	rep, err = r.Handle(ctx2, in2)
	if err != nil {
		t.Fatal(err)
	}
	if resp := ecsAnswer(t, rep); resp.HookStatus != hook.Failed {
		t.Errorf("answer after the last call back %+v, want FAILED", resp)
	}
	if len(rec.notices) != 2 {
		t.Errorf("%d notices, want the event once and the (failed) checks once", len(rec.notices))
	}
}

// TestUnreadableHookAnswers: input cutover cannot read answers FAILED
// only under rollback.
func TestUnreadableHookAnswers(t *testing.T) {
	in := []byte(`{"executionId":"x","lifecycleStage":7,"resourceArn":"r"}`)
	for _, c := range []struct {
		onError hook.OnError
		want    hook.Status
	}{{"", hook.Succeeded}, {hook.Continue, hook.Succeeded}, {hook.Rollback, hook.Failed}} {
		rec := &recorder{}
		rep, err := hookRouter(rec, passing(), nil, c.onError).Handle(context.Background(), in)
		if err != nil || ecsAnswer(t, rep).HookStatus != c.want || len(rec.notices) != 0 {
			t.Errorf("%q: answer %+v, err %v, %d notices; want %s", c.onError, rep.Response, err, len(rec.notices), c.want)
		}
	}
	api := &fakeCD{}
	_, err := hookRouter(&recorder{}, nil, api, "").Handle(context.Background(), []byte(`{"DeploymentId":5,"LifecycleEventHookExecutionId":"x"}`))
	if err == nil || len(api.puts) != 0 {
		t.Errorf("unreadable CodeDeploy hook: err %v, puts %v", err, api.puts)
	}
}

// TestCodeDeployHookReportsOnce: PutLifecycleEventHookExecutionStatus is
// called exactly once per execution, whatever happens.
func TestCodeDeployHookReportsOnce(t *testing.T) {
	down := errors.New("slack: 503")
	cases := []struct {
		name    string
		run     *runner
		chatErr error
		onError hook.OnError
		putErrs []error
		want    string
		fail    bool // the invocation fails (Lambda retries)
	}{
		{"checks pass", passing(), nil, "", nil, "Succeeded", false},
		{"no checks", nil, nil, "", nil, "Succeeded", false},
		{"checks fail", failing(), nil, "", nil, "Failed", false},
		{"check panics", &runner{panics: true}, nil, "", nil, "Failed", false},
		{"check panics, rollback", &runner{panics: true}, nil, hook.Rollback, nil, "Failed", false},
		{"chat down, continue", passing(), down, "", nil, "Succeeded", true},
		{"chat down, rollback", passing(), down, hook.Rollback, nil, "Failed", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := &fakeCD{putErrs: c.putErrs}
			rec := &recorder{fail: c.chatErr}
			var run check.Runner
			if c.run != nil {
				run = c.run
			}
			r := hookRouter(rec, run, api, c.onError)
			in := read(t, "hook-codedeploy.json")
			rep, err := r.Handle(context.Background(), in)
			if (err != nil) != c.fail {
				t.Errorf("error %v, want failure %v", err, c.fail)
			}
			if len(api.puts) != 1 || api.puts[0] != c.want || !rep.Hook.Reported {
				t.Fatalf("reported %v (reported %v), want exactly [%s]", api.puts, rep.Hook.Reported, c.want)
			}
			if rep.Hook.Event != "AfterAllowTraffic" {
				t.Errorf("event %q", rep.Hook.Event)
			}
			// Lambda's retry of the same invocation: nothing reported again.
			rec.fail = nil
			rep, err = r.Handle(context.Background(), in)
			if err != nil || len(api.puts) != 1 || !rep.Hook.Duplicate {
				t.Errorf("retry: err %v, reported %v, duplicate %v", err, api.puts, rep.Hook.Duplicate)
			}
			if c.chatErr != nil && len(rec.notices) == 0 {
				t.Error("the retry did not deliver what the first invocation could not")
			}
		})
	}
}

// TestCodeDeployReportFailureIsRetried: a status that cannot be reported
// fails the invocation and releases the answer, so the retry reports it.
func TestCodeDeployReportFailureIsRetried(t *testing.T) {
	api := &fakeCD{putErrs: []error{&smithy.GenericAPIError{Code: "InternalFailure", Message: "boom"}}}
	r := hookRouter(&recorder{}, passing(), api, "")
	in := read(t, "hook-codedeploy.json")
	if _, err := r.Handle(context.Background(), in); err == nil || len(api.puts) != 0 {
		t.Fatalf("err %v, puts %v", err, api.puts)
	}
	rep, err := r.Handle(context.Background(), in)
	if err != nil || len(api.puts) != 1 || api.puts[0] != "Succeeded" || rep.Hook.Duplicate {
		t.Errorf("retry: err %v, puts %v, duplicate %v", err, api.puts, rep.Hook.Duplicate)
	}
}

// TestCodeDeploySlowChecksStayInsideTheDeadline: a Runner that never
// returns does not hold the answer: FAILED is reported before the
// deadline.
func TestCodeDeploySlowChecksStayInsideTheDeadline(t *testing.T) {
	api := &fakeCD{}
	run := &runner{block: make(chan struct{})}
	defer close(run.block)
	r := hookRouter(&recorder{}, run, api, "")
	r.Hooks.Reserve = 250 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	rep, err := r.Handle(ctx, read(t, "hook-codedeploy.json"))
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Error("answered after the deadline")
	}
	if len(api.puts) != 1 || api.puts[0] != "Failed" {
		t.Errorf("reported %v, want [Failed]", api.puts)
	}
	if len(rep.Hook.Checks) != 1 || !strings.Contains(rep.Hook.Checks[0].Error, "did not finish") {
		t.Errorf("checks %+v", rep.Hook.Checks)
	}
}

// TestCodeDeployLookupFallsBack: when the lookup fails the configured
// hook name is used; another hook in progress is not the switch (no
// checks).
func TestCodeDeployLookupFallsBack(t *testing.T) {
	api := &fakeCD{listErr: &smithy.GenericAPIError{Code: "AccessDeniedException"}}
	run := passing()
	r := hookRouter(&recorder{}, run, api, "")
	r.Hooks.CodeDeployEvent = "BeforeAllowTraffic"
	rep, err := r.Handle(context.Background(), read(t, "hook-codedeploy.json"))
	if err != nil || rep.Hook.Event != "BeforeAllowTraffic" || run.calls != 0 || len(api.puts) != 1 {
		t.Errorf("fallback: err %v, event %q, checks %d, puts %v", err, rep.Hook.Event, run.calls, api.puts)
	}
	api = &fakeCD{inflight: "AfterAllowTestTraffic"}
	rep, _ = hookRouter(&recorder{}, run, api, "").Handle(context.Background(), read(t, "hook-codedeploy-failure-record.json"))
	if rep.Hook.Event != "AfterAllowTestTraffic" || run.calls != 0 || len(api.puts) != 1 || api.puts[0] != "Succeeded" {
		t.Errorf("found hook: event %q, checks %d, puts %v", rep.Hook.Event, run.calls, api.puts)
	}
}

var _ chat.Notifier = (*recorder)(nil)

// TestECSUndeliveredIsKeptForReplay: an ECS hook whose notification could
// not be delivered answers (continue: SUCCEEDED) and is kept as a failure
// record; replaying that record once the destination is back delivers the
// notification and answers the same, without running the checks again.
func TestECSUndeliveredIsKeptForReplay(t *testing.T) {
	rec, run := &recorder{fail: errors.New("slack: 503")}, passing()
	r := hookRouter(rec, run, nil, "")
	var kept [][]byte
	r.Hooks.Keep = func(_ context.Context, record []byte) error {
		kept = append(kept, record)
		return nil
	}
	rep, err := r.Handle(context.Background(), read(t, "hook-ecs-post-production-traffic-shift.json"))
	if err == nil || ecsAnswer(t, rep).HookStatus != hook.Succeeded {
		t.Fatalf("answer %+v, err %v", rep.Response, err)
	}
	if len(kept) != 1 {
		t.Fatalf("%d records kept, want 1", len(kept))
	}
	p := Classify(testSources, kept[0])
	if p.Kind != KindHook || p.Hook.Err != nil || p.Hook.ExecutionID != "0b6e2c1a-5d7f-4e8a-9c3b-2f1e0d9c8b7a" {
		t.Fatalf("the kept record classifies as %s %+v", p.Kind, p.Hook)
	}
	rec.mu.Lock()
	rec.fail = nil
	rec.mu.Unlock()
	rep, err = r.Run(context.Background(), p)
	if err != nil || !rep.Hook.Duplicate || ecsAnswer(t, rep).HookStatus != hook.Succeeded {
		t.Errorf("replay: err %v, duplicate %v, answer %+v", err, rep.Hook.Duplicate, rep.Response)
	}
	if len(rec.notices) != 2 || run.calls != 1 || len(kept) != 1 {
		t.Errorf("after replay: %d notices (want the event and the checks), %d check runs (want 1), %d kept", len(rec.notices), run.calls, len(kept))
	}
	if len(rec.notices) == 2 && len(rec.notices[1].Checks) != 1 {
		t.Errorf("the replayed check notice %+v", rec.notices[1])
	}
}

// FuzzFailureRecord: whatever the payload, the record is JSON and a hook
// payload stays that hook.
func FuzzFailureRecord(f *testing.F) {
	f.Add([]byte(`{"DeploymentId":"d-1","LifecycleEventHookExecutionId":"x"}`), "slack: 503")
	f.Add([]byte("not json"), "")
	f.Fuzz(func(t *testing.T, payload []byte, cause string) {
		rec := FailureRecord(payload, errors.New(cause))
		if !json.Valid(rec) {
			t.Fatalf("record %q is not JSON", rec)
		}
		if p := Classify(testSources, payload); p.Kind == KindHook && p.Hook.Err == nil {
			if q := Classify(testSources, rec); q.Kind != KindHook || q.Hook.ExecutionID != p.Hook.ExecutionID {
				t.Fatalf("record of a hook classifies as %s", q.Kind)
			}
		}
	})
}

// downStore is a records store that cannot be reached.
type downStore struct{}

func (downStore) Claim(context.Context, records.Key, time.Duration) (records.Claim, error) {
	return records.Claim{}, records.ErrUnavailable
}
func (downStore) Complete(context.Context, records.Key, []byte) error { return records.ErrUnavailable }
func (downStore) Release(context.Context, records.Key) error          { return records.ErrUnavailable }

// TestRecordsDownIsAFault: with the records unreachable the hook still
// delivers and answers; the fault is decided by the on-error policy.
func TestRecordsDownIsAFault(t *testing.T) {
	for _, c := range []struct {
		onError hook.OnError
		want    hook.Status
	}{{hook.Continue, hook.Succeeded}, {hook.Rollback, hook.Failed}} {
		rec := &recorder{}
		r := hookRouter(rec, passing(), nil, c.onError)
		r.Hooks.Answers = records.WithFallback(downStore{}, nil)
		rep, _ := r.Handle(context.Background(), read(t, "hook-ecs-post-production-traffic-shift.json"))
		if got := ecsAnswer(t, rep).HookStatus; got != c.want || len(rep.Hook.Faults) == 0 {
			t.Errorf("%s: answer %s, faults %v; want %s and a fault", c.onError, got, rep.Hook.Faults, c.want)
		}
		if len(rec.notices) != 2 {
			t.Errorf("%s: %d notices, want the event and the checks", c.onError, len(rec.notices))
		}
	}
}

// ctxRecorder is a notifier that fails when its context has ended, as a
// real HTTP destination does.
type ctxRecorder struct{ recorder }

func (c *ctxRecorder) Notify(ctx context.Context, n *chat.Notification) (chat.Receipt, error) {
	if err := ctx.Err(); err != nil {
		return chat.Receipt{}, err
	}
	return c.recorder.Notify(ctx, n)
}

// TestSlowChecksLeaveTimeToNotify: checks that overrun their time are cut
// off early enough for their (failed) result to be notified.
func TestSlowChecksLeaveTimeToNotify(t *testing.T) {
	api := &fakeCD{}
	run := &runner{block: make(chan struct{})}
	defer close(run.block)
	rec := &ctxRecorder{}
	r := hookRouter(&rec.recorder, run, api, "")
	r.Delivery.Destinations[0].Notifier = rec
	r.Hooks.Reserve = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	rep, err := r.Handle(ctx, read(t, "hook-codedeploy.json"))
	if err != nil {
		t.Fatalf("err %v (faults %v)", err, rep.Hook.Faults)
	}
	if len(rec.notices) != 2 || len(rec.notices[1].Checks) != 1 || len(api.puts) != 1 || api.puts[0] != "Failed" {
		t.Errorf("%d notices, puts %v: want the event, the failed checks, and Failed", len(rec.notices), api.puts)
	}
}
