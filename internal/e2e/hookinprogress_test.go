package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/hook"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// gatedApp is a stand-in application whose answers wait until the test
// releases them (or the client gives up), so that a check is provably
// still running while the test does something else: no sleep, no race
// on a delay.
type gatedApp struct {
	*httptest.Server

	mu      sync.Mutex
	n       int
	status  int
	gate    chan struct{}
	arrived chan struct{}
	first   *sync.Once
}

// newGatedApp starts the application; until hold is called it answers
// 200 "ok" at once.
func newGatedApp(t *testing.T) *gatedApp {
	a := &gatedApp{status: http.StatusOK, gate: make(chan struct{}), arrived: make(chan struct{}), first: &sync.Once{}}
	close(a.gate)
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

// hold makes the next requests wait and answer status once released. It
// restarts the request count and returns a channel closed when the first
// request arrives, and release (idempotent, also run at the test's end so
// the server can close).
func (a *gatedApp) hold(t *testing.T, status int) (arrived <-chan struct{}, release func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	gate := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	a.n, a.status, a.gate, a.arrived, a.first = 0, status, gate, make(chan struct{}), &sync.Once{}
	return a.arrived, release
}

// Requests returns how many requests arrived since the last hold.
func (a *gatedApp) Requests() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}

func (a *gatedApp) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.n++
	status, gate, arrived, first := a.status, a.gate, a.arrived, a.first
	a.mu.Unlock()
	first.Do(func() { close(arrived) })
	select {
	case <-gate:
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	_, _ = w.Write([]byte("ok"))
}

// ecsAnswerJSON returns the compacted result of an invocation, failing
// the test on a function error (ECS would roll back on it).
func ecsAnswerJSON(t *testing.T, inv invocation) string {
	t.Helper()
	if inv.FunctionError || inv.Status != http.StatusOK {
		t.Fatalf("function error (%s: %s), status %d: an ECS hook must always answer", inv.ErrorType, inv.ErrorMessage, inv.Status)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, inv.Body); err != nil {
		t.Fatalf("answer %s: %v", inv.Body, err)
	}
	return buf.String()
}

// answerLogs are the messages the router logs when it answers a hook
// execution, one per way of answering.
var answerLogs = []string{
	"lifecycle hook answered",
	"another invocation is answering this hook execution; asking ECS to call again",
	"hook execution answered earlier; delivering what is missing and answering the same",
	"checks did not finish in this invocation; asking ECS to call again",
}

// answers counts the answer log lines of one invocation.
func answers(inv invocation) int {
	n := 0
	for _, l := range inv.Logs {
		for _, m := range answerLogs {
			if l.str("msg") == m {
				n++
			}
		}
	}
	return n
}

// withHookDetails returns the ECS invocation in with its hookDetails
// replaced, as ECS passes back those of an IN_PROGRESS answer.
func withHookDetails(t *testing.T, in []byte, details json.RawMessage) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(in, &m); err != nil {
		t.Fatal(err)
	}
	m["hookDetails"] = details
	return mustJSON(t, m)
}

