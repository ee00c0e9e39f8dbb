package slackapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/chattest"
	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/message/messagetest"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

const channel = "C0DEPLOYS"

// rig is a destination against a fake Slack, with delivery's receipt
// hand-over (the last receipt of the deployment is Earlier).
type rig struct {
	fake    *slackfake.Server
	store   records.Store
	log     *bytes.Buffer
	mu      sync.Mutex
	receipt map[string]*chat.Receipt
}

func newRig(t *testing.T, opts slackfake.Options) *rig {
	t.Helper()
	return &rig{fake: slackfake.New(t, opts), store: records.NewMemory(time.Hour), log: &bytes.Buffer{}, receipt: map[string]*chat.Receipt{}}
}

// notifier is one process's destination (each has its own client and
// pacing, all share the records, as Lambda instances share DynamoDB).
func (r *rig) notifier(buttons bool) *Notifier {
	p := chat.NewPoster(chat.PosterOptions{Timeout: 5 * time.Second, Policy: retry.Policy{Attempts: 4, Base: time.Millisecond, Max: 2 * time.Second}})
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: r.log, mu: &r.mu}, nil))
	c := NewClient(secret.New(slackfake.Token), p, ClientOptions{BaseURL: r.fake.APIURL(), Pace: time.Millisecond,
		Policy: retry.Policy{Attempts: 4, Base: time.Millisecond, Max: 2 * time.Second}, Logger: log})
	return New(c, Options{Name: "ops", Channel: "deploys", Buttons: buttons, Records: r.store, Logger: log})
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// send delivers n as delivery does: with the deployment's last receipt.
func (r *rig) send(t *testing.T, a *Notifier, n *message.Notice) error {
	t.Helper()
	r.mu.Lock()
	earlier := r.receipt[n.Deployment()]
	r.mu.Unlock()
	rc, err := a.Notify(context.Background(), &chat.Notification{Message: message.Build(n), Notice: n, Earlier: earlier})
	if err == nil && rc.MessageID != "" {
		r.mu.Lock()
		r.receipt[n.Deployment()] = &rc
		r.mu.Unlock()
	}
	return err
}

func TestWholeDeployment(t *testing.T) {
	r := newRig(t, slackfake.Options{})
	a := r.notifier(true)
	for _, n := range story() {
		if err := r.send(t, a, n); err != nil {
			t.Fatal(err)
		}
	}
	parents := r.fake.Parents(channel)
	if len(parents) != 1 {
		t.Fatalf("%d parents, want 1", len(parents))
	}
	p := parents[0]
	if p.Updates != 3 {
		t.Errorf("parent updated %d times, want 3", p.Updates)
	}
	replies := r.fake.Replies(channel, p.TS)
	if len(replies) != 3 {
		t.Fatalf("%d replies, want 3", len(replies))
	}
	for _, rp := range replies {
		if rp.Broadcast {
			t.Errorf("reply %q broadcast: only failures, stops and rollbacks are", rp.Text)
		}
		if rp.Metadata == nil || rp.Metadata.EventType != MetadataType || !strings.HasPrefix(rp.Metadata.EventPayload["delivery"], "event:d-7XQ2K9ABC/") {
			t.Errorf("reply metadata %+v", rp.Metadata)
		}
	}
	blocks := string(p.Blocks)
	for _, want := range []string{"Started", "Replacement ready", "Traffic switched", "*Succeeded*"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("final parent lacks %q", want)
		}
	}
	if strings.Contains(blocks, ActionRollback) {
		t.Error("buttons stay after the deployment ended")
	}
	// A replay of the whole deployment (days later, receipts in hand)
	// changes nothing but repeats idempotent updates and replies.
	if err := r.send(t, a, story()[3]); err != nil {
		t.Fatal(err)
	}
	if got := r.fake.Parents(channel); len(got) != 1 || string(got[0].Blocks) != blocks {
		t.Errorf("replaying the last event changed the parent")
	}
}

