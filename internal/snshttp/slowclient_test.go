package snshttp

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/snshttp/snshttptest"
)

// slowPost opens a connection to addr, sends the headers of a POST with a
// body of n bytes and then only part of the body, and returns the
// connection and a reader for the answer.
func slowPost(t *testing.T, addr string, n int) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(c, "POST /sns HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n{\"Type\":", n)
	return c, bufio.NewReader(c)
}

// TestSlowClientsAreCutOff: clients that trickle their bodies are answered
// 408 and disconnected once the body timeout passes, more concurrent
// unverified requests than the bound get 503 at once, memory stays flat,
// and signed requests keep being served all along.
func TestSlowClientsAreCutOff(t *testing.T) {
	hr := newHandlerRig(t, WithBodyTimeout(300*time.Millisecond), WithMaxUnverified(4))
	srv := httptest.NewServer(hr.h)
	t.Cleanup(srv.Close)
	addr := strings.TrimPrefix(srv.URL, "http://")

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	const slow = 12
	type answer struct {
		status string
		closed bool
		after  time.Duration
	}
	answers := make([]answer, slow)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range slow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, r := slowPost(t, addr, 64<<10)
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			line, err := r.ReadString('\n')
			if err != nil {
				answers[i] = answer{status: "no answer: " + err.Error()}
				return
			}
			answers[i].status = strings.TrimSpace(line)
			// After the answer the server closes the connection.
			for {
				if _, err := r.ReadString('\n'); err != nil {
					var ne net.Error
					answers[i].closed = !errors.As(err, &ne) || !ne.Timeout()
					answers[i].after = time.Since(start)
					return
				}
			}
		}()
	}
	// Signed notifications are served while the slow clients hang (some
	// may be refused with 503 while the slots are full; SNS retries those).
	served := 0
	for range 20 {
		body := hr.sns.Sign(hr.notification(snshttptest.Ptr("SUCCEEDED")), "2")
		resp, err := http.Post(srv.URL+"/sns", "text/plain", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			served++
		}
		time.Sleep(50 * time.Millisecond)
	}
	wg.Wait()

	var timedOut, refused int
	for i, a := range answers {
		switch {
		case strings.Contains(a.status, " 408 "):
			timedOut++
		case strings.Contains(a.status, " 503 "):
			refused++
		default:
			t.Errorf("slow client %d: %q, want 408 or 503", i, a.status)
		}
		if !a.closed {
			t.Errorf("slow client %d (%s): connection left open (gave up after %v)", i, a.status, a.after)
		}
	}
	if timedOut == 0 || refused == 0 {
		t.Errorf("timed out %d, refused %d: want both the body timeout and the concurrency bound to act", timedOut, refused)
	}
	if served == 0 || hr.d.count() != served {
		t.Errorf("served %d signed notifications, delivered %d: signed requests must keep being served", served, hr.d.count())
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 32<<20 {
		t.Errorf("heap grew by %d bytes under slow clients", grew)
	}
}
