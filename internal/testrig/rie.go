package testrig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// errNotFile is returned for a bootstrap path that is not a regular file.
var errNotFile = errors.New("not a regular file")

// invokePath is the RIE's invoke URL path (the Lambda Invoke API's).
const invokePath = "/2015-03-31/functions/function/invocations"

// RIE is a Lambda bootstrap running under the AWS Lambda Runtime Interface
// Emulator. Start one with [StartRIE].
type RIE struct {
	// URL is the emulator's base URL, http://127.0.0.1:P.
	URL string
	// RuntimeAPI is the Lambda Runtime API address the bootstrap talks to,
	// 127.0.0.1:Q.
	RuntimeAPI string

	proc   *proc
	client *http.Client
}

// InvokeResult is the RIE's answer to one invocation.
//
// How the RIE (version pinned in go.mod) reports errors, unlike real
// Lambda, which sets an X-Amz-Function-Error header:
//   - a handler that returns an error: status 200, no special header, body
//     {"errorMessage":"...","errorType":"..."};
//   - a runtime that crashes (panic, os.Exit): status 502 with body
//     {"errorType":"Runtime.ExitError","errorMessage":"RequestId: ... Error:
//     Runtime exited with error: exit status N"} (for a Go panic the body is
//     the panic's errorMessage, errorType and stackTrace); the next
//     invocation starts a fresh bootstrap.
//
// FunctionError is set for both (any 502, and any body with errorType and
// errorMessage), and also if an X-Amz-Function-Error header is present;
// tell them apart with Status.
type InvokeResult struct {
	// Status is the HTTP status of the invoke response.
	Status int
	// Body is the response body: the handler's result, or the error.
	Body []byte
	// FunctionError reports that the function failed (see above).
	FunctionError bool
	// ErrorType and ErrorMessage are the fields of the error body when
	// FunctionError is set.
	ErrorType, ErrorMessage string
}

// StartRIE runs bootstrapPath under the Runtime Interface Emulator
// (aws-lambda-rie, built once from the version pinned in go.mod) with both
// its addresses on 127.0.0.1 free ports, waits until it accepts
// connections and registers a cleanup that stops it and the bootstrap.
//
// The emulator and the bootstrap get env plus PATH, HOME and TMPDIR from the
// test process, nothing else, so the caller's AWS settings do not leak in;
// pass e.g. [Moto.Env] and the function's own settings. The emulator reads
// AWS_LAMBDA_FUNCTION_TIMEOUT (seconds, default 300),
// AWS_LAMBDA_FUNCTION_NAME (default test_function) and
// AWS_LAMBDA_FUNCTION_MEMORY_SIZE from env; do not set
// AWS_LAMBDA_MAX_CONCURRENCY, which switches it to another mode. The
// function's init runs on the first invocation.
func StartRIE(t testing.TB, bootstrapPath string, env []string) *RIE {
	t.Helper()
	abs, err := filepath.Abs(bootstrapPath)
	if err != nil {
		t.Fatalf("testrig: start rie: bootstrap path: %v", err)
	}
	if fi, err := os.Stat(abs); err != nil {
		t.Fatalf("testrig: start rie: bootstrap: %v", err)
	} else if !fi.Mode().IsRegular() {
		t.Fatalf("testrig: start rie: bootstrap %s: %v", abs, errNotFile)
	}
	bin := rieBinary(t)

	const attempts = 3
	var lastErr error
	for range attempts {
		r, err := startRIEOnce(bin, abs, env)
		if err == nil {
			r.proc.register(t)
			return r
		}
		lastErr = err
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatalf("testrig: start rie: %v", lastErr)
	return nil
}

func startRIEOnce(bin, bootstrap string, env []string) (*RIE, error) {
	p1, err := freePort()
	if err != nil {
		return nil, err
	}
	p2, err := freePort()
	if err != nil {
		return nil, err
	}
	if p2 == p1 {
		return nil, fmt.Errorf("rie: free port %d returned twice: %w", p1, errPortTaken)
	}
	emu := "127.0.0.1:" + strconv.Itoa(p1)
	api := "127.0.0.1:" + strconv.Itoa(p2)
	cmd := exec.Command(bin,
		"--runtime-interface-emulator-address", emu,
		"--runtime-api-address", api,
		bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = append(baseEnv(), env...)
	p, err := startProc("aws-lambda-rie", cmd)
	if err != nil {
		return nil, err
	}
	r := &RIE{URL: "http://" + emu, RuntimeAPI: api, proc: p, client: &http.Client{}}
	err = p.waitReady(readyTimeout, func(ctx context.Context) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", emu)
		if err != nil {
			return err
		}
		return c.Close()
	})
	if err != nil {
		p.stop()
		if p.exited() && p.portInUse() {
			return nil, fmt.Errorf("rie on %s/%s: %w", emu, api, errPortTaken)
		}
		return nil, fmt.Errorf("%w\n%s", err, p.out.String())
	}
	return r, nil
}

// baseEnv is the part of the test's environment passed to child processes
// that must not inherit everything.
func baseEnv() []string {
	var env []string
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// Invoke posts payload to the emulator's invoke URL and returns the HTTP
// status and body. A function error is not an error here; see
// [RIE.InvokeResult] and [InvokeResult].
func (r *RIE) Invoke(ctx context.Context, payload []byte) (status int, body []byte, err error) {
	res, err := r.InvokeResult(ctx, payload)
	return res.Status, res.Body, err
}

// InvokeResult is [RIE.Invoke] with the function error detected.
func (r *RIE) InvokeResult(ctx context.Context, payload []byte) (InvokeResult, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL+invokePath, bytes.NewReader(payload))
	if err != nil {
		return InvokeResult{}, fmt.Errorf("rie invoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.client.Do(req)
	if err != nil {
		return InvokeResult{}, fmt.Errorf("rie invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return InvokeResult{Status: resp.StatusCode}, fmt.Errorf("rie invoke: read body: %w", err)
	}
	res := InvokeResult{Status: resp.StatusCode, Body: body}
	var e struct {
		ErrorType    *string `json:"errorType"`
		ErrorMessage *string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &e) == nil && e.ErrorType != nil && e.ErrorMessage != nil {
		res.FunctionError = true
		res.ErrorType, res.ErrorMessage = *e.ErrorType, *e.ErrorMessage
	}
	if resp.StatusCode == http.StatusBadGateway || resp.Header.Get("X-Amz-Function-Error") != "" {
		res.FunctionError = true
	}
	return res, nil
}

// Output returns what the emulator and the bootstrap printed so far
// (stdout and stderr, including the function's logs).
func (r *RIE) Output() string {
	return r.proc.out.String()
}

// WaitOutput waits until the output contains want or timeout passes, and
// returns the output: the function's log lines reach the emulator's
// output through a pipe, possibly after the invocation's answer.
func (r *RIE) WaitOutput(want string, timeout time.Duration) string {
	deadline := time.Now().Add(timeout)
	for {
		out := r.Output()
		if strings.Contains(out, want) || time.Now().After(deadline) {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the emulator and the bootstrap now, rather than at the end of
// the test (benchmarks that start one per iteration). Stopping twice is
// harmless.
func (r *RIE) Stop() { r.proc.stop() }
