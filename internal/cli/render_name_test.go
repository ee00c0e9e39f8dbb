package cli

import (
	"strings"
	"testing"
)

// TestRenderByDestinationName: --to NAME renders exactly what that
// configured destination sends (its mentions, its name), reading no secret.
func TestRenderByDestinationName(t *testing.T) {
	env := map[string]string{
		"CUTOVER_DESTINATIONS": `[
			{"name":"oncall","type":"discord","url_secret":"/cutover/discord","mention":["@here","group:123456789012345678"]},
			{"name":"incidents","type":"webhook","url_secret":"/cutover/hook","signing_secret_secret":"/cutover/hook-secret"}
		]`,
	}
	failure := fixturePath("sns-lambda/deployment-failure.json")
	out, _, err := run(t, env, "", "render", "--to", "oncall", failure)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"content":"@here <@&123456789012345678>`) || !strings.Contains(out, `"roles":["123456789012345678"]`) {
		t.Errorf("render --to oncall lacks the destination's mentions:\n%.400s", out)
	}
	plain, _, err := run(t, env, "", "render", "--to", "discord", failure)
	if err != nil || strings.Contains(plain, "@here") {
		t.Errorf("render --to discord (the type) must carry no mention: %v\n%.300s", err, plain)
	}
	out, _, err = run(t, env, "", "render", "--to", "incidents", failure)
	if err != nil || !strings.Contains(out, `"destination":"incidents"`) {
		t.Errorf("render --to incidents does not name the destination: %v\n%.400s", err, out)
	}
	if _, _, err := run(t, env, "", "render", "--to", "nobody", failure); exitCode(err) != 2 {
		t.Errorf("unknown --to: %v", err)
	}
}