func TestFailedDeploymentAndItsRollbackShareOneThread(t *testing.T) {
	r := newRig(t, slackfake.Options{})
	a := r.notifier(true)
	ns := story()[:3]
	failed := *ns[2]
	failed.Event.Name, failed.Event.Phase, failed.Event.ID = codedeploy.DeploymentFailure, deploy.Failed, "msg-fail"
	failed.Event.Published = failed.Event.Published.Add(5 * time.Minute)
	failed.Event.Error = &deploy.Error{Code: "HEALTH_CONSTRAINTS", Message: "alarm fired"}
	failed.Details = nil
	ns = append(ns, &failed)
	for _, phase := range []struct {
		name  string
		phase deploy.Phase
	}{{codedeploy.DeploymentStart, deploy.Started}, {codedeploy.DeploymentSuccess, deploy.Succeeded}} {
		rb := failed
		rb.Event.DeploymentID, rb.Event.Name, rb.Event.Phase, rb.Event.Error = "d-R8BACK001", phase.name, phase.phase, nil
		rb.Event.ID = "msg-rb-" + phase.name
		rb.Event.Rollback = &deploy.Rollback{RollsBack: "d-7XQ2K9ABC"}
		rb.Event.Published = rb.Event.Published.Add(time.Minute)
		ns = append(ns, &rb)
	}
	for _, n := range ns {
		if err := r.send(t, a, n); err != nil {
			t.Fatal(err)
		}
	}
	parents := r.fake.Parents(channel)
	if len(parents) != 1 {
		t.Fatalf("%d parents, want 1 (the rollback joins the thread)", len(parents))
	}
	replies := r.fake.Replies(channel, parents[0].TS)
	var broadcast []string
	for _, rp := range replies {
		if rp.Broadcast {
			broadcast = append(broadcast, rp.Metadata.EventPayload["delivery"])
		}
	}
	if len(replies) != 5 || len(broadcast) != 2 || !strings.Contains(broadcast[0], "DeploymentFailure") || !strings.Contains(broadcast[1], "d-R8BACK001/DeploymentSuccess") {
		t.Errorf("replies %d, broadcast %v", len(replies), broadcast)
	}
	if !strings.Contains(string(parents[0].Blocks), "Rollback d-R8BACK001: succeeded") {
		t.Errorf("timeline lacks the rollback: %s", parents[0].Blocks)
	}
}

// TestECSNativeEventsAndHookShareOneThread: EventBridge names an
// ECS-native deployment "ecs-svc/…", its lifecycle hook by the
// service-deployment ARN; once the ECS lookups resolved the first to the
// second (Details.DeploymentID), the start, the hook's traffic switch and
// its checks are one thread.
func TestECSNativeEventsAndHookShareOneThread(t *testing.T) {
	const arn = "arn:aws:ecs:us-east-1:111122223333:service-deployment/prod-cluster/web-frontend/EZe5RNVLH6PPzHXINuP28"
	r := newRig(t, slackfake.Options{})
	a := r.notifier(false)
	at := time.Date(2026, 11, 26, 11, 40, 0, 0, time.UTC)
	base := deploy.Event{Platform: deploy.ECSNative, Region: "us-east-1", AccountID: "111122223333", Cluster: "prod-cluster", Service: "web-frontend"}
	started := base
	started.Name, started.Phase, started.ID, started.DeploymentID, started.Published = "SERVICE_DEPLOYMENT_IN_PROGRESS", deploy.Started, "eb-1", "ecs-svc/4503257381420581834", at
	switched := base
	switched.Name, switched.Phase, switched.ID, switched.DeploymentID, switched.Execution = "POST_PRODUCTION_TRAFFIC_SHIFT", deploy.TrafficSwitched, "ecs-hook:x", arn, "x"
	checked := switched
	checked.ID, checked.Execution = "ecs-hook:x#checks", "x#checks"
	for _, n := range []*message.Notice{
		{Event: started, Details: &enrich.Details{DeploymentID: arn}, Now: at},
		{Event: switched, Details: &enrich.Details{DeploymentID: arn}, Now: at.Add(12 * time.Minute)},
		{Event: checked, Checks: []check.Result{{Name: "api-ping", Type: check.TypeHTTP, Passed: true, Summary: "GET /api/ping: 20 requests, all 200"}}, Now: at.Add(12 * time.Minute)},
	} {
		if err := r.send(t, a, n); err != nil {
			t.Fatal(err)
		}
	}
	parents := r.fake.Parents(channel)
	if len(parents) != 1 {
		t.Fatalf("%d parents, want 1: the EventBridge event and the hook are one deployment", len(parents))
	}
	if replies := r.fake.Replies(channel, parents[0].TS); len(replies) != 2 {
		t.Errorf("%d replies, want 2 (the switch, the checks)", len(replies))
	}
}

