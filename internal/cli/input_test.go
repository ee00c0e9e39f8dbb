package cli

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// TestInputIsBounded: a file or standard input larger than the bound fails
// with one clear line and exit 1 instead of growing without limit
// (`cutover render /dev/zero`) or being cut silently.
func TestInputIsBounded(t *testing.T) {
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := run(t, nil, "", "render", "/dev/zero")
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != 1 || !strings.Contains(err.Error(), "larger than 8 MiB") {
		t.Fatalf("render /dev/zero: %v", err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 256<<20 {
		t.Errorf("reading /dev/zero allocated %d MiB", grew>>20)
	}
	big := `{"deploymentId":"d-1","status":"FAILED","x":"` + strings.Repeat("a", maxInputFile) + `"}`
	for _, cmd := range []string{"render", "send"} {
		_, _, err = run(t, nil, big, cmd, "-")
		if !errors.As(err, &exit) || exit.Code != 1 || !strings.Contains(err.Error(), "standard input: larger than 8 MiB") {
			t.Errorf("%s of an oversized stdin: %v", cmd, err)
		}
	}
}
