package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/route"
	"github.com/cutover-dev/cutover/internal/secret"
)

// The variables of the checks at the traffic switch.
const (
	// EnvChecks is the JSON list of checks (package check).
	EnvChecks = "CUTOVER_CHECKS"
	// EnvChecksParameter is the SSM parameter that holds the same JSON.
	EnvChecksParameter = "CUTOVER_CHECKS_PARAMETER"
)

// checkJSON is one check as written: these key names are the contract
// shared by the docs (docs/checks.md), the Terraform module and the tests.
type checkJSON struct {
	Name         string                     `json:"name"`
	Type         string                     `json:"type"`
	URL          string                     `json:"url"`
	Listener     string                     `json:"listener"`
	Path         string                     `json:"path"`
	Method       string                     `json:"method"`
	Headers      map[string]json.RawMessage `json:"headers"`
	Requests     *int                       `json:"requests"`
	TimeoutMS    *int                       `json:"timeout_ms"`
	ExpectStatus json.RawMessage            `json:"expect_status"`
	BodyContains string                     `json:"body_contains"`
	P95MS        *int                       `json:"p95_ms"`
	P99MS        *int                       `json:"p99_ms"`
	AlarmNames   []string                   `json:"alarm_names"`

	Events           []string `json:"events"`
	Applications     []string `json:"applications"`
	DeploymentGroups []string `json:"deployment_groups"`
	Services         []string `json:"services"`
	Accounts         []string `json:"accounts"`
	Regions          []string `json:"regions"`
}