func TestDeletedParentIsPostedAgain(t *testing.T) {
	r := newRig(t, slackfake.Options{})
	a := r.notifier(false)
	ns := story()
	for _, n := range ns[:2] {
		if err := r.send(t, a, n); err != nil {
			t.Fatal(err)
		}
	}
	old := r.fake.Parents(channel)[0]
	r.fake.Delete(channel, old.TS)
	for _, n := range ns[2:] {
		if err := r.send(t, a, n); err != nil {
			t.Fatal(err)
		}
	}
	parents := r.fake.Parents(channel)
	if len(parents) != 1 || parents[0].TS == old.TS {
		t.Fatalf("parents %+v, want one new parent", parents)
	}
	if !strings.Contains(string(parents[0].Blocks), "Replacement ready") || !strings.Contains(string(parents[0].Blocks), "*Succeeded*") {
		t.Errorf("the new parent lost the timeline: %s", parents[0].Blocks)
	}
	if n := len(r.fake.Replies(channel, parents[0].TS)); n != 2 {
		t.Errorf("%d replies under the new parent, want 2", n)
	}
}

// TestConcurrentEventsOneParent: events of one deployment delivered at
// once by separate processes, none with a receipt yet, make one parent,
// and the last update holds every step.
func TestConcurrentEventsOneParent(t *testing.T) {
	r := newRig(t, slackfake.Options{})
	const n = 8
	base := story()[0].Event
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev := base
			ev.Name, ev.Phase = codedeploy.InstanceSuccess, deploy.Ready
			ev.Target = &deploy.Target{ID: fmt.Sprintf("cluster:svc-%d", i)}
			ev.ID = fmt.Sprintf("msg-%d", i)
			ev.Published = ev.Published.Add(time.Duration(i) * time.Second)
			a := r.notifier(false)
			nt := &message.Notice{Event: ev, Now: ev.Published}
			_, err := a.Notify(context.Background(), &chat.Notification{Message: message.Build(nt), Notice: nt})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	parents := r.fake.Parents(channel)
	if len(parents) != 1 {
		t.Fatalf("%d parents, want exactly 1", len(parents))
	}
	if got := len(r.fake.Replies(channel, parents[0].TS)); got != n-1 {
		t.Errorf("%d replies, want %d", got, n-1)
	}
	if got := strings.Count(string(parents[0].Blocks), "<!date^"); got != n {
		t.Errorf("final parent shows %d steps, want %d", got, n)
	}
}

func TestSlackErrors(t *testing.T) {
	for _, tc := range []struct {
		code, says string
		permanent  bool
	}{
		{"not_in_channel", "invite", true},
		{"channel_not_found", "invite the app to a private channel", true},
		{"invalid_auth", "Bot User OAuth Token", true},
		{"token_revoked", "reinstall", true},
		{"missing_scope", "add it under OAuth", true},
		{"is_archived", "archived", true},
		{"service_unavailable", "service_unavailable", false},
		{"fatal_error", "fatal_error", false},
	} {
		t.Run(tc.code, func(t *testing.T) {
			r := newRig(t, slackfake.Options{})
			a := r.notifier(false)
			times := 1
			if !tc.permanent {
				times = 4 // every attempt of the client's policy
			}
			r.fake.FailNext("chat.postMessage", tc.code, times)
			err := r.send(t, a, story()[0])
			if err == nil || !strings.Contains(err.Error(), tc.says) || retry.IsPermanent(err) != tc.permanent {
				t.Fatalf("error %v (permanent %v), want %q permanent %v", err, retry.IsPermanent(err), tc.says, tc.permanent)
			}
			if strings.Contains(err.Error(), slackfake.Token) || strings.Contains(r.log.String(), slackfake.Token) {
				t.Error("the token leaks")
			}
			// The failed event holds nothing: the next attempt posts.
			if err := r.send(t, a, story()[0]); err != nil {
				t.Fatal(err)
			}
			if len(r.fake.Parents(channel)) != 1 {
				t.Error("the retry did not post the parent")
			}
		})
	}
}

