package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cutover-dev/cutover/internal/app"
	chatpost "github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/slackhook"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/inbound"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// Fault suite parameters (issue #6).
const (
	faultEvents = 1000 // distinct SNS messages sent
	faultRate   = 0.30 // share of chat requests that fail
	faultSeed   = 20261126
	// faultInstances is how many Lambda instances run at once; each has
	// its own dispatcher, HTTP client and claimant on the shared records.
	faultInstances = 16
	// faultInvocations is what Lambda gives an asynchronous event: the
	// first invocation and two retries.
	faultInvocations = 3
	// faultDeadline bounds one invocation, as the function timeout does.
	// It leaves no room to honour a Retry-After of 1 s (the Poster then
	// fails the attempt at once and leaves the retry to Lambda), nor for a
	// second attempt after a hang: about 17% of invocations fail, so some
	// events use up their three invocations and go to the failure queue.
	faultDeadline = time.Second
	// faultAttemptTimeout bounds one POST. It is short so that hanging
	// requests cost little, and long enough that a loaded 2-core machine
	// answers a loopback 200 well inside it: a 200 that arrives after the
	// client gave up is a duplicate no client can prevent, not what this
	// suite measures.
	faultAttemptTimeout = 500 * time.Millisecond
	// faultReplayRounds bounds the failure-queue replays.
	faultReplayRounds = 50
)

// faultPolicy is the fast retry policy of the fault suite's posters: two
// attempts, a short backoff, Retry-After honoured up to 1 s, and no attempt
// started unless a whole attempt fits before the invocation's deadline.
func faultPolicy() retry.Policy {
	return retry.Policy{Attempts: 2, Base: 10 * time.Millisecond, Max: time.Second, Reserve: faultAttemptTimeout + 100*time.Millisecond}
}

// Kinds of injected failure.
const (
	injOK       = "ok"
	injRetry0   = "429 Retry-After: 0"
	injRetry1   = "429 Retry-After: 1"
	inj500      = "500 rollup_error"
	injReset    = "connection reset"
	injHang     = "hang past the attempt timeout"
	faultHangOn = 30 * time.Second // ends early when the client gives up
)

// faultInjector scripts a FakeChat: each request fails with probability
// rate, with one of the injected failures picked uniformly, from a
// generator seeded once; it remembers what each request (by Seq) was
// answered.
type faultInjector struct {
	mu      sync.Mutex
	rng     *rand.Rand
	rate    float64
	answers map[int]string
}

func newFaultInjector(rate float64, seed uint64) *faultInjector {
	return &faultInjector{rng: rand.New(rand.NewPCG(seed, 0x6532652d6661756c)), rate: rate, answers: map[int]string{}}
}

// script is the FakeChat script function.
func (f *faultInjector) script(req testrig.Request) testrig.Reply {
	kinds := [...]string{injRetry0, injRetry1, inj500, injReset, injHang}
	f.mu.Lock()
	kind := injOK
	if f.rng.Float64() < f.rate {
		kind = kinds[f.rng.IntN(len(kinds))]
	}
	f.answers[req.Seq] = kind
	f.mu.Unlock()
	switch kind {
	case injRetry0:
		return testrig.RateLimited(0)
	case injRetry1:
		return testrig.RateLimited(1)
	case inj500:
		return testrig.Status(http.StatusInternalServerError, "rollup_error")
	case injReset:
		return testrig.ResetConn()
	case injHang:
		return testrig.Hang(faultHangOn)
	}
	return testrig.OK()
}

// answer returns what request seq was answered.
func (f *faultInjector) answer(seq int) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.answers[seq]
}

// injected counts the failures injected so far, by kind.
func (f *faultInjector) injected() (int, map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	by := map[string]int{}
	total := 0
	for _, k := range f.answers {
		if k != injOK {
			by[k]++
			total++
		}
	}
	return total, by
}

// handle is the inbound router over d: what the Lambda handler runs.
func handle(d *delivery.Dispatcher) func(context.Context, []byte) (inbound.Report, error) {
	return (&inbound.Router{Registry: app.Sources(), Delivery: d, Log: d.Log}).Handle
}

