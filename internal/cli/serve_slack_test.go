package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"

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

// TestServeSlackActions runs `cutover serve` with a slack-app destination:
// POST /slack/actions answers a signed click 200 and then stops the
// deployment in moto (recorded by the launcher) in the background; a bad
// signature is 401, other methods 405, an oversized body 413.
func TestServeSlackActions(t *testing.T) {
	m := testrig.StartMoto(t)
	awsCfg := m.AWSConfig(t)
	ctx := context.Background()
	cd := codedeploy.NewFromConfig(awsCfg)
	if _, err := cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: aws.String("web")}); err != nil {
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
	m.PatchDeployment(t, id, map[string]any{"status": "InProgress"})

	const signing = "5d41402abc4b2a76b9719d911017c592"
	slack := slackfake.New(t, slackfake.Options{})
	parent, err := slackapp.NewClient(secret.New(slackfake.Token), nil, slackapp.ClientOptions{BaseURL: slack.APIURL()}).
		PostMessage(ctx, &slackapp.Message{Channel: "C0DEPLOYS", Text: "deployment " + id}, nil)
	if err != nil {
		t.Fatal(err)
	}
	replies := func() []string {
		var out []string
		for _, m := range slack.Replies("C0DEPLOYS", parent.TS) {
			out = append(out, m.Text)
		}
		return out
	}
	addr := make(chan string, 1)
	var out, errb bytes.Buffer
	vars := sendEnv(t, "http://127.0.0.1:1")
	vars[config.EnvDestinations] = `[{"name":"ops","type":"slack-app","channel":"deploys","token":"` + slackfake.Token +
		`","signing_secret":"` + signing + `","allowed_users":["U0ALICE"]}]`
	vars[config.EnvSlackAPIURL] = slack.APIURL()
	env := Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv:    func(k string) string { return vars[k] },
		listening: func(a string) { addr <- a },
		appOptions: func(o *app.Options) {
			o.AWS = &awsCfg
		},
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- Run(runCtx, []string{"serve", "--addr", "127.0.0.1:0", "--topics", "arn:aws:sns:us-east-1:111122223333:cutover"}, env)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("serve stopped: %v\n%s", err, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start listening")
	}

	value, _ := control.Ref{Platform: deploy.CodeDeployECS, Region: testrig.Region, DeploymentID: id, Destination: "ops"}.Encode()
	payload, _ := json.Marshal(map[string]any{"type": "block_actions", "user": map[string]any{"id": "U0ALICE"},
		"channel": map[string]any{"id": "C0DEPLOYS"}, "container": map[string]any{"message_ts": parent.TS},
		"actions": []any{map[string]any{"action_id": interact.ActionIDRollback, "value": value}}})
	body := []byte("payload=" + url.QueryEscape(string(payload)))
	post := func(method string, b []byte, sig string) int {
		t.Helper()
		req, _ := http.NewRequest(method, base+interact.Path, bytes.NewReader(b))
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req.Header.Set(interact.HeaderTimestamp, ts)
		if sig == "" {
			sig = interact.SignatureHeader(secret.New(signing), ts, b)
		}
		req.Header.Set(interact.HeaderSignature, sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(http.MethodPost, body, "v0="+strings.Repeat("ab", 32)); code != http.StatusUnauthorized {
		t.Errorf("bad signature: HTTP %d, want 401", code)
	}
	if code := post(http.MethodGet, nil, ""); code != http.StatusMethodNotAllowed {
		t.Errorf("GET: HTTP %d, want 405", code)
	}
	if code := post(http.MethodPost, bytes.Repeat([]byte("x"), interact.MaxBody+1), ""); code != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized: HTTP %d, want 413", code)
	}
	if code := post(http.MethodPost, body, ""); code != http.StatusOK {
		t.Fatalf("signed click: HTTP %d\n%s", code, errb.String())
	}
	// The work runs after the answer: wait for its thread reply.
	deadline := time.Now().Add(20 * time.Second)
	for len(replies()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if r := replies(); len(r) != 1 || !strings.HasPrefix(r[0], "Rollback requested by <@U0ALICE>") {
		t.Fatalf("thread replies = %q\n%s", r, errb.String())
	}
	if calls := m.ControlCalls(t); len(calls) != 1 || calls[0].Operation != "StopDeployment" {
		t.Errorf("moto calls = %v, want one StopDeployment", calls)
	}
}
