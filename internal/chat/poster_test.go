package chat

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat/chattest"
	"github.com/cutover-dev/cutover/internal/retry"
)

// secretPath is a webhook path shaped like Slack's, whose last segment is
// the secret token. No error or log may contain any of it.
const (
	secretPath  = "/services/T0SECRET1/B0SECRET2/xyzzySecretToken42"
	secretToken = "xyzzySecretToken42"
)

// recorder is a retry.Policy.Sleep that records the waits instead of
// sleeping.
type recorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recorder) sleep(_ context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, d)
	return nil
}

func (r *recorder) got() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

// testPoster returns a Poster whose retries record their waits, and a
// buffer holding its debug logs.
func testPoster(t *testing.T, attempts int, timeout time.Duration) (*Poster, *recorder, *bytes.Buffer) {
	t.Helper()
	rec := &recorder{}
	var logs bytes.Buffer
	p := NewPoster(PosterOptions{
		Timeout: timeout,
		Policy: retry.Policy{
			Attempts: attempts,
			Base:     time.Millisecond,
			Max:      5 * time.Second,
			Sleep:    rec.sleep,
		},
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	return p, rec, &logs
}

// assertNoSecret fails when s holds any part of the webhook URL.
func assertNoSecret(t *testing.T, what, s, serverURL string) {
	t.Helper()
	for _, secret := range []string{secretToken, secretPath, "T0SECRET1", "B0SECRET2", serverURL + "/services"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s leaks %q: %s", what, secret, s)
		}
	}
}

func post(t *testing.T, p *Poster, ctx context.Context, srvURL string) error {
	t.Helper()
	_, err := p.Post(ctx, srvURL+secretPath, []byte(`{"text":"hi"}`), map[string]string{"Content-Type": "application/json"}, nil)
	return err
}

func TestPostOK(t *testing.T) {
	var gotBody, gotCT, gotUA, gotPath string
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		b, _ := io.ReadAll(r.Body)
		gotBody, gotCT, gotUA, gotPath = string(b), r.Header.Get("Content-Type"), r.UserAgent(), r.URL.Path
		io.WriteString(w, "ok")
	})
	p, rec, logs := testPoster(t, 3, time.Second)
	if err := post(t, p, context.Background(), srv.URL); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if n.Load() != 1 || len(rec.got()) != 0 {
		t.Errorf("requests = %d, waits = %v; want 1 request, no wait", n.Load(), rec.got())
	}
	if gotBody != `{"text":"hi"}` || gotCT != "application/json" || gotUA != "cutover" || gotPath != secretPath {
		t.Errorf("server got body %q, content type %q, user agent %q, path %q", gotBody, gotCT, gotUA, gotPath)
	}
	if !strings.Contains(logs.String(), "posted") {
		t.Errorf("no debug log of the delivery: %s", logs)
	}
	assertNoSecret(t, "log", logs.String(), srv.URL)
}

func TestPost429RetryAfterSeconds(t *testing.T) {
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, nth int32) {
		if nth == 1 {
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, "rate_limited")
			return
		}
		io.WriteString(w, "ok")
	})
	p, rec, logs := testPoster(t, 5, time.Second)
	if err := post(t, p, context.Background(), srv.URL); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d, want 2", n.Load())
	}
	if w := rec.got(); len(w) != 1 || w[0] != 3*time.Second {
		t.Errorf("waits = %v, want [3s] from Retry-After", w)
	}
	if !strings.Contains(logs.String(), "retrying") || !strings.Contains(logs.String(), "rate_limited") {
		t.Errorf("retry not logged with the cause: %s", logs)
	}
	assertNoSecret(t, "log", logs.String(), srv.URL)
}

func TestPost429RetryAfterDate(t *testing.T) {
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, nth int32) {
		if nth == 1 {
			w.Header().Set("Retry-After", time.Now().Add(4*time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		io.WriteString(w, "ok")
	})
	p, rec, _ := testPoster(t, 5, time.Second)
	if err := post(t, p, context.Background(), srv.URL); err != nil {
		t.Fatalf("Post: %v", err)
	}
	// The HTTP date has one-second precision: the wait is 3-4 s.
	if w := rec.got(); n.Load() != 2 || len(w) != 1 || w[0] < 2*time.Second || w[0] > 4*time.Second {
		t.Errorf("requests = %d, waits = %v; want 2 requests and one wait of about 4s", n.Load(), w)
	}
}

func TestPost429RetryAfterBeyondMax(t *testing.T) {
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, "rate_limited")
	})
	p, rec, _ := testPoster(t, 5, time.Second) // Max is 5s
	err := post(t, p, context.Background(), srv.URL)
	if err == nil || retry.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if n.Load() != 1 || len(rec.got()) != 0 {
		t.Errorf("requests = %d, waits = %v; want 1 request and no sleep", n.Load(), rec.got())
	}
	if d, ok := retry.RetryAfter(err); !ok || d != 120*time.Second {
		t.Errorf("RetryAfter = %v, %v; want 2m0s for the caller", d, ok)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusTooManyRequests {
		t.Errorf("err %v does not hold a 429 *StatusError", err)
	}
	assertNoSecret(t, "error", err.Error(), srv.URL)
}

