package check

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// maxBody is how much of an answer's body is read for body_contains.
const maxBody = 1 << 20

// NewHTTPClient returns the one client every HTTP check shares: no
// client-wide timeout (each request has its own, within the context's
// deadline) and enough idle connections for Concurrency requests per
// host.
func NewHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = Concurrency
	tr.ResponseHeaderTimeout = MaxTimeout
	return &http.Client{Transport: tr}
}

// answer is what one request got.
type answer struct {
	status  int
	latency time.Duration
	bodyOK  bool
	err     string // why no answer came: a class, never the URL
}

// runHTTP sends s.Requests requests to base (the check's URL) with at most
// Concurrency in flight and checks status, body and latency.
func runHTTP(ctx context.Context, client *http.Client, s *Spec, target string) Result {
	answers := make([]answer, s.Requests)
	sem := make(chan struct{}, Concurrency)
	var wg sync.WaitGroup
	for i := range answers {
		if ctx.Err() != nil {
			answers[i] = answer{err: "not sent: out of time"}
			continue
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			answers[i] = request(ctx, client, s, target)
		}()
	}
	wg.Wait()
	return judgeHTTP(s, answers)
}

// request sends one request and measures it: from sending until the body
// was read.
func request(ctx context.Context, client *http.Client, s *Spec, target string) answer {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, s.Method, target, nil)
	if err != nil {
		return answer{err: "invalid request"}
	}
	for _, h := range s.Headers {
		if strings.EqualFold(h.Name, "Host") {
			req.Host = h.Value.Reveal()
			continue
		}
		req.Header.Set(h.Name, h.Value.Reveal())
	}
	req.Header.Set("User-Agent", "cutover-check")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return answer{err: requestErrorClass(parent, err, s.Timeout)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	lat := time.Since(start)
	if err != nil {
		return answer{err: requestErrorClass(parent, err, s.Timeout)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	ok := s.BodyContains == "" || bytes.Contains(body, []byte(s.BodyContains))
	return answer{status: resp.StatusCode, latency: lat, bodyOK: ok}
}

// requestErrorClass is errorClass, except that a request cut short
// because the check itself ran out of time (parent ended before the
// request's own timeout) says so instead of claiming the request's
// timeout elapsed.
func requestErrorClass(parent context.Context, err error, timeout time.Duration) string {
	if parent.Err() != nil {
		return "cut short: out of time"
	}
	return errorClass(err, timeout)
}

// errorClass names why a request got no answer without quoting the error,
// whose text holds the URL (and so any token in its query string).
func errorClass(err error, timeout time.Duration) string {
	var nerr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout()):
		return "timed out after " + FormatDuration(timeout)
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return "connection reset"
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "host not found"
	}
	if strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:") {
		return "TLS handshake failed"
	}
	return "connection failed"
}

// judgeHTTP turns the answers into a Result whose Summary states the
// figures in one line.
func judgeHTTP(s *Spec, answers []answer) Result {
	what := s.Target()
	n := len(answers)
	var (
		lat       []time.Duration
		badStatus = map[int]int{}
		badCount  int
		noAnswer  = map[string]int{}
		noCount   int
		badBody   int
		statuses  = map[int]bool{}
	)
	for _, a := range answers {
		if a.err != "" {
			noAnswer[a.err]++
			noCount++
			continue
		}
		lat = append(lat, a.latency)
		statuses[a.status] = true
		if !slices.Contains(s.ExpectStatus, a.status) {
			badStatus[a.status]++
			badCount++
		} else if !a.bodyOK {
			badBody++
		}
	}
	var problems []string
	if noCount > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d requests got no answer on %s (%s)", noCount, n, what, countedList(noAnswer)))
	}
	if badCount > 0 {
		codes := map[string]int{}
		for c, k := range badStatus {
			codes[strconv.Itoa(c)] = k
		}
		problems = append(problems, fmt.Sprintf("%d of %d requests answered %s on %s (expected %s)", badCount, n, orList(codes), what, statusList(s.ExpectStatus)))
	}
	if badBody > 0 {
		prob := fmt.Sprintf("body of %s lacks %s", what, strconv.Quote(clipText(s.BodyContains, 40)))
		if badBody < n {
			prob += fmt.Sprintf(" in %d of %d answers", badBody, n)
		}
		problems = append(problems, prob)
	}
	p95, p99 := Percentile(lat, 95), Percentile(lat, 99)
	if len(lat) > 0 {
		if s.P99 > 0 && p99 > s.P99 {
			problems = append(problems, fmt.Sprintf("p99 %s above %s budget on %s, %d requests", FormatDuration(p99), FormatDuration(s.P99), what, n))
		}
		if s.P95 > 0 && p95 > s.P95 {
			problems = append(problems, fmt.Sprintf("p95 %s above %s budget on %s, %d requests", FormatDuration(p95), FormatDuration(s.P95), what, n))
		}
	}
	if len(problems) > 0 {
		return Result{Summary: strings.Join(problems, "; ")}
	}
	var codes []int
	for c := range statuses {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	all := "all " + statusList(codes)
	return Result{Passed: true, Summary: fmt.Sprintf("%s: %d requests, %s, p95 %s, p99 %s", what, n, all, FormatDuration(p95), FormatDuration(p99))}
}

// countedList shows counts by kind, most frequent first: "timed out after
// 5 s: 3, connection refused: 1", or the kind alone when there is one.
func countedList(m map[string]int) string {
	keys := sortedByCount(m)
	if len(keys) == 1 {
		return keys[0]
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

// orList shows kinds most frequent first: "503", "503 or 500".
func orList(m map[string]int) string {
	keys := sortedByCount(m)
	if len(keys) == 1 {
		return keys[0]
	}
	return strings.Join(keys[:len(keys)-1], ", ") + " or " + keys[len(keys)-1]
}

// sortedByCount returns m's keys by count descending, then by key.
func sortedByCount(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	return keys
}

// statusList shows statuses: "200", "200 or 204".
func statusList(codes []int) string {
	s := make([]string, len(codes))
	for i, c := range codes {
		s[i] = strconv.Itoa(c)
	}
	if len(s) <= 1 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// clipText cuts s to n runes with "…".
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
