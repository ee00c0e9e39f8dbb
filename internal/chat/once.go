package chat

import (
	"context"
	"errors"
	"net"
	"net/url"
	"syscall"

	"github.com/cutover-dev/cutover/internal/retry"
)

// PostOnce is Post with a single attempt: the caller retries, because a
// retry of its request is not always safe (a chat message posted twice).
// Its errors are those of one attempt of Post: retry.Permanent when no
// retry can help, retry.After for a 429 with Retry-After, never the URL.
// MaybeDelivered tells whether a failed request may still have been taken.
func (p *Poster) PostOnce(ctx context.Context, rawURL string, body []byte, headers map[string]string, validate Validator) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, retry.Permanent(errors.New("post: invalid destination URL (want http or https with a host)"))
	}
	if validate == nil {
		validate = AcceptAny
	}
	return p.attempt(ctx, u, rawURL, body, headers, validate)
}

// MaybeDelivered reports whether a failed Post or PostOnce may have
// reached the service and been acted on: the answer was lost (a timeout, a
// connection closed or reset after sending) or the server failed with a
// 5xx. It is false for answers that say the request was refused (4xx, a
// Validator's error, 429) and for requests that never left (connection
// refused, unknown host, untrusted certificate).
func MaybeDelivered(err error) bool {
	if err == nil {
		return false
	}
	var se *StatusError
	if errors.As(err, &se) {
		return se.StatusCode >= 500
	}
	var te *transportError
	if !errors.As(err, &te) {
		return false
	}
	var dns *net.DNSError
	switch {
	case errors.Is(te.err, syscall.ECONNREFUSED), retry.IsPermanent(err), errors.As(te.err, &dns):
		return false
	}
	return true
}
