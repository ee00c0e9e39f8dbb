package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/cutover-dev/cutover/internal/route"
	"github.com/cutover-dev/cutover/internal/secret"
)

// LegacySlackName is the name of the destination configured by
// CUTOVER_SLACK_WEBHOOK_URL(_SECRET): it keys delivery records, so it never
// changes.
const LegacySlackName = "slack"

// Destination is one validated entry of CUTOVER_DESTINATIONS.
type Destination struct {
	// Name identifies the destination in delivery records and logs.
	Name string
	// Type is the destination type, e.g. "teams".
	Type string
	// URL is the webhook in plain text (local use), or zero.
	URL secret.Value
	// URLSecret references the webhook in Secrets Manager or SSM, or "".
	URLSecret string
	// SigningSecret signs requests (webhook), in plain text, or zero.
	SigningSecret secret.Value
	// SigningSecretRef references the signing secret, or "".
	SigningSecretRef string
	// Mentions are who to ping when something went wrong (chat.Spec).
	Mentions []string
	// SlackApp holds the keys of a slack-app destination.
	SlackApp
	// Route selects the events the destination receives; its Events are
	// the quiet defaults when the entry lists none.
	Route route.Route
}

// destinationJSON is one entry as written: these key names are the
// contract shared by the docs, the Terraform module and the tests.
type destinationJSON struct {
	Name                string   `json:"name"`
	Type                string   `json:"type"`
	URL                 string   `json:"url"`
	URLSecret           string   `json:"url_secret"`
	SigningSecret       string   `json:"signing_secret"`
	SigningSecretSecret string   `json:"signing_secret_secret"`
	Events              []string `json:"events"`
	Applications        []string `json:"applications"`
	DeploymentGroups    []string `json:"deployment_groups"`
	Services            []string `json:"services"`
	Accounts            []string `json:"accounts"`
	Regions             []string `json:"regions"`
	Mention             []string `json:"mention"`
	slackAppJSON
}

// signedTypes are the destination types that need a signing secret.
var signedTypes = []string{"webhook"}