// newSlackDispatcher is one Lambda instance in-process: the real
// slackhook.Hook over a real Poster to webhook, delivery records in store,
// the default events.
func newSlackDispatcher(webhook string, poster *chatpost.Poster, store records.Store, log *slog.Logger) *delivery.Dispatcher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &delivery.Dispatcher{
		Destinations: []delivery.Destination{{Name: "slack", Notifier: slackhook.New(webhook, poster)}},
		Events:       defaultEvents(),
		Records:      store,
		Log:          log,
	}
}

// faultFigures are the fault suite's results.
type faultFigures struct {
	Sent, Delivered, Duplicated, Lost, Requests, FailuresInjected int
	Invocations, FailedInvocations, FailureQueue, ReplayRounds    int
	Injected                                                      map[string]int
	Elapsed                                                       time.Duration
}

// Line is the one-line summary the suite prints.
func (f faultFigures) Line() string {
	return fmt.Sprintf("fault suite: sent=%d delivered=%d duplicated=%d lost=%d requests=%d failures_injected=%d",
		f.Sent, f.Delivered, f.Duplicated, f.Lost, f.Requests, f.FailuresInjected)
}

// Details is the rest of the figures.
func (f faultFigures) Details() string {
	kinds := make([]string, 0, len(f.Injected))
	for k, n := range f.Injected {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(kinds)
	return fmt.Sprintf("fault suite details: invocations=%d failed_invocations=%d failure_queue=%d replay_rounds=%d elapsed=%s injected: %s",
		f.Invocations, f.FailedInvocations, f.FailureQueue, f.ReplayRounds, f.Elapsed.Round(time.Millisecond), strings.Join(kinds, ", "))
}

// TestFaultSuite sends 1,000 distinct events through the dispatcher, the
// real Slack notifier and Poster and shared delivery records to a fake
// Slack that fails 30% of requests (429 with Retry-After 0 or 1, 500,
// connection resets, hangs past the attempt timeout). Lambda is modelled:
// 16 instances, each event up to 3 invocations with a deadline, events
// that still fail go to a failure queue that is replayed until empty. What
// the fake Slack answered 200 must hold every event exactly once.
func TestFaultSuite(t *testing.T) {
	start := time.Now()
	chat := testrig.NewFakeChat(t)
	inj := newFaultInjector(faultRate, faultSeed)
	chat.SetScript(inj.script)

	fixtures := []string{"instance-success", "deployment-failure", "deployment-rollback", "trigger-test"}
	ids := msgIDs("e2e-fault", faultEvents)
	payloads := make([][]byte, faultEvents)
	for i := range payloads {
		payloads[i] = snsEvent(t, fixtures[i%len(fixtures)], ids[i], fmt.Sprintf("d-F%08d", i))
	}

	records := records.NewMemory(0)
	instances := make([]*delivery.Dispatcher, faultInstances)
	for i := range instances {
		poster := chatpost.NewPoster(chatpost.PosterOptions{Timeout: faultAttemptTimeout, Policy: faultPolicy()})
		instances[i] = newSlackDispatcher(chat.WebhookURL(), poster, records.Peer(), nil)
	}

	var (
		invocations, failedInv atomic.Int64
		reported               = make([]atomic.Int32, faultEvents) // Delivered outcomes per event
	)
	// invoke is one Lambda invocation of event i on instance d.
	invoke := func(d *delivery.Dispatcher, i int) bool {
		ctx, cancel := context.WithTimeout(context.Background(), faultDeadline)
		defer cancel()
		invocations.Add(1)
		rep, err := handle(d)(ctx, payloads[i])
		for _, er := range rep.Events {
			for _, del := range er.Deliveries {
				if del.Outcome == delivery.Delivered {
					reported[i].Add(1)
				}
			}
		}
		if err != nil {
			failedInv.Add(1)
			return false
		}
		if len(rep.Events) != 1 {
			t.Errorf("event %d: decoded %d events, rejected %v", i, len(rep.Events), rep.Rejections())
		}
		return true
	}
	// run hands each event to the instances, up to tries invocations per
	// event, and returns the events that still failed.
	run := func(events []int, tries int) []int {
		work := make(chan int)
		var (
			mu     sync.Mutex
			failed []int
			wg     sync.WaitGroup
		)
		for _, d := range instances {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					ok := false
					for range tries {
						if ok = invoke(d, i); ok {
							break
						}
					}
					if !ok {
						mu.Lock()
						failed = append(failed, i)
						mu.Unlock()
					}
				}
			}()
		}
		for _, i := range events {
			work <- i
		}
		close(work)
		wg.Wait()
		sort.Ints(failed)
		return failed
	}

	all := make([]int, faultEvents)
	for i := range all {
		all[i] = i
	}
	queue := run(all, faultInvocations)
	fig := faultFigures{Sent: faultEvents, FailureQueue: len(queue)}
	t.Logf("after %d invocations, %d events are in the failure queue", invocations.Load(), len(queue))
	for len(queue) > 0 && fig.ReplayRounds < faultReplayRounds {
		fig.ReplayRounds++
		queue = run(queue, 1)
	}
	if len(queue) > 0 {
		t.Errorf("%d events still failing after %d replays of the failure queue", len(queue), fig.ReplayRounds)
	}

	// What Slack shows: the requests answered 200, by SNS MessageId.
	sent := make(map[string]bool, faultEvents)
	for _, id := range ids {
		sent[id] = true
	}
	shown := map[string]int{}
	reqs := chat.Requests()
	for _, r := range reqs {
		if inj.answer(r.Seq) != injOK {
			continue
		}
		_, id := parseSlack(t, r.Body)
		if !sent[id] {
			t.Errorf("request %d was answered 200 but names SNS message %q, which was not sent", r.Seq, id)
			continue
		}
		shown[id]++
	}
	for _, id := range ids {
		switch n := shown[id]; {
		case n == 0:
			fig.Lost++
			t.Errorf("event %s was never delivered", id)
		default:
			fig.Delivered++
			if n > 1 {
				fig.Duplicated += n - 1
				t.Errorf("event %s was delivered %d times", id, n)
			}
		}
	}
	for i := range reported {
		if n := reported[i].Load(); n != 1 {
			t.Errorf("event %s: the dispatcher reported %d deliveries, want 1", ids[i], n)
		}
	}
	fig.Requests = len(reqs)
	fig.FailuresInjected, fig.Injected = inj.injected()
	fig.Invocations, fig.FailedInvocations = int(invocations.Load()), int(failedInv.Load())
	fig.Elapsed = time.Since(start)

	t.Log(fig.Line())
	t.Log(fig.Details())
	fmt.Println(fig.Line())
	fmt.Println(fig.Details())
	if path := os.Getenv("CUTOVER_FAULT_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(fig.Line()+"\n"+fig.Details()+"\n"), 0o644); err != nil {
			t.Errorf("write CUTOVER_FAULT_REPORT: %v", err)
		}
	}
	if fig.FailuresInjected == 0 {
		t.Errorf("no failure was injected")
	}
}

