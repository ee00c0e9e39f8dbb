package lambdafn

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
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

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/chat/slackapp"
	"github.com/cutover-dev/cutover/internal/chat/slackapp/slackfake"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/interact"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// TestSlackClickThroughFunctionURL drives a click through the Lambda
// handler as a function URL request: the answer is 200 at once and the
// self-invocation goes to a fake Lambda API (the rest is proxied to moto),
// which queues the asynchronous event; handing that event to the handler
// stops the deployment in moto once.
func TestSlackClickThroughFunctionURL(t *testing.T) {
	m := testrig.StartMoto(t)
	ctx := context.Background()
	target, _ := url.Parse(m.Endpoint)
	proxy := httputil.NewSingleHostReverseProxy(target)
	var (
		mu     sync.Mutex
		queued [][]byte
	)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/2015-03-31/functions/cutover/invocations" {
			proxy.ServeHTTP(w, r)
			return
		}
		if r.Header.Get("X-Amz-Invocation-Type") != "Event" {
			http.Error(w, `{"message":"want an asynchronous invocation"}`, http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		queued = append(queued, b)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(fake.Close)

	awsCfg := m.AWSConfig(t)
	awsCfg.BaseEndpoint = aws.String(fake.URL)
	cd := codedeploy.NewFromConfig(awsCfg)
	if _, err := cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("web"), ComputePlatform: cdtypes.ComputePlatformEcs}); err != nil {
		t.Fatal(err)
	}
	if _, err := cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{ApplicationName: aws.String("web"), DeploymentGroupName: aws.String("web-prod"),
		ServiceRoleArn: aws.String("arn:aws:iam::123456789012:role/cd")}); err != nil {
		t.Fatal(err)
	}
	dep, err := cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{ApplicationName: aws.String("web"), DeploymentGroupName: aws.String("web-prod")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(dep.DeploymentId)
	m.PatchDeployment(t, id, map[string]any{"status": "InProgress", "instanceTerminationWaitTimeStarted": true})

	const signing = "e3b0c44298fc1c149afbf4c8996fb924"
	slack := slackfake.New(t, slackfake.Options{})
	parent, err := slackapp.NewClient(secret.New(slackfake.Token), nil, slackapp.ClientOptions{BaseURL: slack.APIURL()}).
		PostMessage(ctx, &slackapp.Message{Channel: "C0DEPLOYS", Text: "deployment " + id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		config.EnvDestinations: `[{"name":"ops","type":"slack-app","channel":"deploys","token":"` + slackfake.Token +
			`","signing_secret":"` + signing + `","allowed_users":["U0ALICE"]}]`,
		config.EnvSlackAPIURL: slack.APIURL(),
	}
	cfg, err := config.Load(func(k string) string { return env[k] }, app.Sources(), app.Destinations().Names())
	if err != nil {
		t.Fatal(err)
	}
	sys, err := app.Build(ctx, cfg, app.Options{AWS: &awsCfg, Lambda: true, FunctionName: "cutover", Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	h := &Handler{System: sys, Log: slog.New(slog.DiscardHandler)}

	value, _ := control.Ref{Platform: deploy.CodeDeployECS, Region: testrig.Region, DeploymentID: id, Destination: "ops"}.Encode()
	payload, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": "U0ALICE", "username": "alice"},
		"team": map[string]any{"id": "T0TEAM"}, "channel": map[string]any{"id": "C0DEPLOYS"},
		"container": map[string]any{"message_ts": parent.TS},
		"actions":   []any{map[string]any{"action_id": interact.ActionIDRollback, "value": value}}})
	body := "payload=" + url.QueryEscape(string(payload))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	urlReq := func(sig string) json.RawMessage {
		b, _ := json.Marshal(events.LambdaFunctionURLRequest{Version: "2.0", RawPath: "/slack/actions",
			Headers: map[string]string{"x-slack-request-timestamp": ts, "x-slack-signature": sig, "content-type": "application/x-www-form-urlencoded"},
			Body:    base64.StdEncoding.EncodeToString([]byte(body)), IsBase64Encoded: true,
			RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: "POST", Path: "/slack/actions"}}})
		return b
	}

	// A bad signature: 401, a successful invocation, nothing queued.
	out, err := h.Invoke(ctx, urlReq("v0="+strings.Repeat("0", 64)))
	if resp, ok := out.(events.LambdaFunctionURLResponse); err != nil || !ok || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad signature: %+v, %v; want a 401 answer and no error", out, err)
	}
	// A valid click: 200, one asynchronous self-invocation queued.
	out, err = h.Invoke(ctx, urlReq(interact.SignatureHeader(secret.New(signing), ts, []byte(body))))
	if resp, ok := out.(events.LambdaFunctionURLResponse); err != nil || !ok || resp.StatusCode != http.StatusOK {
		t.Fatalf("valid click: %+v, %v; want 200", out, err)
	}
	if calls := m.ControlCalls(t); len(calls) != 0 {
		t.Fatalf("the answer acted already: %v", calls)
	}
	mu.Lock()
	q := append([][]byte(nil), queued...)
	mu.Unlock()
	if len(q) != 1 {
		t.Fatalf("%d self-invocations, want 1", len(q))
	}
	// The asynchronous invocation (delivered twice, as Lambda may): acts once.
	for range 2 {
		if _, err := h.Invoke(ctx, q[0]); err != nil {
			t.Fatalf("self-invocation failed: %v", err)
		}
	}
	if calls := m.ControlCalls(t); len(calls) != 1 || calls[0].Operation != "StopDeployment" || calls[0].Params["autoRollbackEnabled"] != true {
		t.Fatalf("moto calls = %v, want one StopDeployment with rollback", calls)
	}
	var replies []string
	for _, m := range slack.Replies("C0DEPLOYS", parent.TS) {
		replies = append(replies, m.Text)
	}
	if len(replies) != 2 || !strings.HasPrefix(replies[0], "Rollback requested by <@U0ALICE>") || !strings.Contains(replies[1], "already asked for") {
		t.Errorf("thread replies = %q", replies)
	}
	// Other paths and methods.
	for path, want := range map[string]int{"/": http.StatusNotFound, "/slack/actions?GET": http.StatusMethodNotAllowed} {
		method := "POST"
		if strings.HasSuffix(path, "?GET") {
			path, method = strings.TrimSuffix(path, "?GET"), "GET"
		}
		b, _ := json.Marshal(events.LambdaFunctionURLRequest{Version: "2.0", RawPath: path,
			RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: method}}})
		out, err := h.Invoke(ctx, b)
		if resp, ok := out.(events.LambdaFunctionURLResponse); err != nil || !ok || resp.StatusCode != want {
			t.Errorf("%s %s: %+v, %v; want %d", method, path, out, err, want)
		}
	}
}