func TestPost500Exhausts(t *testing.T) {
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "rollup_error")
	})
	p, rec, _ := testPoster(t, 4, time.Second)
	err := post(t, p, context.Background(), srv.URL)
	if err == nil || retry.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if n.Load() != 4 || len(rec.got()) != 3 {
		t.Errorf("requests = %d, waits = %d; want 4 and 3", n.Load(), len(rec.got()))
	}
	if want := "post: 500 Internal Server Error: rollup_error"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
}

func TestPost404Permanent(t *testing.T) {
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		w.WriteHeader(http.StatusNotFound)
		// A destination echoing the request path must not leak it either.
		io.WriteString(w, "channel_not_found (path "+r.URL.Path+")")
	})
	p, rec, logs := testPoster(t, 5, time.Second)
	err := post(t, p, context.Background(), srv.URL)
	if !retry.IsPermanent(err) {
		t.Fatalf("err = %v, want permanent", err)
	}
	if n.Load() != 1 || len(rec.got()) != 0 {
		t.Errorf("requests = %d, waits = %v; want exactly 1 request", n.Load(), rec.got())
	}
	if !strings.HasPrefix(err.Error(), "post: 404 Not Found: channel_not_found") {
		t.Errorf("err = %q, want it to start with the status and Slack's error", err)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 404 || !strings.Contains(se.Body, "channel_not_found") {
		t.Errorf("err %v does not hold the 404 and its body", err)
	}
	assertNoSecret(t, "error", err.Error(), srv.URL)
	assertNoSecret(t, "body", se.Body, srv.URL)
	assertNoSecret(t, "log", logs.String(), srv.URL)
}

func TestPostErrorBodyBounded(t *testing.T) {
	srv, _ := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, "invalid_payload"+strings.Repeat("x", 100<<10))
	})
	p, _, _ := testPoster(t, 1, time.Second)
	err := post(t, p, context.Background(), srv.URL)
	var se *StatusError
	if !errors.As(err, &se) || !retry.IsPermanent(err) {
		t.Fatalf("err = %v, want a permanent *StatusError", err)
	}
	if len(se.Body) > maxErrorBody || !strings.HasPrefix(se.Body, "invalid_payload") {
		t.Errorf("body is %d bytes starting %.20q; want at most %d starting invalid_payload", len(se.Body), se.Body, maxErrorBody)
	}
	if len(err.Error()) > 400 {
		t.Errorf("error text is %d bytes, want a short one", len(err.Error()))
	}
}

