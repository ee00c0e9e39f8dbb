package interact

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/testrig"
)

const (
	opsSecret   = "8f742231b10e8888abcd99yyyzzz85a5"
	otherSecret = "0000aaaa1111bbbb2222cccc3333dddd"
	ecsARN      = "arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/web/abc123"
)

var clickTime = time.Date(2026, 11, 30, 15, 2, 0, 0, time.UTC)

// rig is one click handler against moto's CodeDeploy, the ECS fake, a
// recording Slack client and a response_url server.
type rig struct {
	h      *Handler
	moto   *testrig.Moto
	cd     *codedeploy.Client
	ecs    *ecsFake
	slack  *recordingSlack
	resp   *responseURLServer
	logBuf *syncBuf
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// audits returns the audit lines logged.
func (s *syncBuf) audits(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		var m map[string]any
		if line == "" || json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if m["msg"] == "slack action" && m["outcome"] != nil {
			out = append(out, m)
		}
	}
	return out
}

// motoRig is the moto all click tests share (TestClicks starts it).
var motoRig *testrig.Moto

// TestClicks runs the click tests against one moto with the launcher's
// recorded StopDeployment/ContinueDeployment, reset before each.
func TestClicks(t *testing.T) {
	motoRig = testrig.StartMoto(t)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"RollbackCodeDeploy", testRollbackCodeDeploy},
		{"FinishEarlyInWindow", testFinishEarlyInWindow},
		{"Refusals", testRefusals},
		{"AllowedByGroup", testAllowedByGroup},
		{"DoubleClickActsOnce", testDoubleClickActsOnce},
		{"ECSNative", testECSNative},
		{"FailedCallIsReportedAndReleased", testFailedCallIsReportedAndReleased},
		{"EscapesDeploymentText", testEscapesDeploymentText},
	} {
		t.Run(tc.name, tc.fn)
	}
}

func newRig(t *testing.T) *rig {
	t.Helper()
	m := motoRig
	m.Reset(t)
	cfg := m.AWSConfig(t)
	r := &rig{moto: m, cd: codedeploy.NewFromConfig(cfg), ecs: newECSFake(t),
		slack: &recordingSlack{groups: map[string][]string{"S0DEPLOY": {"U0GROUPED"}}},
		resp:  newResponseURLServer(t), logBuf: &syncBuf{}}
	ecsCfg := cfg.Copy()
	ecsCfg.BaseEndpoint = aws.String(r.ecs.URL)
	r.h = &Handler{
		Destinations: []Destination{
			{Name: "ops", SigningSecret: secret.New(opsSecret), AllowedUsers: []string{"U0ALICE"}, AllowedGroups: []string{"S0DEPLOY"}, Slack: r.slack},
			{Name: "other", SigningSecret: secret.New(otherSecret), AllowedUsers: []string{"U0BOB"}, Slack: r.slack},
		},
		Platforms: Platforms{CodeDeploy: CodeDeploy{Client: r.cd}, ECS: ECS{Client: ecs.NewFromConfig(ecsCfg)}},
		Records:   records.NewMemory(0),
		Responder: HTTPResponder{AllowPrefix: r.resp.URL + "/"},
		Log:       slog.New(slog.NewJSONHandler(r.logBuf, nil)),
		Now:       func() time.Time { return clickTime },
	}
	return r
}

// deployment creates a CodeDeploy ECS blue/green deployment in moto.
func (r *rig) deployment(t *testing.T, fields map[string]any) string {
	t.Helper()
	ctx := context.Background()
	if _, err := r.cd.GetApplication(ctx, &codedeploy.GetApplicationInput{ApplicationName: aws.String("api")}); err != nil {
		if _, err := r.cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("api"), ComputePlatform: cdtypes.ComputePlatformEcs}); err != nil {
			t.Fatalf("CreateApplication: %v", err)
		}
		if _, err := r.cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{
			ApplicationName: aws.String("api"), DeploymentGroupName: aws.String("api-prod"),
			ServiceRoleArn:  aws.String("arn:aws:iam::123456789012:role/codedeploy"),
			DeploymentStyle: &cdtypes.DeploymentStyle{DeploymentOption: cdtypes.DeploymentOptionWithTrafficControl, DeploymentType: cdtypes.DeploymentTypeBlueGreen},
		}); err != nil {
			t.Fatalf("CreateDeploymentGroup: %v", err)
		}
	}
	out, err := r.cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("api"), DeploymentGroupName: aws.String("api-prod")})
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	id := aws.ToString(out.DeploymentId)
	if fields != nil {
		r.moto.PatchDeployment(t, id, fields)
	}
	return id
}

