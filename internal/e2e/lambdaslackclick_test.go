package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"

	"github.com/cutover-dev/cutover/internal/chat/slackapp"
	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/interact"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// lambdaAPI is a local Lambda API in front of moto: asynchronous invokes
// (InvocationType Event) of the function are queued, as Lambda's event
// queue takes them, for the test to hand to the emulator once the
// current invocation has ended (the emulator runs one at a time);
// everything else is proxied to moto.
type lambdaAPI struct {
	*httptest.Server
	mu     sync.Mutex
	queued [][]byte
	bad    []string
}

func newLambdaAPI(t *testing.T, moto *testrig.Moto) *lambdaAPI {
	t.Helper()
	target, err := url.Parse(moto.Endpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	l := &lambdaAPI{}
	l.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/") {
			proxy.ServeHTTP(w, r)
			return
		}
		b, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		defer l.mu.Unlock()
		if r.URL.Path != "/2015-03-31/functions/cutover/invocations" || r.Header.Get("X-Amz-Invocation-Type") != "Event" {
			l.bad = append(l.bad, r.URL.Path+" "+r.Header.Get("X-Amz-Invocation-Type"))
			w.Header().Set("X-Amzn-Errortype", "InvalidParameterValueException")
			http.Error(w, `{"message":"only asynchronous invocations of cutover are expected"}`, http.StatusBadRequest)
			return
		}
		l.queued = append(l.queued, b)
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(l.Close)
	return l
}

// take returns and forgets the queued asynchronous invocations.
func (l *lambdaAPI) take(t *testing.T) [][]byte {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bad) > 0 {
		t.Fatalf("unexpected Lambda API calls: %q", l.bad)
	}
	q := l.queued
	l.queued = nil
	return q
}

// awsEnv is moto's environment with every AWS call going through l.
func (l *lambdaAPI) awsEnv(moto *testrig.Moto) []string {
	var env []string
	for _, kv := range moto.Env() {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			kv = "AWS_ENDPOINT_URL=" + l.URL
		}
		env = append(env, kv)
	}
	return env
}

// cdNotice is a CodeDeploy deployment trigger over SNS for the
// web-frontend deployment dep in moto's region, published at at.
func cdNotice(t *testing.T, msgID, status, dep, rollsBack string, at time.Time) []byte {
	t.Helper()
	return retarget(t, deploymentNotice(t, msgID, status, dep, rollsBack, 0), at, nil)
}

// retarget moves a trigger event to moto's region and the web-frontend
// group, publishes it at at, and applies more fields to its message.
func retarget(t *testing.T, payload []byte, at time.Time, more map[string]any) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	sns := ev["Records"].([]any)[0].(map[string]any)["Sns"].(map[string]any)
	var msg map[string]any
	if err := json.Unmarshal([]byte(sns["Message"].(string)), &msg); err != nil {
		t.Fatal(err)
	}
	msg["region"], msg["applicationName"], msg["deploymentGroupName"] = testrig.Region, "web-frontend", "web-frontend-prod"
	for k, v := range more {
		msg[k] = v
	}
	sns["Message"] = string(mustJSON(t, msg))
	sns["Timestamp"] = at.UTC().Format("2006-01-02T15:04:05.000Z")
	if subj, ok := sns["Subject"].(string); ok {
		sns["Subject"] = strings.ReplaceAll(subj, "eu-west-1", testrig.Region)
	}
	return mustJSON(t, ev)
}