// checkName is what a check's name may be.
var checkName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 _.-]{0,63}$`) })

// headerName is an HTTP header name (RFC 9110 token).
var headerName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$") })

// SetChecks parses and validates raw, the JSON list of checks, the way
// Load does for CUTOVER_CHECKS, and sets c.Checks. from names where it
// came from in errors. It is for CUTOVER_CHECKS_PARAMETER, whose value
// app.Build reads at start. Every problem is reported at once, naming the
// check; header values never are.
func (c *Config) SetChecks(from, raw string) error {
	specs, errs := c.parseChecks(raw)
	if len(errs) > 0 {
		for i, err := range errs {
			errs[i] = fmt.Errorf("%s: %w", from, err)
		}
		return errors.Join(errs...)
	}
	c.Checks = specs
	return nil
}

// parseChecksEnv reads CUTOVER_CHECKS and CUTOVER_CHECKS_PARAMETER.
func (c *Config) parseChecksEnv(get func(string) string) []error {
	var errs []error
	c.ChecksParameter = get(EnvChecksParameter)
	if ref := c.ChecksParameter; ref != "" {
		if err := secret.CheckRef(ref); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvChecksParameter, err))
			c.ChecksParameter = ""
		}
	}
	if v := get(EnvChecks); v != "" {
		if get(EnvChecksParameter) != "" {
			errs = append(errs, fmt.Errorf("%s: set either it or %s, not both", EnvChecksParameter, EnvChecks))
		}
		specs, cerrs := c.parseChecks(v)
		for _, err := range cerrs {
			errs = append(errs, fmt.Errorf("%s: %w", EnvChecks, err))
		}
		c.Checks = specs
	}
	return errs
}

// parseChecks decodes and checks raw, returning every problem.
func (c *Config) parseChecks(raw string) ([]check.Spec, []error) {
	entries, err := decodeStrict[[]checkJSON](raw, `a JSON list of checks like [{"name":"ping","type":"http","listener":"production","path":"/health"}]`)
	if err != nil {
		return nil, []error{err}
	}
	if len(entries) == 0 {
		return nil, []error{errors.New("an empty list: give at least one check, or unset it")}
	}
	var (
		errs []error
		out  []check.Spec
		seen = map[string]bool{}
	)
	for i, e := range entries {
		bad := entryProblems(&errs, "check", i, e.Name, checkName().MatchString(e.Name))
		switch {
		case e.Name == "":
			bad("no name (messages show it: a short name like \"api-ping\")")
		case !checkName().MatchString(e.Name):
			bad("name %q: use letters, digits, space, ., - and _ (at most 64)", clip(e.Name))
		case seen[e.Name]:
			bad("the name is used twice")
		}
		seen[e.Name] = true
		s := check.Spec{Name: e.Name, Type: e.Type}
		httpKeys := map[string]bool{
			"url": e.URL != "", "listener": e.Listener != "", "path": e.Path != "", "method": e.Method != "",
			"headers": e.Headers != nil, "requests": e.Requests != nil, "timeout_ms": e.TimeoutMS != nil,
			"expect_status": e.ExpectStatus != nil, "body_contains": e.BodyContains != "",
			"p95_ms": e.P95MS != nil, "p99_ms": e.P99MS != nil,
		}
		switch e.Type {
		case check.TypeHTTP:
			c.parseHTTPCheck(&s, &e, bad)
			if e.AlarmNames != nil {
				bad("alarm_names belongs to type %s checks", check.TypeAlarms)
			}
		case check.TypeAlarms:
			for _, k := range slices.Sorted(mapKeys(httpKeys)) {
				if httpKeys[k] {
					bad("%s belongs to type %s checks", k, check.TypeHTTP)
				}
			}
			switch {
			case len(e.AlarmNames) == 0:
				bad("alarm_names: give the CloudWatch alarms that must not be in ALARM")
			case len(e.AlarmNames) > check.MaxAlarms:
				bad("alarm_names: %d alarms, at most %d", len(e.AlarmNames), check.MaxAlarms)
			}
			for _, n := range e.AlarmNames {
				if n = strings.TrimSpace(n); n == "" || len(n) > 255 {
					bad("alarm_names: %q is no alarm name (1 to 255 characters)", clip(n))
					continue
				}
				if !slices.Contains(s.AlarmNames, n) {
					s.AlarmNames = append(s.AlarmNames, n)
				}
			}
		case "":
			bad("no type (known: %s, %s)", check.TypeHTTP, check.TypeAlarms)
		default:
			bad("unknown type %q (known: %s, %s)", clip(e.Type), check.TypeHTTP, check.TypeAlarms)
		}
		s.Route = route.Route{
			Applications: e.Applications, DeploymentGroups: e.DeploymentGroups, Services: e.Services,
			Accounts: e.Accounts, Regions: e.Regions,
		}
		if e.Events != nil {
			if len(e.Events) == 0 {
				bad("events: an empty list never matches (leave it out to run at the traffic switch)")
			}
			s.Route.Events = []string{}
			for _, p := range e.Events {
				names, ok := c.eventsMatching(p)
				if !ok && len(c.known) > 0 {
					bad("events: %q is no event (known: %s)", clip(p), c.knownNames())
					continue
				}
				if len(c.known) == 0 {
					names = []string{strings.TrimSpace(p)}
				}
				for _, n := range names {
					if !slices.Contains(s.Route.Events, n) {
						s.Route.Events = append(s.Route.Events, n)
					}
				}
			}
		}
		rt := s.Route
		rt.Events = nil
		if err := rt.Validate(); err != nil {
			for _, e := range unjoin(err) {
				bad("%v", e)
			}
		}
		out = append(out, s)
	}
	return out, errs
}

// parseHTTPCheck fills the HTTP part of s from e.
func (c *Config) parseHTTPCheck(s *check.Spec, e *checkJSON, bad func(string, ...any)) {
	switch {
	case e.URL != "" && e.Listener != "":
		bad("give either url or listener, not both")
	case e.URL != "":
		u, err := url.Parse(strings.TrimSpace(e.URL))
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			// Never echo the URL: its query string may hold a token.
			bad("url: not an http(s) URL with a host")
		case u.User != nil:
			bad("url: credentials in the URL are refused: send them in a header by secret reference")
		default:
			s.URL = u.String()
		}
		if e.Path != "" {
			bad("path: only with listener (put the path in url)")
		}
	case e.Listener == check.ListenerProduction || e.Listener == check.ListenerTest:
		s.Listener = e.Listener
		s.Path = "/"
		if e.Path != "" {
			if !strings.HasPrefix(e.Path, "/") || strings.ContainsAny(e.Path, " \t\r\n#") {
				bad("path: starts with / and holds no spaces or #")
			}
			s.Path = e.Path
		}
	case e.Listener != "":
		bad("listener %q: %s or %s", clip(e.Listener), check.ListenerProduction, check.ListenerTest)
	default:
		bad("give url, or listener (%s or %s) to discover it from the deployment's load balancer", check.ListenerProduction, check.ListenerTest)
	}
	s.Method = http.MethodGet
	if m := strings.ToUpper(strings.TrimSpace(e.Method)); m != "" {
		if !slices.Contains([]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}, m) {
			bad("method %q: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS", clip(e.Method))
		}
		s.Method = m
	}
	for _, name := range slices.Sorted(mapKeys(e.Headers)) {
		label := name
		if !headerName().MatchString(name) {
			bad("headers: %q is no header name", clip(name))
			continue
		}
		h := check.Header{Name: http.CanonicalHeaderKey(name)}
		raw := bytes.TrimSpace(e.Headers[name])
		var plain string
		var ref struct {
			Secret string `json:"secret"`
		}
		switch {
		case json.Unmarshal(raw, &plain) == nil:
			if plain == "" || strings.ContainsAny(plain, "\r\n") {
				bad("headers: %s: an empty value or one with a line break", label)
			} else if credentialHeader(h.Name, plain) {
				bad(`headers: %s: this value looks like a credential and would sit in plain text in the environment, SSM and Terraform state; store it in Secrets Manager or an SSM SecureString and give {"secret": "<ARN or parameter name>"}`, label)
			}
			h.Value = secret.New(plain)
		case len(raw) > 0 && raw[0] == '{':
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&ref); err != nil || ref.Secret == "" {
				bad(`headers: %s: give a string or {"secret": "<Secrets Manager ARN or SSM parameter>"}`, label)
				continue
			}
			if err := secret.CheckRef(strings.TrimSpace(ref.Secret)); err != nil {
				bad("headers: %s: secret: %v", label, err)
				continue
			}
			h.Ref = strings.TrimSpace(ref.Secret)
		default:
			bad(`headers: %s: give a string or {"secret": "<Secrets Manager ARN or SSM parameter>"}`, label)
		}
		s.Headers = append(s.Headers, h)
	}
	s.Requests = check.DefaultRequests
	if e.Requests != nil {
		if *e.Requests < 1 || *e.Requests > check.MaxRequests {
			bad("requests: %d is not between 1 and %d", *e.Requests, check.MaxRequests)
		}
		s.Requests = *e.Requests
	}
	s.Timeout = check.DefaultTimeout
	if e.TimeoutMS != nil {
		if *e.TimeoutMS < 1 || time.Duration(*e.TimeoutMS)*time.Millisecond > check.MaxTimeout {
			bad("timeout_ms: %d is not between 1 and %d", *e.TimeoutMS, check.MaxTimeout.Milliseconds())
		}
		s.Timeout = time.Duration(*e.TimeoutMS) * time.Millisecond
	}
	s.ExpectStatus = []int{http.StatusOK}
	if raw := bytes.TrimSpace(e.ExpectStatus); len(raw) > 0 {
		var one int
		var list []int
		switch {
		case json.Unmarshal(raw, &one) == nil:
			list = []int{one}
		case json.Unmarshal(raw, &list) == nil:
		default:
			bad("expect_status: a status such as 200, or a list such as [200, 204]")
		}
		if list != nil && len(list) == 0 {
			bad("expect_status: an empty list never passes")
		}
		for _, st := range list {
			if st < 100 || st > 599 {
				bad("expect_status: %d is no HTTP status", st)
			}
		}
		if len(list) > 0 {
			s.ExpectStatus = list
		}
	}
	s.BodyContains = e.BodyContains
	if s.BodyContains != "" && s.Method == http.MethodHead {
		bad("body_contains: a HEAD answer has no body")
	}
	for _, p := range []struct {
		key string
		v   *int
		d   *time.Duration
	}{{"p95_ms", e.P95MS, &s.P95}, {"p99_ms", e.P99MS, &s.P99}} {
		if p.v == nil {
			continue
		}
		if *p.v < 1 || *p.v > 600000 {
			bad("%s: %d is not between 1 and 600000", p.key, *p.v)
		}
		*p.d = time.Duration(*p.v) * time.Millisecond
	}
}

// mapKeys returns m's keys.
func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// credentialHeaders are the headers whose every value is a credential.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "X-Api-Key", "X-Auth-Token", "Api-Key"}

// credentialHeader reports whether a plain header value looks like a
// credential: any value of a credential header (name canonical), or a value
// with an HTTP authentication scheme (Bearer, Basic, Token). Such a value
// must be given as {"secret": …}: CUTOVER_CHECKS is no secret store.
func credentialHeader(name, value string) bool {
	if slices.Contains(credentialHeaders, name) {
		return true
	}
	v := strings.ToLower(strings.TrimSpace(value))
	for _, scheme := range []string{"bearer ", "basic ", "token "} {
		if strings.HasPrefix(v, scheme) {
			return true
		}
	}
	return false
}
