package testrig

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago. The
// port is released before FreePort returns, so another process can take it
// before the caller binds it; the process starters in this package retry
// with a new port when that happens.
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatalf("testrig: %v", err)
	}
	return port
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: listen on 127.0.0.1:0: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("free port: unexpected address type %T", l.Addr())
	}
	return addr.Port, nil
}

// ModuleRoot returns the directory holding cutover's go.mod, found by
// walking up from the working directory (a test's package directory).
func ModuleRoot(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("testrig: module root: working directory: %v", err)
	}
	root, err := FindModuleRoot(wd)
	if err != nil {
		t.Fatalf("testrig: %v", err)
	}
	return root
}

// FindModuleRoot walks up from dir to the first directory that contains a
// go.mod file and returns it as an absolute path.
func FindModuleRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("module root: %w", err)
	}
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("module root: %w", err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", fmt.Errorf("module root: no go.mod in %s or any parent directory", dir)
		}
		d = parent
	}
}
