// Package interact handles Slack interactivity for cutover's buttons
// ("Roll back now", "Finish early"): it authenticates a click (Slack's v0
// request signature, checked against the signing secret of every
// slack-app destination before anything of the body is parsed),
// acknowledges it at once, and later, out of the request, authorizes the
// clicking user, deduplicates the click per deployment and action in the
// delivery records, reads the deployment's state, performs the action
// through the deployment's platform (CodeDeploy or ECS), and reports the
// outcome in the message's thread and in one audit log line.
package interact

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/secret"
)

// Header names of a Slack request.
const (
	HeaderSignature = "X-Slack-Signature"
	HeaderTimestamp = "X-Slack-Request-Timestamp"
)

// MaxSkew is how far a request's timestamp may be from the clock: Slack's
// replay protection.
const MaxSkew = 5 * time.Minute

// MaxBody bounds a click's body: a block_actions payload carries the whole
// message (up to 50 blocks of up to 3,000 characters, escaped twice).
const MaxBody = 256 << 10

// ErrUnauthenticated is matched (errors.Is) by every verification failure.
var ErrUnauthenticated = errors.New("request is not signed by a configured Slack app")

// Signer is one slack-app destination's signing secret.
type Signer struct {
	// Destination is the destination's name.
	Destination string
	// Secret is the app's signing secret.
	Secret secret.Value
}

// Verify checks a Slack request signature over body and returns the names
// of the destinations whose signing secret verifies it (in signers' order;
// several only when they share a secret). It fails, wrapping
// ErrUnauthenticated, when the body is too large, the timestamp is not a
// number or more than MaxSkew from now, the signature is not "v0=" and
// lower-case hex, or no secret verifies it. Comparisons are constant time.
func Verify(signers []Signer, timestamp, signature string, body []byte, now time.Time) ([]string, error) {
	if len(body) > MaxBody {
		return nil, fmt.Errorf("%w: body of %d bytes is larger than %d", ErrUnauthenticated, len(body), MaxBody)
	}
	if len(timestamp) == 0 || len(timestamp) > 20 {
		return nil, fmt.Errorf("%w: no valid %s", ErrUnauthenticated, HeaderTimestamp)
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || ts <= 0 {
		return nil, fmt.Errorf("%w: %s is not a number of seconds", ErrUnauthenticated, HeaderTimestamp)
	}
	if d := now.Sub(time.Unix(ts, 0)); d > MaxSkew || d < -MaxSkew {
		return nil, fmt.Errorf("%w: %s is %v from now, more than %v (a replay, or a wrong clock)", ErrUnauthenticated, HeaderTimestamp, d.Round(time.Second), MaxSkew)
	}
	hexSig, ok := strings.CutPrefix(signature, "v0=")
	if !ok || len(hexSig) != 2*sha256.Size {
		return nil, fmt.Errorf("%w: %s is not a v0 signature", ErrUnauthenticated, HeaderSignature)
	}
	// Slack sends lower-case hex: an upper-case variant encodes the same
	// bytes but is not what Slack signs, so it is refused, and exactly one
	// string verifies.
	got, err := hex.DecodeString(hexSig)
	if err != nil || hexSig != strings.ToLower(hexSig) {
		return nil, fmt.Errorf("%w: %s is not a v0 signature", ErrUnauthenticated, HeaderSignature)
	}
	var names []string
	for _, s := range signers {
		if s.Secret.IsZero() {
			continue
		}
		if hmac.Equal(got, Sign(s.Secret, timestamp, body)) {
			names = append(names, s.Destination)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: the signature matches no configured signing secret", ErrUnauthenticated)
	}
	return names, nil
}

// Sign returns the v0 HMAC-SHA256 of body at timestamp under key.
func Sign(key secret.Value, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(key.Reveal()))
	m.Write([]byte("v0:" + timestamp + ":"))
	m.Write(body)
	return m.Sum(nil)
}

// SignatureHeader returns the X-Slack-Signature value for body at
// timestamp under key, as Slack sends it (tests and fakes).
func SignatureHeader(key secret.Value, timestamp string, body []byte) string {
	return "v0=" + hex.EncodeToString(Sign(key, timestamp, body))
}