// TestDeliveryRecords checks what the delivery records do about SNS
// delivering one message more than once, and about a crash between sending
// and recording, with records.Memory and with the DynamoDB store on one
// moto.
func TestDeliveryRecords(t *testing.T) {
	moto := testrig.StartMoto(t)
	table := createRecordsTable(t, moto)
	t.Run("duplicates", func(t *testing.T) { testDuplicateDeliveries(t, moto, table) })
	t.Run("crash_window", func(t *testing.T) { testCrashDuplicateWindow(t, moto, table) })
}

// testDuplicateDeliveries delivers one SNS message twice in a row, and 20
// times at once (20 invocations, each its own claimant) through
// records.Memory and through the DynamoDB store: Slack gets it once.
func testDuplicateDeliveries(t *testing.T, moto *testrig.Moto, table string) {
	t.Run("sequential", func(t *testing.T) {
		chat := testrig.NewFakeChat(t)
		d := newSlackDispatcher(chat.WebhookURL(), chatpost.NewPoster(chatpost.PosterOptions{}), records.NewMemory(0), nil)
		payload := snsEvent(t, "instance-success", "e2e-dup-seq-0001", "d-DUPSEQ001")
		var outcomes []string
		for range 2 {
			rep, err := handle(d)(context.Background(), payload)
			if err != nil {
				t.Fatalf("handle: %v", err)
			}
			outcomes = append(outcomes, deliveryOutcomes(rep)...)
		}
		if n := chat.Count(); n != 1 {
			t.Errorf("fake Slack got %d requests for one message delivered twice by SNS, want 1", n)
		}
		if want := []string{string(delivery.Delivered), string(delivery.AlreadyDelivered)}; !equal(outcomes, want) {
			t.Errorf("outcomes %v, want %v", outcomes, want)
		}
	})

	stores := []struct {
		name string
		new  func(t *testing.T) func() records.Store // per test: per invocation
	}{
		{"memory", func(*testing.T) func() records.Store {
			m := records.NewMemory(0)
			return func() records.Store { return m.Peer() }
		}},
		{"dynamodb_on_moto", func(t *testing.T) func() records.Store {
			client := dynamodb.NewFromConfig(moto.AWSConfig(t))
			return func() records.Store {
				s, err := records.NewDynamoDB(client, table, 0)
				if err != nil {
					t.Fatalf("dynamodb store: %v", err)
				}
				return s
			}
		}},
	}
	for _, s := range stores {
		t.Run("concurrent_"+s.name, func(t *testing.T) {
			const n = 20
			chat := testrig.NewFakeChat(t)
			// A slow 200 keeps the first claim open while the others arrive.
			chat.SetDefault(testrig.Hang(200 * time.Millisecond))
			newStore := s.new(t)
			poster := chatpost.NewPoster(chatpost.PosterOptions{})
			payload := snsEvent(t, "instance-success", "e2e-dup-conc-"+s.name, "d-DUPCONC01")
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				outcomes = map[string]int{}
				startAll = make(chan struct{})
			)
			for range n {
				d := newSlackDispatcher(chat.WebhookURL(), poster, newStore(), nil)
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-startAll
					rep, err := handle(d)(context.Background(), payload)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						outcomes["error: "+err.Error()]++
						return
					}
					for _, o := range deliveryOutcomes(rep) {
						outcomes[o]++
					}
				}()
			}
			close(startAll)
			wg.Wait()
			t.Logf("%d concurrent deliveries of one message: %v", n, outcomes)
			if got := chat.Count(); got != 1 {
				t.Errorf("fake Slack got %d requests, want exactly 1", got)
			}
			// The others wait for the first and find it delivered.
			if outcomes[string(delivery.Delivered)] != 1 || outcomes[string(delivery.AlreadyDelivered)] != n-1 {
				t.Errorf("outcomes %v: want 1 delivered and %d already delivered", outcomes, n-1)
			}
		})
	}
}

