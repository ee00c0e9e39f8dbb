package app

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/config"
)

// terraformList returns the quoted strings of the HCL list that follows
// start in the file, up to end.
func terraformList(t *testing.T, file, start, end string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "terraform", file))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, start)
	if i < 0 {
		t.Fatalf("%s: %q not found", file, start)
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		t.Fatalf("%s: end %q of the list after %q not found", file, end, start)
	}
	var out []string
	for _, m := range regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(s[:j], -1) {
		out = append(out, m[1])
	}
	return out
}

// TestTerraformKnowsEveryEventName: the module checks and expands each
// destination's events against the event names the function knows
// (app.Sources, the truth), and fills an entry without events with the
// function's default, and accepts every known name in notify_events;
// its lists are copies, so they must not drift.
func TestTerraformKnowsEveryEventName(t *testing.T) {
	known := Sources().EventNames()
	for _, c := range []struct {
		file, start, end string
		want             []string
	}{
		{"main.tf", "destination_event_names = [", "]", known},
		{"variables.tf", "for names in [[", "]]", known},
		{"variables.tf", "for e in coalesce(var.notify_events, []) : contains([", "]", known},
		{"main.tf", "destination_default_events = [", "]", config.DefaultEvents},
	} {
		if got := terraformList(t, c.file, c.start, c.end); !slices.Equal(got, c.want) {
			t.Errorf("terraform/%s %s …: %q\nwant (Go) %q", c.file, c.start, got, c.want)
		}
	}
}
