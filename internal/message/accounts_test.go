package message

import (
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// TestNotConnected: an event from an account that is not connected to
// cutover says so in one field, names the account only when it is a real
// account ID, and offers no commands.
func TestNotConnected(t *testing.T) {
	for account, want := range map[string]string{
		"444455556666":    "account 444455556666 is not connected to cutover: details unavailable",
		"<!channel> 4444": "the deployment's account is not connected to cutover: details unavailable",
		"":                "the deployment's account is not connected to cutover: details unavailable",
	} {
		ev := deploy.Event{Name: "DeploymentFailure", Phase: deploy.Failed, DeploymentID: "d-1", AccountID: account}
		m := Build(&Notice{Event: ev, Details: &enrich.Details{DeploymentID: "d-1", AccountID: account, NotConnected: true}})
		var got []string
		for _, f := range m.Fields {
			if f.Label == "Details" {
				got = append(got, plainText(f.Value))
			}
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("account %q: details fields %q, want %q", account, got, want)
		}
		if len(m.Commands) != 0 || strings.Contains(plainText(m.Fallback), "not connected") {
			t.Errorf("account %q: commands %v, fallback %q", account, m.Commands, plainText(m.Fallback))
		}
	}
}
