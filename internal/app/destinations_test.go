package app

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/secret"
)

// fakeReader serves secret references from a map and counts reads.
type fakeReader struct {
	values map[string]string
	reads  map[string]int
}

func (f *fakeReader) Read(_ context.Context, ref string, keys ...string) (secret.Value, error) {
	if f.reads == nil {
		f.reads = map[string]int{}
	}
	f.reads[ref]++
	v, ok := f.values[ref]
	if !ok {
		return secret.Value{}, errors.New("secret: read parameter " + secret.Name(ref) + ": access denied")
	}
	return secret.New(v), nil
}

// fakeNotifier is a destination that only remembers its spec.
type fakeNotifier struct{ spec chat.Spec }

func (f *fakeNotifier) Notify(context.Context, *chat.Notification) (chat.Receipt, error) {
	return chat.Receipt{}, nil
}

// fakeTypes registers every type the issue names with a factory that
// keeps the spec.
func fakeTypes() chat.Types {
	t := chat.Types{}
	for _, name := range []string{"slack", "teams", "discord", "googlechat", "webhook"} {
		t[name] = chat.Type{New: func(spec chat.Spec, _ chat.Deps) (chat.Notifier, error) {
			if spec.Type == "webhook" && spec.SigningSecret.IsZero() {
				return nil, errors.New("no signing secret")
			}
			return &fakeNotifier{spec: spec}, nil
		}}
	}
	return t
}

func loadCfg(t *testing.T, env map[string]string) *config.Config {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] }, Sources(), fakeTypes().Names())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestBuildDestinations(t *testing.T) {
	const (
		hook   = "https://hooks.example.com/SECRETHOOK"
		legacy = "https://hooks.slack.com/services/T/B/SECRETLEGACY"
	)
	cfg := loadCfg(t, map[string]string{
		config.EnvSlackWebhookURLSecret: "/cutover/slack",
		config.EnvDestinationsParameter: "/cutover/destinations",
	})
	r := &fakeReader{values: map[string]string{
		"/cutover/slack": legacy,
		"/cutover/destinations": `[
			{"name":"team-a","type":"teams","url_secret":"/cutover/shared","applications":["shop-*"],"mention":["@here"]},
			{"name":"oncall","type":"webhook","url_secret":"/cutover/shared","signing_secret_secret":"/cutover/sign","events":["DeploymentFailure"]}
		]`,
		"/cutover/shared": hook,
		"/cutover/sign":   "whsec_SECRETSIGN",
	}}
	dsts, err := buildDestinations(context.Background(), cfg, fakeTypes(), r, chat.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range dsts {
		names = append(names, d.Name+":"+d.Type)
	}
	if !slices.Equal(names, []string{"slack:slack", "team-a:teams", "oncall:webhook"}) {
		t.Fatalf("destinations %v", names)
	}
	if dsts[0].Route != nil {
		t.Error("the legacy Slack webhook is routed by CUTOVER_EVENTS (no route of its own)")
	}
	a := dsts[1].Notifier.(*fakeNotifier).spec
	if a.URL.Reveal() != hook || !slices.Equal(a.Mentions, []string{"@here"}) || !slices.Equal(dsts[1].Route.Applications, []string{"shop-*"}) {
		t.Errorf("team-a spec %+v route %+v", a, dsts[1].Route)
	}
	if o := dsts[2].Notifier.(*fakeNotifier).spec; o.SigningSecret.Reveal() != "whsec_SECRETSIGN" || !slices.Equal(dsts[2].Route.Events, []string{"DeploymentFailure"}) {
		t.Errorf("oncall spec %+v", o)
	}
	if r.reads["/cutover/shared"] != 1 || r.reads["/cutover/destinations"] != 1 {
		t.Errorf("each secret is read once: %v", r.reads)
	}
}

func TestBuildDestinationsErrors(t *testing.T) {
	cfg := loadCfg(t, map[string]string{config.EnvDestinations: `[
		{"name":"a","type":"teams","url_secret":"/cutover/missing"},
		{"name":"b","type":"discord","url_secret":"/cutover/not-a-url"},
		{"name":"c","type":"webhook","url":"https://x.example.com/h","signing_secret_secret":"/cutover/missing-sign"}
	]`})
	r := &fakeReader{values: map[string]string{"/cutover/not-a-url": "SECRETVALUE"}}
	_, err := buildDestinations(context.Background(), cfg, fakeTypes(), r, chat.Deps{})
	if err == nil {
		t.Fatal("want errors")
	}
	for _, want := range []string{
		"CUTOVER_DESTINATIONS: destination a: url_secret: secret: read parameter /cutover/missing: access denied",
		"CUTOVER_DESTINATIONS: destination b: url_secret: the value of /cutover/not-a-url is not a webhook URL",
		"CUTOVER_DESTINATIONS: destination c: signing_secret_secret: secret: read parameter /cutover/missing-sign",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "SECRETVALUE") {
		t.Errorf("echoed a secret: %v", err)
	}
}

func TestBuildDestinationsParameter(t *testing.T) {
	cfg := loadCfg(t, map[string]string{config.EnvDestinationsParameter: "/cutover/destinations"})
	r := &fakeReader{values: map[string]string{"/cutover/destinations": `[{"name":"a","type":"pager","url":"https://SECRETP.example.com"}]`}}
	_, err := buildDestinations(context.Background(), cfg, fakeTypes(), r, chat.Deps{})
	if err == nil || !strings.Contains(err.Error(), `CUTOVER_DESTINATIONS_PARAMETER (/cutover/destinations): destination a: unknown type "pager"`) ||
		strings.Contains(err.Error(), "SECRETP") {
		t.Errorf("bad JSON in the parameter: %v", err)
	}
	_, err = buildDestinations(context.Background(), cfg, fakeTypes(), &fakeReader{}, chat.Deps{})
	if err == nil || !strings.Contains(err.Error(), "CUTOVER_DESTINATIONS_PARAMETER: secret: read parameter /cutover/destinations: access denied") {
		t.Errorf("unreadable parameter: %v", err)
	}
}

func TestRouted(t *testing.T) {
	cfg := loadCfg(t, map[string]string{
		config.EnvSlackWebhookURL: "https://hooks.slack.com/services/T/B/X",
		config.EnvDestinations:    `[{"name":"ops","type":"teams","url":"https://x.example.com/h","regions":["eu-*"]}]`,
	})
	got := Routed(cfg)
	if len(got) != 2 || got[0].Name != "slack" || got[0].Route != nil || got[1].Name != "ops" || got[1].Route == nil || got[1].Notifier != nil {
		t.Errorf("Routed %+v", got)
	}
}
