package e2e

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/testrig"
)

// TestLambdaBootstrap runs the real bootstrap (cmd/cutover built with
// -tags lambda.norpc) under the Lambda Runtime Interface Emulator, as
// Lambda runs it for SNS: CUTOVER_SLACK_WEBHOOK_URL points at a fake Slack,
// CUTOVER_EVENTS is left at its default, there is no records table, and
// every AWS SDK call goes to a local moto. Each case checks the invocation
// result, what the fake Slack received and the function's JSON logs.
func TestLambdaBootstrap(t *testing.T) {
	moto := testrig.StartMoto(t)
	rig := startLambda(t, moto.Env())
	chat := rig.chat

	// want is what one case expects; the fake's replies are scripted per
	// case.
	type want struct {
		requests  int    // exact number of requests (0: see minReq)
		minReq    int    // at least this many requests
		fail      bool   // the invocation reports a function error
		text      string // every message's text mentions this
		messageID string // every message's footer names this SNS message
	}
	check := func(t *testing.T, inv invocation, w want) []testrig.Request {
		t.Helper()
		if inv.FunctionError != w.fail {
			t.Errorf("function error = %v (%s: %s), want %v; status %d body %s",
				inv.FunctionError, inv.ErrorType, inv.ErrorMessage, w.fail, inv.Status, inv.Body)
		}
		if inv.Status == http.StatusBadGateway {
			t.Errorf("the runtime crashed (502): %s", inv.Body)
		}
		reqs := chat.Requests()
		switch {
		case w.requests > 0 && len(reqs) != w.requests:
			t.Errorf("fake Slack got %d requests, want %d", len(reqs), w.requests)
		case w.minReq > 0 && len(reqs) < w.minReq:
			t.Errorf("fake Slack got %d requests, want at least %d", len(reqs), w.minReq)
		}
		for _, r := range reqs {
			if r.Method != http.MethodPost || r.Path != "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX" {
				t.Errorf("request %d: %s %s, want a POST to the webhook path", r.Seq, r.Method, r.Path)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("request %d: Content-Type %q, want application/json", r.Seq, ct)
			}
			msg, id := parseSlack(t, r.Body)
			if w.text != "" && !strings.Contains(msg.Text, w.text) {
				t.Errorf("request %d: text %q does not mention %q", r.Seq, msg.Text, w.text)
			}
			if len(msg.Blocks) == 0 {
				t.Errorf("request %d: no Block Kit blocks: %s", r.Seq, r.Body)
			}
			if w.messageID != "" && id != w.messageID {
				t.Errorf("request %d: footer names SNS message %q, want %q", r.Seq, id, w.messageID)
			}
		}
		assertNoWebhookSecret(t, "the invocation result", string(inv.Body))
		assertNoWebhookSecret(t, "the function's output", inv.Output)
		return reqs
	}
	// eventLogged checks that a log line names the deployment and the SNS
	// message.
	eventLogged := func(t *testing.T, inv invocation, deploymentID, msgID string) {
		t.Helper()
		for _, l := range inv.Logs {
			if l.str("deployment_id") == deploymentID && l.str("sns_message_id") == msgID {
				return
			}
		}
		t.Errorf("no log line with deployment_id %q and sns_message_id %q in:\n%s", deploymentID, msgID, inv.Output)
	}

	t.Run("a_200_delivers_once", func(t *testing.T) {
		chat.Reset()
		const id, dep = "e2e-lambda-a-0001", "d-LAMBDAA01"
		inv := rig.invoke(t, snsEvent(t, "instance-success", id, dep))
		check(t, inv, want{requests: 1, text: "Traffic switched", messageID: id})
		eventLogged(t, inv, dep, id)
	})

	t.Run("b_429_retry_after_then_200", func(t *testing.T) {
		chat.Reset()
		chat.Enqueue(testrig.RateLimited(1), testrig.OK())
		const id, dep = "e2e-lambda-b-0001", "d-LAMBDAB01"
		inv := rig.invoke(t, snsEvent(t, "instance-success", id, dep))
		reqs := check(t, inv, want{requests: 2, text: "Traffic switched", messageID: id})
		if len(reqs) == 2 {
			// An ordering check on the fake's own clock: the retry came
			// after the Retry-After the 429 asked for, not a speed limit.
			gap := reqs[1].Time.Sub(reqs[0].Time)
			t.Logf("gap between the 429 and the retry: %s (Retry-After: 1)", gap)
			if gap < 900*time.Millisecond {
				t.Errorf("retry came %s after the 429, before its Retry-After of 1 s", gap)
			}
			if string(reqs[0].Body) != string(reqs[1].Body) {
				t.Errorf("the retry sent a different body")
			}
		}
		eventLogged(t, inv, dep, id)
	})

	t.Run("c_500_always_fails_the_invocation", func(t *testing.T) {
		chat.Reset()
		chat.SetDefault(testrig.Status(http.StatusInternalServerError, "rollup_error"))
		const id, dep = "e2e-lambda-c-0001", "d-LAMBDAC01"
		inv := rig.invoke(t, snsEvent(t, "deployment-failure", id, dep))
		reqs := check(t, inv, want{minReq: 3, fail: true, text: "Deployment failed", messageID: id})
		t.Logf("%d attempts before the invocation failed: %s", len(reqs), inv.ErrorMessage)
		if !strings.Contains(inv.ErrorMessage, "500") {
			t.Errorf("error %q does not name the 500", inv.ErrorMessage)
		}
		eventLogged(t, inv, dep, id)
	})

	t.Run("d_404_channel_not_found_is_permanent", func(t *testing.T) {
		chat.Reset()
		chat.SetDefault(testrig.Status(http.StatusNotFound, "channel_not_found"))
		const id, dep = "e2e-lambda-d-0001", "d-LAMBDAD01"
		inv := rig.invoke(t, snsEvent(t, "instance-success", id, dep))
		check(t, inv, want{requests: 1, fail: true, messageID: id})
		if !strings.Contains(string(inv.Body), "channel_not_found") {
			t.Errorf("invocation result %s does not say channel_not_found", inv.Body)
		}
		if !strings.Contains(inv.Output, "channel_not_found") {
			t.Errorf("the function's logs do not say channel_not_found:\n%s", inv.Output)
		}
		failed := false
		for _, l := range atLeast(inv.Logs, slog.LevelError) {
			if strings.Contains(l.str("error"), "channel_not_found") && l.str("failure") == "permanent" {
				failed = true
			}
		}
		if !failed {
			t.Errorf("no ERROR log line with failure=permanent and channel_not_found:\n%s", inv.Output)
		}
		eventLogged(t, inv, dep, id)
	})

	t.Run("e_undecodable_input_is_dropped_once", func(t *testing.T) {
		chat.Reset()
		const id = "e2e-lambda-e-0001"
		inv := rig.invoke(t, snsWrap(t, id, "hello"))
		check(t, inv, want{fail: false})
		if n := chat.Count(); n != 0 {
			t.Errorf("fake Slack got %d requests for undecodable input, want 0", n)
		}
		errs := atLeast(inv.Logs, slog.LevelError)
		if len(errs) != 1 {
			t.Fatalf("got %d ERROR log lines, want 1:\n%s", len(errs), inv.Output)
		}
		l := errs[0]
		if l.str("sns_message_id") != id {
			t.Errorf("error line sns_message_id = %q, want %q: %v", l.str("sns_message_id"), id, l)
		}
		if !strings.Contains(l.str("received"), "hello") {
			t.Errorf("error line does not show the first bytes received: %v", l)
		}
	})

	t.Run("f_trigger_test_notification", func(t *testing.T) {
		chat.Reset()
		const id = "e2e-lambda-f-0001"
		inv := rig.invoke(t, snsEvent(t, "trigger-test", id, ""))
		check(t, inv, want{requests: 1, text: "Trigger configured", messageID: id})
	})

	t.Run("g_eventbridge_instance_success", func(t *testing.T) {
		chat.Reset()
		inv := rig.invoke(t, readFixture(t, "eventbridge/instance-success.json"))
		reqs := check(t, inv, want{requests: 1, text: "Traffic switched"})
		if len(reqs) == 1 {
			if _, id := parseSlack(t, reqs[0].Body); id != "" {
				t.Errorf("an EventBridge event has no SNS message, but the footer names %q", id)
			}
		}
		eventLogged(t, inv, "d-7XQ2K9ABC", "")
	})

	t.Run("no_webhook_secret_in_any_output", func(t *testing.T) {
		assertNoWebhookSecret(t, "the emulator's and the bootstrap's whole output", rig.rie.Output())
	})
}
