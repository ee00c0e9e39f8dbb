// Package googlechat is the Google Chat destination: it formats a
// message.Message as a cardsV2 message for a space's incoming webhook,
// threads every message of one deployment together (thread.threadKey with
// messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD), keeps within
// Google Chat's 32,000-byte message limit, and posts through the shared
// chat.Poster.
package googlechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/retry"
)

// Type names this destination in configuration and receipts.
const Type = "googlechat"

// replyOption is the query parameter that makes Google Chat put a message
// with a known thread.threadKey into that thread, and start the thread
// when the key is new. Without it the key is ignored.
const (
	replyOptionParam = "messageReplyOption"
	replyOption      = "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD"
)

// DefaultRateLimitWait is how long Notify waits before one more round of
// attempts after Google Chat answered 429 without a Retry-After header.
//
// The Poster retries a 429 itself: with a Retry-After it waits that long
// (up to its policy's Max, else it gives up at once), without one it uses
// its exponential backoff (by default 0.1-0.2 s doubling, 5 attempts, about
// 3 s in all). Google sends no Retry-After and its quota is 60 messages a
// minute per space, shared by every app and webhook of the space, so
// 3 s rarely clears it. Notify then waits DefaultRateLimitWait, if the
// context's deadline leaves room, and tries once more; after that the
// error stays retryable and delivery's own retry (Lambda's, the failure
// queue) takes over, resending only what is missing.
const DefaultRateLimitWait = 15 * time.Second

// Hook posts messages to a Google Chat incoming webhook.
//
// Google Chat's spaces.messages.create takes a requestId that makes a
// create idempotent, but chat-facts.md records it as untested through
// incoming webhooks; cutover does not send it. An answer lost on the way
// back may therefore post a message twice (see docs/delivery.md).
type Hook struct {
	url      string
	poster   *chat.Poster
	mentions []string
	// rateLimitWait and sleep pace the extra round after a 429; tests
	// shorten them.
	rateLimitWait time.Duration
	sleep         func(ctx context.Context, d time.Duration) error
}

var _ chat.Notifier = (*Hook)(nil)

// New returns a Notifier for the incoming webhook at webhookURL, posting
// through p (nil: a Poster with default options) and pinging mentions
// (Spec.Mentions forms) on messages that report something gone wrong. The
// URL is a secret: it appears in no error, log or String output.
func New(webhookURL string, p *chat.Poster, mentions []string) (*Hook, error) {
	if p == nil {
		p = chat.NewPoster(chat.PosterOptions{})
	}
	if _, err := renderMentions(mentions); err != nil {
		return nil, err
	}
	u, err := threadedURL(webhookURL)
	if err != nil {
		return nil, err
	}
	return &Hook{url: u, poster: p, mentions: mentions, rateLimitWait: DefaultRateLimitWait, sleep: sleepCtx}, nil
}

// Build is the chat.Factory of the "googlechat" destination type: an
// incoming webhook at spec.URL, with spec.Mentions.
func Build(spec chat.Spec, deps chat.Deps) (chat.Notifier, error) {
	if spec.URL.IsZero() {
		return nil, errors.New("a Google Chat destination needs a webhook URL")
	}
	return New(spec.URL.Reveal(), deps.Poster, spec.Mentions)
}

// threadedURL is webhookURL with messageReplyOption set, keeping its other
// query parameters (key, token) byte for byte. Errors never quote the URL.
func threadedURL(webhookURL string) (string, error) {
	u, err := url.Parse(webhookURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errors.New("invalid Google Chat webhook URL (want https://chat.googleapis.com/v1/spaces/…/messages?key=…&token=…)")
	}
	q, err := url.ParseQuery(u.RawQuery)
	switch {
	case err != nil:
		return "", errors.New("invalid Google Chat webhook URL: malformed query")
	case q.Has(replyOptionParam):
		q.Set(replyOptionParam, replyOption)
		u.RawQuery = q.Encode()
	case u.RawQuery == "":
		u.RawQuery = replyOptionParam + "=" + replyOption
	default:
		u.RawQuery += "&" + replyOptionParam + "=" + replyOption
	}
	return u.String(), nil
}

// Notify formats n.Message with Format, in the thread of n.Notice's
// deployment, and posts it. The receipt holds the created message's
// resource name (spaces/…/messages/…) as MessageID, its thread
// (spaces/…/threads/…) as Thread and the space as Channel. n.Earlier is
// not needed: the thread key is derived from the deployment, so a message
// finds its thread even when the earlier receipt was lost. Errors read
// e.g. "googlechat: 400 INVALID_ARGUMENT: Invalid JSON payload …";
// retry.IsPermanent tells whether another attempt can help.
func (h *Hook) Notify(ctx context.Context, n *chat.Notification) (chat.Receipt, error) {
	if n == nil || n.Message == nil {
		return chat.Receipt{}, retry.Permanent(errors.New("googlechat: nil notification"))
	}
	var key string
	if n.Notice != nil {
		key = ThreadKey(n.Notice.Event.DeploymentID)
	}
	body, err := Format(n.Message, key, h.mentions)
	if err != nil {
		return chat.Receipt{}, retry.Permanent(fmt.Errorf("googlechat: %w", err))
	}
	headers := map[string]string{"Content-Type": "application/json; charset=UTF-8"}
	answer, err := h.poster.Post(ctx, h.url, body, headers, accepted)
	if err != nil && rateLimitedWithoutRetryAfter(err) && h.roomFor(ctx, h.rateLimitWait) {
		if serr := h.sleep(ctx, h.rateLimitWait); serr == nil {
			answer, err = h.poster.Post(ctx, h.url, body, headers, accepted)
		}
	}
	if err != nil {
		return chat.Receipt{}, apiError(err)
	}
	return receipt(answer), nil
}

