package testrig

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one request received by a [FakeChat].
type Request struct {
	// Seq is the request's arrival order, starting at 1.
	Seq int
	// Method is the HTTP method.
	Method string
	// Path is the URL path.
	Path string
	// RawQuery is the URL query without the '?'.
	RawQuery string
	// Header holds the request headers.
	Header http.Header
	// Body is the whole request body.
	Body []byte
	// Time is when the request arrived.
	Time time.Time
	// LostAnswer is true when the request was answered by [LostAnswer]:
	// the service took the message and the client never got the answer.
	LostAnswer bool
}

// Reply answers one request to a [FakeChat]. The request's context is
// cancelled when the client goes away or the fake is closed, so a Reply that
// waits must watch it. Any func with this signature works; the constructors
// below cover the usual answers.
type Reply func(w http.ResponseWriter, r *http.Request)

// OK answers like a Slack incoming webhook that accepted the message: 200
// with body "ok". It is the default answer.
func OK() Reply {
	return Status(http.StatusOK, "ok")
}

// Status answers with the given status code and plain-text body, e.g.
// Status(404, "channel_not_found").
func Status(code int, body string) Reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// JSON answers with the given status code and v encoded as JSON, e.g. a
// Slack Web API answer JSON(200, map[string]any{"ok": true, "ts": "1.2"}).
func JSON(code int, v any) Reply {
	body, err := json.Marshal(v)
	return func(w http.ResponseWriter, _ *http.Request) {
		if err != nil {
			http.Error(w, "testrig: json reply: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(code)
		_, _ = w.Write(body)
	}
}

// RateLimited answers like Slack over its rate limit: 429, a Retry-After
// header of retryAfterSeconds and body "rate_limited".
func RateLimited(retryAfterSeconds int) Reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, "rate_limited")
	}
}

// Hang waits d before answering with [OK], to make a client time out. It
// returns without answering as soon as the client goes away or the fake is
// closed.
func Hang(d time.Duration) Reply {
	return func(w http.ResponseWriter, r *http.Request) {
		if !sleepCtx(r.Context(), d) {
			return
		}
		OK()(w, r)
	}
}

// SlowBody sends the status line and headers of a 200 at once, then waits d
// before sending the body "ok", to exercise a client's body-read timeout.
// It stops early when the client goes away or the fake is closed.
func SlowBody(d time.Duration) Reply {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", "2")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "o")
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		if !sleepCtx(r.Context(), d) {
			return
		}
		_, _ = io.WriteString(w, "k")
	}
}

// ResetConn closes the connection without answering; over TCP it sends a
// reset (linger 0), so the client sees "connection reset by peer" or EOF.
func ResetConn() Reply {
	return func(w http.ResponseWriter, _ *http.Request) {
		hj, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler)
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		if nc, ok := conn.(interface{ NetConn() net.Conn }); ok { // *tls.Conn
			conn = nc.NetConn()
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
	}
}

// lostKey is the request context key of the function that marks the
// request's answer lost (FakeChat.serve sets it).
type lostKey struct{}

// LostAnswer answers like a service that took the message and whose answer
// never reached the client: it runs took (the service's normal answer,
// e.g. OK(); nil means OK) into a discarding writer, marks the request
// [Request.LostAnswer], then resets the connection like [ResetConn]. The
// client has written its whole request and sees "connection reset by
// peer" or EOF: it cannot tell this from a request that never arrived.
func LostAnswer(took Reply) Reply {
	if took == nil {
		took = OK()
	}
	reset := ResetConn()
	return func(w http.ResponseWriter, r *http.Request) {
		took(discardWriter{header: http.Header{}}, r)
		if mark, ok := r.Context().Value(lostKey{}).(func()); ok {
			mark()
		}
		reset(w, r)
	}
}

// discardWriter is a ResponseWriter whose answer goes nowhere.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d discardWriter) WriteHeader(int)             {}

// FailRate returns a Reply that, for each request, fails with probability p
// using one of mix picked uniformly, and otherwise answers [OK]. The random
// choices come from a generator seeded with seed, so the sequence of
// choices (by arrival order) is the same on every run; with concurrent
// clients which request gets which choice can still vary. Without mix it
// uses Status(500, "rollup_error"), Status(503, "service_unavailable") and
// ResetConn().
func FailRate(p float64, seed int64, mix ...Reply) Reply {
	if len(mix) == 0 {
		mix = []Reply{Status(http.StatusInternalServerError, "rollup_error"), Status(http.StatusServiceUnavailable, "service_unavailable"), ResetConn()}
	}
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(uint64(seed), 0x746573747269670a))
	ok := OK()
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fail := rng.Float64() < p
		pick := rng.IntN(len(mix))
		mu.Unlock()
		if fail {
			mix[pick](w, r)
			return
		}
		ok(w, r)
	}
}

// sleepCtx waits d and reports whether it did so before ctx ended.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// FakeChat is a fake chat webhook server (Slack by default) on 127.0.0.1
// that records every request and answers from a script. For each request it
// uses, in order: the next queued Reply ([FakeChat.Enqueue]), the script
// function ([FakeChat.SetScript]) if it returns non-nil, and the default
// Reply ([FakeChat.SetDefault], [OK] unless changed). All methods are safe
// for concurrent use.
type FakeChat struct {
	srv *httptest.Server

	closeCtx context.Context
	closeAll context.CancelFunc

	mu       sync.Mutex
	reqs     []Request
	changed  chan struct{} // closed and replaced on every new request
	queue    []Reply
	script   func(Request) Reply
	fallback Reply
}

