package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/retry"
)

// Type names this destination in receipts and configuration.
const Type = "discord"

// Hook posts messages to a Discord webhook.
type Hook struct {
	// url is the webhook URL with wait=true: a secret.
	url      string
	host     string
	mentions Mentions
	poster   *chat.Poster
}

var _ chat.Notifier = (*Hook)(nil)

// New returns a Notifier for the Discord webhook at webhookURL, pinging
// mentions on messages that report something that went wrong, posting
// through p (nil: a Poster with default options). The URL is a secret: it
// appears in no error, log or String output.
func New(webhookURL string, mentions Mentions, p *chat.Poster) (*Hook, error) {
	u, err := url.Parse(webhookURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// url.Parse's error quotes the URL: say only that it is wrong.
		return nil, errors.New("a Discord destination needs an http(s) webhook URL")
	}
	// wait=true makes Discord answer with the message (its ID) and report
	// errors, instead of a bare 204.
	q := u.Query()
	q.Set("wait", "true")
	u.RawQuery = q.Encode()
	if p == nil {
		p = chat.NewPoster(chat.PosterOptions{})
	}
	return &Hook{url: u.String(), host: u.Host, mentions: mentions, poster: p}, nil
}

// Build is the chat.Factory of the "discord" destination type: a webhook
// at spec.URL, pinging spec.Mentions on failures.
func Build(spec chat.Spec, deps chat.Deps) (chat.Notifier, error) {
	if spec.URL.IsZero() {
		return nil, errors.New("a Discord destination needs a webhook URL")
	}
	mentions, err := ParseMentions(spec.Mentions)
	if err != nil {
		return nil, err
	}
	return New(spec.URL.Reveal(), mentions, deps.Poster)
}

// Notify formats n.Message with Format and posts it. Its receipt holds
// the message ID and channel Discord answers with. Errors read e.g.
// "discord: 404 Not Found: Unknown Webhook (code 10015)"; retry.IsPermanent
// tells whether another attempt can help (a deleted webhook stays deleted;
// a rate limit or Discord's own failure passes). An earlier receipt
// changes nothing: the message is always a new one.
func (h *Hook) Notify(ctx context.Context, n *chat.Notification) (chat.Receipt, error) {
	if n == nil || n.Message == nil {
		return chat.Receipt{}, retry.Permanent(errors.New("discord: nil notification"))
	}
	body, err := Format(n.Message, h.mentions)
	if err != nil {
		return chat.Receipt{}, retry.Permanent(fmt.Errorf("discord: %w", err))
	}
	answer, err := h.poster.Post(ctx, h.url, body, map[string]string{"Content-Type": "application/json"}, chat.AcceptAny)
	if err != nil {
		return chat.Receipt{}, describe(err)
	}
	return receipt(answer), nil
}

// receipt reads the message Discord answers a wait=true post with. Any
// 2xx means the message was posted: an answer without an ID (a 204 from
// a proxy) gives a receipt naming only the destination type.
func receipt(answer []byte) chat.Receipt {
	var msg struct {
		ID        string `json:"id"`
		ChannelID string `json:"channel_id"`
	}
	rc := chat.Receipt{Destination: Type}
	if json.Unmarshal(answer, &msg) == nil && snowflake(msg.ID) {
		rc.MessageID = msg.ID
		if snowflake(msg.ChannelID) {
			rc.Channel = msg.ChannelID
		}
	}
	return rc
}

// apiError is a Post error told in Discord's words. It unwraps to the
// Post error, so retry.IsPermanent and errors.As see what they saw.
type apiError struct {
	text string
	err  error
}

func (e *apiError) Error() string { return e.text }
func (e *apiError) Unwrap() error { return e.err }

// describe words a Post error with Discord's JSON error, e.g.
// {"code":10015,"message":"Unknown Webhook"}: "discord: 404 Not Found:
// Unknown Webhook (code 10015)". The Poster's error never holds the URL,
// and neither does this.
func describe(err error) error {
	var se *chat.StatusError
	if !errors.As(err, &se) {
		return fmt.Errorf("discord: %w", err)
	}
	var body struct {
		Code    *int64 `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal([]byte(se.Body), &body) != nil || strings.TrimSpace(body.Message) == "" {
		return fmt.Errorf("discord: %w", err)
	}
	status := se.Status
	if status == "" {
		status = strconv.Itoa(se.StatusCode)
	}
	text := "discord: " + status + ": " + cut(chat.Redact(strings.Join(strings.Fields(codeText(body.Message, false)), " ")), 200, "…")
	if body.Code != nil {
		text += " (code " + strconv.FormatInt(*body.Code, 10) + ")"
	}
	return &apiError{text: text, err: err}
}

// String names the destination by host only, e.g. "discord(discord.com)".
func (h *Hook) String() string { return "discord(" + h.host + ")" }

// GoString keeps %#v from printing the webhook URL.
func (h *Hook) GoString() string { return h.String() }

// LogValue keeps slog from printing the webhook URL.
func (h *Hook) LogValue() slog.Value { return slog.StringValue(h.String()) }
