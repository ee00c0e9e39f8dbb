// Package route decides which destinations receive a deployment event: a
// Route is one destination's filters (events, applications, deployment
// groups, ECS services, accounts, regions), and Match says whether an event
// passes them and which filter matched or excluded it. Matching is pure.
package route

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/cutover-dev/cutover/internal/deploy"
)

// Route is one destination's filters. A nil list does not filter; every
// list that is set must match (one of its patterns), so the filters
// combine with AND and the patterns of one filter with OR.
type Route struct {
	// Events are the event names that notify (exact names, already
	// checked against the sources' names). Nil lets every event through.
	Events []string `json:"events,omitempty"`
	// Applications are patterns of application names.
	Applications []string `json:"applications,omitempty"`
	// DeploymentGroups are patterns of deployment group names.
	DeploymentGroups []string `json:"deployment_groups,omitempty"`
	// Services are "cluster/service" patterns of ECS services. Only
	// events about a target name a service: the others never match.
	Services []string `json:"services,omitempty"`
	// Accounts are patterns of 12-digit AWS account IDs.
	Accounts []string `json:"accounts,omitempty"`
	// Regions are patterns of AWS regions.
	Regions []string `json:"regions,omitempty"`
}

// The filters' names, as configuration spells them.
const (
	KeyEvents           = "events"
	KeyApplications     = "applications"
	KeyDeploymentGroups = "deployment_groups"
	KeyServices         = "services"
	KeyAccounts         = "accounts"
	KeyRegions          = "regions"
)

// filter is one pattern filter of a Route and how to read its field from
// an event.
type filter struct {
	key      string
	what     string
	patterns []string
	value    func(ev *deploy.Event) (string, bool)
}

func (r *Route) filters() []filter {
	return []filter{
		{KeyApplications, "application", r.Applications, func(ev *deploy.Event) (string, bool) { return ev.Application, ev.Application != "" }},
		{KeyDeploymentGroups, "deployment group", r.DeploymentGroups, func(ev *deploy.Event) (string, bool) {
			return ev.DeploymentGroup, ev.DeploymentGroup != ""
		}},
		{KeyServices, "service", r.Services, Service},
		{KeyAccounts, "account", r.Accounts, func(ev *deploy.Event) (string, bool) { return ev.AccountID, ev.AccountID != "" }},
		{KeyRegions, "region", r.Regions, func(ev *deploy.Event) (string, bool) { return ev.Region, ev.Region != "" }},
	}
}

// Service returns the event's ECS service as "cluster/service", and false
// when the event names none (CodeDeploy events about the whole deployment).
// An ECS-native event names the service it updates; a CodeDeploy target
// event names its target's.
func Service(ev *deploy.Event) (string, bool) {
	if ev.Cluster != "" && ev.Service != "" {
		return ev.Cluster + "/" + ev.Service, true
	}
	if ev.Target == nil || ev.Target.Cluster == "" || ev.Target.Service == "" {
		return "", false
	}
	return ev.Target.Cluster + "/" + ev.Target.Service, true
}

// Match reports whether ev passes every filter of r, and why: the filters
// that matched, or the first one that excluded it.
func (r *Route) Match(ev *deploy.Event) (bool, string) {
	var why []string
	if r.Events != nil {
		if !slices.Contains(r.Events, ev.Name) {
			return false, fmt.Sprintf("%s: %s is not listed", KeyEvents, quote(ev.Name))
		}
		why = append(why, fmt.Sprintf("%s: %s", KeyEvents, ev.Name))
	}
	for _, f := range r.filters() {
		if f.patterns == nil {
			continue
		}
		v, ok := f.value(ev)
		if !ok {
			reason := fmt.Sprintf("%s: the event names no %s", f.key, f.what)
			if f.key == KeyServices {
				reason += " (ECS-native events and CodeDeploy events about a target, such as InstanceSuccess, do)"
			}
			return false, reason
		}
		p, ok := match(f.patterns, v)
		if !ok {
			return false, fmt.Sprintf("%s: %s %s matches none of %s", f.key, f.what, v, strings.Join(f.patterns, ", "))
		}
		if p == v {
			why = append(why, fmt.Sprintf("%s: %s", f.key, v))
		} else {
			why = append(why, fmt.Sprintf("%s: %s matches %s", f.key, v, p))
		}
	}
	if len(why) == 0 {
		return true, "no filter: every event"
	}
	return true, strings.Join(why, "; ")
}

// match returns the first pattern that matches v.
func match(patterns []string, v string) (string, bool) {
	for _, p := range patterns {
		if ok, err := path.Match(p, v); err == nil && ok {
			return p, true
		}
	}
	return "", false
}

// quote shows an empty event name readably.
func quote(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// Validate reports, joined and each naming its key, every filter that can
// never match: an empty list, an empty or malformed pattern, a services
// entry without "/", an accounts entry that is neither 12 digits nor a
// pattern of digits. Events are checked by the caller, which knows the
// names.
func (r *Route) Validate() error {
	var errs []error
	if r.Events != nil && len(r.Events) == 0 {
		errs = append(errs, fmt.Errorf("%s: an empty list never matches (leave it out for the default events)", KeyEvents))
	}
	for _, f := range r.filters() {
		if f.patterns == nil {
			continue
		}
		if len(f.patterns) == 0 {
			errs = append(errs, fmt.Errorf("%s: an empty list never matches (leave it out to match every %s)", f.key, f.what))
			continue
		}
		for _, p := range f.patterns {
			if err := CheckPattern(f.key, p); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", f.key, err))
			}
		}
	}
	return errors.Join(errs...)
}

// CheckPattern checks one pattern of the filter called key: a glob (path.Match:
// "*", "?", "[...]") that can match something.
func CheckPattern(key, p string) error {
	if p == "" || strings.TrimSpace(p) != p {
		return fmt.Errorf("%q: an empty pattern or one with spaces around it never matches", clip(p))
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("%q is not a valid pattern (use * and ?)", clip(p))
	}
	switch key {
	case KeyServices:
		c, s, ok := strings.Cut(p, "/")
		if !ok || c == "" || s == "" || strings.Contains(s, "/") {
			return fmt.Errorf("%q is not cluster/service (e.g. prod/web or prod/*)", clip(p))
		}
	case KeyAccounts:
		meta := strings.ContainsAny(p, "*?[")
		for _, r := range p {
			if (r < '0' || r > '9') && !strings.ContainsRune("*?[]-", r) {
				return fmt.Errorf("%q is not a 12-digit account ID or a pattern of one", clip(p))
			}
		}
		if !meta && len(p) != 12 {
			return fmt.Errorf("%q is not a 12-digit account ID", clip(p))
		}
	case KeyApplications, KeyDeploymentGroups, KeyRegions:
		if strings.Contains(p, "/") {
			return fmt.Errorf("%q: names never contain /", clip(p))
		}
	}
	return nil
}

// clip shortens a pattern for messages.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
