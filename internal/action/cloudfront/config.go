package cloudfront

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source"
)

// CloudFront's invalidation limits, from the CloudFront Developer Guide
// ("Invalidate files", "Quotas on invalidations").
const (
	// MaxPathLength is the longest invalidation path CloudFront accepts
	// ("The maximum length of a path is 4,000 characters"). It is checked
	// in bytes, which equals characters for the ASCII (URL-encoded) paths
	// CloudFront expects.
	MaxPathLength = 4000
	// MaxFilePaths is how many non-wildcard paths may be in progress per
	// distribution; one batch cannot hold more.
	MaxFilePaths = 3000
	// MaxWildcardPaths is how many wildcard paths (ending in "*") may be in
	// progress per distribution, counted separately from file paths.
	MaxWildcardPaths = 15
	// maxDistributionIDLength bounds a distribution ID; real ones are 13 or
	// 14 characters.
	maxDistributionIDLength = 32
)

// DefaultInvalidationPaths is the path list used when none is configured.
func DefaultInvalidationPaths() []string { return []string{"/*"} }

// Config says which distributions to invalidate, for which paths
// and on which events. internal/config reads it from the environment;
// built by hand, check it with Validate. New validates it.
type Config struct {
	// DistributionIDs are invalidated for every deployment, with Paths.
	DistributionIDs []string
	// Paths are the invalidation paths for DistributionIDs and for routes
	// that name none; empty means DefaultInvalidationPaths.
	Paths []string
	// OnRollback also invalidates on DeploymentFailure, DeploymentRollback
	// and when a rollback deployment switches traffic back.
	OnRollback bool
	// Routes add distributions for matching applications and groups.
	Routes []Route
	// FollowUpQueueURL is a standard SQS queue for completion checks; empty
	// disables them.
	FollowUpQueueURL string
	// Names are what messages call the settings above; empty names are
	// the Go field names. internal/config sets its environment variables.
	Names Names
}

// Names names a Config's settings in validation and error messages, so
// that a message points at where the setting came from.
type Names struct {
	// DistributionIDs names Config.DistributionIDs.
	DistributionIDs string
	// Paths names Config.Paths.
	Paths string
	// OnRollback names Config.OnRollback.
	OnRollback string
	// Routes names Config.Routes.
	Routes string
	// FollowUpQueueURL names Config.FollowUpQueueURL.
	FollowUpQueueURL string
}

// withDefaults fills empty names with the Go field names.
func (n Names) withDefaults() Names {
	for _, f := range []struct {
		name *string
		def  string
	}{
		{&n.DistributionIDs, "DistributionIDs"},
		{&n.Paths, "Paths"},
		{&n.OnRollback, "OnRollback"},
		{&n.Routes, "Routes"},
		{&n.FollowUpQueueURL, "FollowUpQueueURL"},
	} {
		if *f.name == "" {
			*f.name = f.def
		}
	}
	return n
}

// Route adds distributions for the events of one CodeDeploy
// application, or one of its deployment groups. A route matches an event
// when Application equals the event's application and, when
// DeploymentGroup is set, DeploymentGroup equals the event's deployment
// group; names compare exactly. Events that carry no application name
// (some documented instance messages) match no route.
//
// When a distribution is named by several sources that match an event, the
// most specific source's paths win: a route with a deployment group over a
// route with only an application, over the global DistributionIDs.
// Paths are never merged. Two routes
// with the same application and deployment group are a configuration error.
type Route struct {
	// Application is the CodeDeploy application name (required).
	Application string `json:"application"`
	// DeploymentGroup narrows the route to one deployment group (optional).
	DeploymentGroup string `json:"deployment_group,omitempty"`
	// DistributionIDs are the distributions to invalidate (at least one).
	DistributionIDs []string `json:"distribution_ids"`
	// Paths override the global paths for this route's distributions.
	Paths []string `json:"paths,omitempty"`
}

// InvalidationTarget is one distribution to invalidate for an event, with
// its normalised (sorted, deduplicated) paths.
type InvalidationTarget struct {
	// DistributionID is the CloudFront distribution.
	DistributionID string
	// Paths are the paths to invalidate, sorted and deduplicated.
	Paths []string
}

