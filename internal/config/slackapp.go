package config

import (
	"net/url"
	"regexp"
	"strings"
	"sync"

	"github.com/cutover-dev/cutover/internal/secret"
)

// EnvSlackAPIURL is the Slack Web API base URL of slack-app destinations.
const EnvSlackAPIURL = "CUTOVER_SLACK_API_URL"

// DefaultSlackAPIURL is Slack's Web API.
const DefaultSlackAPIURL = "https://slack.com/api/"

// SlackAppType is the destination type of the Slack app.
const SlackAppType = "slack-app"

// SlackApp are the keys of a slack-app destination, validated.
type SlackApp struct {
	// Channel is the channel ID (C…, G…) or name.
	Channel string
	// Token is the bot token in plain text (local use), or zero.
	Token secret.Value
	// TokenSecret references the bot token in Secrets Manager or SSM.
	TokenSecret string
	// AllowedUsers and AllowedGroups may press the buttons.
	AllowedUsers, AllowedGroups []string
}

// slackAppJSON are the slack-app keys as written.
type slackAppJSON struct {
	Channel       string   `json:"channel"`
	Token         string   `json:"token"`
	TokenSecret   string   `json:"token_secret"`
	AllowedUsers  []string `json:"allowed_users"`
	AllowedGroups []string `json:"allowed_groups"`
}

func (j slackAppJSON) hasSlackAppKeys() bool {
	return j.Channel != "" || j.Token != "" || j.TokenSecret != "" || j.AllowedUsers != nil || j.AllowedGroups != nil
}

// The forms of Slack IDs, shared with the Terraform module's validation.
var (
	slackChannel = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(#?[a-z0-9][a-z0-9._-]{0,79}|[CG][A-Z0-9]{2,20})$`) })
	slackUser    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[UW][A-Z0-9]{2,20}$`) })
	slackGroup   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^S[A-Z0-9]{2,20}$`) })
)

// checkSlackApp validates the slack-app keys of e into d. No error
// echoes a token.
func (c *Config) checkSlackApp(e destinationJSON, d *Destination, bad func(string, ...any)) {
	switch ch := strings.TrimSpace(e.Channel); {
	case ch == "":
		bad("channel: give the channel ID (C0123456789; in Slack: channel details > About) or name")
	case !slackChannel().MatchString(ch):
		bad("channel %q: not a channel ID (C…, G…) or name (lower-case letters, digits, - _ .)", clip(ch))
	default:
		d.Channel = ch
	}
	switch {
	case e.Token == "" && e.TokenSecret == "":
		bad("give token_secret (a Secrets Manager ARN or SSM parameter holding the bot token) or, for local use, token")
	case e.Token != "" && e.TokenSecret != "":
		bad("give either token or token_secret, not both")
	case e.Token != "":
		if !strings.HasPrefix(strings.TrimSpace(e.Token), "xoxb-") {
			bad("token: not a bot token (the app's Bot User OAuth Token starts with xoxb-)")
		}
		d.Token = secret.New(strings.TrimSpace(e.Token))
	default:
		if err := secret.CheckRef(strings.TrimSpace(e.TokenSecret)); err != nil {
			bad("token_secret: %v", err)
		} else {
			d.TokenSecret = strings.TrimSpace(e.TokenSecret)
		}
	}
	for _, u := range e.AllowedUsers {
		if !slackUser().MatchString(u) {
			bad("allowed_users: %q is not a Slack user ID (U… or W…: profile > ⋮ > Copy member ID)", clip(u))
		}
	}
	for _, g := range e.AllowedGroups {
		if !slackGroup().MatchString(g) {
			bad("allowed_groups: %q is not a Slack user group ID (S…)", clip(g))
		}
	}
	d.AllowedUsers, d.AllowedGroups = e.AllowedUsers, e.AllowedGroups
}

// loadSlackAPI reads CUTOVER_SLACK_API_URL.
func (c *Config) loadSlackAPI(get func(string) string, bad func(string, string, ...any)) {
	v := get(EnvSlackAPIURL)
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.RawQuery != "" {
		bad(EnvSlackAPIURL, "not an http(s) base URL like %s", DefaultSlackAPIURL)
		return
	}
	if !strings.HasSuffix(v, "/") {
		v += "/"
	}
	c.SlackAPIURL = v
}
