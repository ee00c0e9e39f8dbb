package chat

import (
	"errors"
	"fmt"
	"slices"
	"strings"

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
	// SigningSecret signs requests, for destinations that sign.
	SigningSecret secret.Value
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
}

// Factory builds a destination of one type from its spec.
type Factory func(spec Spec, deps Deps) (Notifier, error)

// Types maps destination type names to their factories: the registry of
// destinations. The composition root lists them (app.Destinations); there
// is no global registration.
type Types map[string]Factory

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
	f, ok := t[spec.Type]
	if !ok {
		return nil, fmt.Errorf("destination %s: unknown type %q (known: %s)", spec.Name, spec.Type, strings.Join(t.Names(), ", "))
	}
	n, err := f(spec, deps)
	if err != nil {
		return nil, fmt.Errorf("destination %s: %w", spec.Name, err)
	}
	return n, nil
}
