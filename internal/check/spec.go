package check

import (
	"net/url"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/route"
	"github.com/cutover-dev/cutover/internal/secret"
)

// Listeners a check can discover its URL from.
const (
	// ListenerProduction is the listener that serves production traffic.
	ListenerProduction = "production"
	// ListenerTest is the test listener of a blue/green deployment.
	ListenerTest = "test"
)

// Defaults and bounds of the configuration.
const (
	// DefaultRequests is how many requests an HTTP check sends.
	DefaultRequests = 10
	// MaxRequests bounds requests.
	MaxRequests = 1000
	// DefaultTimeout bounds one request.
	DefaultTimeout = 5 * time.Second
	// MaxTimeout bounds timeout_ms.
	MaxTimeout = 60 * time.Second
	// MaxAlarms bounds alarm_names (one DescribeAlarms call).
	MaxAlarms = 100
	// Concurrency is how many requests of one HTTP check are in flight.
	Concurrency = 10
)

// Header is one request header; Value is read from Ref at start when the
// header is configured by reference.
type Header struct {
	// Name is the header's name, e.g. "Authorization".
	Name string
	// Value is the header's value; never printed.
	Value secret.Value
	// Ref references the value in Secrets Manager or SSM, or "".
	Ref string
}

// Spec is one validated check of CUTOVER_CHECKS.
type Spec struct {
	// Name is the check's name, unique.
	Name string
	// Type is TypeHTTP or TypeAlarms.
	Type string

	// URL is the address an HTTP check requests (it may carry a token in
	// its query string, so only its path is ever shown), or "".
	URL string
	// Listener is ListenerProduction or ListenerTest when the URL is
	// discovered from the deployment's load balancer, or "".
	Listener string
	// Path is requested on a discovered listener (default "/").
	Path string
	// Method is the HTTP method (default GET).
	Method string
	// Headers are sent with every request, sorted by name.
	Headers []Header
	// Requests is how many requests are sent.
	Requests int
	// Timeout bounds each request (within the context's deadline).
	Timeout time.Duration
	// ExpectStatus are the statuses that pass (default 200).
	ExpectStatus []int
	// BodyContains must appear in every answer's body, or "".
	BodyContains string
	// P95 and P99 are latency budgets (nearest-rank percentiles); zero
	// means none.
	P95, P99 time.Duration

	// AlarmNames are the CloudWatch alarms that must not be in ALARM.
	AlarmNames []string

	// Route selects the events the check runs for. A nil Events runs it
	// for events where production traffic switched.
	Route route.Route
}

// Target is what an HTTP check requests, as it may be shown: the method
// and the path, never the host's query string or the headers.
func (s *Spec) Target() string {
	p := s.Path
	if s.URL != "" {
		p = "/"
		if u, err := url.Parse(s.URL); err == nil && u.Path != "" {
			p = u.EscapedPath()
		}
	}
	p, _, _ = strings.Cut(p, "?")
	if p == "" {
		p = "/"
	}
	return s.Method + " " + p
}
