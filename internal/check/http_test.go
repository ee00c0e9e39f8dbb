package check

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/check/checktest"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/secret"
)

// switched is an event at the traffic switch.
var switched = &deploy.Event{Name: "InstanceSuccess", Phase: deploy.TrafficSwitched, Platform: deploy.CodeDeployECS,
	Application: "shop", DeploymentGroup: "shop-prod", DeploymentID: "d-1", Region: "eu-west-1", AccountID: "111122223333"}

func httpSpec(url string) Spec {
	return Spec{Name: "ping", Type: TypeHTTP, URL: url, Method: "GET", Requests: 20, Timeout: 5 * time.Second, ExpectStatus: []int{200}}
}

func runSpecs(t *testing.T, specs ...Spec) []Result {
	t.Helper()
	c := New(specs, Deps{HTTP: NewHTTPClient()})
	return c.Run(context.Background(), switched).Results
}

func TestHTTPCheck(t *testing.T) {
	app := checktest.NewApp(t)
	tests := []struct {
		name   string
		faults checktest.Faults
		spec   func(*Spec)
		passed bool
		want   string
	}{
		{name: "healthy", spec: func(s *Spec) { s.BodyContains = "ok"; s.P99 = 10 * time.Second },
			passed: true, want: "GET /api/ping: 20 requests, all 200, p95 "},
		{name: "5xx", faults: checktest.Faults{Status: 503, Of: 3, Every: 20},
			want: "3 of 20 requests answered 503 on GET /api/ping (expected 200)"},
		{name: "two statuses", faults: checktest.Faults{Status: 500, Of: 1, Every: 10},
			spec: func(s *Spec) { s.ExpectStatus = []int{200, 204} },
			want: "2 of 20 requests answered 500 on GET /api/ping (expected 200 or 204)"},
		{name: "wrong body", faults: checktest.Faults{Body: "maintenance"},
			spec: func(s *Spec) { s.BodyContains = "ok" }, want: `body of GET /api/ping lacks "ok"`},
		{name: "some wrong bodies", faults: checktest.Faults{Body: "maintenance", Of: 1, Every: 4},
			spec: func(s *Spec) { s.BodyContains = "ok" }, want: `body of GET /api/ping lacks "ok" in 5 of 20 answers`},
		// Every request waits at least Delay, so p99 cannot be under it.
		{name: "slow p99", faults: checktest.Faults{Delay: 300 * time.Millisecond, Of: 1, Every: 20},
			spec: func(s *Spec) { s.P99 = 100 * time.Millisecond }, want: "above 100 ms budget on GET /api/ping, 20 requests"},
		{name: "slow p95", faults: checktest.Faults{Delay: 300 * time.Millisecond},
			spec: func(s *Spec) { s.P95 = 50 * time.Millisecond; s.Requests = 4 }, want: "above 50 ms budget on GET /api/ping, 4 requests"},
		{name: "timeout", faults: checktest.Faults{Delay: 2 * time.Second, Of: 2, Every: 20},
			spec: func(s *Spec) { s.Timeout = 200 * time.Millisecond },
			want: "2 of 20 requests got no answer on GET /api/ping (timed out after 200 ms)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app.SetFaults(tt.faults)
			s := httpSpec(app.URL + "/api/ping?token=SECRETQUERY")
			if tt.spec != nil {
				tt.spec(&s)
			}
			res := runSpecs(t, s)[0]
			if res.Passed != tt.passed || !strings.Contains(res.Summary, tt.want) {
				t.Errorf("passed %v summary %q, want %v and %q", res.Passed, res.Summary, tt.passed, tt.want)
			}
			if strings.Contains(res.Summary, "SECRET") || strings.Contains(res.Summary, "127.0.0.1") {
				t.Errorf("summary shows more than method and path: %q", res.Summary)
			}
			if res.Name != "ping" || res.Type != TypeHTTP {
				t.Errorf("result %+v", res)
			}
			if got := app.Requests(); got != s.Requests {
				t.Errorf("%d requests arrived, want %d", got, s.Requests)
			}
		})
	}
}

