package discord

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Mentions are who a message that reports something that went wrong
// pings: the only mentions cutover ever lets Discord act on.
type Mentions struct {
	// Everyone pings @everyone; Here pings @here (online members).
	Everyone, Here bool
	// Users and Roles are user and role IDs (snowflakes).
	Users, Roles []string
}

// ParseMentions reads the configured mentions (chat.Spec.Mentions):
// "@here", "@everyone", "user:ID" and "group:ID" (a role), IDs being
// Discord snowflakes. It reports every entry it cannot render at once;
// "@channel" is one: Discord has no such mention.
func ParseMentions(list []string) (Mentions, error) {
	var m Mentions
	var errs []error
	for _, raw := range list {
		s := strings.TrimSpace(raw)
		kind, id, hasID := strings.Cut(s, ":")
		switch {
		case s == "@everyone":
			m.Everyone = true
		case s == "@here":
			m.Here = true
		case s == "@channel":
			errs = append(errs, errors.New(`mention "@channel": Discord has no @channel; use "@here" (members online) or "@everyone"`))
		case hasID && (kind == "user" || kind == "group"):
			if !snowflake(id) {
				errs = append(errs, fmt.Errorf("mention %q: a Discord ID is a number (a snowflake, e.g. %s:80351110224678912)", cut(s, 80, "…"), kind))
				continue
			}
			if kind == "user" && !slices.Contains(m.Users, id) {
				m.Users = append(m.Users, id)
			}
			if kind == "group" && !slices.Contains(m.Roles, id) {
				m.Roles = append(m.Roles, id)
			}
		default:
			errs = append(errs, fmt.Errorf("mention %q: Discord takes \"@here\", \"@everyone\", \"user:ID\" or \"group:ID\" (a role)", cut(s, 80, "…")))
		}
	}
	if len(m.Users) > maxMentionIDs || len(m.Roles) > maxMentionIDs {
		errs = append(errs, fmt.Errorf("mentions: Discord allows at most %d users and %d roles", maxMentionIDs, maxMentionIDs))
	}
	if err := errors.Join(errs...); err != nil {
		return Mentions{}, err
	}
	return m, nil
}

// snowflake reports whether id is a Discord snowflake: a positive
// decimal 64-bit number.
func snowflake(id string) bool {
	if id == "" || len(id) > 20 || strings.TrimLeft(id, "0123456789") != "" || id[0] == '0' {
		return false
	}
	_, err := strconv.ParseUint(id, 10, 64)
	return err == nil
}

// text is the mentions in Discord's syntax, e.g. "@here <@&123> <@456>".
func (m Mentions) text() string {
	var parts []string
	if m.Everyone {
		parts = append(parts, "@everyone")
	}
	if m.Here {
		parts = append(parts, "@here")
	}
	for _, id := range m.Roles {
		parts = append(parts, "<@&"+id+">")
	}
	for _, id := range m.Users {
		parts = append(parts, "<@"+id+">")
	}
	return strings.Join(parts, " ")
}
