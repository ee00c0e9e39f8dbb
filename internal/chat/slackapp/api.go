package slackapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/secret"
)

// DefaultAPIURL is the Slack Web API base URL (CUTOVER_SLACK_API_URL).
const DefaultAPIURL = "https://slack.com/api/"

// DefaultPace is the least time between two posts to one channel: Slack
// allows about one message a second per channel.
const DefaultPace = time.Second

// Client calls the Slack Web API with a bot token through the shared
// chat.Poster. Its errors and logs never hold the token. A Client is safe
// for concurrent use.
type Client struct {
	base   string
	token  secret.Value
	poster *chat.Poster
	pace   time.Duration
	policy retry.Policy
	log    *slog.Logger

	mu   sync.Mutex
	next map[string]time.Time // per channel: the earliest next post
}

// ClientOptions configures a Client. Zero values take the defaults.
type ClientOptions struct {
	// BaseURL is the Web API base URL (default DefaultAPIURL).
	BaseURL string
	// Pace is the least time between posts to one channel (default
	// DefaultPace; negative: no pacing).
	Pace time.Duration
	// Policy bounds the Client's own retries of posts (PostMessage), which
	// the Poster cannot retry blindly.
	Policy retry.Policy
	// Logger receives warnings; nil logs nothing.
	Logger *slog.Logger
}

