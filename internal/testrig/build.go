package testrig

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// rieModulePath is the import path of the Runtime Interface Emulator,
// pinned in go.mod as a tool.
const rieModulePath = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// resolved caches, per test process, the paths this package finds or
// builds (binaries, the Python interpreter), keyed by what was asked for.
// It is the package's only package-level state.
var resolved struct {
	mu      sync.Mutex
	entries map[string]*resolvedPath
}

type resolvedPath struct {
	once sync.Once
	path string
	err  error
}

// resolveOnce runs fn once per key in this process and returns its result
// to every caller.
func resolveOnce(key string, fn func() (string, error)) (string, error) {
	resolved.mu.Lock()
	if resolved.entries == nil {
		resolved.entries = make(map[string]*resolvedPath)
	}
	e, ok := resolved.entries[key]
	if !ok {
		e = &resolvedPath{}
		resolved.entries[key] = e
	}
	resolved.mu.Unlock()
	e.once.Do(func() { e.path, e.err = fn() })
	return e.path, e.err
}

// BuildBootstrap builds cutover's Lambda bootstrap (./cmd/cutover) for the
// host GOOS/GOARCH with CGO_ENABLED=0 and -tags lambda.norpc, once per test
// process, and returns the path of the binary (named bootstrap). The test
// fails if the build fails.
func BuildBootstrap(t testing.TB) string {
	t.Helper()
	return BuildLambda(t, "./cmd/cutover")
}

// BuildLambda builds the main package pkg, a path relative to the module
// root such as "./cmd/cutover", like [BuildBootstrap] does, once per test
// process and package, and returns the path of the binary (named
// bootstrap).
//
// Binaries are kept in a per-user cache directory (cutover-testrig under
// os.UserCacheDir, or the temp dir) under a name derived from the module
// root, pkg and the platform; each test process rebuilds once, so edits are
// always picked up, and replaces the file atomically, so test processes that
// run at the same time never see a half-written binary.
func BuildLambda(t testing.TB, pkg string) string {
	t.Helper()
	root := ModuleRoot(t)
	key := "lambda\x00" + root + "\x00" + pkg
	path, err := resolveOnce(key, func() (string, error) {
		dir, err := cacheDir("bootstrap-" + shortHash(key+"\x00"+runtime.GOOS+"\x00"+runtime.GOARCH))
		if err != nil {
			return "", err
		}
		dst := filepath.Join(dir, "bootstrap")
		err = goBuild(root, dst, []string{"CGO_ENABLED=0"}, "-tags", "lambda.norpc", pkg)
		return dst, err
	})
	if err != nil {
		t.Fatalf("testrig: build lambda %s: %v", pkg, err)
	}
	return path
}

// rieBinary returns the path of a built aws-lambda-rie, building it the
// first time for a given go.mod (then reusing it across test processes).
func rieBinary(t testing.TB) string {
	t.Helper()
	root := ModuleRoot(t)
	path, err := resolveOnce("rie\x00"+root, func() (string, error) {
		gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
		if err != nil {
			return "", fmt.Errorf("read go.mod: %w", err)
		}
		dir, err := cacheDir("rie-" + shortHash(string(gomod)+"\x00"+runtime.Version()+"\x00"+runtime.GOOS+"\x00"+runtime.GOARCH))
		if err != nil {
			return "", err
		}
		dst := filepath.Join(dir, "aws-lambda-rie")
		if fi, err := os.Stat(dst); err == nil && fi.Mode().IsRegular() && fi.Size() > 0 {
			return dst, nil
		}
		return dst, goBuild(root, dst, nil, rieModulePath)
	})
	if err != nil {
		t.Fatalf("testrig: the Lambda Runtime Interface Emulator is required (pinned in go.mod as a tool): build %s: %v", rieModulePath, err)
	}
	return path
}

// goBuild runs go build -o dst args... in dir for the host platform,
// writing to a temporary name first and renaming it into place.
func goBuild(dir, dst string, env []string, args ...string) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is required: %w", err)
	}
	tmp := dst + ".tmp-" + strconv.Itoa(os.Getpid())
	cmd := exec.Command(goTool, append([]string{"build", "-o", tmp}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("go %s: %w\n%s", strings.Join(cmd.Args[1:], " "), err, out)
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("install %s: %w", dst, err)
	}
	return nil
}

// cacheDir returns (creating it) a directory for built binaries.
func cacheDir(name string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "cutover-testrig", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("cache dir: %w", err)
	}
	return dir, nil
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}
