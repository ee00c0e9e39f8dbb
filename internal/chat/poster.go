package chat

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/retry"
)

// maxErrorBody is how much of an error response the Poster reads: enough
// for Slack's "channel_not_found" or a short JSON error, never a whole page.
const maxErrorBody = 4 << 10

// maxAcceptedBody is how much of an accepted (2xx) response the Poster
// reads for the destination's Validator and receipt, e.g. the "ts" of
// Slack's chat.postMessage answer.
const maxAcceptedBody = 64 << 10

// Validator decides whether an accepted (2xx) response means the
// destination took the message: Slack's Web API answers 200 with
// {"ok":false,"error":...} when it did not. It gets the status and the
// start of the body (at most 64 KiB) and returns nil when the message was
// taken, else an error that must not quote the URL (retry.Permanent when no
// retry can help). Statuses other than 2xx never reach a Validator: the
// Poster retries or fails them the same way for every destination.
type Validator func(status int, body []byte) error

// AcceptAny is the Validator of destinations for which any 2xx answer
// means the message was taken, such as Slack incoming webhooks.
func AcceptAny(int, []byte) error { return nil }

// maxDrain is how much of a response the Poster discards to reuse the
// connection; larger bodies close it instead.
const maxDrain = 64 << 10

// DefaultTimeout bounds one attempt of a Poster when PosterOptions.Timeout
// is zero.
const DefaultTimeout = 10 * time.Second

// PosterOptions configures a Poster. The zero value is ready to use.
type PosterOptions struct {
	// Timeout bounds one attempt: connecting, TLS, sending, and reading the
	// response. Default DefaultTimeout. The caller's context deadline
	// bounds all attempts together.
	Timeout time.Duration
	// Policy bounds the retries (attempts, backoff, longest wait honoured
	// from Retry-After). Its OnRetry, if set, is called after the Poster
	// logs each retry. The zero value uses retry's defaults.
	Policy retry.Policy
	// RootCAs are the trusted certificate authorities. Nil uses the system
	// roots, which crypto/tls loads once per process on the first TLS
	// handshake (shared with the AWS SDK's clients), so a start-up that
	// posts nothing over TLS never parses them.
	RootCAs *x509.CertPool
	// Logger receives one record per retry and per delivery, never with the
	// destination URL. Nil logs nothing.
	Logger *slog.Logger
	// UserAgent is sent with every request. Default "cutover".
	UserAgent string
}

// Poster delivers request bodies to webhook destinations over one shared
// HTTP client, retrying what can succeed later. Its errors and logs name
// the destination host only: webhook URLs carry secrets in their path and
// query, so they never appear. A Poster is safe for concurrent use.
type Poster struct {
	client    *http.Client
	timeout   time.Duration
	policy    retry.Policy
	log       *slog.Logger
	userAgent string
}

// NewPoster builds a Poster and its HTTP client. Build one at start-up and
// share it.
func NewPoster(opts PosterOptions) *Poster {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "cutover"
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	roots := opts.RootCAs
	transport := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   5 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: opts.Timeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   4,
	}
	return &Poster{
		client: &http.Client{
			Transport: transport,
			Timeout:   opts.Timeout,
			// A webhook that redirects is misconfigured; following it would
			// resend the body elsewhere and put the new URL in errors.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		timeout:   opts.Timeout,
		policy:    opts.Policy,
		log:       log,
		userAgent: opts.UserAgent,
	}
}

// StatusError is a response with a status other than 2xx. Its text holds
// the status and the start of the destination's error body (e.g. Slack's
// "channel_not_found"), never the URL.
type StatusError struct {
	// StatusCode is the HTTP status code, e.g. 404.
	StatusCode int
	// Status is the status line, e.g. "404 Not Found".
	Status string
	// Body is the start of the response body (at most 4 KiB), as valid
	// UTF-8 with any URL masked.
	Body string
}

