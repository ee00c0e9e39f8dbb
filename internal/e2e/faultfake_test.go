package e2e

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/testrig"
)

// fault is one kind of injected failure and how the fake answers it.
type fault struct {
	kind  string
	reply testrig.Reply
}

// faultFake is a fake chat service for the fault suite: it answers like
// one service (ok), fails a share of requests with one of its faults, and
// records every request with the connection it came on and the status it
// was answered, so that it can tell a 2xx whose answer never reached the
// client (a lost answer) from one that did.
//
// A lost answer is a 2xx that was the last request on its connection and
// whose connection the client then closed. A client that read the answer
// keeps the connection (it is pooled) and sends its next request on it;
// one that gave up first (its attempt timed out, its invocation's
// deadline passed) closes it, and the transport does that only for a
// request it abandoned. The fake closes connections itself only for
// injected resets (hijacked, not counted) and at the end of the test.
type faultFake struct {
	srv *httptest.Server

	mu      sync.Mutex
	rng     *rand.Rand
	rate    float64
	ok      testrig.Reply
	faults  []fault
	reqs    []faultRequest
	conns   map[net.Conn]int // connection → its number
	closed  map[int]bool     // connections the peer closed, by number
	lastReq map[int]int      // connection number → Seq of its last request
	nextCon int
	busy    int // requests whose reply has not returned yet
}

// faultRequest is one request a faultFake received.
type faultRequest struct {
	Seq    int // arrival order, from 1
	Conn   int // connection number
	Body   []byte
	Header http.Header
	Kind   string // injOK or the fault's kind
	Status int    // status written; 0 when none was (reset, hang)
}

// newFaultFake starts a fake on 127.0.0.1 answering ok, or, with
// probability rate, one of faults picked uniformly from a generator seeded
// with seed. It stops when t ends.
func newFaultFake(t testing.TB, rate float64, seed uint64, ok testrig.Reply, faults ...fault) *faultFake {
	t.Helper()
	f := &faultFake{
		rng:     rand.New(rand.NewPCG(seed, 0x6532652d6661756c)),
		rate:    rate,
		ok:      ok,
		faults:  faults,
		conns:   map[net.Conn]int{},
		closed:  map[int]bool{},
		lastReq: map[int]int{},
	}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.nextCon++
		f.conns[c] = f.nextCon
		return context.WithValue(ctx, connKey{}, f.nextCon)
	}
	f.srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s != http.StateClosed {
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if n, ok := f.conns[c]; ok {
			f.closed[n] = true
		}
	}
	f.srv.Config.ErrorLog = nil
	f.srv.Start()
	t.Cleanup(func() {
		f.srv.CloseClientConnections()
		f.srv.Close()
	})
	return f
}

type connKey struct{}

// URL returns the fake's base URL with path appended.
func (f *faultFake) URL(path string) string { return f.srv.URL + path }

func (f *faultFake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	conn, _ := r.Context().Value(connKey{}).(int)
	f.mu.Lock()
	kind, reply := injOK, f.ok
	if f.rng.Float64() < f.rate {
		ft := f.faults[f.rng.IntN(len(f.faults))]
		kind, reply = ft.kind, ft.reply
	}
	i := len(f.reqs)
	f.reqs = append(f.reqs, faultRequest{Seq: i + 1, Conn: conn, Body: body, Header: r.Header.Clone(), Kind: kind})
	f.lastReq[conn] = i + 1
	f.busy++
	f.mu.Unlock()

	sw := &statusWriter{ResponseWriter: w}
	reply(sw, r)
	if sw.status != 0 {
		sw.Flush()
	}
	f.mu.Lock()
	f.reqs[i].Status = sw.status
	f.busy--
	f.mu.Unlock()
}

// statusWriter remembers the status written through it and passes
// Flush and Hijack on (testrig.ResetConn hijacks).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(p)
}

func (s *statusWriter) Flush() {
	if fl, ok := s.ResponseWriter.(http.Flusher); ok {
		fl.Flush()
	}
}

func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(s.ResponseWriter).Hijack()
}

// Requests returns the requests received so far, in arrival order, once
// every reply has returned (or after 10 s): a reply that answers late
// still counts what it answered.
func (f *faultFake) Requests() []faultRequest {
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		f.mu.Lock()
		busy := f.busy
		f.mu.Unlock()
		if busy == 0 {
			break
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]faultRequest(nil), f.reqs...)
}

// delivered reports whether r was answered 2xx: the service took the
// message.
func (r faultRequest) delivered() bool { return r.Status >= 200 && r.Status < 300 }

// lostAnswer reports whether request seq was answered 2xx and its answer
// was lost: it was the last request on its connection and the client
// closed that connection.
func (f *faultFake) lostAnswer(seq int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.reqs[seq-1]
	return r.delivered() && f.lastReq[r.Conn] == seq && f.closed[r.Conn]
}

// injected counts the failures injected, by kind.
func (f *faultFake) injected() (int, map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	by := map[string]int{}
	total := 0
	for _, r := range f.reqs {
		if r.Kind != injOK {
			by[r.Kind]++
			total++
		}
	}
	return total, by
}

// TestMain empties CUTOVER_FAULT_REPORT, to which the fault suites append
// their figures.
func TestMain(m *testing.M) {
	if path := os.Getenv("CUTOVER_FAULT_REPORT"); path != "" {
		_ = os.WriteFile(path, nil, 0o644)
	}
	os.Exit(m.Run())
}

// appendFaultReport appends lines to CUTOVER_FAULT_REPORT when it is set.
func appendFaultReport(t testing.TB, lines ...string) {
	t.Helper()
	path := os.Getenv("CUTOVER_FAULT_REPORT")
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Errorf("CUTOVER_FAULT_REPORT: %v", err)
		return
	}
	for _, l := range lines {
		_, _ = io.WriteString(f, l+"\n")
	}
	if err := f.Close(); err != nil {
		t.Errorf("CUTOVER_FAULT_REPORT: %v", err)
	}
}
