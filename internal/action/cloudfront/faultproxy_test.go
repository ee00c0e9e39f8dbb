package cloudfront

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"sync"
	"testing"
)

// fault is one scripted answer of faultProxy to one request.
type fault struct {
	// status and code answer with CloudFront's XML error body; status
	// alone answers with a plain-text body (a load balancer's 503).
	status int
	code   string
	msg    string
	// hang holds the request until the client gives up.
	hang bool
	// rewrite passes the request to moto and edits the answer's body.
	rewrite func(body []byte) []byte
}

// pass forwards the request to moto unchanged.
var pass = fault{}

// cfError is CloudFront's error answer for code.
func cfError(status int, code, msg string) fault {
	return fault{status: status, code: code, msg: msg}
}

// faultProxy is a reverse proxy in front of moto that answers requests of
// chosen operations from a script, and records every request per
// operation. Operations: CreateInvalidation, GetInvalidation, SendMessage
// and "other".
type faultProxy struct {
	t      testing.TB
	srv    *httptest.Server
	proxy  *httputil.ReverseProxy
	done   chan struct{}
	mu     sync.Mutex
	script map[string][]fault
	always map[string]fault
	hits   map[string]int
	bodies map[string][][]byte
}

func newFaultProxy(t testing.TB, target string) *faultProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatalf("fault proxy: %v", err)
	}
	p := &faultProxy{t: t, proxy: httputil.NewSingleHostReverseProxy(u), done: make(chan struct{})}
	p.reset()
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	t.Cleanup(func() { close(p.done) }) // runs first: releases hung handlers
	return p
}

// URL is the proxy's base URL, for aws.Config.BaseEndpoint.
func (p *faultProxy) URL() string { return p.srv.URL }

// reset forgets the script and the recorded requests.
func (p *faultProxy) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.script = map[string][]fault{}
	p.always = map[string]fault{}
	p.hits = map[string]int{}
	p.bodies = map[string][][]byte{}
}

// enqueue scripts the next answers to op, one per request.
func (p *faultProxy) enqueue(op string, faults ...fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.script[op] = append(p.script[op], faults...)
}

// setAlways scripts the answer to op once the queue is empty.
func (p *faultProxy) setAlways(op string, f fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.always[op] = f
}

// count is how many requests for op reached the proxy.
func (p *faultProxy) count(op string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[op]
}

// requests returns the bodies of the requests for op.
func (p *faultProxy) requests(op string) [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]byte(nil), p.bodies[op]...)
}

var (
	createInvalidationPath = regexp.MustCompile(`^/2020-05-31/distribution/[^/]+/invalidation$`)
	getInvalidationPath    = regexp.MustCompile(`^/2020-05-31/distribution/[^/]+/invalidation/[^/]+$`)
)

func operation(r *http.Request) string {
	switch {
	case r.Method == http.MethodPost && createInvalidationPath.MatchString(r.URL.Path):
		return "CreateInvalidation"
	case r.Method == http.MethodGet && getInvalidationPath.MatchString(r.URL.Path):
		return "GetInvalidation"
	case r.Header.Get("X-Amz-Target") == "AmazonSQS.SendMessage":
		return "SendMessage"
	}
	return "other"
}

func (p *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	op := operation(r)
	p.mu.Lock()
	p.hits[op]++
	p.bodies[op] = append(p.bodies[op], body)
	f, ok := pass, false
	if q := p.script[op]; len(q) > 0 {
		f, p.script[op], ok = q[0], q[1:], true
	}
	if !ok {
		f = p.always[op]
	}
	p.mu.Unlock()

	switch {
	case f.hang:
		select {
		case <-r.Context().Done():
		case <-p.done:
		}
		return
	case f.status != 0 && f.code == "":
		http.Error(w, "Service Unavailable", f.status)
		return
	case f.status != 0:
		typ := "Sender"
		if f.status >= 500 {
			typ = "Receiver"
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Header().Set("X-Amz-Request-Id", "5f1c-test")
		w.WriteHeader(f.status)
		fmt.Fprintf(w, `<?xml version="1.0"?>
<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>5f1c-test</RequestId></ErrorResponse>`,
			typ, f.code, f.msg)
		return
	case f.rewrite != nil:
		rec := httptest.NewRecorder()
		p.proxy.ServeHTTP(rec, r)
		out := f.rewrite(rec.Body.Bytes())
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		w.WriteHeader(rec.Code)
		_, _ = w.Write(out)
		return
	}
	p.proxy.ServeHTTP(w, r)
}
