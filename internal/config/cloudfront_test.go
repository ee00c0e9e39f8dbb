package config

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// parseCloudFront loads the configuration from env and returns its
// CloudFront part, as cloudfront.ParseConfig did before parsing moved
// here.
func parseCloudFront(env func(string) string) (cloudfront.Config, error) {
	c, err := load(env)
	if err != nil {
		return cloudfront.Config{}, err
	}
	return c.CloudFront, nil
}

func TestParseCloudFrontConfigDefaults(t *testing.T) {
	c, err := parseCloudFront(envOf(nil))
	if err != nil {
		t.Fatalf("parseCloudFront(empty): %v", err)
	}
	if c.Enabled() {
		t.Errorf("Enabled() = true with no distributions")
	}
	if !slices.Equal(c.Paths, []string{"/*"}) {
		t.Errorf("Paths = %q, want [/*]", c.Paths)
	}
	if !c.OnRollback {
		t.Errorf("OnRollback = false, want the default true")
	}
	if c.FollowUpQueueURL != "" || len(c.Routes) != 0 || len(c.DistributionIDs) != 0 {
		t.Errorf("unexpected config %+v", c)
	}
}

func TestParseCloudFrontConfigFull(t *testing.T) {
	c, err := parseCloudFront(envOf(map[string]string{
		EnvCloudFrontDistributionIDs: " E2QWRUHAPOMQZL , E1AAAAAAAAAAAA,,E2QWRUHAPOMQZL",
		EnvInvalidationPaths:         "/index.html, /assets/*,/index.html",
		EnvInvalidateOnRollback:      "FALSE",
		EnvCloudFrontRoutes: `[
			{"application":"web","distribution_ids":["E3WEBWEBWEBWEB"]},
			{"application":"web","deployment_group":"prod","distribution_ids":["E4PRODPRODPROD"],"paths":["/app/*"]}
		]`,
		EnvFollowUpQueueURL: "https://sqs.us-east-1.amazonaws.com/111122223333/cutover-followup",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if want := []string{"E1AAAAAAAAAAAA", "E2QWRUHAPOMQZL"}; !slices.Equal(c.DistributionIDs, want) {
		t.Errorf("DistributionIDs = %q, want %q", c.DistributionIDs, want)
	}
	if want := []string{"/assets/*", "/index.html"}; !slices.Equal(c.Paths, want) {
		t.Errorf("Paths = %q, want %q (sorted, deduplicated)", c.Paths, want)
	}
	if c.OnRollback {
		t.Errorf("OnRollback = true, want false")
	}
	if len(c.Routes) != 2 || c.Routes[1].DeploymentGroup != "prod" || !slices.Equal(c.Routes[1].Paths, []string{"/app/*"}) {
		t.Errorf("Routes = %+v", c.Routes)
	}
	if c.FollowUpQueueURL == "" || !c.Enabled() {
		t.Errorf("FollowUpQueueURL = %q, Enabled = %v", c.FollowUpQueueURL, c.Enabled())
	}
}

// TestParseCloudFrontConfigAllProblems proves every problem is reported in
// one error, each on its own line.
func TestParseCloudFrontConfigAllProblems(t *testing.T) {
	_, err := parseCloudFront(envOf(map[string]string{
		EnvCloudFrontDistributionIDs: "e2qwruhapomqzl,arn:aws:cloudfront::111122223333:distribution/E2QWRUHAPOMQZL,d111111abcdef8.cloudfront.net,E2QW-RUH",
		EnvInvalidationPaths:         "index.html,/a*b,/with space,/ok,/caf\u00e9",
		EnvInvalidateOnRollback:      "yes",
		EnvCloudFrontRoutes: `[
			{"distribution_ids":[]},
			{"application":"web","distribution_ids":["bad"],"paths":[]},
			{"application":"web","distribution_ids":["E3WEBWEBWEBWEB"],"paths":["nope"]}
		]`,
		EnvFollowUpQueueURL: "https://sqs.us-east-1.amazonaws.com/111122223333/q.fifo",
	}))
	if err == nil {
		t.Fatal("Load accepted a broken configuration")
	}
	msg := err.Error()
	wants := []string{
		`has lower-case letters`,
		`is an ARN`,
		`looks like a domain name`,
		`"E2QW-RUH" is not a distribution ID`,
		`path 1 "index.html": must start with "/"`,
		`path 2 "/a*b": "*" is allowed only as the last character`,
		`path 3 "/with space": contains whitespace`,
		`path 5 "/café": contains non-ASCII characters: URL-encode them, e.g. "/caf%C3%A9"`,
		`CUTOVER_INVALIDATE_ON_ROLLBACK: "yes" is neither`,
		`route 1: application is required`,
		`route 1: distribution_ids is empty`,
		`route 2 (application "web"): distribution_ids item 1: "bad" has lower-case letters`,
		`route 2 (application "web"): paths is empty`,
		`route 3 (application "web"): repeats route 2`,
		`route 3 (application "web"): paths: path 1 "nope": must start with "/"`,
		`is a FIFO queue`,
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error lacks %q\nfull error:\n%s", w, msg)
		}
	}
	if n := strings.Count(msg, "\n") + 1; n < len(wants) {
		t.Errorf("error has %d lines for at least %d problems:\n%s", n, len(wants), msg)
	}
	if strings.Contains(msg, `"/ok"`) {
		t.Errorf("a valid path was reported:\n%s", msg)
	}
}

func TestParseCloudFrontConfigRoutesJSON(t *testing.T) {
	for name, raw := range map[string]string{
		"unknown field": `[{"application":"web","distributions":["E3WEBWEBWEBWEB"]}]`,
		"not a list":    `{"application":"web"}`,
		"trailing data": `[{"application":"web","distribution_ids":["E3WEBWEBWEBWEB"]}] []`,
		"bad JSON":      `[{`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parseCloudFront(envOf(map[string]string{EnvCloudFrontRoutes: raw}))
			if err == nil || !strings.Contains(err.Error(), EnvCloudFrontRoutes) {
				t.Fatalf("err = %v, want a %s error", err, EnvCloudFrontRoutes)
			}
		})
	}
}