// click builds the body Slack posts for a press of action on ref by user.
func click(t testing.TB, actionID, user string, ref control.Ref, responseURL string) []byte {
	t.Helper()
	v, err := ref.Encode()
	if err != nil {
		t.Fatal(err)
	}
	p := map[string]any{
		"type": "block_actions", "trigger_id": "1.2.3",
		"user":         map[string]any{"id": user, "username": strings.ToLower(user[2:]), "team_id": "T0TEAM"},
		"team":         map[string]any{"id": "T0TEAM", "domain": "acme"},
		"channel":      map[string]any{"id": "C0DEPLOYS", "name": "deploys"},
		"container":    map[string]any{"type": "message", "message_ts": "1764514800.000100", "channel_id": "C0DEPLOYS"},
		"message":      map[string]any{"ts": "1764514800.000100", "text": "<@U0ALICE> deployment & co"},
		"response_url": responseURL,
		"actions":      []any{map[string]any{"action_id": actionID, "block_id": "b1", "type": "button", "value": v, "action_ts": "1764514920.1"}},
	}
	b, _ := json.Marshal(p)
	return []byte("payload=" + url.QueryEscape(string(b)))
}

func signed(key string, at time.Time, body []byte) Request {
	ts := strconv.FormatInt(at.Unix(), 10)
	return Request{Timestamp: ts, Signature: SignatureHeader(secret.New(key), ts, body), Body: body}
}

func cdRef(id string) control.Ref {
	return control.Ref{Platform: deploy.CodeDeployECS, Region: testrig.Region, AccountID: "123456789012", DeploymentID: id, Destination: "ops"}
}

// accept asserts the immediate answer, then runs the work.
func (r *rig) press(t *testing.T, req Request, wantStatus int) {
	t.Helper()
	ans, ok := r.h.Accept(context.Background(), req)
	if ans.Status != wantStatus || ok != (wantStatus == http.StatusOK) {
		t.Fatalf("Accept = %d %v, want %d", ans.Status, ok, wantStatus)
	}
	if ok {
		_ = r.h.Run(context.Background(), req)
	}
}

func (r *rig) lastReply(t *testing.T) string {
	t.Helper()
	rs := r.slack.Replies()
	if len(rs) == 0 {
		t.Fatal("no thread reply")
	}
	last := rs[len(rs)-1]
	if last.Channel != "C0DEPLOYS" || last.ThreadTS != "1764514800.000100" {
		t.Errorf("reply in %s/%s, want the clicked message's thread", last.Channel, last.ThreadTS)
	}
	return last.Text
}

func (r *rig) lastAudit(t *testing.T) map[string]any {
	t.Helper()
	a := r.logBuf.audits(t)
	if len(a) == 0 {
		t.Fatal("no audit line")
	}
	return a[len(a)-1]
}

