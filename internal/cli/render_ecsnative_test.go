package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderECSNative: `cutover render` reads every ECS-native fixture
// (no AWS call) and words it as ECS-native, for every destination type;
// `cutover routes` matches it by its service.
func TestRenderECSNative(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "source", "ecsnative", "testdata", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range paths {
		if filepath.Base(filepath.Dir(p)) == "decoded" {
			continue
		}
		n++
		for _, to := range []string{"slack", "teams", "discord", "googlechat", "webhook"} {
			out, _, err := run(t, nil, "", "render", "--to", to, p)
			if err != nil || strings.Count(out, "\n") != 1 {
				t.Errorf("render --to %s %s: %v\n%.300s", to, p, err, out)
				continue
			}
			if strings.Contains(out, "codedeploy") || !strings.Contains(out, "web-frontend") && !strings.Contains(out, "servicetest") && !strings.Contains(out, "my-service") {
				t.Errorf("render --to %s %s does not read as ECS-native:\n%.400s", to, p, out)
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d fixtures", n)
	}
	env := map[string]string{"CUTOVER_DESTINATIONS": `[
		{"name":"web","type":"webhook","url":"https://example.com/hook","signing_secret":"s3cret-s3cret-s3cret","services":["prod-cluster/web-frontend"]},
		{"name":"other","type":"webhook","url":"https://example.com/hook2","signing_secret":"s3cret-s3cret-s3cret","services":["x/y"]}
	]`}
	out, _, err := run(t, env, "", "routes", filepath.Join("..", "source", "ecsnative", "testdata", "deployment", "failed.json"))
	if err != nil || !strings.Contains(out, "yes  web (webhook)") || !strings.Contains(out, "no   other (webhook)") {
		t.Errorf("routes: %v\n%s", err, out)
	}
}
