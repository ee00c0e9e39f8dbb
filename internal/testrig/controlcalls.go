package testrig

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// ControlCall is one StopDeployment or ContinueDeployment call moto
// received.
type ControlCall struct {
	// Operation is "StopDeployment" or "ContinueDeployment".
	Operation string `json:"operation"`
	// Params are the request's JSON parameters (deploymentId,
	// autoRollbackEnabled, deploymentWaitType).
	Params map[string]any `json:"params"`
}

// ControlCalls returns the StopDeployment and ContinueDeployment calls
// moto's CodeDeploy received since the last Reset, in order (the
// launcher records them; AWS has no such action).
func (m *Moto) ControlCalls(t testing.TB) []ControlCall {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint+"/", bytes.NewReader([]byte("{}")))
	if err != nil {
		t.Fatalf("testrig: moto control calls: %v", err)
	}
	req.Header.Set("X-Amz-Target", "CodeDeploy_20141006.TestrigControlCalls")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/"+Region+"/codedeploy/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatalf("testrig: moto control calls: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("testrig: moto control calls: status %d: %s", resp.StatusCode, body)
	}
	var out struct {
		Calls []ControlCall `json:"calls"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("testrig: moto control calls: %v: %s", err, body)
	}
	return out.Calls
}

// String describes the call for test failures.
func (c ControlCall) String() string { return fmt.Sprintf("%s %v", c.Operation, c.Params) }