func TestPostTimeout(t *testing.T) {
	release := make(chan struct{})
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		select { // hang until the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release) // before srv.Close, which waits for handlers
	p, _, logs := testPoster(t, 2, 100*time.Millisecond)
	err := post(t, p, context.Background(), srv.URL)
	if err == nil || retry.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if want := "post to " + host + ": timeout after 100ms"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if n.Load() != 2 {
		t.Errorf("requests = %d, want 2", n.Load())
	}
	var ue interface{ URL() string }
	if errors.As(err, &ue) {
		t.Errorf("err still wraps something exposing the URL")
	}
	assertNoSecret(t, "error", err.Error(), srv.URL)
	assertNoSecret(t, "log", logs.String(), srv.URL)
}

func TestPostConnectionReset(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			// Read the request, then reset the connection (RST, not FIN).
			_, _ = c.Read(make([]byte, 4096))
			_ = c.(*net.TCPConn).SetLinger(0)
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	p, _, logs := testPoster(t, 3, time.Second)
	srvURL := "http://" + ln.Addr().String()
	err = post(t, p, context.Background(), srvURL)
	if err == nil || retry.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if !strings.HasPrefix(err.Error(), "post to "+ln.Addr().String()+": connection ") {
		t.Errorf("err = %q, want a connection reset or close", err)
	}
	// The server read each request: its answer was lost, and a lost
	// answer is retried once (MaxAmbiguousRetries), not three times.
	if accepted.Load() != 2 {
		t.Errorf("connections = %d, want 2 (one retry of a lost answer)", accepted.Load())
	}
	if !IsAmbiguous(err) {
		t.Errorf("IsAmbiguous(%v) = false, want true: the request was written", err)
	}
	assertNoSecret(t, "error", err.Error(), srvURL)
	assertNoSecret(t, "log", logs.String(), srvURL)
}

func TestPostContextDeadline(t *testing.T) {
	var last atomic.Int64
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
		last.Store(time.Now().UnixNano())
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	// Real sleeps: 50 ms backoff doubling, 120 ms deadline.
	p := NewPoster(PosterOptions{Timeout: time.Second, Policy: retry.Policy{Attempts: 10, Base: 50 * time.Millisecond, Max: time.Second}})
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()
	err := post(t, p, ctx, srv.URL)
	if err == nil || retry.IsPermanent(err) {
		t.Fatalf("err = %v, want a retryable error", err)
	}
	if got := n.Load(); got < 1 || got >= 10 {
		t.Errorf("requests = %d, want a few, stopped by the deadline", got)
	}
	// The server sees a request a little after the client sent it; on a
	// loaded machine, allow for that lag.
	const lag = 100 * time.Millisecond
	if arrived := time.Unix(0, last.Load()); arrived.After(deadline.Add(lag)) {
		t.Errorf("an attempt arrived %v after the deadline", arrived.Sub(deadline))
	}
	if time.Now().After(deadline.Add(5 * lag)) {
		t.Errorf("Post returned %v after the deadline", time.Since(deadline))
	}

	// A context already done makes no request at all.
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	before := n.Load()
	err = post(t, p, done, srv.URL)
	if !errors.Is(err, context.Canceled) || n.Load() != before {
		t.Errorf("done context: err = %v, requests %d → %d; want context.Canceled and no request", err, before, n.Load())
	}
	assertNoSecret(t, "error", err.Error(), srv.URL)
}

// TestPostNeverLeaksURL drives every failure the Poster reports and checks
// no error text or log line holds the webhook path or token.
func TestPostNeverLeaksURL(t *testing.T) {
	statuses := []int{301, 400, 403, 404, 410, 429, 500, 503}
	for _, code := range statuses {
		srv, _ := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, _ int32) {
			w.Header().Set("Location", "https://elsewhere.example"+r.URL.Path)
			w.WriteHeader(code)
			io.WriteString(w, `{"error":"x","url":"`+"http://"+r.Host+r.URL.String()+`","path":"`+r.URL.Path+`"}`)
		})
		p, _, logs := testPoster(t, 2, time.Second)
		err := post(t, p, context.Background(), srv.URL)
		if err == nil {
			t.Errorf("status %d: no error", code)
			continue
		}
		assertNoSecret(t, "error", err.Error(), srv.URL)
		assertNoSecret(t, "log", logs.String(), srv.URL)
	}
	// Transport failures: refused connection, unresolvable host, bad TLS.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	refused := "http://" + ln.Addr().String()
	ln.Close()
	tlsSrv := quietTLSServer(func(http.ResponseWriter, *http.Request) {})
	defer tlsSrv.Close()
	for _, base := range []string{refused, "http://nonexistent.invalid", tlsSrv.URL, "https://user:p4ssw0rdSecret@" + strings.TrimPrefix(tlsSrv.URL, "https://")} {
		p, _, logs := testPoster(t, 2, time.Second)
		err := post(t, p, context.Background(), base)
		if err == nil {
			t.Errorf("%s: no error", base)
			continue
		}
		assertNoSecret(t, "error", err.Error(), base)
		assertNoSecret(t, "log", logs.String(), base)
		if strings.Contains(err.Error(), "p4ssw0rdSecret") {
			t.Errorf("error leaks the password: %v", err)
		}
	}
	// An unparsable URL: url.Parse's own error would quote it.
	p, _, _ := testPoster(t, 1, time.Second)
	_, err := p.Post(context.Background(), "https://hooks.slack.com/services/"+secretToken+"/%zz", nil, nil, nil)
	if !retry.IsPermanent(err) || strings.Contains(err.Error(), secretToken) {
		t.Errorf("bad URL: err = %v, want permanent without the token", err)
	}
}

// quietTLSServer is an httptest TLS server that does not log handshake
// failures to stderr.
func quietTLSServer(h http.HandlerFunc) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	return srv
}