// FuzzParseCloudFrontConfig feeds arbitrary values to every variable. The
// parser must not panic, must fail only with an error, and whatever it
// accepts must be valid, normalised and give short, stable references.
func FuzzParseCloudFrontConfig(f *testing.F) {
	f.Add("E2QWRUHAPOMQZL", "/*", "true", "", "")
	f.Add("E1,E2", "/index.html,/assets/*", "false",
		`[{"application":"web","deployment_group":"prod","distribution_ids":["E3"],"paths":["/a"]}]`,
		"https://sqs.us-east-1.amazonaws.com/1/q")
	f.Add("e1,,arn:x", "a*b,/ b", "maybe", `[{"application":""}]`, "ftp://x")
	f.Add("", "", "", `[{"application":"web","distribution_ids":["E3"]},{"application":"web","distribution_ids":["E4"]}]`, "")
	f.Add("E1", "/\xff,/\x00", "TRUE", `[{"application":"w","distribution_ids":["E1"],"paths":[]}] x`, "http://h/q.fifo")
	f.Fuzz(func(t *testing.T, ids, paths, onRollback, routes, queue string) {
		env := envOf(map[string]string{
			EnvCloudFrontDistributionIDs: ids,
			EnvInvalidationPaths:         paths,
			EnvInvalidateOnRollback:      onRollback,
			EnvCloudFrontRoutes:          routes,
			EnvFollowUpQueueURL:          queue,
		})
		c, err := parseCloudFront(env)
		if err != nil {
			if !utf8.ValidString(err.Error()) {
				t.Errorf("error message is not valid UTF-8: %q", err)
			}
			return
		}
		if verr := c.Validate(); verr != nil {
			t.Fatalf("accepted config does not validate: %v", verr)
		}
		if len(c.Paths) == 0 || !slices.IsSorted(c.Paths) {
			t.Fatalf("paths not normalised: %q", c.Paths)
		}
		again, err := parseCloudFront(env)
		if err != nil || !slices.Equal(again.Paths, c.Paths) || !slices.Equal(again.DistributionIDs, c.DistributionIDs) {
			t.Fatalf("parsing is not deterministic: %v", err)
		}
		for _, r := range c.Routes {
			ev := &deploy.Event{Application: r.Application, DeploymentGroup: r.DeploymentGroup, DeploymentID: "d-7XQ2K9ABC", Name: codedeploy.InstanceSuccess}
			for _, tg := range c.Targets(ev) {
				if err := (cloudfront.Config{DistributionIDs: []string{tg.DistributionID}}).Validate(); err != nil {
					t.Fatalf("target %q: %v", tg.DistributionID, err)
				}
				if err := cloudfront.ValidateInvalidationPaths(tg.Paths); err != nil {
					t.Fatalf("target paths %q: %v", tg.Paths, err)
				}
				ref := cloudfront.CallerReference(ev.DeploymentID, ev.Name, tg.Paths)
				if len(ref) > 128 || ref != cloudfront.CallerReference(ev.DeploymentID, ev.Name, slices.Clone(tg.Paths)) {
					t.Fatalf("reference %q too long or unstable", ref)
				}
			}
		}
		if strings.HasSuffix(c.FollowUpQueueURL, ".fifo") {
			t.Fatalf("FIFO queue accepted: %q", c.FollowUpQueueURL)
		}
	})
}
