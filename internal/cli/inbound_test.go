package cli

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mixedBatch is an SQS batch of a good notification (m-1) and a record
// that is no notification (m-2).
func mixedBatch(t *testing.T) string {
	t.Helper()
	good, err := os.ReadFile(fixturePath("sns-http/instance-success.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]any{"Records": []map[string]string{
		{"messageId": "m-1", "eventSource": "aws:sqs", "body": string(good)},
		{"messageId": "m-2", "eventSource": "aws:sqs", "body": `{"AlarmName":"cpu-high"}`},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestRenderAndSendAgreeOnAMixedBatch: render prints the good record and
// names the bad one, as send delivers the good one and names the bad one
// (issue #14 item 7).
func TestRenderAndSendAgreeOnAMixedBatch(t *testing.T) {
	in := mixedBatch(t)
	out, stderr, err := run(t, nil, in, "render")
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	if lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); len(lines) != 1 || !strings.Contains(out, "Traffic switched") {
		t.Errorf("render printed %q, want the good record", out)
	}
	if !strings.Contains(stderr, "m-2") || !strings.Contains(stderr, "not a deployment notification") {
		t.Errorf("render does not name the bad record: %q", stderr)
	}

	fake := &slackFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	out, stderr, err = run(t, sendEnv(t, srv.URL), in, "send")
	if err != nil || fake.count() != 1 || !strings.Contains(out, "slack=delivered") {
		t.Errorf("send: %v, %d posts, %q", err, fake.count(), out)
	}
	if !strings.Contains(stderr, "m-2") {
		t.Errorf("send does not name the bad record: %q", stderr)
	}
}

// TestLifecycleHookSendAndRender: send runs an ECS lifecycle hook like the
// Lambda and prints its answer; a second send of the same execution
// notifies nothing more and answers the same; render renders the hook's
// message; an unreadable hook renders nothing and says why.
func TestLifecycleHookSendAndRender(t *testing.T) {
	hook := `{"executionId":"0b6e2c1a","lifecycleStage":"POST_PRODUCTION_TRAFFIC_SHIFT",` +
		`"resourceArn":"arn:aws:ecs:us-west-2:123456789012:service-deployment/my-cluster/my-service/EZe5RNVLH6PPzHXINuP28",` +
		`"executionDetails":{"serviceArn":"arn:aws:ecs:us-west-2:123456789012:service/my-cluster/my-service"}}`
	file := filepath.Join(t.TempDir(), "hook.json")
	if err := os.WriteFile(file, []byte(hook), 0o600); err != nil {
		t.Fatal(err)
	}
	fake := &slackFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := sendEnv(t, srv.URL)
	for i := range 2 {
		out, _, err := run(t, env, "", "send", file)
		if err != nil || !strings.Contains(out, `answer: {"hookStatus":"SUCCEEDED"}`) || !strings.Contains(out, "POST_PRODUCTION_TRAFFIC_SHIFT") {
			t.Errorf("send %d: %v, %q", i+1, err, out)
		}
	}
	if fake.count() != 1 {
		t.Errorf("the same hook execution sent twice made %d posts, want 1", fake.count())
	}
	out, _, err := run(t, env, "", "render", file)
	if err != nil || !strings.Contains(out, "Traffic switched") {
		t.Errorf("render: %v, %q", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"executionId":"x","lifecycleStage":7}`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err = run(t, env, "", "render", bad)
	if exitCode(err) != 1 || out != "" || !strings.Contains(err.Error(), "lifecycleStage") {
		t.Errorf("render of an unreadable hook: exit %d, %q, %v", exitCode(err), out, err)
	}
}