func TestRateLimitHonoured(t *testing.T) {
	r := newRig(t, slackfake.Options{})
	a := r.notifier(false)
	r.fake.RateLimitNext("chat.postMessage", 1, 1)
	if err := r.send(t, a, story()[0]); err != nil {
		t.Fatal(err)
	}
	if got := r.fake.Calls("chat.postMessage"); got != 2 || len(r.fake.Parents(channel)) != 1 {
		t.Errorf("calls %d, parents %d", got, len(r.fake.Parents(channel)))
	}
}

// TestLostAnswer: Slack took the parent but the answer was lost; the
// retry finds it by its metadata instead of posting it twice. Without
// the history scope the lookup is skipped with one warning.
func TestLostAnswer(t *testing.T) {
	t.Run("with history", func(t *testing.T) {
		r := newRig(t, slackfake.Options{})
		a := r.notifier(false)
		a.channel = channel // lookups need the channel ID
		r.fake.LoseNextAnswer("chat.postMessage", 1)
		if err := r.send(t, a, story()[0]); err != nil {
			t.Fatal(err)
		}
		if n := len(r.fake.Parents(channel)); n != 1 || r.fake.Calls("conversations.history") != 1 {
			t.Errorf("%d parents, %d lookups", n, r.fake.Calls("conversations.history"))
		}
		if err := r.send(t, a, story()[1]); err != nil {
			t.Fatal(err)
		}
		if p := r.fake.Parents(channel); len(p) != 1 || p[0].Updates != 1 {
			t.Error("the found parent is not the one updated")
		}
	})
	t.Run("without history scope", func(t *testing.T) {
		r := newRig(t, slackfake.Options{Scopes: []string{"chat:write"}})
		a := r.notifier(false)
		a.channel = channel
		r.fake.LoseNextAnswer("chat.postMessage", 2)
		if err := r.send(t, a, story()[0]); err != nil {
			t.Fatal(err)
		}
		if n := len(r.fake.Parents(channel)); n != 3 {
			t.Errorf("%d parents, want 3 (two lost answers, no lookup)", n)
		}
		if c := strings.Count(r.log.String(), "channels:history"); c != 1 {
			t.Errorf("%d warnings about the history scope, want 1:\n%s", c, r.log.String())
		}
	})
}

func TestBuild(t *testing.T) {
	var logs bytes.Buffer
	deps := chat.Deps{Log: slog.New(slog.NewTextHandler(&logs, nil))}
	spec := chat.Spec{Name: "ops", Type: Type, Channel: "deploys", Token: secret.New("xoxb-secret-token-1")}
	n, err := Build(spec, deps)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "buttons off") {
		t.Errorf("no warning that buttons are off: %s", logs.String())
	}
	for _, s := range chattest.Printed(n) {
		if strings.Contains(s, "xoxb-secret") {
			t.Errorf("printed notifier leaks the token: %s", s)
		}
	}
	for name, bad := range map[string]chat.Spec{
		"no channel": {Name: "x", Token: spec.Token},
		"no token":   {Name: "x", Channel: "C1"},
		"bad user":   {Name: "x", Channel: "C1", Token: spec.Token, AllowedUsers: []string{"bob"}},
		"bad group":  {Name: "x", Channel: "C1", Token: spec.Token, AllowedGroups: []string{"U0123"}},
	} {
		if _, err := Build(bad, deps); err == nil {
			t.Errorf("%s: built", name)
		} else if strings.Contains(err.Error(), "xoxb-secret") {
			t.Errorf("%s: error leaks the token", name)
		}
	}
	if ok, _ := ButtonsEnabled(chat.Spec{SigningSecret: secret.New("s"), AllowedGroups: []string{"S0OPS"}}); !ok {
		t.Error("signing secret + group: buttons off")
	}
}

