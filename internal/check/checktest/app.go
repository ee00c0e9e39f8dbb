// Package checktest is a fake application for check tests: an httptest
// server that answers like a small service and fails on demand (a share
// of 5xx answers, slow answers for a latency percentile, a wrong body),
// deterministically by request order.
package checktest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Faults are what the application does wrong. Each applies to Every-th
// request: Of of every Every requests (the first Of of each Every), so
// that a run of N requests gets exactly N/Every×Of faults.
type Faults struct {
	// Status answers this status instead of 200 (e.g. 503) on faulty
	// requests; 0 means none.
	Status int
	// Delay answers faulty requests after this long; 0 means none.
	Delay time.Duration
	// Body answers faulty requests with this body instead of Body.
	Body string
	// Of and Every choose the faulty requests; Every 0 means all.
	Of, Every int
}

// App is the fake application.
type App struct {
	*httptest.Server
	// Body is what healthy answers say.
	Body string

	mu      sync.Mutex
	faults  Faults
	n       int
	headers []http.Header
}

// NewApp starts an application answering 200 "ok" on every path; it stops
// with the test.
func NewApp(t testing.TB) *App {
	a := &App{Body: "ok"}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

// SetFaults replaces the faults and restarts the request count.
func (a *App) SetFaults(f Faults) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults, a.n = f, 0
}

// Requests returns how many requests arrived since the last SetFaults.
func (a *App) Requests() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}

// Headers returns the headers of every request received, in order.
func (a *App) Headers() []http.Header {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]http.Header(nil), a.headers...)
}

func (a *App) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	i := a.n
	a.n++
	f := a.faults
	a.headers = append(a.headers, r.Header.Clone())
	a.mu.Unlock()
	faulty := f.Every == 0 || i%f.Every < f.Of
	status, body := http.StatusOK, a.Body
	if faulty {
		if f.Delay > 0 {
			select {
			case <-time.After(f.Delay):
			case <-r.Context().Done():
				return
			}
		}
		if f.Status != 0 {
			status = f.Status
		}
		if f.Body != "" {
			body = f.Body
		}
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(body))
	}
}