// Validate reports every problem in c at once, joined with errors.Join:
// malformed distribution IDs, invalid paths (see ValidateInvalidationPaths),
// incomplete or duplicate routes and an unusable follow-up queue URL.
// Each problem starts with the name of its setting (see Names).
func (c Config) Validate() error {
	var errs []error
	names := c.Names.withDefaults()
	for i, id := range c.DistributionIDs {
		if err := validateDistributionID(id); err != nil {
			errs = append(errs, fmt.Errorf("%s: item %d: %w", names.DistributionIDs, i+1, err))
		}
	}
	if len(c.Paths) > 0 {
		if err := ValidateInvalidationPaths(c.Paths); err != nil {
			errs = append(errs, prefixEach(names.Paths+": ", err)...)
		}
	}
	seen := map[[2]string]int{}
	for i, r := range c.Routes {
		name := fmt.Sprintf("%s: route %d", names.Routes, i+1)
		if r.Application != "" {
			name += fmt.Sprintf(" (application %q", clip(r.Application))
			if r.DeploymentGroup != "" {
				name += fmt.Sprintf(", deployment_group %q", clip(r.DeploymentGroup))
			}
			name += ")"
		}
		if strings.TrimSpace(r.Application) == "" {
			errs = append(errs, fmt.Errorf("%s: application is required", name))
		}
		key := [2]string{r.Application, r.DeploymentGroup}
		if j, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("%s: repeats route %d's application and deployment_group: merge them", name, j))
		} else {
			seen[key] = i + 1
		}
		if len(r.DistributionIDs) == 0 {
			errs = append(errs, fmt.Errorf("%s: distribution_ids is empty: name at least one distribution", name))
		}
		for j, id := range r.DistributionIDs {
			if err := validateDistributionID(id); err != nil {
				errs = append(errs, fmt.Errorf("%s: distribution_ids item %d: %w", name, j+1, err))
			}
		}
		if r.Paths != nil {
			if len(r.Paths) == 0 {
				errs = append(errs, fmt.Errorf("%s: paths is empty: omit it to use the global paths", name))
			} else if err := ValidateInvalidationPaths(r.Paths); err != nil {
				errs = append(errs, prefixEach(name+": paths: ", err)...)
			}
		}
	}
	if c.FollowUpQueueURL != "" {
		if err := validateQueueURL(c.FollowUpQueueURL); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", names.FollowUpQueueURL, err))
		}
	}
	return errors.Join(errs...)
}

// prefixEach splits a joined error and prefixes each part, so that every
// problem stays one line of the final message.
func prefixEach(prefix string, err error) []error {
	var parts []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		parts = j.Unwrap()
	} else {
		parts = []error{err}
	}
	out := make([]error, len(parts))
	for i, p := range parts {
		out[i] = fmt.Errorf("%s%w", prefix, p)
	}
	return out
}

func validateDistributionID(id string) error {
	switch {
	case id == "":
		return errors.New("empty distribution ID")
	case strings.HasPrefix(id, "arn:"):
		return fmt.Errorf("%q is an ARN: give the distribution ID, e.g. E2QWRUHAPOMQZL", clip(id))
	case strings.Contains(id, "."):
		return fmt.Errorf("%q looks like a domain name: give the distribution ID, e.g. E2QWRUHAPOMQZL", clip(id))
	case len(id) > maxDistributionIDLength:
		return fmt.Errorf("%q is longer than %d characters: not a distribution ID", clip(id), maxDistributionIDLength)
	}
	for _, r := range id {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			if r >= 'a' && r <= 'z' {
				return fmt.Errorf("%q has lower-case letters: distribution IDs are upper-case letters and digits, e.g. %s", clip(id), strings.ToUpper(id))
			}
			return fmt.Errorf("%q is not a distribution ID: want upper-case letters and digits, e.g. E2QWRUHAPOMQZL", clip(id))
		}
	}
	return nil
}

func validateQueueURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", clip(raw), err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an SQS queue URL like https://sqs.us-east-1.amazonaws.com/123456789012/cutover-followup", clip(raw))
	}
	if strings.HasSuffix(u.Path, ".fifo") {
		return fmt.Errorf("%q is a FIFO queue, which does not support per-message delays: use a standard queue", clip(raw))
	}
	return nil
}

// ValidateInvalidationPaths checks one invalidation batch against
// CloudFront's rules and reports every problem at once: each path starts
// with "/", has "*" only as its last character, contains no whitespace,
// control or non-ASCII characters (URL-encode those, as CloudFront
// requires) and is at most MaxPathLength bytes; the batch holds at most
// MaxFilePaths file paths and MaxWildcardPaths wildcard paths, counted
// after removing duplicates. An empty list is an error.
func ValidateInvalidationPaths(paths []string) error {
	if len(paths) == 0 {
		return errors.New("no paths")
	}
	var errs []error
	for i, p := range paths {
		for _, problem := range pathProblems(p) {
			errs = append(errs, fmt.Errorf("path %d %q: %s", i+1, clip(p), problem))
		}
	}
	var files, wildcards int
	for _, p := range normalizePaths(paths) {
		if strings.HasSuffix(p, "*") {
			wildcards++
		} else {
			files++
		}
	}
	if files > MaxFilePaths {
		errs = append(errs, fmt.Errorf("%d file paths: CloudFront allows at most %d in progress per distribution", files, MaxFilePaths))
	}
	if wildcards > MaxWildcardPaths {
		errs = append(errs, fmt.Errorf("%d wildcard paths: CloudFront allows at most %d in progress per distribution", wildcards, MaxWildcardPaths))
	}
	return errors.Join(errs...)
}

