package slackhook

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/retry"
)

// secretPath is a webhook path shaped like Slack's, whose last segment is
// the secret token. No error or log may contain any of it.
const (
	secretPath  = "/services/T0SECRET1/B0SECRET2/xyzzySecretToken42"
	secretToken = "xyzzySecretToken42"
)

// testPoster returns a Poster that retries without sleeping.
func testPoster(t *testing.T, attempts int, timeout time.Duration) (*chat.Poster, any, any) {
	t.Helper()
	return chat.NewPoster(chat.PosterOptions{
		Timeout: timeout,
		Policy:  retry.Policy{Attempts: attempts, Base: time.Millisecond, Max: 5 * time.Second},
	}), nil, nil
}

// countingServer serves h, telling it which request (from 1) it serves,
// and counts the requests.
func countingServer(t *testing.T, h func(w http.ResponseWriter, r *http.Request, nth int32)) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h(w, r, n.Add(1))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
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