// NewClient returns a Client posting with token through p (nil: a Poster
// with default options).
func NewClient(token secret.Value, p *chat.Poster, opts ClientOptions) *Client {
	if p == nil {
		p = chat.NewPoster(chat.PosterOptions{})
	}
	base := opts.BaseURL
	if base == "" {
		base = DefaultAPIURL
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	pace := opts.Pace
	if pace == 0 {
		pace = DefaultPace
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Client{base: base, token: token, poster: p, pace: pace, policy: opts.Policy, log: log, next: map[string]time.Time{}}
}

// String names the client by the API host only.
func (c *Client) String() string {
	host := c.base
	if u, err := url.Parse(c.base); err == nil && u.Host != "" {
		host = u.Host
	}
	return "slack-api(" + host + ")"
}

// GoString is String: %#v must not print the token.
func (c *Client) GoString() string { return c.String() }

// LogValue is String: logging a Client never logs its token.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Metadata is Slack message metadata: cutover puts the delivery's
// identity in every post, to find a post whose answer was lost.
type Metadata struct {
	EventType    string            `json:"event_type"`
	EventPayload map[string]string `json:"event_payload"`
}

// Message is the body of chat.postMessage and chat.update.
type Message struct {
	Channel        string          `json:"channel,omitempty"`
	TS             string          `json:"ts,omitempty"`
	ThreadTS       string          `json:"thread_ts,omitempty"`
	ReplyBroadcast bool            `json:"reply_broadcast,omitempty"`
	Text           string          `json:"text"`
	Blocks         json.RawMessage `json:"blocks,omitempty"`
	Attachments    json.RawMessage `json:"attachments,omitempty"`
	Metadata       *Metadata       `json:"metadata,omitempty"`
	UnfurlLinks    *bool           `json:"unfurl_links,omitempty"`
	UnfurlMedia    *bool           `json:"unfurl_media,omitempty"`
}

// Posted is where Slack put a message: the channel ID and the ts.
type Posted struct {
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// HistoryMessage is one message of conversations.history.
type HistoryMessage struct {
	TS       string    `json:"ts"`
	ThreadTS string    `json:"thread_ts,omitempty"`
	Metadata *Metadata `json:"metadata,omitempty"`
}

// APIError is a Slack Web API answer with "ok": false. Its text names the
// method, Slack's error code and what to fix.
type APIError struct {
	// Method is the Web API method, e.g. "chat.postMessage".
	Method string
	// Code is Slack's error, e.g. "channel_not_found".
	Code string
	// Needed is the scope Slack says is missing (missing_scope), if any.
	Needed string
}

// Error returns e.g. "chat.postMessage: not_in_channel: invite the app to
// the channel (/invite @cutover) or add the chat:write.public scope".
func (e *APIError) Error() string {
	s := e.Method + ": " + e.Code
	if h := hint(e.Code, e.Needed); h != "" {
		s += ": " + h
	}
	return s
}

// permanentCodes are the ok:false errors no retry can help with.
var permanentCodes = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true,
	"invalid_auth": true, "not_authed": true, "token_revoked": true, "token_expired": true,
	"missing_scope": true, "account_inactive": true, "invalid_blocks": true,
	"invalid_blocks_format": true, "msg_blocks_too_long": true, "msg_too_long": true, "no_text": true,
	"restricted_action": true, "restricted_action_read_only_channel": true,
	"restricted_action_thread_only_channel": true, "restricted_action_non_threadable_channel": true,
	"cannot_reply_to_message": true, "message_limit_exceeded": true, "message_not_found": true,
	"cant_update_message": true, "edit_window_closed": true, "is_inactive": true,
	"block_mismatch": true, "no_dual_broadcast_content_update": true, "invalid_arguments": true,
	"thread_not_found": true, "no_such_subteam": true, "invalid_metadata_format": true,
	"invalid_metadata_schema": true, "metadata_too_large": true, "ekm_access_denied": true,
	"team_access_not_granted": true, "not_allowed_token_type": true, "channel_is_archived": true,
}

// retryCodes are the ok:false errors a later attempt may get past.
var retryCodes = map[string]bool{
	"ratelimited": true, "rate_limited": true, "service_unavailable": true, "fatal_error": true,
	"internal_error": true, "request_timeout": true, "streaming_state_conflict": true,
}

// hint says what to fix for a Slack error code.
func hint(code, needed string) string {
	switch code {
	case "channel_not_found":
		return "no channel of that ID or name that the app can see: check the channel, and invite the app to a private channel (/invite @your-app)"
	case "not_in_channel":
		return "the app is not in the channel: invite it (/invite @your-app), or add the chat:write.public scope for public channels"
	case "is_archived", "channel_is_archived":
		return "the channel is archived: unarchive it or configure another channel"
	case "invalid_auth", "not_authed":
		return "the bot token is missing or invalid: give the app's Bot User OAuth Token (xoxb-…)"
	case "token_revoked", "token_expired":
		return "the bot token no longer works: reinstall the app to the workspace and store the new Bot User OAuth Token"
	case "account_inactive":
		return "the app's bot user was deactivated: reinstall the app"
	case "missing_scope":
		if needed != "" {
			return "the app lacks the scope " + needed + ": add it under OAuth & Permissions and reinstall the app"
		}
		return "the app lacks a scope: add it under OAuth & Permissions (see docs/slack-app.md) and reinstall the app"
	case "invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long", "msg_too_long", "no_text":
		return "Slack refused the message layout: this is a cutover bug, please report it with the event"
	case "message_not_found":
		return "the message was deleted"
	case "restricted_action", "restricted_action_read_only_channel":
		return "the workspace or channel does not let the app post there"
	case "ratelimited", "rate_limited":
		return "Slack rate limit: retried later"
	case "no_such_subteam":
		return "no user group of that ID: check allowed_groups"
	}
	return ""
}

// answer is the envelope of every Web API answer.
type answer struct {
	OK       bool             `json:"ok"`
	Error    string           `json:"error"`
	Needed   string           `json:"needed"`
	Channel  string           `json:"channel"`
	TS       string           `json:"ts"`
	Messages []HistoryMessage `json:"messages"`
	Users    []string         `json:"users"`
}

// validator turns an ok:false answer of method into an *APIError,
// permanent unless a later attempt may succeed.
func validator(method string) chat.Validator {
	return func(_ int, body []byte) error {
		var a answer
		if err := json.Unmarshal(body, &a); err != nil {
			return fmt.Errorf("%s: the answer is not Slack's JSON", method)
		}
		if a.OK {
			return nil
		}
		e := &APIError{Method: method, Code: clipCode(a.Error), Needed: clipCode(a.Needed)}
		if e.Code == "" {
			e.Code = "unknown_error"
		}
		if retryCodes[e.Code] {
			return e
		}
		// Unknown codes too are permanent: a retry rarely helps, and the
		// event is still kept by Lambda's retries and the failure queue.
		return retry.Permanent(e)
	}
}

// clipCode keeps an error code printable and short.
func clipCode(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '_' || r == '.' || r == ':' || r == ',' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, s)
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

func (c *Client) headers(contentType string) map[string]string {
	return map[string]string{
		"Content-Type":  contentType,
		"Authorization": "Bearer " + c.token.Reveal(),
	}
}

// call posts a JSON body to method through the Poster (its retries).
func (c *Client) call(ctx context.Context, method string, body any) (answer, error) {
	raw, err := chat.EncodeJSON(body)
	if err != nil {
		return answer{}, retry.Permanent(fmt.Errorf("%s: %w", method, err))
	}
	got, err := c.poster.Post(ctx, c.base+method, raw, c.headers("application/json; charset=utf-8"), validator(method))
	return decode(method, got, err)
}

// form posts form values to method (read methods take no JSON body).
func (c *Client) form(ctx context.Context, method string, v url.Values) (answer, error) {
	got, err := c.poster.Post(ctx, c.base+method, []byte(v.Encode()), c.headers("application/x-www-form-urlencoded"), validator(method))
	return decode(method, got, err)
}

func decode(method string, got []byte, err error) (answer, error) {
	if err != nil {
		if strings.HasPrefix(err.Error(), method+":") {
			return answer{}, err
		}
		return answer{}, fmt.Errorf("%s: %w", method, err)
	}
	var a answer
	if err := json.Unmarshal(got, &a); err != nil {
		return answer{}, fmt.Errorf("%s: the answer is not Slack's JSON", method)
	}
	return a, nil
}

// wait paces posts to channel: at most one per Pace within the process.
func (c *Client) wait(ctx context.Context, channel string) error {
	if c.pace <= 0 {
		return nil
	}
	c.mu.Lock()
	now := time.Now()
	at := c.next[channel]
	if at.Before(now) {
		at = now
	}
	c.next[channel] = at.Add(c.pace)
	c.mu.Unlock()
	d := time.Until(at)
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ErrMaybePosted marks a failed PostMessage whose message Slack may have
// taken all the same (an answer was lost): look before posting it again.
var ErrMaybePosted = errors.New("the message may have been posted")

// Finder looks for a message already posted; an error means it could not
// look (try again later), not that the message is missing.
type Finder func(ctx context.Context) (Posted, bool, error)

// PostMessage posts m (chat.postMessage) and returns where it went. A post
// is not retried blindly: when an attempt may have reached Slack but its
// answer was lost, and found is not nil, the next attempt first asks found
// whether the message is there and returns that message instead of
// posting it again. When the attempts end after such an attempt, the
// error wraps ErrMaybePosted.
func (c *Client) PostMessage(ctx context.Context, m *Message, found Finder) (Posted, error) {
	const method = "chat.postMessage"
	raw, err := chat.EncodeJSON(m)
	if err != nil {
		return Posted{}, retry.Permanent(fmt.Errorf("%s: %w", method, err))
	}
	var (
		out       Posted
		ambiguous bool
	)
	err = retry.Do(ctx, c.policy, func(ctx context.Context) error {
		if ambiguous && found != nil {
			p, ok, err := found(ctx)
			if err != nil {
				return fmt.Errorf("looking for a post whose answer was lost: %w", err)
			}
			if ok {
				out = p
				return nil
			}
			ambiguous = false
		}
		if err := c.wait(ctx, m.Channel); err != nil {
			return err
		}
		got, err := c.poster.PostOnce(ctx, c.base+method, raw, c.headers("application/json; charset=utf-8"), validator(method))
		if err != nil {
			if chat.MaybeDelivered(err) {
				ambiguous = true
			}
			return err
		}
		a, err := decode(method, got, nil)
		if err != nil {
			return err
		}
		out = Posted{Channel: a.Channel, TS: a.TS}
		return nil
	})
	if err != nil {
		if ambiguous {
			err = fmt.Errorf("%w (%w)", err, ErrMaybePosted)
		}
		if strings.HasPrefix(err.Error(), method+":") {
			return Posted{}, err
		}
		return Posted{}, fmt.Errorf("%s: %w", method, err)
	}
	if out.Channel == "" {
		out.Channel = m.Channel
	}
	if out.TS == "" {
		return Posted{}, fmt.Errorf("%s: Slack's answer has no ts", method)
	}
	return out, nil
}

// Update replaces the message m.TS in m.Channel (chat.update): text,
// blocks and attachments. It is idempotent, so the Poster retries it.
func (c *Client) Update(ctx context.Context, m *Message) error {
	_, err := c.call(ctx, "chat.update", m)
	return err
}

// History returns up to limit of the newest messages of channel, metadata
// included (conversations.history; needs channels:history or
// groups:history).
func (c *Client) History(ctx context.Context, channel string, limit int) ([]HistoryMessage, error) {
	v := url.Values{}
	v.Set("channel", channel)
	v.Set("limit", strconv.Itoa(limit))
	v.Set("include_all_metadata", "true")
	a, err := c.form(ctx, "conversations.history", v)
	if err != nil {
		return nil, err
	}
	return a.Messages, nil
}

// Replies returns up to limit messages of the thread of parent ts in
// channel, the parent first, metadata included (conversations.replies;
// the same history scopes).
func (c *Client) Replies(ctx context.Context, channel, ts string, limit int) ([]HistoryMessage, error) {
	v := url.Values{}
	v.Set("channel", channel)
	v.Set("ts", ts)
	v.Set("limit", strconv.Itoa(limit))
	v.Set("include_all_metadata", "true")
	a, err := c.form(ctx, "conversations.replies", v)
	if err != nil {
		return nil, err
	}
	return a.Messages, nil
}

// UsergroupUsers lists the user IDs in a user group
// (usergroups.users.list; needs usergroups:read).
func (c *Client) UsergroupUsers(ctx context.Context, group string) ([]string, error) {
	v := url.Values{}
	v.Set("usergroup", group)
	a, err := c.form(ctx, "usergroups.users.list", v)
	if err != nil {
		return nil, err
	}
	return a.Users, nil
}

// IsCode reports whether err is the Slack error code.
func IsCode(err error, code string) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == code
}