func testRollbackCodeDeploy(t *testing.T) {
	r := newRig(t)
	id := r.deployment(t, map[string]any{"status": "InProgress", "instanceTerminationWaitTimeStarted": true})
	r.press(t, signed(opsSecret, clickTime, click(t, ActionIDRollback, "U0ALICE", cdRef(id), "")), http.StatusOK)

	calls := r.moto.ControlCalls(t)
	if len(calls) != 1 || calls[0].Operation != "StopDeployment" || calls[0].Params["deploymentId"] != id || calls[0].Params["autoRollbackEnabled"] != true {
		t.Fatalf("moto calls = %v, want one StopDeployment with autoRollbackEnabled", calls)
	}
	if got, want := r.lastReply(t), "Rollback requested by <@U0ALICE> at 15:02 UTC: deployment "+id; !strings.HasPrefix(got, want) {
		t.Errorf("reply = %q, want prefix %q", got, want)
	}
	if got := r.slack.Marks(); len(got) != 1 || got[0] != "rollback "+id+" U0ALICE 15:02" {
		t.Errorf("parent marks = %q, want the rollback by U0ALICE", got)
	}
	a := r.lastAudit(t)
	for k, want := range map[string]string{"action": "rollback", "outcome": "done", "slack_user_id": "U0ALICE", "slack_user_name": "alice",
		"slack_team_id": "T0TEAM", "destination": "ops", "platform": "codedeploy-ecs", "deployment_id": id, "region": "us-east-1", "account": "123456789012"} {
		if a[k] != want {
			t.Errorf("audit %s = %v, want %q", k, a[k], want)
		}
	}
}

func testFinishEarlyInWindow(t *testing.T) {
	r := newRig(t)
	id := r.deployment(t, map[string]any{"status": "InProgress", "instanceTerminationWaitTimeStarted": true})
	r.press(t, signed(opsSecret, clickTime, click(t, ActionIDFinishEarly, "U0ALICE", cdRef(id), "")), http.StatusOK)
	calls := r.moto.ControlCalls(t)
	if len(calls) != 1 || calls[0].Operation != "ContinueDeployment" || calls[0].Params["deploymentWaitType"] != "TERMINATION_WAIT" {
		t.Fatalf("moto calls = %v, want one ContinueDeployment TERMINATION_WAIT", calls)
	}
	if got := r.lastReply(t); !strings.HasPrefix(got, "Finish early requested by <@U0ALICE> at 15:02 UTC") {
		t.Errorf("reply = %q", got)
	}
}

func testRefusals(t *testing.T) {
	for name, tc := range map[string]struct {
		fields    map[string]any
		action    string
		key       string
		at        time.Duration
		status    int
		reply     string
		outcome   string
		tamper    func(Request) Request
		dest      string
		user      string
		ephemeral string
	}{
		"bad signature":    {key: otherSecret + "x", status: http.StatusUnauthorized},
		"stale timestamp":  {at: -6 * time.Minute, status: http.StatusUnauthorized},
		"future timestamp": {at: 6 * time.Minute, status: http.StatusUnauthorized},
		"tampered body": {status: http.StatusUnauthorized, tamper: func(r Request) Request {
			r.Body = bytes.Replace(r.Body, []byte("U0ALICE"), []byte("U0MALLORY"), 1)
			return r
		}},
		"signed by another app": {key: otherSecret, status: http.StatusUnauthorized},
		"other app's secret, its own destination, user not allowed there": {key: otherSecret, dest: "other", status: http.StatusOK,
			outcome: OutcomeNotAllowed, ephemeral: "not in this destination's allowed_users"},
		"user not allowed": {user: "U0MALLORY", status: http.StatusOK, outcome: OutcomeNotAllowed, ephemeral: "You cannot roll back deployment"},
		"already ended": {fields: map[string]any{"status": "Succeeded"}, status: http.StatusOK, outcome: OutcomeEnded,
			reply: "but it has already ended (Succeeded): nothing was done."},
		"window closed": {fields: map[string]any{"status": "InProgress"}, action: ActionIDFinishEarly, status: http.StatusOK, outcome: OutcomeWindowClosed,
			reply: "but it is not waiting in its rollback window (InProgress): nothing was done."},
		"finish early after the end": {fields: map[string]any{"status": "Stopped", "instanceTerminationWaitTimeStarted": true}, action: ActionIDFinishEarly,
			status: http.StatusOK, outcome: OutcomeEnded, reply: "already ended (Stopped)"},
	} {
		t.Run(name, func(t *testing.T) {
			r := newRig(t)
			fields := tc.fields
			if fields == nil {
				fields = map[string]any{"status": "InProgress"}
			}
			id := r.deployment(t, fields)
			ref := cdRef(id)
			if tc.dest != "" {
				ref.Destination = tc.dest
			}
			action, key, user := ActionIDRollback, opsSecret, "U0ALICE"
			if tc.action != "" {
				action = tc.action
			}
			if tc.key != "" {
				key = tc.key
			}
			if tc.user != "" {
				user = tc.user
			}
			req := signed(key, clickTime.Add(tc.at), click(t, action, user, ref, r.resp.URL+"/actions/T0/1/xyz"))
			if tc.tamper != nil {
				req = tc.tamper(req)
			}
			r.press(t, req, tc.status)
			if tc.status != http.StatusOK {
				// The deferred work verifies again: a forged self-invocation
				// does nothing either.
				if err := r.h.Run(context.Background(), req); err == nil {
					t.Error("Run accepted a request Accept refused")
				}
			}
			if calls := r.moto.ControlCalls(t); len(calls) != 0 {
				t.Errorf("moto calls = %v, want none", calls)
			}
			if tc.reply != "" {
				if got := r.lastReply(t); !strings.Contains(got, tc.reply) || !strings.HasPrefix(got, "<@"+user+"> asked to") {
					t.Errorf("reply = %q, want it to contain %q", got, tc.reply)
				}
			} else if rs := r.slack.Replies(); len(rs) != 0 {
				t.Errorf("thread replies = %v, want none", rs)
			}
			if tc.outcome != "" {
				if got := r.lastAudit(t)["outcome"]; got != tc.outcome {
					t.Errorf("audit outcome = %v, want %s", got, tc.outcome)
				}
			}
			msgs := r.resp.Messages()
			if tc.ephemeral == "" {
				if len(msgs) != 0 {
					t.Errorf("ephemeral messages = %v, want none", msgs)
				}
				return
			}
			if len(msgs) != 1 || msgs[0]["response_type"] != "ephemeral" || msgs[0]["replace_original"] != false ||
				!strings.Contains(fmt.Sprint(msgs[0]["text"]), tc.ephemeral) {
				t.Errorf("ephemeral messages = %v, want one containing %q", msgs, tc.ephemeral)
			}
		})
	}
}

