package slackhook

import (
	"errors"
	"fmt"
	"regexp"
)

// slackID is a Slack user (U…, W…) or user-group (S…) ID.
var slackID = regexp.MustCompile(`^[A-Z0-9]{2,20}$`)

// ParseMentions turns configured mentions into Slack's syntax: "@here" →
// <!here>, "@channel" → <!channel>, "@everyone" → <!everyone>, "user:U…" →
// <@U…>, "group:S…" (a user group) → <!subteam^S…>. It reports every form it
// cannot render, at once.
func ParseMentions(in []string) ([]string, error) {
	var (
		out  []string
		errs []error
	)
	for _, m := range in {
		switch {
		case m == "@here", m == "@channel", m == "@everyone":
			out = append(out, "<!"+m[1:]+">")
		case len(m) > 5 && m[:5] == "user:" && slackID.MatchString(m[5:]):
			out = append(out, "<@"+m[5:]+">")
		case len(m) > 6 && m[:6] == "group:" && slackID.MatchString(m[6:]):
			out = append(out, "<!subteam^"+m[6:]+">")
		default:
			errs = append(errs, fmt.Errorf("mention %q: Slack takes @here, @channel, @everyone, user:U… (a member ID) or group:S… (a user group ID)", m))
		}
	}
	return out, errors.Join(errs...)
}
