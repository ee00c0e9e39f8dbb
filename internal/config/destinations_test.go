package config

import (
	"slices"
	"strings"
	"testing"
)

// testTypes are the destination types the issue names, as
// app.Destinations().Names() will list them.
var testTypes = []string{"discord", "googlechat", "slack", "slack-app", "teams", "webhook"}

func TestDestinations(t *testing.T) {
	c, err := load(envOf(map[string]string{EnvDestinations: `[
		{"name":"team-a","type":"slack","url_secret":"/cutover/team-a","applications":["shop-*"],"mention":["@here"]},
		{"name":"oncall","type":"webhook","url":"https://hooks.example.com/in","signing_secret_secret":"arn:aws:secretsmanager:eu-west-1:111122223333:secret:sign-AbCdEf",
		 "events":["DeploymentFailure","deploymentstop","Instance*"]},
		{"name":"prod_teams","type":"teams","url_secret":"arn:aws:ssm:eu-west-1:111122223333:parameter/cutover/teams",
		 "accounts":["111122223333"],"regions":["eu-*"],"services":["prod/*"],"deployment_groups":["*-prod"]}
	]`}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Destinations) != 3 {
		t.Fatalf("destinations %+v", c.Destinations)
	}
	a, hook, teams := c.Destinations[0], c.Destinations[1], c.Destinations[2]
	if a.Name != "team-a" || a.Type != "slack" || a.URLSecret != "/cutover/team-a" || !slices.Equal(a.Mentions, []string{"@here"}) ||
		!slices.Equal(a.Route.Applications, []string{"shop-*"}) {
		t.Errorf("team-a %+v", a)
	}
	if !sameSet(a.Route.Events, DefaultEvents) {
		t.Errorf("an entry without events gets the defaults, got %v", a.Route.Events)
	}
	if hook.URL.Reveal() != "https://hooks.example.com/in" || hook.SigningSecretRef == "" {
		t.Errorf("webhook %+v", hook)
	}
	if want := []string{"DeploymentFailure", "DeploymentStop", "InstanceStart", "InstanceSuccess", "InstanceFailure", "InstanceReady"}; !sameSet(hook.Route.Events, want) {
		t.Errorf("webhook events %v, want %v", hook.Route.Events, want)
	}
	if teams.URLSecret == "" || !slices.Equal(teams.Route.Accounts, []string{"111122223333"}) {
		t.Errorf("teams %+v", teams)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(a, b)
}

// TestDestinationsEveryProblemAtOnce proves each invalid entry is named
// with every problem, and no secret value is echoed.
func TestDestinationsEveryProblemAtOnce(t *testing.T) {
	_, err := load(envOf(map[string]string{
		EnvSlackWebhookURL: "https://hooks.slack.com/services/T/B/LEGACYSECRET",
		EnvDestinations: `[
		{"name":"slack","type":"slack","url":"https://hooks.slack.com/services/T/B/SECRETONE"},
		{"name":"dup","type":"slack","url_secret":"https://hooks.slack.com/services/T/B/SECRETTWO"},
		{"name":"dup","type":"pager","url":"https://x.example.com/a","url_secret":"/cutover/x"},
		{"name":"Bad Name","type":"teams"},
		{"name":"hook","type":"webhook","url":"https://x.example.com/hook"},
		{"name":"filters","type":"discord","url_secret":"/cutover/d","applications":[],"deployment_groups":["a["],
		 "services":["web"],"accounts":["1234","abc"],"regions":[""],"events":["Bogus","Deploy*"]},
		{"name":"unsigned","type":"teams","url_secret":"/cutover/t","signing_secret":"SECRETTHREE"}
	]`}))
	if err == nil {
		t.Fatal("want errors")
	}
	msg := err.Error()
	for _, want := range []string{
		`destination slack: the name "slack" is the destination of CUTOVER_SLACK_WEBHOOK_URL`,
		"destination dup: url_secret: looks like a URL",
		"destination dup: the name is used twice",
		`destination dup: unknown type "pager" (known: discord, googlechat, slack, slack-app, teams, webhook)`,
		"destination dup: give either url or url_secret, not both",
		`destination 4: name "Bad Name"`,
		"destination 4: give url_secret",
		"destination hook: type webhook signs every request",
		"destination filters: applications: an empty list never matches",
		`destination filters: deployment_groups: "a[" is not a valid pattern`,
		`destination filters: services: "web" is not cluster/service`,
		`destination filters: accounts: "1234" is not a 12-digit account ID`,
		`destination filters: accounts: "abc" is not a 12-digit`,
		`destination filters: regions: "": an empty pattern`,
		`destination filters: events: "Bogus" is no event`,
		"destination unsigned: type teams does not sign requests",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	for _, s := range []string{"LEGACYSECRET", "SECRETONE", "SECRETTWO", "SECRETTHREE"} {
		if strings.Contains(msg, s) {
			t.Errorf("a secret (%s) was echoed:\n%s", s, msg)
		}
	}
	if !strings.HasPrefix(msg, "config: ") || strings.Count(msg, EnvDestinations+": ") < 16 {
		t.Errorf("every problem should name %s:\n%s", EnvDestinations, msg)
	}
}

func TestDestinationsJSON(t *testing.T) {
	for raw, want := range map[string]string{
		`[{"name":"a","type":"slack","url_secret":"/x","chanel":"#ops"}]`: `unknown field "chanel"`,
		`{"name":"a"}`: "not a JSON list",
		`[{"name":"a","type":"slack","url":"https://SECRETX.example.com/x"`: "invalid JSON",
		`[{"name":"a","type":"slack","url_secret":"/x"}] []`:                "unexpected data",
		`[]`: "an empty list",
		`[{"name":"a","type":"slack","url_secret":"/x","events":"InstanceSuccess"}]`: "events: a JSON string where a []string belongs",
	} {
		_, err := load(envOf(map[string]string{EnvDestinations: raw}))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", raw, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRETX") {
			t.Errorf("%s: echoed: %v", raw, err)
		}
	}
}

func TestDestinationsParameter(t *testing.T) {
	c, err := load(envOf(map[string]string{EnvDestinationsParameter: "/cutover/destinations"}))
	if err != nil || c.DestinationsParameter != "/cutover/destinations" || c.Destinations != nil {
		t.Fatalf("%+v %v", c, err)
	}
	// app.Build reads the parameter, then validates it exactly like the
	// variable.
	err = c.SetDestinations(EnvDestinationsParameter, `[{"name":"a","type":"nope","url_secret":"/x"}]`)
	if err == nil || !strings.Contains(err.Error(), EnvDestinationsParameter+`: destination a: unknown type "nope"`) || c.Destinations != nil {
		t.Errorf("bad JSON from the parameter: %v", err)
	}
	if err := c.SetDestinations(EnvDestinationsParameter, `[{"name":"a","type":"teams","url_secret":"/x"}]`); err != nil || len(c.Destinations) != 1 {
		t.Errorf("good JSON from the parameter: %v", err)
	}

	_, err = load(envOf(map[string]string{
		EnvDestinationsParameter: "https://hooks.slack.com/services/T/B/SECRETP",
		EnvDestinations:          `[{"name":"a","type":"slack","url_secret":"/x"}]`,
	}))
	if err == nil || !strings.Contains(err.Error(), "not both") || !strings.Contains(err.Error(), "looks like a URL") || strings.Contains(err.Error(), "SECRETP") {
		t.Errorf("bad parameter: %v", err)
	}
}

// FuzzDestinations feeds arbitrary JSON to CUTOVER_DESTINATIONS: Load never
// panics, never echoes a url, and what it accepts is valid.
func FuzzDestinations(f *testing.F) {
	f.Add(`[{"name":"a","type":"slack","url":"https://hooks.slack.com/services/T/B/X","applications":["web-*"]}]`)
	f.Add(`[{"name":"w","type":"webhook","url_secret":"/x","signing_secret":"s","services":["prod/*"],"accounts":["1111*"]}]`)
	f.Add(`[{"name":"a","type":"slack","url_secret":"/x","events":["Deploy*"],"regions":["eu-[a-"]}]`)
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := load(envOf(map[string]string{EnvDestinations: raw}))
		if c == nil {
			t.Fatal("Load returned no config")
		}
		if err != nil {
			for _, d := range c.Destinations {
				if u := d.URL.Reveal(); len(u) > 12 && strings.Contains(err.Error(), u) {
					t.Fatalf("error echoes a url: %v", err)
				}
			}
			return
		}
		for _, d := range c.Destinations {
			if d.Name == "" || (d.URL.IsZero() == (d.URLSecret == "")) || len(d.Route.Events) == 0 {
				t.Fatalf("accepted an invalid destination %+v", d)
			}
			if err := d.Route.Validate(); err != nil {
				t.Fatalf("accepted a route that never matches: %v", err)
			}
		}
	})
}

// TestCheckWebhookURLNeverEchoes: a value that is not an https URL (a
// token pasted in the wrong place, a URL with another scheme) is refused
// without any part of it in the error.
func TestCheckWebhookURLNeverEchoes(t *testing.T) {
	for _, v := range []string{"xoxb-1234-SECRETPART:x@hooks.slack.com/services/T/B/SECRETPART", "ftp://hooks.slack.com/SECRETPART", "SECRETPART", "hooks.slack.com/services/T/B/SECRETPART"} {
		err := CheckWebhookURL(v)
		if err == nil {
			t.Errorf("%q accepted", v)
			continue
		}
		if strings.Contains(err.Error(), "SECRETPART") || strings.Contains(err.Error(), "xoxb") || strings.Contains(err.Error(), "ftp") {
			t.Errorf("error echoes the value: %v", err)
		}
	}
	if err := CheckWebhookURL("https://hooks.slack.com/services/T/B/X"); err != nil {
		t.Error(err)
	}
}
