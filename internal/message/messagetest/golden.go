package messagetest

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/message"
)

// GoldenDir is where a destination's golden files live, relative to its
// package.
const GoldenDir = "testdata"

// Golden fails t unless got equals the golden file path byte for byte;
// with update (a test package's -update flag) it writes got there
// instead.
func Golden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test with -update in this package, then review the diff)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update and review the diff):\n%s", path, got)
	}
}

// GoldenJSON is Golden for a JSON body, compared as the golden files hold
// it: indented by two spaces, ended by a newline.
func GoldenJSON(t testing.TB, path string, body []byte, update bool) {
	t.Helper()
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	Golden(t, path, pretty.Bytes(), update)
}

// GoldenCases is the golden test of a destination's JSON renderer: for
// every case, in a subtest of its name and in name order, render must
// succeed and give the same body twice, check (when not nil) must pass
// on it, and GoldenJSON must hold against GoldenDir/<name>.golden.json.
// A golden file without a case fails the test, or with update is
// removed.
func GoldenCases(t *testing.T, cases map[string]*message.Notice, update bool,
	render func(n *message.Notice) ([]byte, error), check func(t *testing.T, n *message.Notice, body []byte)) {
	t.Helper()
	if update {
		if err := os.MkdirAll(GoldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		n := cases[name]
		t.Run(name, func(t *testing.T) {
			body, err := render(n)
			if err != nil {
				t.Fatal(err)
			}
			if check != nil {
				check(t, n, body)
			}
			if again, _ := render(n); !bytes.Equal(body, again) {
				t.Fatal("two renders of the same notice differ")
			}
			GoldenJSON(t, filepath.Join(GoldenDir, name+".golden.json"), body, update)
		})
	}
	const suffix = ".golden.json"
	existing, _ := filepath.Glob(filepath.Join(GoldenDir, "*"+suffix))
	for _, g := range existing {
		if _, ok := cases[strings.TrimSuffix(filepath.Base(g), suffix)]; ok {
			continue
		}
		if update {
			_ = os.Remove(g)
		} else {
			t.Errorf("%s has no fixture (run with -update to remove it)", g)
		}
	}
}