func TestHTTPCheckSendsHeaders(t *testing.T) {
	app := checktest.NewApp(t)
	s := httpSpec(app.URL + "/h")
	s.Requests = 2
	s.Headers = []Header{{Name: "Authorization", Value: secret.New("Bearer SECRETTOKEN")}, {Name: "X-Env", Value: secret.New("prod")}}
	res := runSpecs(t, s)[0]
	if !res.Passed {
		t.Fatalf("%+v", res)
	}
	for _, h := range app.Headers() {
		if h.Get("Authorization") != "Bearer SECRETTOKEN" || h.Get("X-Env") != "prod" || h.Get("User-Agent") != "cutover-check" {
			t.Errorf("headers %v", h)
		}
	}
	if strings.Contains(res.Summary, "SECRET") {
		t.Errorf("summary %q", res.Summary)
	}
}

func TestHTTPCheckConnectionRefused(t *testing.T) {
	app := checktest.NewApp(t)
	url := app.URL
	app.Close()
	s := httpSpec(url + "/x?k=SECRET")
	s.Requests = 3
	res := runSpecs(t, s)[0]
	if res.Passed || res.Summary != "3 of 3 requests got no answer on GET /x (connection refused)" {
		t.Errorf("%+v", res)
	}
}

func TestHTTPCheckDeadline(t *testing.T) {
	app := checktest.NewApp(t)
	app.SetFaults(checktest.Faults{Delay: 5 * time.Second})
	s := httpSpec(app.URL + "/slow")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	res := New([]Spec{s}, Deps{HTTP: NewHTTPClient()}).Run(ctx, switched).Results[0]
	if res.Passed || !strings.Contains(res.Summary, "got no answer") || !strings.Contains(res.Summary, "out of time") {
		t.Errorf("%+v", res)
	}
	// Cut short by the check's deadline, not by the request's own
	// timeout: the summary must not claim the timeout elapsed.
	if strings.Contains(res.Summary, "timed out after") {
		t.Errorf("summary %q claims the request's timeout elapsed", res.Summary)
	}
}

func TestPercentileNearestRank(t *testing.T) {
	var s []time.Duration
	for i := 20; i >= 1; i-- {
		s = append(s, time.Duration(i)*time.Millisecond)
	}
	for _, tt := range []struct {
		p    float64
		want time.Duration
	}{{95, 19 * time.Millisecond}, {99, 20 * time.Millisecond}, {50, 10 * time.Millisecond}, {5, time.Millisecond}, {100, 20 * time.Millisecond}} {
		if got := Percentile(s, tt.p); got != tt.want {
			t.Errorf("p%v = %v, want %v", tt.p, got, tt.want)
		}
	}
	if Percentile(nil, 99) != 0 {
		t.Error("no samples")
	}
	if got := Percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("one sample: %v", got)
	}
	// 200 samples: p99 is the 198th smallest.
	s = nil
	for i := 1; i <= 200; i++ {
		s = append(s, time.Duration(i))
	}
	if got := Percentile(s, 99); got != 198 {
		t.Errorf("p99 of 200 = %v", got)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		41 * time.Millisecond: "41 ms", 2400 * time.Millisecond: "2.4 s", 999700 * time.Microsecond: "1.0 s",
		0: "0 ms", 800 * time.Millisecond: "800 ms", 61 * time.Second: "61.0 s",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
}

func TestTargetHidesQuery(t *testing.T) {
	for _, tt := range []struct {
		s    Spec
		want string
	}{
		{Spec{Method: "GET", URL: "https://h.example.com/a/b?token=x"}, "GET /a/b"},
		{Spec{Method: "POST", URL: "https://h.example.com"}, "POST /"},
		{Spec{Method: "GET", Listener: "test", Path: "/p?k=v"}, "GET /p"},
	} {
		if got := tt.s.Target(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.s, got, tt.want)
		}
	}
}
