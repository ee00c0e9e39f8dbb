package chat

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/secret"
)

// Spec is one configured destination, its secrets already read.
type Spec struct {
	// Name identifies the destination in delivery records, receipts and
	// logs. It must be stable: renaming a destination makes cutover treat
	// it as new. The Slack webhook of CUTOVER_SLACK_WEBHOOK_URL(_SECRET)
	// is named "slack".
	Name string
	// Type is the destination type, e.g. "slack".
	Type string
	// URL is the webhook URL: a secret, never printed.
	URL secret.Value
	// SigningSecret signs requests, for destinations that sign; for a
	// Slack app it is the app's signing secret, which verifies button
	// clicks.
	SigningSecret secret.Value
	// Channel is where a chat API destination posts (Slack app: a
	// channel ID or name).
	Channel string
	// Token is a chat API token (Slack app: the bot token): a secret,
	// never printed.
	Token secret.Value
	// AllowedUsers and AllowedGroups are who may press a message's
	// buttons (Slack user IDs, user group IDs); nobody when both are
	// empty.
	AllowedUsers, AllowedGroups []string
	// Mentions are who to ping when a message reports something that went
	// wrong (message.Danger), as the user wrote them: "@here",
	// "@channel", "@everyone", "user:ID", "group:ID" (a Slack user group,
	// a Discord role). Each destination renders them in its own syntax,
	// and its factory rejects forms it cannot render. They are the only
	// mentions that can ping: text from a deployment never does.
	Mentions []string
}

// Deps are what every destination shares.
type Deps struct {
	// Poster is the one HTTP poster.
	Poster *Poster
	// Records are the delivery records, for destinations that must agree
	// across invocations on one message per deployment (the Slack app's
	// parent message); nil keeps such agreement within the process.
	Records records.Store
	// Log receives warnings of destinations about their configuration
	// and degraded modes; nil logs nothing.
	Log *slog.Logger
	// SlackAPIURL is the Slack Web API base URL (CUTOVER_SLACK_API_URL);
	// "" is Slack's.
	SlackAPIURL string
}

// Factory builds a destination of one type from its spec.
type Factory func(spec Spec, deps Deps) (Notifier, error)

// Type is one destination type: how to build a destination of it, and how
// to render, without sending anything, the exact body a destination
// configured by a spec sends for a notice (`cutover render`). Render needs
// no URL or secret, only what shapes the body (name, mentions).
type Type struct {
	// New builds a destination from its spec.
	New Factory
	// Render returns the body a destination configured by spec sends for n.
	Render func(n *message.Notice, spec Spec) ([]byte, error)
}

// Types maps destination type names to their types: the registry of
// destinations. The composition root lists them (app.Destinations); there
// is no global registration.
type Types map[string]Type

// Names lists the registered type names, sorted.
func (t Types) Names() []string {
	names := make([]string, 0, len(t))
	for n := range t {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// New builds the destination spec describes. Errors name the destination
// and never its URL or secrets.
func (t Types) New(spec Spec, deps Deps) (Notifier, error) {
	if spec.Name == "" {
		return nil, errors.New("destination: empty name")
	}
	typ, ok := t[spec.Type]
	if !ok || typ.New == nil {
		return nil, fmt.Errorf("destination %s: unknown type %q (known: %s)", spec.Name, spec.Type, strings.Join(t.Names(), ", "))
	}
	n, err := typ.New(spec, deps)
	if err != nil {
		return nil, fmt.Errorf("destination %s: %w", spec.Name, err)
	}
	return n, nil
}
