package config

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/check"
)

func TestChecks(t *testing.T) {
	c, err := load(envOf(map[string]string{EnvChecks: `[
		{"name":"api-ping","type":"http","listener":"production","path":"/api/ping","requests":20,"p95_ms":300,"p99_ms":800,
		 "headers":{"authorization":{"secret":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:cutover/ping-AbCdEf"},"X-Env":"prod"},
		 "expect_status":[200,204],"body_contains":"ok","services":["prod/*"]},
		{"name":"health","type":"http","url":"https://api.example.com/health?token=SECRETQUERY","method":"head","expect_status":204,"timeout_ms":1500,
		 "events":["InstanceSuccess"]},
		{"name":"alarms","type":"alarms","alarm_names":["api-5xx","api-latency","api-5xx"],"applications":["shop-*"]}
	]`}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Checks) != 3 {
		t.Fatalf("checks %+v", c.Checks)
	}
	ping, health, alarms := c.Checks[0], c.Checks[1], c.Checks[2]
	if ping.Listener != check.ListenerProduction || ping.Path != "/api/ping" || ping.Method != "GET" || ping.Requests != 20 ||
		ping.P95 != 300*time.Millisecond || ping.P99 != 800*time.Millisecond || !slices.Equal(ping.ExpectStatus, []int{200, 204}) ||
		ping.BodyContains != "ok" || ping.Timeout != check.DefaultTimeout || ping.Route.Events != nil {
		t.Errorf("api-ping %+v", ping)
	}
	if len(ping.Headers) != 2 || ping.Headers[0].Name != "X-Env" || ping.Headers[0].Value.Reveal() != "prod" ||
		ping.Headers[1].Name != "Authorization" || ping.Headers[1].Ref == "" || !ping.Headers[1].Value.IsZero() {
		// Sorted by the name as written: "X-Env" < "authorization".
		t.Errorf("headers %+v", ping.Headers)
	}
	if health.Method != "HEAD" || !slices.Equal(health.ExpectStatus, []int{204}) || health.Requests != check.DefaultRequests ||
		health.Timeout != 1500*time.Millisecond || !slices.Equal(health.Route.Events, []string{"InstanceSuccess"}) {
		t.Errorf("health %+v", health)
	}
	if got := health.Target(); got != "HEAD /health" {
		t.Errorf("target %q shows more than method and path", got)
	}
	if !slices.Equal(alarms.AlarmNames, []string{"api-5xx", "api-latency"}) {
		t.Errorf("alarms %+v", alarms)
	}
}

// TestChecksEveryProblemAtOnce proves every invalid key is named with its
// check, and no header value, secret reference value or URL is echoed.
func TestChecksEveryProblemAtOnce(t *testing.T) {
	_, err := load(envOf(map[string]string{EnvChecks: `[
		{"name":"a","type":"http"},
		{"name":"a","type":"http","url":"ftp://x.example.com/SECRETPATH?t=SECRETQUERY","listener":"test"},
		{"name":"b","type":"http","listener":"canary","requests":0,"p99_ms":-1,"expect_status":[],"method":"BREW",
		 "headers":{"Authorization":"Bearer SECRETTOKEN\n","X-Key":{"secret":"SECRETTOKENVALUE123456789012345678901234"},"bad header":"x"}},
		{"name":"c","type":"alarms","url":"https://x.example.com/","alarm_names":[]},
		{"name":"d","type":"pager","events":["NoSuchEvent"],"accounts":["12"]},
		{"name":"e","type":"http","url":"https://x.example.com/","method":"HEAD","body_contains":"ok"},
		{"type":"http","url":"https://user:SECRETPASS@x.example.com/"}
	]`}))
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"check a: give url, or listener",
		"check a: the name is used twice",
		"check a: give either url or listener",
		"check b: listener \"canary\"",
		"check b: requests: 0",
		"check b: p99_ms: -1",
		"check b: expect_status: an empty list",
		"check b: method \"BREW\"",
		"check b: headers: Authorization: an empty value or one with a line break",
		"check b: headers: X-Key: secret:",
		"check b: headers: \"bad header\" is no header name",
		"check c: url belongs to type http checks",
		"check c: alarm_names: give",
		"check d: unknown type \"pager\"",
		"check d: events: \"NoSuchEvent\" is no event",
		"check d: accounts:",
		"check e: body_contains: a HEAD answer has no body",
		"check 7: no name",
		"check 7: url: credentials in the URL are refused",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "SECRET") {
		t.Errorf("a secret is echoed:\n%s", msg)
	}
}

