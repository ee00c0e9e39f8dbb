package cloudfront

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestParseCloudFrontConfigDefaults(t *testing.T) {
	c, err := ParseConfig(envOf(nil))
	if err != nil {
		t.Fatalf("ParseConfig(empty): %v", err)
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
	c, err := ParseConfig(envOf(map[string]string{
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
		t.Fatalf("ParseConfig: %v", err)
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
	_, err := ParseConfig(envOf(map[string]string{
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
		t.Fatal("ParseConfig accepted a broken configuration")
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
			_, err := ParseConfig(envOf(map[string]string{EnvCloudFrontRoutes: raw}))
			if err == nil || !strings.Contains(err.Error(), EnvCloudFrontRoutes) {
				t.Fatalf("err = %v, want a %s error", err, EnvCloudFrontRoutes)
			}
		})
	}
}

func TestValidateInvalidationPaths(t *testing.T) {
	ok := [][]string{
		{"/*"},
		{"/"},
		{"/index.html", "/assets/*", "/images/image*"},
		{"/caf%C3%A9.html", "/a?b=c"},
		{"/" + strings.Repeat("a", MaxPathLength-1)},
	}
	for _, paths := range ok {
		if err := ValidateInvalidationPaths(paths); err != nil {
			t.Errorf("ValidateInvalidationPaths(%.60q) = %v, want nil", paths, err)
		}
	}
	bad := map[string][]string{
		"none":         nil,
		"empty":        {""},
		"relative":     {"index.html"},
		"inner star":   {"/a/*/b"},
		"two stars":    {"/a**"},
		"tab":          {"/a\tb"},
		"newline":      {"/a\nb"},
		"nul":          {"/a\x00"},
		"nbsp":         {"/a\u00a0b"},
		"invalid utf8": {"/a\xff"},
		"too long":     {"/" + strings.Repeat("a", MaxPathLength)},
	}
	for name, paths := range bad {
		if err := ValidateInvalidationPaths(paths); err == nil {
			t.Errorf("%s: ValidateInvalidationPaths(%.60q) = nil, want an error", name, paths)
		}
	}
}

func TestValidateInvalidationPathsLimits(t *testing.T) {
	var files, wild []string
	for i := range MaxFilePaths {
		files = append(files, fmt.Sprintf("/f/%d.html", i))
	}
	for i := range MaxWildcardPaths {
		wild = append(wild, fmt.Sprintf("/w/%d/*", i))
	}
	if err := ValidateInvalidationPaths(slices.Concat(files, wild)); err != nil {
		t.Fatalf("%d files and %d wildcards: %v", len(files), len(wild), err)
	}
	// Duplicates do not count.
	if err := ValidateInvalidationPaths(slices.Concat(files, files[:10], wild, wild[:1])); err != nil {
		t.Fatalf("duplicates counted: %v", err)
	}
	err := ValidateInvalidationPaths(slices.Concat(files, wild, []string{"/one-more", "/w/x/*", "bad"}))
	if err == nil {
		t.Fatal("over the limits: no error")
	}
	for _, w := range []string{"3002 file paths", "16 wildcard paths", `path 3018 "bad"`} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
}

func TestTargetsRouting(t *testing.T) {
	c, err := ParseConfig(envOf(map[string]string{
		EnvCloudFrontDistributionIDs: "E1GLOBALGLOBAL,E2SHAREDSHARED",
		EnvInvalidationPaths:         "/*",
		EnvCloudFrontRoutes: `[
			{"application":"web","distribution_ids":["E2SHAREDSHARED","E3WEBWEBWEBWEB"],"paths":["/web/*"]},
			{"application":"web","deployment_group":"prod","distribution_ids":["E2SHAREDSHARED"],"paths":["/index.html","/prod/*"]},
			{"application":"web","deployment_group":"staging","distribution_ids":["E5STAGESTAGEST"]},
			{"application":"api","distribution_ids":["E4APIAPIAPIAPI"]}
		]`,
	}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		app, group string
		want       string
	}{
		{"web", "prod", "E1GLOBALGLOBAL=/* E2SHAREDSHARED=/index.html,/prod/* E3WEBWEBWEBWEB=/web/*"},
		{"web", "staging", "E1GLOBALGLOBAL=/* E2SHAREDSHARED=/web/* E3WEBWEBWEBWEB=/web/* E5STAGESTAGEST=/*"},
		{"web", "", "E1GLOBALGLOBAL=/* E2SHAREDSHARED=/web/* E3WEBWEBWEBWEB=/web/*"},
		{"api", "prod", "E1GLOBALGLOBAL=/* E2SHAREDSHARED=/* E4APIAPIAPIAPI=/*"},
		{"WEB", "prod", "E1GLOBALGLOBAL=/* E2SHAREDSHARED=/*"},
		{"", "", "E1GLOBALGLOBAL=/* E2SHAREDSHARED=/*"},
	}
	for _, tt := range tests {
		ev := &deploy.Event{Application: tt.app, DeploymentGroup: tt.group}
		var parts []string
		for _, tg := range c.Targets(ev) {
			parts = append(parts, tg.DistributionID+"="+strings.Join(tg.Paths, ","))
		}
		if got := strings.Join(parts, " "); got != tt.want {
			t.Errorf("Targets(%q/%q) = %s\nwant %s", tt.app, tt.group, got, tt.want)
		}
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
		c, err := ParseConfig(env)
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
		again, err := ParseConfig(env)
		if err != nil || !slices.Equal(again.Paths, c.Paths) || !slices.Equal(again.DistributionIDs, c.DistributionIDs) {
			t.Fatalf("parsing is not deterministic: %v", err)
		}
		for _, r := range c.Routes {
			ev := &deploy.Event{Application: r.Application, DeploymentGroup: r.DeploymentGroup, DeploymentID: "d-7XQ2K9ABC", Name: codedeploy.InstanceSuccess}
			for _, tg := range c.Targets(ev) {
				if err := validateDistributionID(tg.DistributionID); err != nil {
					t.Fatalf("target %q: %v", tg.DistributionID, err)
				}
				if err := ValidateInvalidationPaths(tg.Paths); err != nil {
					t.Fatalf("target paths %q: %v", tg.Paths, err)
				}
				ref := CallerReference(ev.DeploymentID, ev.Name, tg.Paths)
				if len(ref) > 128 || ref != CallerReference(ev.DeploymentID, ev.Name, slices.Clone(tg.Paths)) {
					t.Fatalf("reference %q too long or unstable", ref)
				}
			}
		}
		if strings.HasSuffix(c.FollowUpQueueURL, ".fifo") {
			t.Fatalf("FIFO queue accepted: %q", c.FollowUpQueueURL)
		}
	})
}