func TestUsergroupUsers(t *testing.T) {
	f := slackfake.New(t, slackfake.Options{Groups: map[string][]string{"S0OPS": {"U1", "U2"}}})
	c := NewClient(secret.New(slackfake.Token), nil, ClientOptions{BaseURL: f.APIURL()})
	users, err := c.UsergroupUsers(context.Background(), "S0OPS")
	if err != nil || strings.Join(users, ",") != "U1,U2" {
		t.Fatalf("%v %v", users, err)
	}
	if _, err := c.UsergroupUsers(context.Background(), "S0NONE"); !IsCode(err, "no_such_subteam") || !retry.IsPermanent(err) {
		t.Errorf("unknown group: %v", err)
	}
	_ = messagetest.Now
}

// TestLostAnswerAcrossInvocations: every attempt of an invocation lost
// its answer; the next invocation (another process) finds the parent
// instead of posting a second one.
func TestLostAnswerAcrossInvocations(t *testing.T) {
	r := newRig(t, slackfake.Options{})
	first, second := r.notifier(false), r.notifier(false)
	first.channel, second.channel = channel, channel
	r.fake.LoseNextAnswer("chat.postMessage", 1)
	r.fake.FailNext("conversations.history", "service_unavailable", 3*4)
	err := r.send(t, first, story()[0])
	if err == nil || retry.IsPermanent(err) {
		t.Fatalf("want a retryable error, got %v", err)
	}
	if err := r.send(t, second, story()[0]); err != nil {
		t.Fatal(err)
	}
	if n := len(r.fake.Parents(channel)); n != 1 {
		t.Fatalf("%d parents, want 1", n)
	}
	if err := r.send(t, second, story()[1]); err != nil {
		t.Fatal(err)
	}
	if p := r.fake.Parents(channel); len(p) != 1 || p[0].Updates != 1 || len(r.fake.Replies(channel, p[0].TS)) != 1 {
		t.Error("the found parent is not the one updated and threaded")
	}
}

// TestLostReplyAnswer: Slack took a thread reply but the answer was lost;
// the retry finds it in the thread instead of replying twice.
func TestLostReplyAnswer(t *testing.T) {
	r := newRig(t, slackfake.Options{})
	a := r.notifier(false)
	if err := r.send(t, a, story()[0]); err != nil {
		t.Fatal(err)
	}
	r.fake.LoseNextAnswer("chat.postMessage", 1)
	if err := r.send(t, a, story()[1]); err != nil {
		t.Fatal(err)
	}
	p := r.fake.Parents(channel)[0]
	if n := len(r.fake.Replies(channel, p.TS)); n != 1 || r.fake.Calls("conversations.replies") != 1 {
		t.Errorf("%d replies after a lost answer, %d lookups; want 1 and 1", n, r.fake.Calls("conversations.replies"))
	}
}

// TestRenderIsWhatIsSent: `cutover render --to slack-app` shows the
// parent exactly as the destination posts it.
func TestRenderIsWhatIsSent(t *testing.T) {
	r := newRig(t, slackfake.Options{})
	a := r.notifier(false)
	n := story()[2]
	if err := r.send(t, a, n); err != nil {
		t.Fatal(err)
	}
	body, err := RenderSpec(n, chat.Spec{Name: "ops", Type: Type, Channel: "deploys"})
	if err != nil {
		t.Fatal(err)
	}
	var rendered Message
	if err := json.Unmarshal(body, &rendered); err != nil {
		t.Fatal(err)
	}
	sent := r.fake.Parents(channel)[0]
	if sent.Text != rendered.Text || string(sent.Blocks) != string(rendered.Blocks) {
		t.Errorf("rendered and sent differ:\n%s\n%s", rendered.Blocks, sent.Blocks)
	}
}