// destinationName is what a destination name may be: it keys delivery
// records.
var destinationName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`) })

// SetDestinations parses and validates raw, the JSON list of destinations,
// the way Load does for CUTOVER_DESTINATIONS, and sets c.Destinations. from
// names where it came from in errors (a variable). It is for
// CUTOVER_DESTINATIONS_PARAMETER, whose value app.Build reads at start.
// Every problem is reported at once; values of secrets never are.
func (c *Config) SetDestinations(from, raw string) error {
	dsts, errs := c.parseDestinations(raw)
	if len(errs) > 0 {
		for i, err := range errs {
			errs[i] = fmt.Errorf("%s: %w", from, err)
		}
		return errors.Join(errs...)
	}
	c.Destinations = dsts
	return nil
}

// parseDestinations decodes and checks raw, returning every problem.
func (c *Config) parseDestinations(raw string) ([]Destination, []error) {
	entries, err := decodeStrict[[]destinationJSON](raw, `a JSON list of destinations like [{"name":"ops","type":"slack","url_secret":"/cutover/ops-slack"}]`)
	if err != nil {
		return nil, []error{err}
	}
	if len(entries) == 0 {
		return nil, []error{errors.New("an empty list: give at least one destination, or unset it")}
	}
	var (
		errs []error
		out  []Destination
		seen = map[string]bool{}
	)
	for i, e := range entries {
		bad := entryProblems(&errs, "destination", i, e.Name, destinationName().MatchString(e.Name))
		switch {
		case e.Name == "":
			bad("no name (it keys delivery records: a short stable name like \"team-a\")")
		case !destinationName().MatchString(e.Name):
			bad("name %q: use lower-case letters, digits, - and _ (at most 64, starting with a letter or digit)", clip(e.Name))
		case seen[e.Name]:
			bad("the name is used twice (names key delivery records, so each must be unique)")
		case e.Name == LegacySlackName && c.Slack():
			bad("the name %q is the destination of %s/%s: unset those, or name this one differently", LegacySlackName, EnvSlackWebhookURL, EnvSlackWebhookURLSecret)
		}
		seen[e.Name] = true
		switch {
		case e.Type == "":
			bad("no type (known: %s)", strings.Join(c.types, ", "))
		case !slices.Contains(c.types, e.Type):
			bad("unknown type %q (known: %s)", clip(e.Type), strings.Join(c.types, ", "))
		}
		d := Destination{Name: e.Name, Type: e.Type, Mentions: e.Mention}
		switch {
		case e.Type == SlackAppType:
			c.checkSlackApp(e, &d, bad)
		case e.hasSlackAppKeys():
			bad("channel, token(_secret) and allowed_users/allowed_groups are keys of type %s", SlackAppType)
		}
		switch {
		case e.Type == SlackAppType:
			if e.URL != "" || e.URLSecret != "" {
				bad("type %s posts with a bot token: remove url(_secret), give token_secret", SlackAppType)
			}
		case e.URL == "" && e.URLSecret == "":
			bad("give url_secret (a Secrets Manager ARN or SSM parameter) or, for local use, url")
		case e.URL != "" && e.URLSecret != "":
			bad("give either url or url_secret, not both")
		case e.URL != "":
			if err := CheckWebhookURL(strings.TrimSpace(e.URL)); err != nil {
				bad("url: %v", err)
			}
			d.URL = secret.New(strings.TrimSpace(e.URL))
		default:
			if err := secret.CheckRef(strings.TrimSpace(e.URLSecret)); err != nil {
				bad("url_secret: %v", err)
			} else {
				d.URLSecret = strings.TrimSpace(e.URLSecret)
			}
		}
		signed := slices.Contains(signedTypes, e.Type)
		verifies := e.Type == SlackAppType // its signing secret verifies button clicks
		switch {
		case e.SigningSecret != "" && e.SigningSecretSecret != "":
			bad("give either signing_secret or signing_secret_secret, not both")
		case e.SigningSecret != "":
			d.SigningSecret = secret.New(e.SigningSecret)
		case e.SigningSecretSecret != "":
			if err := secret.CheckRef(strings.TrimSpace(e.SigningSecretSecret)); err != nil {
				bad("signing_secret_secret: %v", err)
			} else {
				d.SigningSecretRef = strings.TrimSpace(e.SigningSecretSecret)
			}
		case signed:
			bad("type %s signs every request: give signing_secret_secret (or, for local use, signing_secret)", e.Type)
		}
		if !signed && !verifies && (e.SigningSecret != "" || e.SigningSecretSecret != "") {
			bad("type %s does not sign requests: remove signing_secret(_secret)", clip(e.Type))
		}
		for _, m := range e.Mention {
			if strings.TrimSpace(m) == "" {
				bad("mention: an empty entry")
			}
		}
		d.Route = route.Route{
			Applications: e.Applications, DeploymentGroups: e.DeploymentGroups, Services: e.Services,
			Accounts: e.Accounts, Regions: e.Regions,
		}
		d.Route.Events = c.defaultEvents()
		if e.Events != nil {
			d.Route.Events = nil
			if len(e.Events) == 0 {
				bad("events: an empty list never matches (leave it out for the default events)")
			}
			for _, p := range e.Events {
				names, ok := c.eventsMatching(p)
				if !ok {
					bad("events: %q is no event (known: %s)", clip(p), c.knownNames())
					continue
				}
				for _, n := range names {
					if !slices.Contains(d.Route.Events, n) {
						d.Route.Events = append(d.Route.Events, n)
					}
				}
			}
		}
		rt := d.Route
		rt.Events = nil // checked above, against the known names
		if err := rt.Validate(); err != nil {
			for _, e := range unjoin(err) {
				bad("%v", e)
			}
		}
		out = append(out, d)
	}
	return out, errs
}

// defaultEvents are the quiet defaults the sources know, in their order.
func (c *Config) defaultEvents() []string {
	var out []string
	for _, k := range c.known {
		if slices.Contains(DefaultEvents, k) {
			out = append(out, k)
		}
	}
	return out
}

// eventsMatching returns the known events p names: an event name
// (case-insensitive) or a pattern such as "Deployment*".
func (c *Config) eventsMatching(p string) ([]string, bool) {
	if k, ok := c.eventName(p); ok {
		return []string{k}, true
	}
	var out []string
	for _, k := range c.known {
		if ok, err := path.Match(strings.TrimSpace(p), k); err == nil && ok {
			out = append(out, k)
		}
	}
	return out, len(out) > 0
}

// unjoin splits a joined error into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// jsonProblem describes a JSON decoding error without the input's values:
// a syntax error's offset, a type error's key, an unknown key.
func jsonProblem(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("%s: a JSON %s where a %s belongs", typ.Field, typ.Value, typ.Type)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return errors.New("invalid JSON")
}
