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
	if !strings.Contains(stderr, "m-2") || !strings.Contains(stderr, "not a CodeDeploy notification") {
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

// TestLifecycleHookFailsEverywhere: render, send and replay refuse a
// lifecycle hook with the same clear error. render and send fail; replay
// sets it aside as never deliverable (it exits 0 when everything that could
// be delivered was).
func TestLifecycleHookFailsEverywhere(t *testing.T) {
	hook := `{"DeploymentId":"d-7XQ2K9ABC","LifecycleEventHookExecutionId":"eyJlbmNyeXB0ZWREYXRhIjoiaG9vayJ9"}`
	file := filepath.Join(t.TempDir(), "hook.json")
	if err := os.WriteFile(file, []byte(hook), 0o600); err != nil {
		t.Fatal(err)
	}
	fake := &slackFake{}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	env := sendEnv(t, srv.URL)
	for _, args := range [][]string{{"render", file}, {"send", file}, {"replay", file}} {
		out, _, err := run(t, env, "", args...)
		msg := out
		if err != nil {
			msg += err.Error()
		}
		wantExit := 1
		if args[0] == "replay" {
			wantExit = 0
			if !strings.Contains(msg, "POISON") || !strings.Contains(msg, "1 set aside") {
				t.Errorf("replay does not set the hook aside: %q", msg)
			}
		}
		if exitCode(err) != wantExit || !strings.Contains(msg, "d-7XQ2K9ABC") || !strings.Contains(msg, "does not run lifecycle hooks yet") {
			t.Errorf("%s: exit %d, %q", args[0], exitCode(err), msg)
		}
	}
	if fake.count() != 0 {
		t.Errorf("a hook made %d posts", fake.count())
	}
}
