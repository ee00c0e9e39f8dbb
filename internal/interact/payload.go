package interact

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/cutover-dev/cutover/internal/control"
)

// Action IDs of cutover's buttons.
const (
	ActionIDRollback    = "cutover:rollback"
	ActionIDFinishEarly = "cutover:finish-early"
)

// Click is one verified button press, as read from a block_actions
// payload.
type Click struct {
	// Action is what the button asks for.
	Action control.Action
	// Ref is the deployment the button names (its value).
	Ref control.Ref
	// UserID, UserName and TeamID say who clicked (Slack IDs; the name is
	// for the audit log only).
	UserID, UserName, TeamID string
	// Channel and MessageTS locate the message the button is on: the
	// thread the outcome is reported in.
	Channel, MessageTS string
	// ResponseURL answers the user privately (ephemeral).
	ResponseURL string
	// ActionTS is Slack's action_ts of the press (empty when the payload
	// has none of the form Slack gives it): one click's own name.
	ActionTS string
}

// ErrNotAClick is matched by the error of ParseClick for a payload that is
// a valid Slack interaction but not a press of one of cutover's buttons.
var ErrNotAClick = errors.New("not a press of a cutover button")

// blockActions is the part of a block_actions payload cutover reads.
type blockActions struct {
	Type string `json:"type"`
	User struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
		TeamID   string `json:"team_id"`
	} `json:"user"`
	Team struct {
		ID string `json:"id"`
	} `json:"team"`
	Channel struct {
		ID string `json:"id"`
	} `json:"channel"`
	Container struct {
		MessageTS string `json:"message_ts"`
		ChannelID string `json:"channel_id"`
	} `json:"container"`
	Message struct {
		TS string `json:"ts"`
	} `json:"message"`
	ResponseURL string `json:"response_url"`
	Actions     []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
		ActionTS string `json:"action_ts"`
	} `json:"actions"`
}

var (
	slackID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Z0-9]{2,32}$`) })
	userID  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[UW][A-Z0-9]{1,31}$`) })
	tsRE    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9]{1,12}\.[0-9]{1,9}$`) })
)

// ParseClick reads a verified request body (form-encoded, JSON in
// "payload") as a press of one of cutover's buttons. Every field it keeps
// is checked for the form Slack gives it, since it is used in a mention,
// an API call or a log line.
func ParseClick(body []byte) (Click, error) {
	if len(body) > MaxBody {
		return Click{}, fmt.Errorf("interact: body of %d bytes is larger than %d", len(body), MaxBody)
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return Click{}, errors.New("interact: body is not form-encoded")
	}
	raw := form.Get("payload")
	if raw == "" {
		return Click{}, errors.New("interact: no payload in the body")
	}
	var p blockActions
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Click{}, errors.New("interact: payload is not a JSON object")
	}
	if p.Type != "block_actions" {
		return Click{}, fmt.Errorf("%w: interaction type %.40q", ErrNotAClick, p.Type)
	}
	if len(p.Actions) != 1 {
		return Click{}, fmt.Errorf("%w: %d actions, not one", ErrNotAClick, len(p.Actions))
	}
	c := Click{UserName: clip(firstOf(p.User.Username, p.User.Name), 80)}
	switch p.Actions[0].ActionID {
	case ActionIDRollback:
		c.Action = control.Rollback
	case ActionIDFinishEarly:
		c.Action = control.FinishEarly
	default:
		return Click{}, fmt.Errorf("%w: action_id %.60q", ErrNotAClick, p.Actions[0].ActionID)
	}
	if c.Ref, err = control.Decode(p.Actions[0].Value); err != nil {
		return Click{}, fmt.Errorf("interact: %w", err)
	}
	c.UserID = p.User.ID
	if !userID().MatchString(c.UserID) {
		return Click{}, errors.New("interact: payload has no valid user.id")
	}
	c.TeamID = firstOf(p.Team.ID, p.User.TeamID)
	if c.TeamID != "" && !slackID().MatchString(c.TeamID) {
		return Click{}, errors.New("interact: payload has an invalid team.id")
	}
	c.Channel = firstOf(p.Channel.ID, p.Container.ChannelID)
	if !slackID().MatchString(c.Channel) {
		return Click{}, errors.New("interact: payload has no valid channel.id")
	}
	c.MessageTS = firstOf(p.Container.MessageTS, p.Message.TS)
	if !tsRE().MatchString(c.MessageTS) {
		return Click{}, errors.New("interact: payload has no valid container.message_ts")
	}
	if ts := p.Actions[0].ActionTS; tsRE().MatchString(ts) {
		c.ActionTS = ts
	}
	c.ResponseURL = p.ResponseURL
	if u, err := url.Parse(c.ResponseURL); c.ResponseURL != "" && (err != nil || u.Host == "" || len(c.ResponseURL) > 2000) {
		return Click{}, errors.New("interact: payload has an invalid response_url")
	}
	return c, nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// clip bounds s to n bytes of printable text, for logs.
func clip(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return s
}