// Error returns e.g. "post: 404 Not Found: channel_not_found".
func (e *StatusError) Error() string {
	status := e.Status
	if status == "" {
		status = strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
	}
	if e.Body == "" {
		return "post: " + status
	}
	return "post: " + status + ": " + oneLineSnippet(e.Body, 300)
}

// transportError is a request that got no response. Its text names only
// the host; it unwraps to the cause inside net/http's *url.Error (never the
// *url.Error itself, whose text holds the URL).
type transportError struct {
	host   string
	reason string
	err    error
}

func (e *transportError) Error() string { return "post to " + e.host + ": " + e.reason }
func (e *transportError) Unwrap() error { return e.err }

// Post sends body to rawURL with the given headers, retrying network
// errors, timeouts, 408, 429 and 5xx within ctx's deadline and the policy
// (an untrusted certificate is not retried).
// A 429's Retry-After (seconds or HTTP date), or a "retry_after" number of
// seconds in its JSON body (which wins: Discord's is fractional), sets the
// next wait; one longer
// than the policy's Max ends the attempts with a retryable error, leaving
// the retry to the caller. Other statuses are permanent errors
// (retry.IsPermanent) holding a *StatusError. A 2xx answer goes to validate
// (nil: AcceptAny), whose error is retried or not like any other; Post
// returns the start of the accepted answer, from which a destination reads
// its receipt. No error contains rawURL.
//
// A failure after the request was written (the answer was lost: reset,
// closed connection, timeout waiting for it) may mean the destination took
// the message; Post retries it at most MaxAmbiguousRetries times, then
// returns it retryable (IsAmbiguous reports it).
func (p *Poster) Post(ctx context.Context, rawURL string, body []byte, headers map[string]string, validate Validator) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// url.Parse's error quotes the URL: say only that it is wrong.
		return nil, retry.Permanent(errors.New("post: invalid destination URL (want http or https with a host)"))
	}
	if validate == nil {
		validate = AcceptAny
	}
	host := u.Host
	policy := p.policy
	userOnRetry := policy.OnRetry
	policy.OnRetry = func(attempt int, err error, wait time.Duration) {
		p.log.LogAttrs(ctx, slog.LevelWarn, "post failed, retrying",
			slog.String("host", host), slog.Int("attempt", attempt),
			slog.Duration("wait", wait), slog.String("error", err.Error()))
		if userOnRetry != nil {
			userOnRetry(attempt, err, wait)
		}
	}
	attempts, ambiguous := 0, 0
	var answer []byte
	err = retry.Do(ctx, policy, func(ctx context.Context) error {
		attempts++
		var err error
		answer, err = p.attempt(ctx, u, rawURL, body, headers, validate)
		if IsAmbiguous(err) {
			ambiguous++
			if ambiguous > MaxAmbiguousRetries {
				// Each retry of a lost answer may add a copy: stop here,
				// retryable, and let the delivery records keep the event
				// for a later attempt.
				return retry.Permanent(&stopRetrying{err: err})
			}
		}
		return err
	})
	var stop *stopRetrying
	if errors.As(err, &stop) {
		p.log.LogAttrs(ctx, slog.LevelWarn, "post answer lost again, not retrying in this invocation: the destination may have taken the message",
			slog.String("host", host), slog.Int("attempts", attempts), slog.Int("lost_answers", ambiguous))
		return nil, stop.err
	}
	if err != nil {
		return nil, err
	}
	p.log.LogAttrs(ctx, slog.LevelDebug, "posted", slog.String("host", host), slog.Int("attempts", attempts))
	return answer, nil
}

// MaxAmbiguousRetries is how many times one Post retries a request whose
// answer was lost: the request was written, then the connection was reset
// or closed, or no answer came within the attempt timeout. The destination
// may have taken the message, so every retry of a lost answer can add a
// copy: one retry recovers from a passing network fault at the cost of at
// most one extra copy; after that Post fails with a retryable error and
// the delivery records keep the event for a later invocation. Failures
// before the request was written (no connection, refused, DNS) cannot
// duplicate and are retried as the policy allows.
const MaxAmbiguousRetries = 1

