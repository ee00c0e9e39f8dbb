package lambdafn

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/cutover-dev/cutover/internal/testrig"
)

// TestFunctionURLUnderRIE sends function URL requests and a
// self-invocation payload to the real bootstrap under the Lambda Runtime
// Interface Emulator without a slack-app destination: function URL
// requests get HTTP answers as the invocation result (never a function
// error, so never a retry), and a self-invocation with nothing to act on
// succeeds and is logged. The click itself, with a slack-app destination,
// is TestSlackClickThroughFunctionURL here and, end to end under the
// emulator, e2e's TestLambdaSlackAppClick.
func TestFunctionURLUnderRIE(t *testing.T) {
	rie := testrig.StartRIE(t, testrig.BuildBootstrap(t), []string{
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
		"CUTOVER_ENRICH=false", "AWS_LAMBDA_FUNCTION_NAME=cutover",
	})
	ctx := context.Background()
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"POST", "/slack/actions", http.StatusNotFound},
		{"GET", "/slack/actions", http.StatusMethodNotAllowed},
		{"POST", "/", http.StatusNotFound},
	} {
		b, _ := json.Marshal(events.LambdaFunctionURLRequest{Version: "2.0", RawPath: tc.path, Body: "payload=x",
			Headers:        map[string]string{"x-slack-signature": "v0=00", "x-slack-request-timestamp": "1"},
			RequestContext: events.LambdaFunctionURLRequestContext{HTTP: events.LambdaFunctionURLRequestContextHTTPDescription{Method: tc.method, Path: tc.path}}})
		res, err := rie.InvokeResult(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		var resp events.LambdaFunctionURLResponse
		if res.FunctionError || json.Unmarshal(res.Body, &resp) != nil || resp.StatusCode != tc.want {
			t.Errorf("%s %s: function error %v, body %s; want an HTTP %d answer", tc.method, tc.path, res.FunctionError, res.Body, tc.want)
		}
	}
	res, err := rie.InvokeResult(ctx, []byte(`{"cutoverSlackAction":{"timestamp":"1","signature":"v0=00","body":"cGF5bG9hZD14"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError {
		t.Errorf("self-invocation failed the invocation (Lambda would retry it): %s", res.Body)
	}
	if out := rie.WaitOutput("slack action dropped", 10*time.Second); !strings.Contains(out, "slack action dropped") {
		t.Errorf("no log line for the self-invocation:\n%s", out)
	}
}