// TestLambdaSlackAppClick plays a deployment through the real bootstrap
// under the emulator with a slack-app destination configured only by its
// environment (token, signing secret, an allowed user) against the fake
// Slack Web API, the records on moto DynamoDB and CodeDeploy on patched
// moto: the parent carries the two buttons for this deployment; a signed
// click as a function URL request is answered 200 at once, and its
// asynchronous self-invocation stops the deployment once, replies in the
// thread and marks the parent; a second click, a user not allowed and a
// bad signature do nothing more; the rollback's events then update the
// same parent, without buttons.
func TestLambdaSlackAppClick(t *testing.T) {
	moto := testrig.StartMoto(t)
	table := createRecordsTable(t, moto)
	api := newLambdaAPI(t, moto)
	fake := slackfake.New(t, slackfake.Options{})
	ctx := context.Background()

	// The deployment in moto: a blue/green group with an hour's rollback
	// window, in progress, its termination wait started.
	cd := codedeploy.NewFromConfig(moto.AWSConfig(t))
	if _, err := cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("web-frontend"), ComputePlatform: cdtypes.ComputePlatformEcs}); err != nil {
		t.Fatal(err)
	}
	if _, err := cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName: aws.String("web-frontend"), DeploymentGroupName: aws.String("web-frontend-prod"),
		ServiceRoleArn:  aws.String("arn:aws:iam::123456789012:role/codedeploy"),
		DeploymentStyle: &cdtypes.DeploymentStyle{DeploymentOption: cdtypes.DeploymentOptionWithTrafficControl, DeploymentType: cdtypes.DeploymentTypeBlueGreen},
		BlueGreenDeploymentConfiguration: &cdtypes.BlueGreenDeploymentConfiguration{
			TerminateBlueInstancesOnDeploymentSuccess: &cdtypes.BlueInstanceTerminationOption{Action: cdtypes.InstanceActionTerminate, TerminationWaitTimeInMinutes: 60},
		},
		EcsServices: []cdtypes.ECSService{{ClusterName: aws.String("prod-cluster"), ServiceName: aws.String("web-frontend")}},
	}); err != nil {
		t.Fatal(err)
	}
	out, err := cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("web-frontend"), DeploymentGroupName: aws.String("web-frontend-prod")})
	if err != nil {
		t.Fatal(err)
	}
	dep := aws.ToString(out.DeploymentId)
	moto.PatchDeployment(t, dep, map[string]any{"status": "InProgress", "instanceTerminationWaitTimeStarted": true})

	const signing = "9a0364b9e99bb480dd25e1f0284c8555"
	dests := `[{"name":"ops","type":"slack-app","channel":"deploys","token":"` + slackfake.Token + `","signing_secret":"` + signing +
		`","allowed_users":["U0ALICE"],"events":["Deployment*","InstanceSuccess"]}]`
	rig := startLambda(t, api.awsEnv(moto),
		config.EnvRecordsTable+"="+table,
		config.EnvDestinations+"="+dests,
		config.EnvSlackAPIURL+"="+fake.APIURL(),
		// The window (so the buttons) comes from the lookups in moto: give
		// them time on a busy machine.
		config.EnvEnrichTimeout+"=10s",
	)
	invoke := func(what string, payload []byte) invocation {
		t.Helper()
		inv := rig.invoke(t, payload)
		if inv.FunctionError {
			t.Fatalf("%s: %s: %s\n%s", what, inv.ErrorType, inv.ErrorMessage, inv.Output)
		}
		for _, s := range []string{slackfake.Token, signing} {
			if strings.Contains(inv.Output, s) {
				t.Errorf("%s: a secret is in the function's output", what)
			}
		}
		return inv
	}

	// Started, ready, traffic switched a minute ago.
	now := time.Now().UTC().Truncate(time.Second)
	switched := now.Add(-time.Minute)
	lifecycle := []map[string]string{}
	for i, name := range []string{"BeforeInstall", "Install", "AfterInstall", "AllowTestTraffic", "AfterAllowTestTraffic", "BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"} {
		start := switched.Add(time.Duration(i-8) * 10 * time.Second)
		lifecycle = append(lifecycle, map[string]string{"LifecycleEvent": name, "LifecycleEventStatus": "Succeeded",
			"StartTime": start.Format("Mon Jan 02 15:04:05 MST 2006"), "EndTime": start.Add(10 * time.Second).Format("Mon Jan 02 15:04:05 MST 2006")})
	}
	invoke("start", cdNotice(t, "clk-1", "IN_PROGRESS", dep, "", switched.Add(-10*time.Minute)))
	invoke("ready", cdNotice(t, "clk-2", "READY", dep, "", switched.Add(-3*time.Minute)))
	invoke("switched", retarget(t, snsEvent(t, "instance-success", "clk-3", dep), switched, map[string]any{
		"lifecycleEvents": string(mustJSON(t, lifecycle)), "lastUpdatedAt": switched.Format("Mon Jan 02 15:04:05 MST 2006")}))

	parents := fake.Parents("C0DEPLOYS")
	if len(parents) != 1 {
		t.Fatalf("%d parents, want 1", len(parents))
	}
	parent := parents[0].TS
	var blocks []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(parents[0].Blocks, &blocks); err != nil {
		t.Fatal(err)
	}
	var value string
	buttons := map[string]bool{}
	for _, b := range blocks {
		for _, e := range b.Elements {
			if b.Type != "actions" {
				continue
			}
			buttons[e.ActionID] = true
			ref, err := control.Decode(e.Value)
			if err != nil || ref.DeploymentID != dep || ref.Destination != "ops" || ref.Region != testrig.Region || !ref.Platform.IsCodeDeploy() {
				t.Errorf("button %s value decodes to %+v, %v; want this deployment", e.ActionID, ref, err)
			}
			if e.ActionID == slackapp.ActionRollback {
				value = e.Value
			}
		}
	}
	if !buttons[slackapp.ActionRollback] || !buttons[slackapp.ActionFinishEarly] || len(buttons) != 2 {
		t.Logf("function output:\n%s", rig.rie.Output())
		t.Fatalf("the parent's buttons are %v, want Roll back now and Finish early:\n%s", buttons, parents[0].Blocks)
	}

	// Clicks, as function URL requests signed (or not) with the app's
	// signing secret.
	click := func(user, responseID, sig string) []byte {
		payload := mustJSON(t, map[string]any{"type": "block_actions",
			"user": map[string]any{"id": user, "username": strings.ToLower(user[2:])}, "team": map[string]any{"id": "T0FAKE"},
			"channel": map[string]any{"id": "C0DEPLOYS"}, "container": map[string]any{"message_ts": parent, "channel_id": "C0DEPLOYS"},
			"response_url": fake.ResponseURL(responseID),
			"actions":      []any{map[string]any{"action_id": interact.ActionIDRollback, "value": value, "type": "button"}}})
		body := "payload=" + url.QueryEscape(string(payload))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		if sig == "" {
			sig = interact.SignatureHeader(secret.New(signing), ts, []byte(body))
		}
		return mustJSON(t, events.LambdaFunctionURLRequest{Version: "2.0", RawPath: interact.Path,
			Headers: map[string]string{"x-slack-request-timestamp": ts, "x-slack-signature": sig, "content-type": "application/x-www-form-urlencoded"},
			Body:    base64.StdEncoding.EncodeToString([]byte(body)), IsBase64Encoded: true,
			RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST", Path: interact.Path}}})
	}
	press := func(what string, req []byte, want int) {
		t.Helper()
		acted := len(moto.ControlCalls(t))
		inv := invoke(what, req)
		var resp events.LambdaFunctionURLResponse
		if err := json.Unmarshal(inv.Body, &resp); err != nil || resp.StatusCode != want {
			t.Fatalf("%s: answer %s, want HTTP %d", what, inv.Body, want)
		}
		if n := len(moto.ControlCalls(t)); n != acted {
			t.Fatalf("%s: the answer acted already (%d calls): the work is for the self-invocation", what, n)
		}
	}
	// The self-invocations Lambda would deliver, handed to the function.
	deliver := func(what string, want int) {
		t.Helper()
		q := api.take(t)
		if len(q) != want {
			t.Fatalf("%s: %d asynchronous self-invocations, want %d", what, len(q), want)
		}
		for _, p := range q {
			invoke(what+" (self-invocation)", p)
		}
	}
	replies := func() []string {
		var out []string
		for _, m := range fake.Replies("C0DEPLOYS", parent) {
			out = append(out, m.Text)
		}
		return out
	}
	before := len(replies())

	// A bad signature: 401, nothing deferred, nothing done.
	press("bad signature", click("U0ALICE", "r0", "v0="+strings.Repeat("0", 64)), http.StatusUnauthorized)
	deliver("bad signature", 0)

	// Alice rolls back: 200 at once, then one StopDeployment with
	// rollback, a thread reply, and the parent says so without buttons.
	press("click", click("U0ALICE", "r1", ""), http.StatusOK)
	deliver("click", 1)
	calls := moto.ControlCalls(t)
	if len(calls) != 1 || calls[0].Operation != "StopDeployment" || calls[0].Params["deploymentId"] != dep || calls[0].Params["autoRollbackEnabled"] != true {
		t.Fatalf("moto calls = %v, want one StopDeployment of %s with autoRollbackEnabled", calls, dep)
	}
	got := replies()
	if len(got) != before+1 || !strings.HasPrefix(got[len(got)-1], "Rollback requested by <@U0ALICE>") {
		t.Fatalf("thread replies after the click = %q", got[before:])
	}
	p := fake.Parents("C0DEPLOYS")
	if len(p) != 1 || !strings.Contains(string(p[0].Blocks), "Rollback requested by <@U0ALICE> at ") || strings.Contains(string(p[0].Blocks), slackapp.ActionRollback) {
		t.Errorf("the parent does not show the request, or still has buttons:\n%s", p[0].Blocks)
	}

	// A second click: no second StopDeployment; the reply says who asked.
	press("second click", click("U0ALICE", "r2", ""), http.StatusOK)
	deliver("second click", 1)
	if calls := moto.ControlCalls(t); len(calls) != 1 {
		t.Errorf("moto calls after the second click = %v, want still one", calls)
	}
	if got := replies(); len(got) != before+2 || !strings.Contains(got[len(got)-1], "already asked for") || !strings.Contains(got[len(got)-1], "@alice") {
		t.Errorf("reply to the second click = %q", got[len(got)-1])
	}

	// Mallory is not allowed: an ephemeral answer, nothing done.
	press("not allowed", click("U0MALLORY", "r3", ""), http.StatusOK)
	deliver("not allowed", 1)
	if calls := moto.ControlCalls(t); len(calls) != 1 {
		t.Errorf("moto calls after a click not allowed = %v", calls)
	}
	if eph := fake.Ephemeral(); len(eph) != 1 || !strings.HasPrefix(eph[0], "You cannot roll back") {
		t.Errorf("ephemeral answers = %q, want one refusal", eph)
	}
	if got := replies(); len(got) != before+2 {
		t.Errorf("a refused click replied in the thread: %q", got[before+2:])
	}

	// The rollback's events: the deployment stopped, the rollback
	// deployment ran. The same parent, updated, no buttons.
	invoke("stopped", cdNotice(t, "clk-4", "STOPPED", dep, "", now.Add(time.Minute)))
	invoke("rollback created", cdNotice(t, "clk-5", "CREATED", "d-ROLLBACK01", dep, now.Add(2*time.Minute)))
	invoke("rollback succeeded", cdNotice(t, "clk-6", "SUCCEEDED", "d-ROLLBACK01", dep, now.Add(4*time.Minute)))
	p = fake.Parents("C0DEPLOYS")
	if len(p) != 1 {
		t.Fatalf("%d parents after the rollback, want 1", len(p))
	}
	final := string(p[0].Blocks)
	for _, want := range []string{"Stopped", "Rollback d-ROLLBACK01: succeeded", "Rollback requested by <@U0ALICE>"} {
		if !strings.Contains(final, want) {
			t.Errorf("the final parent lacks %q:\n%s", want, final)
		}
	}
	if strings.Contains(final, slackapp.ActionRollback) || strings.Contains(final, slackapp.ActionFinishEarly) {
		t.Errorf("buttons on the final parent:\n%s", final)
	}
	if calls := moto.ControlCalls(t); len(calls) != 1 {
		t.Errorf("moto calls at the end = %v, want one StopDeployment", calls)
	}
	t.Logf("parent updates=%d replies=%d ephemeral=%d", p[0].Updates, len(replies()), len(fake.Ephemeral()))
}
