package interact

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/control"
)

// Slack is what the click handler needs from one slack-app destination's
// Web API client (its bot token): a thread reply and user group members.
type Slack interface {
	// PostReply posts text (Slack mrkdwn, already escaped) in the thread
	// of the message threadTS in channel, once: key names the reply (the
	// click it answers), so that when Slack's answer to the post is lost
	// the thread can be searched for it before posting again.
	PostReply(ctx context.Context, channel, threadTS, key, text string) error
	// GroupMembers lists the user IDs of a user group
	// (usergroups.users.list).
	GroupMembers(ctx context.Context, group string) ([]string, error)
}

// Marker is implemented by a destination's Slack client that can show,
// on the deployment's own message, that an action was requested (and
// remove its buttons) without waiting for the next deployment event.
type Marker interface {
	// MarkRequested marks the deployment of ref as having had action
	// requested by the Slack user at at.
	MarkRequested(ctx context.Context, ref control.Ref, action control.Action, user string, at time.Time) error
}

// Responder answers the clicking user privately through the click's
// response_url.
type Responder interface {
	// Respond sends text as an ephemeral message that leaves the original
	// message as it is.
	Respond(ctx context.Context, responseURL, text string) error
}

// HTTPResponder posts ephemeral answers to response URLs on Slack's hooks
// host (https://hooks.slack.com/): a response_url comes from the payload,
// and cutover posts nowhere else.
type HTTPResponder struct {
	// Client sends the requests (default: a client with a 10 s timeout).
	Client *http.Client
	// AllowPrefix, when set, replaces "https://hooks.slack.com/" as the
	// only prefix a response URL may have (tests, proxies).
	AllowPrefix string
	// AlsoAllow, when set, is a second prefix a response URL may have
	// beside AllowPrefix: the origin of a configured Slack Web API base
	// URL (CUTOVER_SLACK_API_URL), which the operator trusts as Slack.
	AlsoAllow string
}

// Respond posts {"response_type":"ephemeral","replace_original":false}
// with text to responseURL. Errors never contain the URL.
func (r HTTPResponder) Respond(ctx context.Context, responseURL, text string) error {
	prefix := r.AllowPrefix
	if prefix == "" {
		prefix = "https://hooks.slack.com/"
	}
	allowed := strings.HasPrefix(responseURL, prefix) || (r.AlsoAllow != "" && strings.HasPrefix(responseURL, r.AlsoAllow))
	if u, err := url.Parse(responseURL); err != nil || !allowed || u.User != nil {
		return errors.New("respond: the response_url is not on Slack's hooks host")
	}
	body, err := json.Marshal(map[string]any{"response_type": "ephemeral", "replace_original": false, "text": text})
	if err != nil {
		return fmt.Errorf("respond: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, bytes.NewReader(body))
	if err != nil {
		return errors.New("respond: bad response_url")
	}
	req.Header.Set("Content-Type", "application/json")
	c := r.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("respond: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("respond: status %d", resp.StatusCode)
	}
	return nil
}

// mrkdwn escapes deployment text for Slack: &, < and > (so nothing in it
// can become a mention or a link).
var mrkdwn = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func escape(s string) string { return mrkdwn.Replace(s) }