// roomFor reports whether ctx leaves d and a second to spare.
func (h *Hook) roomFor(ctx context.Context, d time.Duration) bool {
	if ctx.Err() != nil {
		return false
	}
	dl, ok := ctx.Deadline()
	return !ok || time.Until(dl) > d+time.Second
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// accepted is the Validator of the webhook: Google Chat answers 200 with
// the created message, and errors with 4xx/5xx, which the Poster handles.
// A 2xx whose body cannot be read still means the message was created:
// retrying would post it twice, so only the receipt is lost.
func accepted(int, []byte) error { return nil }

// receipt reads the created message from Google Chat's answer; fields it
// cannot read stay empty.
func receipt(answer []byte) chat.Receipt {
	var m struct {
		Name   string `json:"name"`
		Thread struct {
			Name string `json:"name"`
		} `json:"thread"`
		Space struct {
			Name string `json:"name"`
		} `json:"space"`
	}
	_ = json.Unmarshal(answer, &m)
	clean := func(s string) string {
		if len(s) > 300 || !resourceName(s) {
			return ""
		}
		return s
	}
	return chat.Receipt{Destination: Type, MessageID: clean(m.Name), Thread: clean(m.Thread.Name), Channel: clean(m.Space.Name)}
}

// resourceName reports whether s looks like a Google Chat resource name
// (spaces/AAAA/messages/BBBB.CCCC): nothing a log could misread.
func resourceName(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && !strings.ContainsRune("/._-", r) {
			return false
		}
	}
	return s != ""
}

// rateLimitedWithoutRetryAfter reports whether err is a 429 that did not
// say how long to wait.
func rateLimitedWithoutRetryAfter(err error) bool {
	var se *chat.StatusError
	if !errors.As(err, &se) || se.StatusCode != http.StatusTooManyRequests {
		return false
	}
	_, ok := retry.RetryAfter(err)
	return !ok
}

// googleError is the error body of Google APIs:
// {"error":{"code":400,"message":"…","status":"INVALID_ARGUMENT"}}.
type googleError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
	} `json:"error"`
}

// statusError is a non-2xx answer with Google's error JSON read: its text
// is "googlechat: <code> <STATUS>: <message>", never the URL. It unwraps to
// the Poster's error, which decides retry (400, 403, 404 are permanent;
// 429 and 5xx are not) and keeps any Retry-After.
type statusError struct {
	text string
	err  error
}

func (e *statusError) Error() string { return e.text }
func (e *statusError) Unwrap() error { return e.err }

// apiError names Google's status and message when the Poster's error holds
// Google's error JSON, and prefixes the destination otherwise.
func apiError(err error) error {
	var se *chat.StatusError
	if !errors.As(err, &se) {
		return fmt.Errorf("googlechat: %w", err)
	}
	var g googleError
	if json.Unmarshal([]byte(se.Body), &g) != nil || (g.Error.Status == "" && g.Error.Message == "") {
		return fmt.Errorf("googlechat: %w", err)
	}
	text := "googlechat: " + strconv.Itoa(se.StatusCode)
	if s := safeWord(g.Error.Status); s != "" {
		text += " " + s
	}
	if m := chat.Redact(message.Line(g.Error.Message)); m != "" {
		if r := []rune(m); len(r) > 300 {
			m = string(r[:300]) + "…"
		}
		text += ": " + m
	}
	if se.StatusCode == http.StatusTooManyRequests {
		text += " (Google Chat takes 60 messages a minute per space)"
	}
	return &statusError{text: text, err: err}
}

// safeWord is s when it is an upper-case status word such as
// INVALID_ARGUMENT, else "".
func safeWord(s string) string {
	if len(s) > 40 {
		return ""
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && r != '_' {
			return ""
		}
	}
	return s
}

// String names the destination by host only, e.g.
// "googlechat(chat.googleapis.com)".
func (h *Hook) String() string {
	return "googlechat(" + chat.Host(h.url) + ")"
}

// GoString keeps %#v from printing the webhook URL.
func (h *Hook) GoString() string { return h.String() }

// LogValue keeps slog from printing the webhook URL.
func (h *Hook) LogValue() slog.Value { return slog.StringValue(h.String()) }
