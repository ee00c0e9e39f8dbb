package slackhook

import (
	"strings"
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

// assertNoSecret fails when s holds any part of the webhook URL.
func assertNoSecret(t *testing.T, what, s, serverURL string) {
	t.Helper()
	for _, secret := range []string{secretToken, secretPath, "T0SECRET1", "B0SECRET2", serverURL + "/services"} {
		if strings.Contains(s, secret) {
			t.Errorf("%s leaks %q: %s", what, secret, s)
		}
	}
}