func TestPostTLSRoots(t *testing.T) {
	srv := quietTLSServer(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	defer srv.Close()
	// The system roots do not trust the test server, and retrying cannot
	// change that...
	p, rec, _ := testPoster(t, 3, time.Second)
	err := post(t, p, context.Background(), srv.URL)
	if err == nil || !retry.IsPermanent(err) || len(rec.got()) != 0 {
		t.Fatalf("untrusted certificate: err = %v, waits %v; want a permanent error at once", err, rec.got())
	}
	// ...but roots given at construction do.
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	p = NewPoster(PosterOptions{RootCAs: roots, Policy: retry.Policy{Attempts: 1}})
	if err := post(t, p, context.Background(), srv.URL); err != nil {
		t.Fatalf("Post with the server's root: %v", err)
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`Post "https://hooks.slack.com/services/T1/B2/tok": EOF`, `Post "https://hooks.slack.com/…": EOF`},
		{"see http://h:8080/a?b=c and https://x.example", "see http://h:8080/… and https://x.example"},
		{"https://user:pw@host.example/p", "https://host.example/…"},
		{"https://hooks.slack.com?token=s", "https://hooks.slack.com/…"},
		{"no url here", "no url here"},
	} {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		// Bounded, without overflow.
		{"9223372036854775807", maxRetryAfter, true},
		{"Fri, 31 Dec 9999 23:59:59 GMT", maxRetryAfter, true},
		{"99999999999999999999", 0, false},
	} {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzParseRetryAfter feeds arbitrary Retry-After values (the header comes
// from the chat server) at arbitrary times. parseRetryAfter must not panic
// and must return a wait between 0 and maxRetryAfter, 0 when it rejects
// the value; whole seconds for a delay-seconds value.
func FuzzParseRetryAfter(f *testing.F) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC).Unix()
	// Slack's and proxies' values, the three HTTP date formats, edge cases.
	for _, v := range []string{
		"30", "1", "0", " 7 ", "120", "3600", "-1", "", "soon", "1.5", "+5", "0x10", "1e3",
		"9223372036854775807", "9223372036854775808", "99999999999999999999", "2147483648",
		"Thu, 26 Nov 2026 10:00:30 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
		"Thursday, 26-Nov-26 10:00:30 GMT", "Thu Nov 26 10:00:30 2026", "Mon, 01 Jan 0001 00:00:00 GMT",
		"Thu, 26 Nov 2026 10:00:30 +0100", "\t30\r\n",
	} {
		f.Add(v, now)
	}
	f.Add("Fri, 31 Dec 9999 23:59:59 GMT", int64(math.MinInt64))
	f.Add("Mon, 01 Jan 0001 00:00:00 GMT", int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, v string, unix int64) {
		d, ok := parseRetryAfter(v, time.Unix(unix, 0))
		if d < 0 || d > maxRetryAfter {
			t.Fatalf("parseRetryAfter(%q) = %v, outside [0, %v]", v, d, maxRetryAfter)
		}
		if !ok && d != 0 {
			t.Fatalf("parseRetryAfter(%q) = %v with ok false", v, d)
		}
		if _, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && ok && d%time.Second != 0 {
			t.Fatalf("parseRetryAfter(%q) = %v, not whole seconds", v, d)
		}
	})
}

func TestPost429RetryAfterBody(t *testing.T) {
	srv, n := chattest.CountingServer(t, func(w http.ResponseWriter, r *http.Request, nth int32) {
		if nth == 1 {
			// Discord: the header rounds up, the body is precise.
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"message":"You are being rate limited.","retry_after":0.25,"global":false}`)
			return
		}
		io.WriteString(w, "ok")
	})
	p, rec, _ := testPoster(t, 5, time.Second)
	if err := post(t, p, context.Background(), srv.URL); err != nil {
		t.Fatalf("Post: %v", err)
	}
	if w := rec.got(); n.Load() != 2 || len(w) != 1 || w[0] != 250*time.Millisecond {
		t.Errorf("requests = %d, waits = %v; want 2 requests and one wait of 250ms from the body", n.Load(), w)
	}
}

func TestBodyRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{`{"retry_after":0.25,"global":false}`, 250 * time.Millisecond, true},
		{` {"message":"x","retry_after":3} `, 3 * time.Second, true},
		{`{"retry_after":0}`, 0, true},
		{`{"retry_after":-1}`, 0, false},
		{`{"retry_after":"2"}`, 0, false},
		{`{"retry_after":null}`, 0, false},
		{`{"retry_after":1e300}`, maxRetryAfter, true},
		{`{"message":"rate limited"}`, 0, false},
		{`rate_limited`, 0, false},
		{``, 0, false},
		{`[1]`, 0, false},
	} {
		got, ok := bodyRetryAfter([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("bodyRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzBodyRetryAfter feeds arbitrary 429 bodies: bodyRetryAfter must not
// panic and must return a wait between 0 and maxRetryAfter, 0 when it
// rejects the body.
func FuzzBodyRetryAfter(f *testing.F) {
	for _, v := range []string{`{"retry_after":0.25,"global":false}`, `{"retry_after":1e308}`, `{"retry_after":-0}`, `{`, `{"retry_after":9223372036.9}`, "rate_limited"} {
		f.Add([]byte(v))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, ok := bodyRetryAfter(body)
		if d < 0 || d > maxRetryAfter || (!ok && d != 0) {
			t.Fatalf("bodyRetryAfter(%q) = %v, %v", body, d, ok)
		}
	})
}