func testAllowedByGroup(t *testing.T) {
	r := newRig(t)
	id := r.deployment(t, map[string]any{"status": "InProgress"})
	r.press(t, signed(opsSecret, clickTime, click(t, ActionIDRollback, "U0GROUPED", cdRef(id), "")), http.StatusOK)
	if calls := r.moto.ControlCalls(t); len(calls) != 1 || calls[0].Operation != "StopDeployment" {
		t.Fatalf("moto calls = %v, want one StopDeployment", calls)
	}
	if got := r.lastAudit(t)["outcome"]; got != OutcomeDone {
		t.Errorf("outcome = %v", got)
	}
}

func testDoubleClickActsOnce(t *testing.T) {
	r := newRig(t)
	id := r.deployment(t, map[string]any{"status": "InProgress"})
	// Concurrent clicks by two allowed users, then one more later.
	var wg sync.WaitGroup
	for _, u := range []string{"U0ALICE", "U0GROUPED", "U0ALICE", "U0GROUPED"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = r.h.Run(context.Background(), signed(opsSecret, clickTime, click(t, ActionIDRollback, u, cdRef(id), "")))
		}()
	}
	wg.Wait()
	r.press(t, signed(opsSecret, clickTime, click(t, ActionIDRollback, "U0GROUPED", cdRef(id), "")), http.StatusOK)
	if calls := r.moto.ControlCalls(t); len(calls) != 1 {
		t.Fatalf("moto calls = %v, want exactly one StopDeployment", calls)
	}
	if marks := r.slack.Marks(); len(marks) != 1 {
		t.Errorf("parent marked %d times, want once: %q", len(marks), marks)
	}
	var done int
	for _, a := range r.logBuf.audits(t) {
		if a["outcome"] == OutcomeDone {
			done++
		} else if a["outcome"] != OutcomeDuplicate && a["outcome"] != OutcomeBusy {
			t.Errorf("outcome %v, want done, duplicate or busy", a["outcome"])
		}
	}
	if done != 1 {
		t.Errorf("%d clicks acted, want 1", done)
	}
	got := r.lastReply(t)
	if !strings.Contains(got, "already asked for at 15:02 UTC; it is now Stopped. Nothing more was done.") || !strings.HasPrefix(got, "<@U0GROUPED>") {
		t.Errorf("reply to the last click = %q", got)
	}
}

