package testrig_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/testrig"
)

func post(t *testing.T, c *http.Client, url, body string) (*http.Response, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func mustPost(t *testing.T, c *http.Client, url, body string) (*http.Response, string) {
	t.Helper()
	resp, got, err := post(t, c, url, body)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	return resp, got
}

func TestFakeChatDefaultAndRecording(t *testing.T) {
	t.Parallel()
	f := testrig.NewFakeChat(t)
	if !strings.HasPrefix(f.URL(), "http://127.0.0.1:") {
		t.Errorf("URL() = %q, want http://127.0.0.1:PORT", f.URL())
	}
	resp, body := mustPost(t, f.Client(), f.WebhookURL()+"?x=1", `{"text":"hello"}`)
	if resp.StatusCode != 200 || body != "ok" {
		t.Errorf("default answer = %d %q, want 200 ok", resp.StatusCode, body)
	}
	reqs := f.Requests()
	if len(reqs) != 1 || f.Count() != 1 {
		t.Fatalf("recorded %d requests (Count %d), want 1", len(reqs), f.Count())
	}
	r := reqs[0]
	if r.Seq != 1 || r.Method != http.MethodPost || !strings.HasPrefix(r.Path, "/services/") || r.RawQuery != "x=1" ||
		r.Header.Get("Content-Type") != "application/json" || string(r.Body) != `{"text":"hello"}` || r.Time.IsZero() {
		t.Errorf("recorded request = %+v", r)
	}
	// Requests returns copies.
	reqs[0].Body[0] = 'X'
	if got := f.Requests()[0].Body[0]; got != '{' {
		t.Errorf("Requests() shares its body with the recording")
	}
	f.Reset()
	if f.Count() != 0 {
		t.Errorf("Count after Reset = %d", f.Count())
	}
}

func TestFakeChatQueueAndScript(t *testing.T) {
	t.Parallel()
	f := testrig.NewFakeChat(t)
	f.Enqueue(testrig.Status(404, "channel_not_found"), testrig.RateLimited(7))
	f.SetScript(func(r testrig.Request) testrig.Reply {
		if strings.Contains(string(r.Body), "archived") {
			return testrig.Status(410, "channel_is_archived")
		}
		return nil
	})
	f.SetDefault(testrig.JSON(200, map[string]any{"ok": true, "ts": "1.2"}))

	resp, body := mustPost(t, f.Client(), f.URL(), "{}")
	if resp.StatusCode != 404 || body != "channel_not_found" {
		t.Errorf("1st = %d %q", resp.StatusCode, body)
	}
	resp, body = mustPost(t, f.Client(), f.URL(), "{}")
	if resp.StatusCode != 429 || body != "rate_limited" || resp.Header.Get("Retry-After") != "7" {
		t.Errorf("2nd = %d %q Retry-After %q", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
	resp, body = mustPost(t, f.Client(), f.URL(), `{"text":"archived"}`)
	if resp.StatusCode != 410 {
		t.Errorf("3rd (script) = %d %q", resp.StatusCode, body)
	}
	resp, body = mustPost(t, f.Client(), f.URL(), "{}")
	if resp.StatusCode != 200 || body != `{"ok":true,"ts":"1.2"}` || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Errorf("4th (default) = %d %q", resp.StatusCode, body)
	}
}

func TestFakeChatHangTimesOutClient(t *testing.T) {
	t.Parallel()
	f := testrig.NewFakeChat(t)
	f.SetDefault(testrig.Hang(time.Hour))
	c := &http.Client{Timeout: 50 * time.Millisecond}
	_, _, err := post(t, c, f.URL(), "{}")
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("post to a hanging fake: err = %v, want a timeout", err)
	}
	f.WaitFor(t, 1, time.Minute)
	// The cleanup must not wait an hour for the hanging reply.
}

func TestFakeChatSlowBody(t *testing.T) {
	t.Parallel()
	f := testrig.NewFakeChat(t)
	f.SetDefault(testrig.SlowBody(time.Hour))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.URL(), strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := f.Client().Do(req)
	if err != nil {
		t.Fatalf("headers should arrive at once: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	first := make([]byte, 1)
	if _, err := io.ReadFull(resp.Body, first); err != nil || first[0] != 'o' {
		t.Fatalf("first body byte = %q, %v", first, err)
	}
	cancel()
	if rest, err := io.ReadAll(resp.Body); err == nil {
		t.Fatalf("body completed (%q) although the reply waits an hour", rest)
	}
}

func TestFakeChatResetConn(t *testing.T) {
	t.Parallel()
	f := testrig.NewFakeChat(t)
	f.Enqueue(testrig.ResetConn())
	if _, _, err := post(t, f.Client(), f.URL(), "{}"); err == nil {
		t.Fatal("post to a resetting fake succeeded")
	}
	if _, body := mustPost(t, f.Client(), f.URL(), "{}"); body != "ok" {
		t.Errorf("after the reset: body %q, want ok", body)
	}
}

func TestFakeChatFailRateIsDeterministic(t *testing.T) {
	t.Parallel()
	run := func() []int {
		f := testrig.NewFakeChat(t)
		f.SetDefault(testrig.FailRate(0.5, 42, testrig.Status(500, "rollup_error"), testrig.RateLimited(1), testrig.ResetConn()))
		var seq []int
		for range 40 {
			resp, _, err := post(t, f.Client(), f.URL(), "{}")
			switch {
			case err != nil:
				seq = append(seq, -1)
			default:
				seq = append(seq, resp.StatusCode)
			}
		}
		return seq
	}
	a, b := run(), run()
	if len(a) != len(b) {
		t.Fatalf("lengths differ")
	}
	seen := map[int]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("run 1 %v\nrun 2 %v\ndiffer at %d", a, b, i)
		}
		seen[a[i]] = true
	}
	for _, want := range []int{200, 500, 429, -1} {
		if !seen[want] {
			t.Errorf("FailRate(0.5) over 40 requests never gave %d: %v", want, a)
		}
	}
}

func TestFakeChatWaitForConcurrent(t *testing.T) {
	t.Parallel()
	f := testrig.NewFakeChatTLS(t)
	if !strings.HasPrefix(f.URL(), "https://127.0.0.1:") {
		t.Errorf("TLS URL() = %q", f.URL())
	}
	var wg sync.WaitGroup
	errs := make(chan error, 5)
	for range 5 {
		wg.Go(func() {
			if _, _, err := post(t, f.Client(), f.URL(), "{}"); err != nil {
				errs <- err
			}
		})
	}
	reqs := f.WaitFor(t, 5, time.Minute)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("post: %v", err)
	}
	seqs := map[int]bool{}
	for _, r := range reqs {
		seqs[r.Seq] = true
	}
	if len(reqs) != 5 || len(seqs) != 5 {
		t.Errorf("WaitFor returned %d requests with %d distinct Seq", len(reqs), len(seqs))
	}
}

func TestFakeChatLostAnswer(t *testing.T) {
	t.Parallel()
	f := testrig.NewFakeChat(t)
	f.Enqueue(testrig.LostAnswer(nil))
	if _, _, err := post(t, f.Client(), f.URL(), `{"text":"taken"}`); err == nil {
		t.Fatal("post whose answer was lost succeeded")
	}
	if _, body := mustPost(t, f.Client(), f.URL(), `{"text":"again"}`); body != "ok" {
		t.Errorf("after the lost answer: body %q, want ok", body)
	}
	reqs := f.Requests()
	if len(reqs) != 2 || string(reqs[0].Body) != `{"text":"taken"}` || !reqs[0].LostAnswer || reqs[1].LostAnswer {
		t.Errorf("requests = %+v, want the first taken with its answer lost, the second answered", reqs)
	}
}
