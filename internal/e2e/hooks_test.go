package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/hook"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// hookRigs are two functions on one moto, with a DynamoDB records table
// each: one with CUTOVER_HOOK_ON_ERROR at its default (continue), one with
// rollback.
type hookRigs struct {
	*hookRig
	failureQueue   string
	cont, rollback *lambdaRig
}

func startHookRigs(t *testing.T) *hookRigs {
	t.Helper()
	r := &hookRigs{hookRig: newHookRig(t, hookRigOptions{CodeDeployApp: "hooks-web", CodeDeployGroup: "hooks-web-prod"})}
	contTable, rbTable := r.table(t, "e2e-hooks-continue"), r.table(t, "e2e-hooks-rollback")
	r.failureQueue = r.queue(t, "e2e-hooks-failures")
	r.cont = r.function(t, config.EnvRecordsTable+"="+contTable, config.EnvEnrich+"=false", config.EnvFailureQueueURL+"="+r.failureQueue)
	r.rollback = r.function(t, config.EnvRecordsTable+"="+rbTable, config.EnvEnrich+"=false", config.EnvHookOnError+"=rollback")
	return r
}

// readHookFixture returns a file under internal/hook/testdata.
func readHookFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "hook", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func codeDeployHook(t *testing.T, deploymentID, execution string) []byte {
	return mustJSON(t, map[string]string{"DeploymentId": deploymentID, "LifecycleEventHookExecutionId": execution})
}

func ecsHook(t *testing.T, fixture, execution string) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readHookFixture(t, fixture), &m); err != nil {
		t.Fatal(err)
	}
	m["executionId"] = execution
	return mustJSON(t, m)
}

// ecsStatus is the hookStatus an invocation answered; it fails the test on
// a function error (ECS would roll back on it whatever cutover meant).
func ecsStatus(t *testing.T, inv invocation) hook.Status {
	t.Helper()
	if inv.FunctionError || inv.Status != http.StatusOK {
		t.Fatalf("function error (%s: %s), status %d: an ECS hook must always answer", inv.ErrorType, inv.ErrorMessage, inv.Status)
	}
	var resp hook.ECSResponse
	if err := json.Unmarshal(inv.Body, &resp); err != nil {
		t.Fatalf("answer %s: %v", inv.Body, err)
	}
	return resp.HookStatus
}

