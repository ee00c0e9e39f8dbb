package e2e

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
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

// slackFaults are the failures the one-destination suite injects.
func slackFaults() []fault {
	return []fault{
		{injRetry0, testrig.RateLimited(0)},
		{injRetry1, testrig.RateLimited(1)},
		{inj500, testrig.Status(http.StatusInternalServerError, "rollup_error")},
		{injReset, testrig.ResetConn()},
		{injHang, testrig.Hang(faultHangOn)},
	}
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

// faultFigures are one destination's results in a fault suite.
type faultFigures struct {
	Sent, Delivered, Duplicated, Lost, LostAnswers, Requests, FailuresInjected int
	Injected                                                                   map[string]int
}

// Line is the one-line summary the suite prints: prefix, then the
// figures. duplicated counts every extra copy the fake took; lost_answers
// counts the 2xx answers that never reached the client, which explain
// that many duplicates (see docs/delivery.md).
func (f faultFigures) Line(prefix string) string {
	return fmt.Sprintf("%s sent=%d delivered=%d duplicated=%d lost=%d lost_answers=%d requests=%d failures_injected=%d",
		prefix, f.Sent, f.Delivered, f.Duplicated, f.Lost, f.LostAnswers, f.Requests, f.FailuresInjected)
}

// injectedText lists the injected failures by kind, sorted.
func (f faultFigures) injectedText() string {
	kinds := make([]string, 0, len(f.Injected))
	for k, n := range f.Injected {
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(kinds)
	return strings.Join(kinds, ", ")
}

// runFigures are a fault-suite run's figures about Lambda.
type runFigures struct {
	Invocations, FailedInvocations, FailureQueue, ReplayRounds int
	// AlreadyDelivered counts the deliveries retries skipped because an
	// earlier invocation had completed them.
	AlreadyDelivered int
	Elapsed          time.Duration
}

// Details is the one-line summary of r, with prefix.
func (r runFigures) Details(prefix string) string {
	return fmt.Sprintf("%s invocations=%d failed_invocations=%d failure_queue=%d replay_rounds=%d already_delivered_skipped=%d elapsed=%s",
		prefix, r.Invocations, r.FailedInvocations, r.FailureQueue, r.ReplayRounds, r.AlreadyDelivered, r.Elapsed.Round(time.Millisecond))
}

// lambdaModel models Lambda running events on instances: each event up to
// faultInvocations invocations with a deadline of faultDeadline, then the
// failure queue replayed until empty.
type lambdaModel struct {
	instances []*delivery.Dispatcher
	payloads  [][]byte

	invocations, failedInv atomic.Int64

	mu       sync.Mutex
	reported []map[string]int // per event: Delivered outcomes by destination
	skipped  int              // AlreadyDelivered outcomes: sends a retry left out
}

func newLambdaModel(instances []*delivery.Dispatcher, payloads [][]byte) *lambdaModel {
	m := &lambdaModel{instances: instances, payloads: payloads, reported: make([]map[string]int, len(payloads))}
	for i := range m.reported {
		m.reported[i] = map[string]int{}
	}
	return m
}

// invoke is one Lambda invocation of event i on instance d.
func (m *lambdaModel) invoke(t *testing.T, d *delivery.Dispatcher, i int) bool {
	ctx, cancel := context.WithTimeout(context.Background(), faultDeadline)
	defer cancel()
	m.invocations.Add(1)
	rep, err := handle(d)(ctx, m.payloads[i])
	m.mu.Lock()
	for _, er := range rep.Events {
		for _, del := range er.Deliveries {
			switch del.Outcome {
			case delivery.Delivered:
				m.reported[i][del.Destination]++
			case delivery.AlreadyDelivered:
				m.skipped++
			}
		}
	}
	m.mu.Unlock()
	if err != nil {
		m.failedInv.Add(1)
		return false
	}
	if len(rep.Events) != 1 {
		t.Errorf("event %d: decoded %d events, rejected %v", i, len(rep.Events), rep.Rejections())
	}
	return true
}

// run hands each event to the instances, up to tries invocations per
// event, and returns the events that still failed.
func (m *lambdaModel) run(t *testing.T, events []int, tries int) []int {
	work := make(chan int)
	var (
		mu     sync.Mutex
		failed []int
		wg     sync.WaitGroup
	)
	for _, d := range m.instances {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				ok := false
				for range tries {
					if ok = m.invoke(t, d, i); ok {
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

// runAll runs every event with Lambda's retries, then replays the failure
// queue until it is empty or faultReplayRounds have passed.
func (m *lambdaModel) runAll(t *testing.T) runFigures {
	start := time.Now()
	all := make([]int, len(m.payloads))
	for i := range all {
		all[i] = i
	}
	queue := m.run(t, all, faultInvocations)
	fig := runFigures{FailureQueue: len(queue)}
	t.Logf("after %d invocations, %d events are in the failure queue", m.invocations.Load(), len(queue))
	for len(queue) > 0 && fig.ReplayRounds < faultReplayRounds {
		fig.ReplayRounds++
		queue = m.run(t, queue, 1)
	}
	if len(queue) > 0 {
		t.Errorf("%d events still failing after %d replays of the failure queue", len(queue), fig.ReplayRounds)
	}
	fig.Invocations, fig.FailedInvocations = int(m.invocations.Load()), int(m.failedInv.Load())
	m.mu.Lock()
	fig.AlreadyDelivered = m.skipped
	m.mu.Unlock()
	fig.Elapsed = time.Since(start)
	return fig
}

// reportedDeliveries is how many times the dispatcher reported event i
// delivered to dest.
func (m *lambdaModel) reportedDeliveries(i int, dest string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reported[i][dest]
}

// tally checks what fake shows of destination dest after a run: every
// event of ids taken exactly once, except for copies whose answer was lost
// (faultFake.lostAnswer), and never a request for an event after a copy
// whose answer reached the client; the dispatcher reported each event
// delivered there exactly once. idOf reads the SNS MessageId from a body.
func tally(t *testing.T, dest string, fake *faultFake, m *lambdaModel, ids []string, idOf func(body []byte) string) faultFigures {
	t.Helper()
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
	}
	reqs := fake.Requests()
	fig := faultFigures{Sent: len(ids), Requests: len(reqs)}
	fig.FailuresInjected, fig.Injected = fake.injected()
	// The fake's verdicts may lag the client closing a connection by a
	// moment: read them again once if something is unexplained.
	for pass := 0; ; pass++ {
		f, problems := tallyOnce(dest, fake, m, ids, index, reqs, idOf)
		f.Sent, f.Requests, f.FailuresInjected, f.Injected = fig.Sent, fig.Requests, fig.FailuresInjected, fig.Injected
		if len(problems) == 0 || pass == 1 {
			for _, p := range problems {
				t.Error(p)
			}
			return f
		}
		time.Sleep(time.Second)
	}
}

func tallyOnce(dest string, fake *faultFake, m *lambdaModel, ids []string, index map[string]int, reqs []faultRequest, idOf func([]byte) string) (faultFigures, []string) {
	var (
		fig      faultFigures
		problems []string
		byEvent  = make([][]faultRequest, len(ids))
	)
	for _, r := range reqs {
		id := idOf(r.Body)
		i, ok := index[id]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: request %d names SNS message %q, which was not sent", dest, r.Seq, id))
			continue
		}
		byEvent[i] = append(byEvent[i], r)
	}
	for i, rs := range byEvent {
		copies, accepted, lost := 0, 0, 0
		firstAccepted := 0
		for _, r := range rs {
			if firstAccepted != 0 {
				problems = append(problems, fmt.Sprintf("%s: event %s: request %d (answered %s) was sent after request %d was delivered and answered: a retry re-sent what was done",
					dest, ids[i], r.Seq, r.Kind, firstAccepted))
			}
			if !r.delivered() {
				continue
			}
			copies++
			if fake.lostAnswer(r.Seq) {
				lost++
				continue
			}
			accepted++
			if firstAccepted == 0 {
				firstAccepted = r.Seq
			}
		}
		fig.LostAnswers += lost
		switch {
		case copies == 0:
			fig.Lost++
			problems = append(problems, fmt.Sprintf("%s: event %s was never delivered", dest, ids[i]))
		default:
			fig.Delivered++
			fig.Duplicated += copies - 1
			if accepted > 1 {
				problems = append(problems, fmt.Sprintf("%s: event %s was delivered %d times, %d of them answered to the client (%d lost answers)",
					dest, ids[i], copies, accepted, lost))
			}
		}
		if n := m.reportedDeliveries(i, dest); n != 1 {
			problems = append(problems, fmt.Sprintf("%s: event %s: the dispatcher reported %d deliveries, want 1", dest, ids[i], n))
		}
	}
	return fig, problems
}

// TestFaultSuite sends 1,000 distinct events through the dispatcher, the
// real Slack notifier and Poster and shared delivery records to a fake
// Slack that fails 30% of requests (429 with Retry-After 0 or 1, 500,
// connection resets, hangs past the attempt timeout). Lambda is modelled:
// 16 instances, each event up to 3 invocations with a deadline, events
// that still fail go to a failure queue that is replayed until empty. What
// the fake Slack answered 200 must hold every event exactly once, apart
// from copies whose 200 never reached the client (lost answers).
func TestFaultSuite(t *testing.T) {
	fake := newFaultFake(t, faultRate, faultSeed, testrig.OK(), slackFaults()...)
	webhook := fake.URL("/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX")

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
		instances[i] = newSlackDispatcher(webhook, poster, records.Peer(), nil)
	}
	m := newLambdaModel(instances, payloads)
	run := m.runAll(t)

	fig := tally(t, "slack", fake, m, ids, func(body []byte) string {
		_, id := parseSlack(t, body)
		return id
	})
	line := fig.Line("fault suite:")
	details := run.Details("fault suite details:") + " injected: " + fig.injectedText()
	t.Log(line)
	t.Log(details)
	fmt.Println(line)
	fmt.Println(details)
	appendFaultReport(t, line, details)
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
