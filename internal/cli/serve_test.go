package cli

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/snshttp"
	"github.com/cutover-dev/cutover/internal/snshttp/snshttptest"
)

// TestServeDeliversVerifiedNotifications runs `cutover serve` against a
// fake SNS that signs its messages: a signed CodeDeploy notification is
// posted to Slack once; a tampered one is refused and posts nothing.
func TestServeDeliversVerifiedNotifications(t *testing.T) {
	const topic = "arn:aws:sns:us-east-1:111122223333:cutover-deployments"
	sns := snshttptest.New(t)
	fake := &slackFake{}
	slack := httptest.NewServer(fake)
	defer slack.Close()

	addr := make(chan string, 1)
	var out, errb bytes.Buffer
	vars := sendEnv(t, slack.URL)
	env := Env{
		Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv:     func(k string) string { return vars[k] },
		snsOptions: []snshttp.Option{snshttp.WithTestTrust(sns.Host(), sns.Roots()), snshttp.WithHTTPClient(sns.Client())},
		listening:  func(a string) { addr <- a },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--topics", topic}, env) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var url string
	select {
	case a := <-addr:
		url = "http://" + a + "/"
	case err := <-done:
		t.Fatalf("serve stopped: %v\n%s", err, errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not start listening")
	}

	msg, err := os.ReadFile(fixturePath("trigger-real/instance-success.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := sns.Notification(topic, snshttptest.Ptr("SUCCEEDED: AWS CodeDeploy d-7XQ2K9ABC in us-east-1 to web-frontend"), string(msg), time.Now())
	body := sns.Sign(n, "2")
	post := func(b []byte) int {
		t.Helper()
		resp, err := http.Post(url, "text/plain", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post(body); code != http.StatusOK {
		t.Fatalf("signed notification: HTTP %d\n%s", code, errb.String())
	}
	if fake.count() != 1 || !strings.Contains(fake.bodies[0], "Traffic switched") {
		t.Fatalf("slack got %d posts", fake.count())
	}
	tampered := bytes.Replace(body, []byte("d-7XQ2K9ABC"), []byte("d-EVIL00000"), 1)
	if code := post(tampered); code != http.StatusForbidden {
		t.Errorf("tampered notification: HTTP %d, want 403", code)
	}
	if code := post(body); code != http.StatusOK || fake.count() != 1 {
		t.Errorf("redelivery: HTTP %d, %d posts (want 1)", code, fake.count())
	}
}
