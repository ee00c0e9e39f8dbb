package chat

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat/chattest"
	"github.com/cutover-dev/cutover/internal/retry"
)

// resetAfterRead answers like a destination that took the message and
// whose answer was lost: it reads the whole request, then resets the
// connection without answering.
func resetAfterRead(w http.ResponseWriter, r *http.Request) {
	_, _ = io.ReadAll(r.Body)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// TestPostLostAnswerRetriedOnce: every answer is lost after the request
// was written, so each retry could add a copy. Of 5 allowed attempts Post
// makes 2, then fails retryable and says so.
func TestPostLostAnswerRetriedOnce(t *testing.T) {
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) { resetAfterRead(w, r) })
	p, _, logs := testPoster(t, 5, time.Second)
	err := post(t, p, context.Background(), srv.URL)
	if err == nil || retry.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if !IsAmbiguous(err) {
		t.Errorf("IsAmbiguous(%v) = false", err)
	}
	if got, want := n.Load(), int32(1+MaxAmbiguousRetries); got != want {
		t.Errorf("requests = %d, want %d: a lost answer is retried at most %d time(s)", got, want, MaxAmbiguousRetries)
	}
	if !strings.Contains(logs.String(), "post answer lost again, not retrying") {
		t.Errorf("no log line saying the lost answer was not retried again:\n%s", logs)
	}
	assertNoSecret(t, "error", err.Error(), srv.URL)
	assertNoSecret(t, "log", logs.String(), srv.URL)
}

// TestPostLostAnswerThenOK: one lost answer, then the destination answers:
// the one retry delivers.
func TestPostLostAnswerThenOK(t *testing.T) {
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, i int32) {
		if i == 1 {
			resetAfterRead(w, r)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	p, _, _ := testPoster(t, 5, time.Second)
	if err := post(t, p, context.Background(), srv.URL); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d, want 2", n.Load())
	}
}

// TestPostLostAnswerCountsAcrossOtherFailures: a lost answer, a 503 (the
// destination said it did not take it), then a second lost answer: Post
// stops there, 3 requests, although the policy allows 10.
func TestPostLostAnswerCountsAcrossOtherFailures(t *testing.T) {
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, i int32) {
		if i == 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		resetAfterRead(w, r)
	})
	p, _, _ := testPoster(t, 10, time.Second)
	err := post(t, p, context.Background(), srv.URL)
	if err == nil || retry.IsPermanent(err) || !IsAmbiguous(err) {
		t.Fatalf("err = %v, want a retryable lost answer", err)
	}
	if n.Load() != 3 {
		t.Errorf("requests = %d, want 3", n.Load())
	}
}

// TestPostTimeoutWaitingForAnswerIsAmbiguous: the request was written and
// no answer came within the attempt timeout: retried once, then failed.
func TestPostTimeoutWaitingForAnswerIsAmbiguous(t *testing.T) {
	release := make(chan struct{})
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	p, _, _ := testPoster(t, 5, 100*time.Millisecond)
	err := post(t, p, context.Background(), srv.URL)
	if err == nil || retry.IsPermanent(err) || !IsAmbiguous(err) {
		t.Fatalf("err = %v, want a retryable lost answer", err)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d, want 2", n.Load())
	}
}

// TestPostNotSentRetriedFully: a connection refused never reached the
// destination, cannot duplicate, and is retried as the policy allows.
func TestPostNotSentRetriedFully(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: connection refused
	var retries atomic.Int32
	p, _, _ := testPoster(t, 4, time.Second)
	p.policy.OnRetry = func(int, error, time.Duration) { retries.Add(1) }
	err = post(t, p, context.Background(), "http://"+addr)
	if err == nil || retry.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if IsAmbiguous(err) {
		t.Errorf("IsAmbiguous(%v) = true for a request never sent", err)
	}
	if retries.Load() != 3 {
		t.Errorf("retries = %d, want 3 (4 attempts)", retries.Load())
	}
}

// TestPostAnswerCutShortIsAmbiguous: a 200 whose body is cut off (the
// connection closes mid-answer) and that the destination's validator
// cannot accept is a lost answer: the message may have been taken.
func TestPostAnswerCutShortIsAmbiguous(t *testing.T) {
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"ok":tr`)
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	wantOK := func(_ int, body []byte) error {
		if !strings.Contains(string(body), `"ok":true`) {
			return errors.New("post: no ok:true in the answer")
		}
		return nil
	}
	p, _, _ := testPoster(t, 5, time.Second)
	_, err := p.Post(context.Background(), srv.URL+secretPath, []byte(`{}`), nil, wantOK)
	if err == nil || retry.IsPermanent(err) || !IsAmbiguous(err) {
		t.Fatalf("err = %v, want a retryable lost answer", err)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d, want 2", n.Load())
	}
}