// stopRetrying ends Post's retries (it is permanent to retry.Do) while
// Post returns err, which stays retryable for the caller.
type stopRetrying struct{ err error }

func (e *stopRetrying) Error() string { return e.err.Error() }
func (e *stopRetrying) Unwrap() error { return e.err }

// ambiguousError is a failure after the whole request was written: the
// destination may have taken the message and its answer was lost.
type ambiguousError struct{ err error }

func (e *ambiguousError) Error() string { return e.err.Error() }
func (e *ambiguousError) Unwrap() error { return e.err }

// IsAmbiguous reports whether err is a Post failure after the request was
// written (connection reset or closed, or a timeout waiting for the
// answer): the destination may have taken the message.
func IsAmbiguous(err error) bool {
	var a *ambiguousError
	return errors.As(err, &a)
}

// attempt makes one request. Every error it returns is already free of the URL.
func (p *Poster) attempt(ctx context.Context, u *url.URL, rawURL string, body []byte, headers map[string]string, validate Validator) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, &transportError{host: u.Host, reason: err.Error(), err: err}
	}
	// wrote is set once the whole request went out: a failure after that
	// is ambiguous (the destination may have taken it).
	// (The transport calls WroteRequest from its write goroutine.)
	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(info httptrace.WroteRequestInfo) {
		if info.Err == nil {
			wrote.Store(true)
		}
	}}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, retry.Permanent(errors.New("post: invalid destination URL"))
	}
	req.Header.Set("User-Agent", p.userAgent)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		terr := p.transportError(ctx, u, rawURL, err)
		if wrote.Load() && ctx.Err() == nil && !retry.IsPermanent(terr) {
			return nil, &ambiguousError{err: terr}
		}
		return nil, terr
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
		_ = resp.Body.Close()
	}()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// A failure to read the answer leaves what was read: the
		// validator judges that. If it refuses an answer cut short, the
		// destination may well have taken the message: that is a lost
		// answer too.
		answer, rerr := io.ReadAll(io.LimitReader(resp.Body, maxAcceptedBody))
		if err := validate(resp.StatusCode, answer); err != nil {
			if rerr != nil && ctx.Err() == nil && !retry.IsPermanent(err) {
				return nil, &ambiguousError{err: err}
			}
			return nil, err
		}
		return answer, nil
	}
	// A failure to read the error body leaves what was read; the status
	// says enough.
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	se := &StatusError{
		StatusCode: resp.StatusCode,
		Status:     redactURL(cleanBody([]byte(resp.Status)), u, rawURL),
		Body:       redactURL(cleanBody(raw), u, rawURL),
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		// A "retry_after" in the JSON body (Discord's, in fractional
		// seconds) is more precise than the header, which rounds up.
		if d, ok := bodyRetryAfter(raw); ok {
			return nil, retry.After(se, d)
		}
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return nil, retry.After(se, d)
		}
		return nil, se
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		return nil, se
	default:
		return nil, retry.Permanent(se)
	}
}

// transportError rewrites an error from http.Client.Do, which is a
// *url.Error quoting the URL, into "post to <host>: <reason>".
func (p *Poster) transportError(ctx context.Context, u *url.URL, rawURL string, err error) error {
	cause := err
	var ue *url.Error
	if errors.As(err, &ue) {
		cause = ue.Err
	}
	var (
		reason string
		dns    *net.DNSError
		cert   *tls.CertificateVerificationError
	)
	switch {
	case ctx.Err() != nil:
		// The caller's deadline or cancellation, not this attempt's timeout.
		reason, cause = ctx.Err().Error(), ctx.Err()
	case isTimeout(err):
		reason = "timeout after " + p.timeout.String()
	case errors.Is(cause, syscall.ECONNRESET):
		reason = "connection reset by peer"
	case errors.Is(cause, syscall.ECONNREFUSED):
		reason = "connection refused"
	case errors.Is(cause, io.EOF) || errors.Is(cause, io.ErrUnexpectedEOF):
		reason = "connection closed before a response"
	case errors.As(cause, &dns):
		reason = "cannot resolve host"
		if dns.IsNotFound {
			reason += ": no such host"
		}
	case errors.As(cause, &cert):
		// An untrusted certificate stays untrusted: no retry can help.
		return retry.Permanent(&transportError{host: u.Host, reason: redactURL(cause.Error(), u, rawURL), err: cause})
	default:
		reason = redactURL(cause.Error(), u, rawURL)
	}
	return &transportError{host: u.Host, reason: reason, err: cause}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &t) && t.Timeout())
}