func testECSNative(t *testing.T) {
	r := newRig(t)
	r.ecs.status[ecsARN] = "IN_PROGRESS"
	r.ecs.stage[ecsARN] = "BAKE_TIME"
	ref := control.Ref{Platform: deploy.ECSNative, Region: testrig.Region, AccountID: "123456789012", DeploymentID: ecsARN, Destination: "ops"}

	// A forged finish-early (the button is never shown): nothing happens.
	r.press(t, signed(opsSecret, clickTime, click(t, ActionIDFinishEarly, "U0ALICE", ref, "")), http.StatusOK)
	if got := r.lastReply(t); !strings.Contains(got, "ECS-native deployments have no such action: nothing was done.") {
		t.Errorf("reply = %q", got)
	}
	if n := len(r.ecs.Stops()); n != 0 {
		t.Fatalf("%d ECS stops after finish early", n)
	}

	r.press(t, signed(opsSecret, clickTime, click(t, ActionIDRollback, "U0ALICE", ref, "")), http.StatusOK)
	stops := r.ecs.Stops()
	if len(stops) != 1 || stops[0]["stopType"] != "ROLLBACK" || stops[0]["serviceDeploymentArn"] != ecsARN {
		t.Fatalf("ECS stops = %v, want one ROLLBACK", stops)
	}
	if got := r.lastReply(t); !strings.HasPrefix(got, "Rollback requested by <@U0ALICE> at 15:02 UTC: deployment "+ecsARN+" is being stopped; ECS") {
		t.Errorf("reply = %q", got)
	}
	// Ended (ROLLBACK_REQUESTED) and recorded: a later click says so.
	r.press(t, signed(opsSecret, clickTime, click(t, ActionIDRollback, "U0GROUPED", ref, "")), http.StatusOK)
	if n := len(r.ecs.Stops()); n != 1 {
		t.Errorf("%d ECS stops after the second click", n)
	}
	if got := r.lastReply(t); !strings.Contains(got, "it is now ROLLBACK_REQUESTED") {
		t.Errorf("reply = %q", got)
	}
}

func testFailedCallIsReportedAndReleased(t *testing.T) {
	r := newRig(t)
	ref := control.Ref{Platform: deploy.ECSNative, Region: testrig.Region, DeploymentID: ecsARN + "-gone", Destination: "ops"}
	r.press(t, signed(opsSecret, clickTime, click(t, ActionIDRollback, "U0ALICE", ref, "")), http.StatusOK)
	if got := r.lastReply(t); !strings.Contains(got, "could not read its state") || !strings.Contains(got, "MISSING") {
		t.Errorf("reply = %q", got)
	}
	// Not recorded as done: once the deployment exists, a click acts.
	r.ecs.status[ref.DeploymentID] = "IN_PROGRESS"
	r.press(t, signed(opsSecret, clickTime, click(t, ActionIDRollback, "U0ALICE", ref, "")), http.StatusOK)
	if n := len(r.ecs.Stops()); n != 1 {
		t.Errorf("%d ECS stops, want 1", n)
	}
}

func testEscapesDeploymentText(t *testing.T) {
	r := newRig(t)
	ref := control.Ref{Platform: deploy.ECSNative, Region: testrig.Region, DeploymentID: "<!channel> & <@U0BOSS>", Destination: "ops"}
	r.press(t, signed(opsSecret, clickTime, click(t, ActionIDRollback, "U0ALICE", ref, "")), http.StatusOK)
	got := r.lastReply(t)
	if strings.Contains(got, "<!channel>") || strings.Contains(got, "<@U0BOSS>") || !strings.Contains(got, "&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;") {
		t.Errorf("reply = %q: deployment text must be escaped", got)
	}
}
