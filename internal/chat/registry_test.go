package chat

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/secret"
)

type nopNotifier struct{ spec Spec }

func (nopNotifier) Notify(context.Context, *Notification) (Receipt, error) { return Receipt{}, nil }

func TestTypesNew(t *testing.T) {
	const hook = "https://hooks.example.com/services/T0/B0/SECRETTOKEN"
	types := Types{
		"slack": {New: func(s Spec, d Deps) (Notifier, error) { return nopNotifier{spec: s}, nil }},
		"broken": {New: func(s Spec, d Deps) (Notifier, error) {
			return nil, errors.New("needs a signing secret")
		}},
	}
	n, err := types.New(Spec{Name: "team-web", Type: "slack", URL: secret.New(hook)}, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if got := n.(nopNotifier).spec; got.Name != "team-web" || got.URL.Reveal() != hook {
		t.Errorf("factory got %+v", got)
	}
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{Spec{Name: "x", Type: "teams", URL: secret.New(hook)}, `destination x: unknown type "teams" (known: broken, slack)`},
		{Spec{Name: "y", Type: "broken", URL: secret.New(hook)}, "destination y: needs a signing secret"},
		{Spec{Type: "slack"}, "destination: empty name"},
	} {
		_, err := types.New(c.spec, Deps{})
		if err == nil || err.Error() != c.want {
			t.Errorf("New(%s/%s) error %v, want %q", c.spec.Name, c.spec.Type, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRETTOKEN") {
			t.Errorf("error leaks the URL: %v", err)
		}
	}
	if got := strings.Join(types.Names(), ","); got != "broken,slack" {
		t.Errorf("Names = %s", got)
	}
}