// NewFakeChat starts a FakeChat over plain HTTP and registers its shutdown
// with t.Cleanup.
func NewFakeChat(t testing.TB) *FakeChat {
	t.Helper()
	return newFakeChat(t, false)
}

// NewFakeChatTLS starts a FakeChat over HTTPS with a self-signed
// certificate; use [FakeChat.Client] (or its transport) to trust it.
func NewFakeChatTLS(t testing.TB) *FakeChat {
	t.Helper()
	return newFakeChat(t, true)
}

func newFakeChat(t testing.TB, tls bool) *FakeChat {
	ctx, cancel := context.WithCancel(context.Background())
	f := &FakeChat{
		closeCtx: ctx,
		closeAll: cancel,
		changed:  make(chan struct{}),
		fallback: OK(),
	}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ErrorLog = log.New(&tbLogWriter{t: t, closed: ctx}, "testrig: fake chat: ", 0)
	if tls {
		f.srv.StartTLS()
	} else {
		f.srv.Start()
	}
	t.Cleanup(f.close)
	return f
}

// tbLogWriter sends the server's error log to t.Log until the fake is
// closed (connections torn down by the close itself are not worth a line).
type tbLogWriter struct {
	t      testing.TB
	closed context.Context
}

func (w *tbLogWriter) Write(p []byte) (int, error) {
	if w.closed.Err() == nil {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

// close ends replies that wait, drops connections and stops the server.
func (f *FakeChat) close() {
	f.closeAll()
	f.srv.CloseClientConnections()
	f.srv.Close()
}

func (f *FakeChat) serve(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(f.closeCtx, cancel)
	defer stop()

	body, _ := io.ReadAll(r.Body)
	now := time.Now()

	f.mu.Lock()
	idx := len(f.reqs)
	r = r.WithContext(context.WithValue(ctx, lostKey{}, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if idx < len(f.reqs) { // not forgotten by Reset meanwhile
			f.reqs[idx].LostAnswer = true
		}
	}))
	req := Request{
		Seq:      len(f.reqs) + 1,
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     body,
		Time:     now,
	}
	f.reqs = append(f.reqs, req)
	close(f.changed)
	f.changed = make(chan struct{})
	var reply Reply
	if len(f.queue) > 0 {
		reply = f.queue[0]
		f.queue = f.queue[1:]
	}
	script, fallback := f.script, f.fallback
	f.mu.Unlock()

	if reply == nil && script != nil {
		reply = script(cloneRequest(req))
	}
	if reply == nil {
		reply = fallback
	}
	reply(w, r)
}

// URL returns the server's base URL, e.g. http://127.0.0.1:PORT.
func (f *FakeChat) URL() string {
	return f.srv.URL
}

// WebhookURL returns a Slack-style incoming webhook URL on the fake,
// URL()+"/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX".
func (f *FakeChat) WebhookURL() string {
	return f.srv.URL + "/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
}

// Client returns an HTTP client that trusts the fake's certificate (for
// [NewFakeChatTLS]); over plain HTTP it is an ordinary client.
func (f *FakeChat) Client() *http.Client {
	return f.srv.Client()
}

// Enqueue appends replies to the queue; each request takes the next one.
func (f *FakeChat) Enqueue(replies ...Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, replies...)
}

// SetScript sets a function that picks the Reply for each request that
// the queue does not answer; returning nil falls back to the default. Pass
// nil to remove it.
func (f *FakeChat) SetScript(fn func(req Request) Reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = fn
}

// SetDefault sets the Reply used when neither the queue nor the script
// answers, e.g. SetDefault(FailRate(0.3, 1)). nil restores [OK].
func (f *FakeChat) SetDefault(r Reply) {
	if r == nil {
		r = OK()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fallback = r
}

// Reset forgets recorded requests and restores the initial script: empty
// queue, no script function, [OK] by default. Sequence numbers restart at 1.
func (f *FakeChat) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = nil
	f.queue = nil
	f.script = nil
	f.fallback = OK()
}

// Requests returns a copy of the requests received so far, in arrival
// order.
func (f *FakeChat) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.snapshot()
}

func (f *FakeChat) snapshot() []Request {
	out := make([]Request, len(f.reqs))
	for i, r := range f.reqs {
		out[i] = cloneRequest(r)
	}
	return out
}

func cloneRequest(r Request) Request {
	r.Header = r.Header.Clone()
	r.Body = append([]byte(nil), r.Body...)
	return r
}

// Count returns how many requests have arrived.
func (f *FakeChat) Count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reqs)
}

// WaitFor waits until at least n requests have arrived and returns a copy
// of all of them. It fails the test (t.Fatalf, so call it from the test's
// goroutine) if that does not happen within timeout. A request counts as
// soon as its body has been read, before its Reply runs.
func (f *FakeChat) WaitFor(t testing.TB, n int, timeout time.Duration) []Request {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		f.mu.Lock()
		if len(f.reqs) >= n {
			out := f.snapshot()
			f.mu.Unlock()
			return out
		}
		changed, have := f.changed, len(f.reqs)
		f.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			t.Fatalf("testrig: fake chat: got %d requests, want at least %d within %s", have, n, timeout)
			return nil
		}
	}
}
