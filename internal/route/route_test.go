package route

import (
	"path"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/deploy"
)

func event(name, app, group, target, account, region string) *deploy.Event {
	ev := &deploy.Event{Name: name, Application: app, DeploymentGroup: group, AccountID: account, Region: region}
	if target != "" {
		c, s, _ := strings.Cut(target, ":")
		ev.Target = &deploy.Target{ID: target, Cluster: c, Service: s}
	}
	return ev
}

func TestMatch(t *testing.T) {
	switched := event("InstanceSuccess", "web-frontend", "web-frontend-prod", "prod:web", "111122223333", "eu-west-1")
	failed := event("DeploymentFailure", "checkout-api", "checkout-api-prod", "", "444455556666", "us-east-1")
	native := &deploy.Event{Name: "POST_PRODUCTION_TRAFFIC_SHIFT", Platform: deploy.ECSNative, Cluster: "prod", Service: "api"}
	for _, tc := range []struct {
		name   string
		route  Route
		ev     *deploy.Event
		want   bool
		reason string
	}{
		{"no filter", Route{}, switched, true, "no filter: every event"},
		{"event listed", Route{Events: []string{"InstanceSuccess"}}, switched, true, "events: InstanceSuccess"},
		{"event not listed", Route{Events: []string{"DeploymentFailure"}}, switched, false, "events: InstanceSuccess is not listed"},
		{"application glob", Route{Applications: []string{"shop-*", "web-*"}}, switched, true, "applications: web-frontend matches web-*"},
		{"application exact", Route{Applications: []string{"web-frontend"}}, switched, true, "applications: web-frontend"},
		{"application excluded", Route{Applications: []string{"web-*"}}, failed, false, "applications: application checkout-api matches none of web-*"},
		{"group", Route{DeploymentGroups: []string{"*-prod"}}, failed, true, "deployment_groups: checkout-api-prod matches *-prod"},
		{"service", Route{Services: []string{"prod/*"}}, switched, true, "services: prod/web matches prod/*"},
		{"service other cluster", Route{Services: []string{"staging/*"}}, switched, false, "services: service prod/web matches none of staging/*"},
		{"service on deployment event", Route{Services: []string{"prod/*"}}, failed, false, "services: the event names no service (ECS-native events and CodeDeploy events about a target, such as InstanceSuccess, do)"},
		{"service of ECS-native deployment", Route{Services: []string{"prod/*"}}, native, true, "services: prod/api matches prod/*"},
		{"account", Route{Accounts: []string{"111122223333"}}, switched, true, "accounts: 111122223333"},
		{"account excluded", Route{Accounts: []string{"111122223333"}}, failed, false, "accounts: account 444455556666 matches none of 111122223333"},
		{"region", Route{Regions: []string{"eu-*"}}, switched, true, "regions: eu-west-1 matches eu-*"},
		{"no region", Route{Regions: []string{"eu-*"}}, event("TriggerTest", "", "", "", "", ""), false, "regions: the event names no region"},
		{"all of them", Route{Events: []string{"InstanceSuccess"}, Applications: []string{"web-*"}, Regions: []string{"eu-west-?"}}, switched, true,
			"events: InstanceSuccess; applications: web-frontend matches web-*; regions: eu-west-1 matches eu-west-?"},
		{"first failing filter", Route{Events: []string{"InstanceSuccess"}, Applications: []string{"web-*"}, Accounts: []string{"9*"}}, switched, false,
			"accounts: account 111122223333 matches none of 9*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, reason := tc.route.Match(tc.ev)
			if got != tc.want || reason != tc.reason {
				t.Errorf("Match = %v, %q; want %v, %q", got, reason, tc.want, tc.reason)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		route Route
		want  []string // substrings; none: valid
	}{
		{"nothing", Route{}, nil},
		{"good", Route{Events: []string{"InstanceSuccess"}, Applications: []string{"web-*"}, Services: []string{"prod/*"},
			Accounts: []string{"111122223333", "1111*"}, Regions: []string{"eu-*"}}, nil},
		{"empty lists", Route{Events: []string{}, Applications: []string{}, Regions: []string{}},
			[]string{"events: an empty list", "applications: an empty list", "regions: an empty list"}},
		{"bad glob", Route{Applications: []string{"web-[", "ok"}}, []string{`applications: "web-[" is not a valid pattern`}},
		{"empty pattern", Route{DeploymentGroups: []string{""}}, []string{`deployment_groups: "": an empty pattern`}},
		{"service without slash", Route{Services: []string{"web"}}, []string{`services: "web" is not cluster/service`}},
		{"service half", Route{Services: []string{"prod/"}}, []string{`services: "prod/" is not cluster/service`}},
		{"account short", Route{Accounts: []string{"1234"}}, []string{`accounts: "1234" is not a 12-digit account ID`}},
		{"account letters", Route{Accounts: []string{"prod"}}, []string{`accounts: "prod" is not a 12-digit`}},
		{"region slash", Route{Regions: []string{"eu/west"}}, []string{`regions: "eu/west": names never contain /`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.route.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Errorf("want valid, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want errors %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// FuzzPattern checks that a pattern CheckPattern accepts never fails to
// compile while matching, and that Match never panics and always gives a
// reason.
func FuzzPattern(f *testing.F) {
	for _, s := range []string{"web-*", "prod/*", "111122223333", "eu-west-?", "[a-", `\`, "a/b/c", "", "*"} {
		f.Add(s, "web-frontend", "prod", "web")
	}
	f.Fuzz(func(t *testing.T, p, name, cluster, service string) {
		for _, key := range []string{KeyApplications, KeyDeploymentGroups, KeyServices, KeyAccounts, KeyRegions} {
			if CheckPattern(key, p) != nil {
				continue
			}
			if _, err := path.Match(p, name); err != nil {
				t.Fatalf("%s: accepted %q, which fails on %q: %v", key, p, name, err)
			}
		}
		r := Route{Applications: []string{p}, DeploymentGroups: []string{p}, Services: []string{p}, Accounts: []string{p}, Regions: []string{p}}
		ev := &deploy.Event{Name: name, Application: name, DeploymentGroup: name, AccountID: name, Region: name,
			Target: &deploy.Target{Cluster: cluster, Service: service}}
		if _, reason := r.Match(ev); reason == "" {
			t.Fatal("Match gave no reason")
		}
	})
}