// TestHookInProgressBootstrap is the ECS hook's IN_PROGRESS path through
// the real bootstrap under the Lambda emulator, with the answer's state
// in the delivery records (moto DynamoDB) shared by two instances of the
// function, a stand-in application (gatedApp) and one fake Slack.
//
// A check that overruns the invocation is not what answers IN_PROGRESS
// here: the real checker honours the deadline the router gives it, so a
// check cut short returns as a failed check ("out of time") and the hook
// answers FAILED in that same invocation (deadline_*). IN_PROGRESS for
// unfinished checks needs a Runner that ignores its deadline, which only
// the router tests (internal/inbound TestECSSlowChecks) can inject. Under
// the emulator IN_PROGRESS comes from the answer claim: ECS's call reaches
// a second instance while the first is still running the checks; the
// second answers IN_PROGRESS with callBackDelay, and ECS's next call (sent
// here at once: the delay is ECS's) gets the first instance's answer from
// the records, without running the checks or notifying again.
func TestHookInProgressBootstrap(t *testing.T) {
	r := newHookRig(t, hookRigOptions{})
	table := r.table(t, "e2e-hook-inprogress")
	app := newGatedApp(t)
	checks := `[{"name":"api-ready","type":"http","url":"` + app.URL + `/ready","requests":3,"timeout_ms":30000,"body_contains":"ok"}]`
	common := []string{config.EnvRecordsTable + "=" + table, config.EnvEnrich + "=false", config.EnvChecks + "=" + checks}
	// Two instances of one function: the same records and the same Slack.
	first := r.function(t, common...)
	second := r.function(t, append(common, config.EnvSlackWebhookURL+"="+first.chat.WebhookURL())...)
	// A function whose invocation is shorter than the check's requests.
	short := r.function(t, append(common, "AWS_LAMBDA_FUNCTION_TIMEOUT=6")...)

	// The messages each fake Slack received since the last look.
	firstMsgs, secondMsgs, shortMsgs := newMessages(first.chat), newMessages(second.chat), newMessages(short.chat)
	checkMessages := func(msgs []string) int {
		n := 0
		for _, m := range msgs {
			if strings.Contains(m, "Checks at the switch") {
				n++
			}
		}
		return n
	}

	for _, c := range []struct {
		name   string
		status int
		answer string
		says   string
	}{
		{"passes", http.StatusOK, `{"hookStatus":"SUCCEEDED"}`, "Checks at the switch (passed)"},
		{"fails", http.StatusServiceUnavailable, `{"hookStatus":"FAILED"}`, "3 of 3 requests answered 503 on GET /ready"},
	} {
		t.Run("busy_then_"+c.name, func(t *testing.T) {
			firstMsgs()
			secondMsgs()
			arrived, release := app.hold(t, c.status)
			defer release()
			in := fakeECSHook(t, "e2e-inprogress-"+c.name, hook.StagePostProductionTrafficShift, 100)

			// ECS's call: the first instance claims the execution and runs
			// the checks, which wait at the application.
			type result struct {
				start int
				res   testrig.InvokeResult
				err   error
			}
			done := make(chan result, 1)
			go func() {
				start := len(first.rie.Output())
				ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
				defer cancel()
				res, err := first.rie.InvokeResult(ctx, in)
				done <- result{start, res, err}
			}()
			select {
			case <-arrived:
			case res := <-done:
				t.Fatalf("the first invocation ended before its checks reached the application: %+v %v", res.res, res.err)
			case <-time.After(60 * time.Second):
				t.Fatal("the checks never reached the application")
			}

			// The same execution reaches the second instance meanwhile.
			busy := second.invoke(t, in)
			const inProgress = `{"hookStatus":"IN_PROGRESS","callBackDelay":30,"hookDetails":{"team":"web"}}`
			t.Logf("second instance, meanwhile: %s", busy.Body)
			if got := ecsAnswerJSON(t, busy); got != inProgress {
				t.Errorf("second instance answered %s, want %s", got, inProgress)
			}
			if n := answers(busy); n != 1 {
				t.Errorf("second instance: %d answers logged, want 1:\n%s", n, busy.Output)
			}

			release()
			res := <-done
			if res.err != nil {
				t.Fatalf("first invocation: %v", res.err)
			}
			inv := first.collect(t, res.start, res.res)
			t.Logf("first instance: %s", inv.Body)
			if got := ecsAnswerJSON(t, inv); got != c.answer {
				t.Errorf("first instance answered %s, want %s", got, c.answer)
			}
			if n := answers(inv); n != 1 {
				t.Errorf("first instance: %d answers logged, want 1:\n%s", n, inv.Output)
			}
			requests := app.Requests()
			if requests != 3 {
				t.Errorf("the application got %d requests, want 3 (one run of the check)", requests)
			}

			// ECS calls again after callBackDelay with the hookDetails it
			// got: the answer decided by the first instance.
			var busyAnswer hook.ECSResponse
			if err := json.Unmarshal(busy.Body, &busyAnswer); err != nil {
				t.Fatal(err)
			}
			again := second.invoke(t, withHookDetails(t, in, busyAnswer.HookDetails))
			t.Logf("call back to the second instance: %s", again.Body)
			if got := ecsAnswerJSON(t, again); got != c.answer {
				t.Errorf("call back answered %s, want %s", got, c.answer)
			}
			if n := answers(again); n != 1 {
				t.Errorf("call back: %d answers logged, want 1:\n%s", n, again.Output)
			}
			if app.Requests() != requests {
				t.Errorf("the call back ran the checks again (%d more requests)", app.Requests()-requests)
			}

			got := firstMsgs()
			if len(got) != 2 || checkMessages(got) != 1 {
				t.Fatalf("%d Slack messages (%d of check results) for the execution, want 2 (the switch, the checks once): %q", len(got), checkMessages(got), got)
			}
			if !strings.Contains(got[0], "Traffic switched") || !strings.Contains(got[1], c.says) {
				t.Errorf("messages %q, want the switch then %q", got, c.says)
			}
			if n := len(secondMsgs()); n != 0 {
				t.Errorf("%d messages on the second instance's own Slack", n)
			}
		})
	}

	t.Run("deadline_cuts_the_check_short_and_fails", func(t *testing.T) {
		shortMsgs()
		arrived, release := app.hold(t, http.StatusOK)
		defer release()
		in := fakeECSHook(t, "e2e-inprogress-deadline", hook.StagePostProductionTrafficShift, 100)
		// The application holds every answer past the invocation's 6 s
		// (the requests' own timeout is 30 s): the check is cut short by
		// the time the router leaves it, before the answer's reserve.
		inv := short.invoke(t, in)
		select {
		case <-arrived:
		default:
			t.Fatal("the check never reached the application")
		}
		t.Logf("answer: %s", inv.Body)
		if got := ecsAnswerJSON(t, inv); got != `{"hookStatus":"FAILED"}` {
			t.Errorf("answer %s, want FAILED", got)
		}
		if n := answers(inv); n != 1 {
			t.Errorf("%d answers logged, want 1:\n%s", n, inv.Output)
		}
		got := shortMsgs()
		if len(got) == 2 {
			t.Logf("checks message: %s", got[1])
		}
		if len(got) != 2 || checkMessages(got) != 1 {
			t.Fatalf("%d Slack messages (%d of check results), want 2 (the switch, the checks once): %q", len(got), checkMessages(got), got)
		}
		for _, w := range []string{"Checks at the switch (1 of 1 failed)", "3 of 3 requests got no answer on GET /ready", "out of time"} {
			if !strings.Contains(got[1], w) {
				t.Errorf("the checks message lacks %q:\n%s", w, got[1])
			}
		}
		if strings.Contains(got[1], "timed out after 30.0 s") {
			t.Errorf("the checks message claims the requests' 30 s timeout elapsed; the invocation cut them short:\n%s", got[1])
		}

		// The same execution again (a retry of ECS's call): the same
		// answer from the records, nothing notified or checked again.
		requests := app.Requests()
		release()
		again := short.invoke(t, in)
		t.Logf("duplicate: %s", again.Body)
		if got := ecsAnswerJSON(t, again); got != `{"hookStatus":"FAILED"}` {
			t.Errorf("duplicate answered %s, want FAILED", got)
		}
		if n := answers(again); n != 1 {
			t.Errorf("duplicate: %d answers logged, want 1:\n%s", n, again.Output)
		}
		if n := len(shortMsgs()); n != 0 {
			t.Errorf("the duplicate posted %d messages", n)
		}
		if app.Requests() != requests {
			t.Errorf("the duplicate ran the checks again (%d more requests)", app.Requests()-requests)
		}
	})
}