// deliveryOutcomes lists the outcome of every delivery in rep.
func deliveryOutcomes(rep inbound.Report) []string {
	var out []string
	for _, e := range rep.Events {
		for _, d := range e.Deliveries {
			out = append(out, string(d.Outcome))
		}
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// createRecordsTable creates the delivery-records table the Terraform
// module creates (pk and sk strings) on moto and returns its name.
func createRecordsTable(t *testing.T, moto *testrig.Moto) string {
	t.Helper()
	const table = "cutover-delivery-records"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := dynamodb.NewFromConfig(moto.AWSConfig(t))
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{
			{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
			{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange},
		},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("create records table on moto: %v", err)
	}
	return table
}

// errSimulatedCrash stands for the process dying after the message was
// sent and before the delivery was recorded.
var errSimulatedCrash = errors.New("simulated crash: the process died before recording the delivery")

// crashOnce is a delivery-records store whose first Complete is lost, as
// if the function crashed between sending and recording: the claim stays
// behind until its lease runs out.
type crashOnce struct {
	records.Store
	crashed atomic.Bool
}

// Complete loses the first call and passes the others on.
func (c *crashOnce) Complete(ctx context.Context, k records.Key, result []byte) error {
	if !c.crashed.Swap(true) {
		return errSimulatedCrash
	}
	return c.Store.Complete(ctx, k, result)
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// testCrashDuplicateWindow measures the duplicate window a crash between
// sending and recording leaves: the claim stays until its lease L runs
// out. A retry before then finds the delivery Busy (no duplicate, but that
// attempt delivers nothing); the first retry after it sends the message
// again: exactly one duplicate. The store and the dispatcher read one fake
// clock (records.WithClock, Dispatcher.Now), so the window is exact on
// records.Memory and on the DynamoDB store alike: the table compares the
// lease with the time the store sends, not with moto's clock.
func testCrashDuplicateWindow(t *testing.T, moto *testrig.Moto, table string) {
	t.Run("memory_fake_clock", func(t *testing.T) {
		checkCrashWindow(t, "e2e-crash-mem-0001", "d-CRASHM001", func(t *testing.T, now func() time.Time) records.Store {
			return records.NewMemory(0, records.WithClock(now))
		})
	})
	t.Run("dynamodb_on_moto_fake_clock", func(t *testing.T) {
		checkCrashWindow(t, "e2e-crash-ddb-0001", "d-CRASHD001", func(t *testing.T, now func() time.Time) records.Store {
			s, err := records.NewDynamoDB(dynamodb.NewFromConfig(moto.AWSConfig(t)), table, 0, records.WithClock(now))
			if err != nil {
				t.Fatal(err)
			}
			return s
		})
	})
}

// checkCrashWindow delivers one event through a store from newStore whose
// first Complete is lost, then retries it at fixed offsets after the
// claim, around the lease, on a fake clock: the retries up to the lease
// must be busy and fail the invocation, the first one after it must send
// the message again, and the one after that must find it delivered.
func checkCrashWindow(t *testing.T, id, deployment string, newStore func(t *testing.T, now func() time.Time) records.Store) {
	// About the lease a 55 s invocation gets by default (the time left
	// plus 5 s), so Lambda's first retry, a minute later, is past it.
	const lease = 60 * time.Second
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: t0}
	chat := testrig.NewFakeChat(t)
	store := &crashOnce{Store: newStore(t, clock.Now)}
	d := newSlackDispatcher(chat.WebhookURL(), chatpost.NewPoster(chatpost.PosterOptions{}), store, nil)
	d.Lease, d.Now = lease, clock.Now
	// Retries inside the lease must not wait for the crashed attempt
	// here: each is one Lambda retry, failing so it is retried again.
	d.BusyWait = time.Millisecond
	payload := snsEvent(t, "instance-success", id, deployment)

	rep, err := handle(d)(context.Background(), payload)
	if err != nil || !equal(deliveryOutcomes(rep), []string{string(delivery.Delivered)}) {
		t.Fatalf("first delivery: %v %v", deliveryOutcomes(rep), err)
	}
	if !store.crashed.Load() {
		t.Fatal("the first delivery recorded its completion: no crash was simulated")
	}
	// Retries at these times after the claim; the lease is compared in
	// milliseconds, so it runs out 1 ms after lease.
	offsets := []time.Duration{time.Millisecond, time.Second, lease / 2, lease - time.Millisecond, lease, lease + time.Millisecond, lease + 2*time.Millisecond}
	var (
		busy, busyErrs int
		window         time.Duration
	)
	for _, off := range offsets {
		clock.Set(t0.Add(off))
		rep, err := handle(d)(context.Background(), payload)
		out := deliveryOutcomes(rep)
		if equal(out, []string{string(delivery.InProgressElsewhere)}) {
			busy++
			if err != nil {
				busyErrs++
			}
			continue
		}
		if !equal(out, []string{string(delivery.Delivered)}) || err != nil {
			t.Fatalf("retry at +%s: %v %v", off, out, err)
		}
		window = off
		break
	}
	t.Logf("lease %s: %d retries within it (up to +%s) were busy, %d of them failing the invocation; the first retry after it (+%s after the claim) sent the message again: duplicate window %s",
		lease, busy, lease, busyErrs, window, window)
	if busyErrs != busy {
		t.Errorf("%d of %d busy retries reported success: a retry that delivered nothing must fail so the event is not lost", busy-busyErrs, busy)
	}
	if busy != 5 || window != lease+time.Millisecond {
		t.Errorf("%d busy retries, re-sent at +%s: want the 5 retries up to +%s busy and the one at +%s to send again",
			busy, window, lease, lease+time.Millisecond)
	}
	rep, err = handle(d)(context.Background(), payload)
	if err != nil || !equal(deliveryOutcomes(rep), []string{string(delivery.AlreadyDelivered)}) {
		t.Errorf("after the re-send: %v %v, want already delivered", deliveryOutcomes(rep), err)
	}
	assertShownTimes(t, chat, id, 2)
}

// assertShownTimes checks that the fake Slack got exactly n messages, all
// for SNS message id.
func assertShownTimes(t *testing.T, chat *testrig.FakeChat, id string, n int) {
	t.Helper()
	reqs := chat.Requests()
	if len(reqs) != n {
		t.Errorf("fake Slack got %d messages, want %d (the original and one duplicate)", len(reqs), n)
	}
	for _, r := range reqs {
		if _, got := parseSlack(t, r.Body); got != id {
			t.Errorf("request %d names SNS message %q, want %q", r.Seq, got, id)
		}
	}
}