func TestChecksParameter(t *testing.T) {
	c, err := load(envOf(map[string]string{EnvChecksParameter: "/cutover/checks"}))
	if err != nil || c.ChecksParameter != "/cutover/checks" {
		t.Fatalf("%v %q", err, c.ChecksParameter)
	}
	if err := c.SetChecks(EnvChecksParameter+" (/cutover/checks)", `[{"name":"x","type":"alarms"}]`); err == nil ||
		!strings.Contains(err.Error(), "CUTOVER_CHECKS_PARAMETER (/cutover/checks): check x: alarm_names") {
		t.Errorf("error %v", err)
	}
	if err := c.SetChecks("p", `[{"name":"x","type":"alarms","alarm_names":["a"]}]`); err != nil || len(c.Checks) != 1 {
		t.Errorf("%v %+v", err, c.Checks)
	}
	_, err = load(envOf(map[string]string{EnvChecksParameter: "/cutover/checks", EnvChecks: `[{"name":"x","type":"alarms","alarm_names":["a"]}]`}))
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Errorf("both: %v", err)
	}
}

func FuzzChecks(f *testing.F) {
	f.Add(`[{"name":"a","type":"http","listener":"production","path":"/x","requests":5,"p99_ms":800,"expect_status":[200,204]}]`)
	f.Add(`[{"name":"b","type":"http","url":"https://x.example.com/h?k=v","headers":{"A":{"secret":"/x/y"},"B":"c"},"events":["Instance*"]}]`)
	f.Add(`[{"name":"c","type":"alarms","alarm_names":["a","b"],"regions":["eu-[a-"]}]`)
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := load(envOf(map[string]string{EnvChecks: raw}))
		if c == nil {
			t.Fatal("Load returned no config")
		}
		if err != nil {
			for _, s := range c.Checks {
				for _, h := range s.Headers {
					if v := h.Value.Reveal(); len(v) > 12 && strings.Contains(err.Error(), v) {
						t.Fatalf("error echoes a header value: %v", err)
					}
				}
			}
			return
		}
		for _, s := range c.Checks {
			switch s.Type {
			case check.TypeHTTP:
				if (s.URL == "") == (s.Listener == "") || s.Requests < 1 || s.Requests > check.MaxRequests || len(s.ExpectStatus) == 0 || s.Timeout <= 0 {
					t.Fatalf("accepted an invalid http check %+v", s)
				}
			case check.TypeAlarms:
				if len(s.AlarmNames) == 0 {
					t.Fatalf("accepted an alarms check without alarms %+v", s)
				}
			default:
				t.Fatalf("accepted type %q", s.Type)
			}
			if err := s.Route.Validate(); err != nil {
				t.Fatalf("accepted a route that never matches: %v", err)
			}
		}
	})
}

// TestChecksRefuseCredentialHeaderValues proves a plain header value that
// looks like a credential is refused with a pointer to {"secret": …},
// without echoing it, while ordinary plain values and references pass.
func TestChecksRefuseCredentialHeaderValues(t *testing.T) {
	for _, h := range []string{
		`{"Authorization":"SECRETVALUE"}`,
		`{"x-api-key":"SECRETVALUE"}`,
		`{"Cookie":"session=SECRETVALUE"}`,
		`{"X-Forward-Auth":"Bearer SECRETVALUE"}`,
		`{"X-Upstream":"  basic SECRETVALUE"}`,
	} {
		_, err := load(envOf(map[string]string{EnvChecks: `[{"name":"p","type":"http","url":"https://x.example.com/","headers":` + h + `}]`}))
		if err == nil {
			t.Errorf("%s: accepted", h)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "looks like a credential") || !strings.Contains(msg, `{"secret":`) || strings.Contains(msg, "SECRETVALUE") {
			t.Errorf("%s: %s", h, msg)
		}
	}
	c, err := load(envOf(map[string]string{EnvChecks: `[{"name":"p","type":"http","url":"https://x.example.com/",
		"headers":{"X-Env":"prod","Accept":"application/json","Authorization":{"secret":"/cutover/ping-token"}}}]`}))
	if err != nil || len(c.Checks) != 1 || len(c.Checks[0].Headers) != 3 {
		t.Fatalf("%v %+v", err, c)
	}
}