// maxRetryAfter caps what parseRetryAfter returns: far beyond any retry
// policy's Max (which decides what is honoured), and small enough that
// the conversion from seconds cannot overflow.
const maxRetryAfter = (1 << 31) * time.Second

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP
// date (relative to now). A date in the past means no wait. The result is
// between 0 and maxRetryAfter; it is 0 when ok is false.
func parseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(maxRetryAfter/time.Second))) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return min(max(t.Sub(now), 0), maxRetryAfter), true
}

// bodyRetryAfter reads the wait a 429 answer asks for in its JSON body:
// a top-level "retry_after" number of seconds, possibly fractional, as
// Discord sends it ({"message":"You are being rate limited.",
// "retry_after":0.25,"global":false}). It is false for any other body and
// for a negative or non-finite number; the wait is at most maxRetryAfter.
func bodyRetryAfter(body []byte) (time.Duration, bool) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return 0, false
	}
	var v struct {
		RetryAfter *float64 `json:"retry_after"`
	}
	if json.Unmarshal(body, &v) != nil || v.RetryAfter == nil {
		return 0, false
	}
	secs := *v.RetryAfter
	if secs < 0 || math.IsNaN(secs) || math.IsInf(secs, 0) {
		return 0, false
	}
	if secs >= float64(maxRetryAfter/time.Second) {
		return maxRetryAfter, true
	}
	return time.Duration(secs * float64(time.Second)), true
}

// cleanBody makes an error body printable: valid UTF-8, control
// characters as spaces, trimmed.
func cleanBody(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// oneLineSnippet collapses runs of spaces and cuts s to at most n runes,
// marking the cut with an ellipsis.
func oneLineSnippet(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if n == 0 {
			cut = i
			break
		}
		n--
	}
	return s[:cut] + "…"
}

// urlPattern matches an http(s) URL: scheme, optional user info, host, and
// the path, query and fragment that follow.
var urlPattern = regexp.MustCompile(`(?i)\b(https?://)(?:[^/?#\s"'<>@]*@)?([^/?#\s"'<>@]+)([/?#][^\s"'<>]*)?`)

// Redact masks the user info, path and query of every http(s) URL in s,
// keeping scheme and host: "https://hooks.slack.com/services/T/B/x" becomes
// "https://hooks.slack.com/…". Webhook URLs carry their secret in the path,
// so anything that may hold one passes through Redact before it is shown.
func Redact(s string) string {
	return urlPattern.ReplaceAllStringFunc(s, func(m string) string {
		sub := urlPattern.FindStringSubmatch(m)
		if sub[3] == "" && !strings.Contains(m, "@") {
			return m
		}
		return sub[1] + sub[2] + "/…"
	})
}

// redactURL masks u wherever it appears in s, whole or in pieces (the path,
// the query, the last path segment, which holds a Slack hook's token), then
// applies Redact.
func redactURL(s string, u *url.URL, rawURL string) string {
	const mask = "…"
	for _, secret := range []string{rawURL, u.String(), u.RequestURI(), u.EscapedPath(), u.Path, u.RawQuery, lastSegment(u.Path)} {
		// Short pieces (e.g. "/") would mangle the text, and hold no secret.
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, mask)
		}
	}
	if u.User != nil {
		if pw, ok := u.User.Password(); ok && len(pw) >= 4 {
			s = strings.ReplaceAll(s, pw, mask)
		}
	}
	return Redact(s)
}

func lastSegment(path string) string {
	path = strings.TrimRight(path, "/")
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}
