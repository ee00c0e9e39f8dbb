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

// HookStatusCall is one PutLifecycleEventHookExecutionStatus call moto
// received, duplicates included.
type HookStatusCall struct {
	DeploymentID string  `json:"deploymentId"`
	ExecutionID  string  `json:"lifecycleEventHookExecutionId"`
	Status       string  `json:"status"`
	Time         float64 `json:"time"`
}

// HookStatusCalls returns every PutLifecycleEventHookExecutionStatus call
// moto received for deploymentID, in order (moto's launcher records them;
// a second status for the same execution is recorded and then refused
// with LifecycleEventAlreadyCompletedException, as AWS does).
func (m *Moto) HookStatusCalls(t testing.TB, deploymentID string) []HookStatusCall {
	t.Helper()
	var out struct {
		Calls []HookStatusCall `json:"calls"`
	}
	if err := json.Unmarshal(m.codeDeployTestrig(t, "TestrigHookCalls", map[string]any{}), &out); err != nil {
		t.Fatalf("testrig: moto hook calls: %v", err)
	}
	var calls []HookStatusCall
	for _, c := range out.Calls {
		if c.DeploymentID == deploymentID {
			calls = append(calls, c)
		}
	}
	return calls
}

// FailHookStatus makes the next PutLifecycleEventHookExecutionStatus
// calls fail, one fault each: an error type (e.g. "ThrottlingException")
// and the HTTP status it is answered with (400, or 500 and up for a
// server fault).
func (m *Moto) FailHookStatus(t testing.TB, errorType string, status, times int) {
	t.Helper()
	var faults []map[string]any
	for range times {
		faults = append(faults, map[string]any{"type": errorType, "status": status})
	}
	m.codeDeployTestrig(t, "TestrigFailHookStatus", map[string]any{"faults": faults})
}

// SetDeploymentTargets gives the CodeDeploy deployment deploymentID the
// ECS targets ListDeploymentTargets and GetDeploymentTarget answer with
// (moto has neither). Each target is a CodeDeploy ECSTarget, e.g.
//
//	{"targetId": "prod:web", "targetArn": "arn:aws:ecs:us-east-1:111122223333:service/prod/web",
//	 "lifecycleEvents": [{"lifecycleEventName": "AfterAllowTraffic", "status": "InProgress"}]}
func (m *Moto) SetDeploymentTargets(t testing.TB, deploymentID string, targets []map[string]any) {
	t.Helper()
	m.codeDeployTestrig(t, "TestrigSetDeploymentTargets", map[string]any{"deploymentId": deploymentID, "targets": targets})
}

// codeDeployTestrig calls one of the launcher's Testrig* CodeDeploy
// actions and returns its answer.
func (m *Moto) codeDeployTestrig(t testing.TB, action string, in any) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("testrig: moto %s: %v", action, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.Endpoint+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("testrig: moto %s: %v", action, err)
	}
	req.Header.Set("X-Amz-Target", "CodeDeploy_20141006."+action)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/"+Region+"/codedeploy/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("testrig: moto %s: %v", action, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("testrig: moto %s: %v", action, fmt.Errorf("status %d: %s", resp.StatusCode, out))
	}
	return out
}