func pathProblems(p string) []string {
	var out []string
	if p == "" {
		return []string{"empty path"}
	}
	if p[0] != '/' {
		out = append(out, `must start with "/"`)
	}
	if len(p) > MaxPathLength {
		out = append(out, fmt.Sprintf("%d bytes long: CloudFront allows at most %d", len(p), MaxPathLength))
	}
	if i := strings.IndexByte(p, '*'); i >= 0 && i != len(p)-1 {
		out = append(out, `"*" is allowed only as the last character`)
	}
	var space, control, nonASCII, invalid bool
	for _, r := range p {
		switch {
		case r == utf8.RuneError:
			invalid = true
		case unicode.IsControl(r):
			control = true
		case unicode.IsSpace(r):
			space = true
		case r > unicode.MaxASCII:
			nonASCII = true
		}
	}
	if invalid {
		out = append(out, "not valid UTF-8")
	}
	if space {
		out = append(out, "contains whitespace: URL-encode it (%20)")
	}
	if control {
		out = append(out, "contains control characters")
	}
	if nonASCII && !invalid {
		out = append(out, "contains non-ASCII characters: URL-encode them, e.g. "+strconv.Quote(encodeNonASCII(p)))
	}
	return out
}

// encodeNonASCII percent-encodes the non-ASCII bytes of p, for hints.
func encodeNonASCII(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if c := p[i]; c > unicode.MaxASCII {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return clip(b.String())
}

// normalizePaths returns paths sorted and deduplicated, in a new slice.
func normalizePaths(paths []string) []string {
	out := slices.Clone(paths)
	slices.Sort(out)
	return slices.Compact(out)
}

// Normalized returns a copy of c with sorted, deduplicated paths and
// distribution IDs, the default paths when none are set, and every name
// in Names set.
func (c Config) Normalized() Config {
	out := c
	out.Names = c.Names.withDefaults()
	out.DistributionIDs = normalizePaths(c.DistributionIDs)
	if len(c.Paths) == 0 {
		out.Paths = DefaultInvalidationPaths()
	} else {
		out.Paths = normalizePaths(c.Paths)
	}
	out.Routes = make([]Route, len(c.Routes))
	for i, r := range c.Routes {
		r.DistributionIDs = normalizePaths(r.DistributionIDs)
		if len(r.Paths) > 0 {
			r.Paths = normalizePaths(r.Paths)
		} else {
			r.Paths = nil
		}
		out.Routes[i] = r
	}
	return out
}

// Enabled reports whether c names any distribution.
func (c Config) Enabled() bool {
	if len(c.DistributionIDs) > 0 {
		return true
	}
	for _, r := range c.Routes {
		if len(r.DistributionIDs) > 0 {
			return true
		}
	}
	return false
}

// Targets returns the distributions to invalidate for ev's application and
// deployment group, each with its paths, sorted by distribution ID. It
// does not look at the event kind: see CloudFront.Tasks for that. When a
// distribution is named more than once, the most specific source's paths
// win (see Route).
func (c Config) Targets(ev *deploy.Event) []InvalidationTarget {
	type pick struct {
		specificity int
		paths       []string
	}
	globalPaths := c.Paths
	if len(globalPaths) == 0 {
		globalPaths = DefaultInvalidationPaths()
	}
	picks := map[string]pick{}
	add := func(ids []string, specificity int, paths []string) {
		if len(paths) == 0 {
			paths = globalPaths
		}
		for _, id := range ids {
			if p, ok := picks[id]; !ok || specificity > p.specificity {
				picks[id] = pick{specificity: specificity, paths: paths}
			}
		}
	}
	add(c.DistributionIDs, 0, globalPaths)
	for _, r := range c.Routes {
		if r.Application == "" || r.Application != ev.Application {
			continue
		}
		specificity := 1
		if r.DeploymentGroup != "" {
			if r.DeploymentGroup != ev.DeploymentGroup {
				continue
			}
			specificity = 2
		}
		add(r.DistributionIDs, specificity, r.Paths)
	}
	if len(picks) == 0 {
		return nil
	}
	out := make([]InvalidationTarget, 0, len(picks))
	for id, p := range picks {
		out = append(out, InvalidationTarget{DistributionID: id, Paths: normalizePaths(p.paths)})
	}
	slices.SortFunc(out, func(a, b InvalidationTarget) int { return strings.Compare(a.DistributionID, b.DistributionID) })
	return out
}

// clip shortens s for error messages.
func clip(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	return source.Snippet([]byte(s), n)
}
