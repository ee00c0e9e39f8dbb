package testrig_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/testrig"
)

func TestRIEInvokeAndFunctionErrors(t *testing.T) {
	t.Parallel()
	bootstrap := testrig.BuildLambda(t, "./internal/testrig/testdata/echofn")
	if again := testrig.BuildLambda(t, "./internal/testrig/testdata/echofn"); again != bootstrap {
		t.Errorf("second BuildLambda = %q, want the cached %q", again, bootstrap)
	}
	rie := testrig.StartRIE(t, bootstrap, []string{"ECHOFN_VALUE=from-env"})
	if !strings.HasPrefix(rie.URL, "http://127.0.0.1:") || !strings.HasPrefix(rie.RuntimeAPI, "127.0.0.1:") {
		t.Errorf("addresses %q %q, want 127.0.0.1", rie.URL, rie.RuntimeAPI)
	}
	ctx := testCtx(t)

	status, body, err := rie.Invoke(ctx, []byte(`{"hello":"world"}`))
	if err != nil || status != 200 || string(body) != `{"hello":"world"}` {
		t.Fatalf("echo: %d %q %v", status, body, err)
	}

	res, err := rie.InvokeResult(ctx, []byte(`{"hello":"world"}`))
	if err != nil || res.FunctionError {
		t.Errorf("echo result = %+v, %v; want no function error", res, err)
	}

	res, err = rie.InvokeResult(ctx, []byte(`{"action":"fail"}`))
	if err != nil {
		t.Fatalf("fail: %v", err)
	}
	if res.Status != 200 || !res.FunctionError || res.ErrorMessage != "echofn: asked to fail" || res.ErrorType == "" {
		t.Errorf("handler error result = %+v (%s), want 200 with a function error", res, res.Body)
	}

	res, err = rie.InvokeResult(ctx, []byte(`{"action":"env"}`))
	if err != nil || res.FunctionError || !strings.Contains(string(res.Body), "from-env") {
		t.Errorf("env: %+v (%s), %v; want ECHOFN_VALUE passed through", res, res.Body, err)
	}

	res, err = rie.InvokeResult(ctx, []byte(`{"action":"exit"}`))
	if err != nil {
		t.Fatalf("exit: %v", err)
	}
	if res.Status != 502 || !res.FunctionError || res.ErrorType != "Runtime.ExitError" {
		t.Errorf("runtime crash result = %+v (%s), want 502 Runtime.ExitError", res, res.Body)
	}

	// The emulator starts a fresh bootstrap after a crash.
	status, body, err = rie.Invoke(ctx, []byte(`{"n":2}`))
	if err != nil || status != 200 || string(body) != `{"n":2}` {
		t.Errorf("echo after crash: %d %q %v", status, body, err)
	}
	if !strings.Contains(rie.WaitOutput("echofn: asked to exit", 10*time.Second), "echofn: asked to exit") {
		t.Errorf("Output() lacks the function's stderr:\n%s", rie.Output())
	}
}
