package testrig_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/testrig"
)

func TestModuleRoot(t *testing.T) {
	root := testrig.ModuleRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("ModuleRoot() = %q without go.mod: %v", root, err)
	}
	got, err := testrig.FindModuleRoot(filepath.Join(root, "internal", "testrig", "testdata", "echofn"))
	if err != nil || got != root {
		t.Errorf("FindModuleRoot(echofn) = %q, %v; want %q", got, err, root)
	}
	if got, err := testrig.FindModuleRoot(t.TempDir()); err == nil && got == root {
		t.Errorf("FindModuleRoot(temp dir) = %q, the module root", got)
	}
}

func TestFreePort(t *testing.T) {
	port := testrig.FreePort(t)
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("FreePort() = %d, which cannot be bound: %v", port, err)
	}
	l.Close()
}

// fatalTB records a Fatalf instead of failing the real test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fatalTB) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

// expectFatal runs fn with a TB whose Fatalf ends fn, and returns the
// message; it fails t if fn did not call Fatalf.
func expectFatal(t *testing.T, fn func(tb testing.TB)) string {
	t.Helper()
	tb := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(tb)
	}()
	<-done
	if tb.msg == "" {
		t.Fatal("expected the helper to fail the test")
	}
	return tb.msg
}

func TestMissingToolsFailClearly(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	msg := expectFatal(t, func(tb testing.TB) { testrig.StartMoto(tb) })
	if !strings.Contains(msg, "python3 with moto is required") {
		t.Errorf("StartMoto without python3: %q", msg)
	}
	msg = expectFatal(t, func(tb testing.TB) {
		testrig.StartRIE(tb, filepath.Join(t.TempDir(), "no-such-bootstrap"), nil)
	})
	if !strings.Contains(msg, "no-such-bootstrap") {
		t.Errorf("StartRIE with a missing bootstrap: %q", msg)
	}
}