// TestHookBootstrap runs ECS and CodeDeploy lifecycle-hook invocations
// through the real bootstrap under the Lambda emulator, against moto
// (CodeDeploy, DynamoDB records) and a fake Slack: the answers, what was
// notified, and PutLifecycleEventHookExecutionStatus exactly once per
// execution as moto recorded it. (Check outcomes are covered at the
// router with fake runners: the bootstrap has no checks configured.)
func TestHookBootstrap(t *testing.T) {
	r := startHookRigs(t)

	t.Run("ecs_switch_notifies_once_and_answers_the_same_twice", func(t *testing.T) {
		r.cont.chat.Reset()
		in := ecsHook(t, "ecs-post-production-traffic-shift.json", "e2e-ecs-switch-1")
		if s := ecsStatus(t, r.cont.invoke(t, in)); s != hook.Succeeded {
			t.Errorf("answer %s", s)
		}
		if s := ecsStatus(t, r.cont.invoke(t, in)); s != hook.Succeeded {
			t.Errorf("duplicate answer %s", s)
		}
		reqs := r.cont.chat.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d Slack requests for one execution invoked twice, want 1", len(reqs))
		}
		if msg, _ := parseSlack(t, reqs[0].Body); !strings.Contains(msg.Text, "Traffic switched") {
			t.Errorf("message %q", msg.Text)
		}
	})

	t.Run("ecs_rollback_weights_notify_the_rollback", func(t *testing.T) {
		r.cont.chat.Reset()
		in := ecsHook(t, "ecs-rollback-production-traffic-shift.json", "e2e-ecs-rollback-1")
		if s := ecsStatus(t, r.cont.invoke(t, in)); s != hook.Succeeded {
			t.Errorf("answer %s", s)
		}
		reqs := r.cont.chat.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d Slack requests, want 1", len(reqs))
		}
		if msg, _ := parseSlack(t, reqs[0].Body); !strings.Contains(msg.Text, "ECS deployment rolling back") {
			t.Errorf("message %q does not say rollback", msg.Text)
		}
	})

	t.Run("ecs_forward_shift_is_quiet_by_default", func(t *testing.T) {
		r.cont.chat.Reset()
		in := ecsHook(t, "ecs-production-traffic-shift.json", "e2e-ecs-forward-1")
		if s := ecsStatus(t, r.cont.invoke(t, in)); s != hook.Succeeded {
			t.Errorf("answer %s", s)
		}
		if n := len(r.cont.chat.Requests()); n != 0 {
			t.Errorf("%d Slack requests for a stage not in CUTOVER_EVENTS", n)
		}
	})

	for _, c := range []struct {
		name string
		rig  *lambdaRig
		want hook.Status
	}{{"continue", r.cont, hook.Succeeded}, {"rollback", r.rollback, hook.Failed}} {
		t.Run("ecs_chat_down_"+c.name, func(t *testing.T) {
			c.rig.chat.Reset()
			c.rig.chat.SetDefault(testrig.Status(http.StatusServiceUnavailable, "down"))
			defer c.rig.chat.SetDefault(testrig.OK())
			inv := c.rig.invoke(t, ecsHook(t, "ecs-post-production-traffic-shift.json", "e2e-ecs-down-"+c.name))
			if s := ecsStatus(t, inv); s != c.want {
				t.Errorf("answer %s, want %s", s, c.want)
			}
			if !strings.Contains(inv.Output, "hook event not fully delivered") {
				t.Errorf("the delivery failure is not logged:\n%s", inv.Output)
			}
			if c.rig == r.cont {
				// Kept in the failure queue as a failure record, for replay.
				out, err := r.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(r.failureQueue), MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
				if err != nil {
					t.Fatal(err)
				}
				found := 0
				for _, msg := range out.Messages {
					if strings.Contains(aws.ToString(msg.Body), `"requestPayload"`) && strings.Contains(aws.ToString(msg.Body), "e2e-ecs-down-continue") {
						found++
					}
				}
				if found != 1 {
					t.Errorf("%d failure records for the undelivered hook in the queue, want 1", found)
				}
			}
		})
		t.Run("ecs_garbage_"+c.name, func(t *testing.T) {
			c.rig.chat.Reset()
			inv := c.rig.invoke(t, []byte(`{"executionId":"x","lifecycleStage":["POST_PRODUCTION_TRAFFIC_SHIFT"],"resourceArn":7}`))
			if s := ecsStatus(t, inv); s != c.want {
				t.Errorf("answer %s, want %s", s, c.want)
			}
			if n := len(c.rig.chat.Requests()); n != 0 {
				t.Errorf("%d Slack requests for unreadable input", n)
			}
		})
	}

	t.Run("codedeploy_switch_reports_once", func(t *testing.T) {
		r.cont.chat.Reset()
		id := r.deployment(t)
		in := codeDeployHook(t, id, "eyJlMmUiOiJjZC0xIn0=")
		inv := r.cont.invoke(t, in)
		if inv.FunctionError {
			t.Fatalf("function error %s: %s", inv.ErrorType, inv.ErrorMessage)
		}
		// Lambda's retry of the same event.
		if inv := r.cont.invoke(t, in); inv.FunctionError {
			t.Fatalf("duplicate: function error %s: %s", inv.ErrorType, inv.ErrorMessage)
		}
		calls := r.moto.HookStatusCalls(t, id)
		if len(calls) != 1 || calls[0].Status != "Succeeded" || calls[0].ExecutionID != "eyJlMmUiOiJjZC0xIn0=" {
			t.Errorf("PutLifecycleEventHookExecutionStatus calls %+v, want exactly one Succeeded", calls)
		}
		reqs := r.cont.chat.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d Slack requests, want 1", len(reqs))
		}
		if msg, _ := parseSlack(t, reqs[0].Body); !strings.Contains(msg.Text, "Traffic switched") {
			t.Errorf("message %q", msg.Text)
		}
	})

	t.Run("codedeploy_throttled_status_is_retried_within_the_invocation", func(t *testing.T) {
		id := r.deployment(t)
		r.moto.FailHookStatus(t, "ThrottlingException", 400, 2)
		inv := r.cont.invoke(t, codeDeployHook(t, id, "eyJlMmUiOiJjZC10aHJvdHRsZSJ9"))
		if inv.FunctionError {
			t.Fatalf("function error %s: %s", inv.ErrorType, inv.ErrorMessage)
		}
		if calls := r.moto.HookStatusCalls(t, id); len(calls) != 1 || calls[0].Status != "Succeeded" {
			t.Errorf("calls %+v, want one Succeeded after the throttled attempts", calls)
		}
	})

	for _, c := range []struct {
		name string
		rig  *lambdaRig
		want string
	}{{"continue", r.cont, "Succeeded"}, {"rollback", r.rollback, "Failed"}} {
		t.Run("codedeploy_chat_down_"+c.name, func(t *testing.T) {
			c.rig.chat.Reset()
			c.rig.chat.SetDefault(testrig.Status(http.StatusServiceUnavailable, "down"))
			id := r.deployment(t)
			in := codeDeployHook(t, id, "eyJlMmUiOiJkb3duLSJ9-"+c.name)
			inv := c.rig.invoke(t, in)
			if !inv.FunctionError {
				t.Error("an undelivered notification must fail the invocation, so Lambda retries it and the failure queue keeps it")
			}
			calls := r.moto.HookStatusCalls(t, id)
			if len(calls) != 1 || calls[0].Status != c.want {
				t.Fatalf("calls %+v, want exactly one %s", calls, c.want)
			}
			// Lambda retries once Slack is back: delivered, not reported again.
			c.rig.chat.SetDefault(testrig.OK())
			before := len(c.rig.chat.Requests())
			if inv := c.rig.invoke(t, in); inv.FunctionError {
				t.Fatalf("retry: function error %s: %s", inv.ErrorType, inv.ErrorMessage)
			}
			if len(c.rig.chat.Requests()) != before+1 {
				t.Errorf("the retry made %d Slack requests, want 1", len(c.rig.chat.Requests())-before)
			}
			if calls := r.moto.HookStatusCalls(t, id); len(calls) != 1 {
				t.Errorf("after the retry: %d status calls, want 1", len(calls))
			}
		})
	}
}
