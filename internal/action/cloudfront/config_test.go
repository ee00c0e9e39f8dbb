package cloudfront

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/deploy"
)

// TestValidateNames proves each problem names its setting: the Go field
// by default, the caller's name (internal/config's variables) when given.
func TestValidateNames(t *testing.T) {
	c := Config{
		DistributionIDs:  []string{"bad"},
		Paths:            []string{"nope"},
		Routes:           []Route{{Application: "web"}},
		FollowUpQueueURL: "ftp://x",
	}
	for names, wants := range map[Names][]string{
		{}: {`DistributionIDs: item 1: "bad" has lower-case letters`, `Paths: path 1 "nope"`, `Routes: route 1 (application "web"): distribution_ids is empty`, `FollowUpQueueURL: "ftp://x"`},
		{DistributionIDs: "IDS", Paths: "PATHS", Routes: "ROUTES", FollowUpQueueURL: "QUEUE"}: {`IDS: item 1`, `PATHS: path 1`, `ROUTES: route 1`, `QUEUE: "ftp://x"`},
	} {
		c.Names = names
		err := c.Validate()
		if err == nil {
			t.Fatal("invalid config accepted")
		}
		for _, w := range wants {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("names %+v: error lacks %q:\n%v", names, w, err)
			}
		}
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
	c := Config{
		DistributionIDs: []string{"E1GLOBALGLOBAL", "E2SHAREDSHARED"},
		Paths:           []string{"/*"},
		Routes: []Route{
			{Application: "web", DistributionIDs: []string{"E2SHAREDSHARED", "E3WEBWEBWEBWEB"}, Paths: []string{"/web/*"}},
			{Application: "web", DeploymentGroup: "prod", DistributionIDs: []string{"E2SHAREDSHARED"}, Paths: []string{"/index.html", "/prod/*"}},
			{Application: "web", DeploymentGroup: "staging", DistributionIDs: []string{"E5STAGESTAGEST"}},
			{Application: "api", DistributionIDs: []string{"E4APIAPIAPIAPI"}},
		},
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c = c.Normalized()
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
