package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/check/checktest"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/hook"
)

// The ECS-native deployment testrig.ECSFakeBlueGreen holds.
const (
	fakeDeploymentARN = "arn:aws:ecs:us-east-1:111122223333:service-deployment/prod-cluster/web-frontend/EZe5RNVLH6PPzHXINuP28"
	fakeServiceARN    = "arn:aws:ecs:us-east-1:111122223333:service/prod-cluster/web-frontend"
	fakeTargetRev     = "arn:aws:ecs:us-east-1:111122223333:service-revision/prod-cluster/web-frontend/4503257381420581834"
	fakeSourceRev     = "arn:aws:ecs:us-east-1:111122223333:service-revision/prod-cluster/web-frontend/1920498462936580504"
)

// fakeECSHook is an ECS lifecycle-hook invocation for the fake's
// deployment at stage, with the target revision at targetWeight % of
// production traffic.
func fakeECSHook(t *testing.T, execution, stage string, targetWeight float64) []byte {
	t.Helper()
	return mustJSON(t, map[string]any{
		"executionId": execution, "lifecycleStage": stage, "resourceArn": fakeDeploymentARN,
		"executionDetails": map[string]any{
			"serviceArn": fakeServiceARN, "targetServiceRevisionArn": fakeTargetRev,
			"testTrafficWeights":       map[string]float64{fakeTargetRev: 100},
			"productionTrafficWeights": map[string]float64{fakeTargetRev: targetWeight, fakeSourceRev: 100 - targetWeight},
		},
		"hookDetails": map[string]any{"team": "web"},
	})
}

// TestHookChecksBootstrap is the capability end to end as configured by
// a user, under the real bootstrap and the Lambda emulator: one function
// with CUTOVER_CHECKS pointing at a fake application (checktest), the
// enrichment on against the ECS fake (service deployments, which moto
// lacks) and patched moto (CodeDeploy, the records table), and a fake
// Slack. Nothing is injected into the process: the faults are the
// application's. It covers the ECS-native traffic switch with a passing,
// failing (5xx, latency) and timing-out check, the rollback's traffic
// shift, the CodeDeploy AfterAllowTraffic hook failing and passing with
// exactly one status each, and duplicate invocations of each.
func TestHookChecksBootstrap(t *testing.T) {
	r := newHookRig(t, hookRigOptions{CodeDeployApp: "checks-web", CodeDeployGroup: "checks-web-prod", ECSFake: true})
	table := r.table(t, "e2e-hookchecks")

	// The ECS fake's deployment entered bake time 8 minutes ago (the
	// function reads the clock: a hook invocation carries no time).
	dep := r.ecs.Deployment(fakeDeploymentARN)
	dep["updatedAt"] = float64(time.Now().Add(-8 * time.Minute).Unix())
	r.ecs.AddDeployment(dep)

	app := checktest.NewApp(t)
	checks := `[{"name":"api-ping","type":"http","url":"` + app.URL + `/api/ping","requests":20,"p99_ms":300,"timeout_ms":1000,"body_contains":"ok"}]`
	rig := r.function(t,
		config.EnvRecordsTable+"="+table,
		config.EnvChecks+"="+checks,
		config.EnvEnrichTimeout+"=5s",
	)

	// messages returns the Slack messages posted since the last call.
	messages := newMessages(rig.chat)
	contains := func(t *testing.T, what, got string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, got)
			}
		}
	}

	// switched runs one ECS POST_PRODUCTION_TRAFFIC_SHIFT execution with
	// the application's faults, twice (the duplicate must answer the same
	// and post nothing), and returns the two messages of the first: the
	// traffic switch and the checks.
	switched := func(t *testing.T, execution string, faults checktest.Faults, want hook.Status) (switchMsg, checksMsg string) {
		t.Helper()
		app.SetFaults(faults)
		messages()
		in := fakeECSHook(t, execution, hook.StagePostProductionTrafficShift, 100)
		if s := ecsStatus(t, rig.invoke(t, in)); s != want {
			t.Errorf("answer %s, want %s", s, want)
		}
		got := messages()
		if len(got) != 2 {
			t.Fatalf("%d Slack messages for the switch, want 2 (the switch, the checks): %q", len(got), got)
		}
		requests := app.Requests()
		if s := ecsStatus(t, rig.invoke(t, in)); s != want {
			t.Errorf("duplicate answer %s, want %s", s, want)
		}
		if dup := messages(); len(dup) != 0 {
			t.Errorf("the duplicate invocation posted %d messages: %q", len(dup), dup)
		}
		if app.Requests() != requests {
			t.Errorf("the duplicate invocation ran the checks again (%d requests)", app.Requests()-requests)
		}
		return got[0], got[1]
	}

	t.Run("ecs_switch_check_passes", func(t *testing.T) {
		sw, ch := switched(t, "hc-ecs-pass", checktest.Faults{}, hook.Succeeded)
		contains(t, "the switch message", sw, "Traffic switched", "Roll back before", "stop-service-deployment --service-deployment-arn "+fakeDeploymentARN+" --stop-type ROLLBACK")
		contains(t, "the checks message", ch, "Checks at the switch (passed)", "api-ping: GET /api/ping: 20 requests, all 200")
		if app.Requests() != 20 {
			t.Errorf("the application got %d requests, want 20", app.Requests())
		}
	})

	t.Run("ecs_switch_check_fails_5xx", func(t *testing.T) {
		_, ch := switched(t, "hc-ecs-5xx", checktest.Faults{Status: http.StatusServiceUnavailable, Of: 3, Every: 20}, hook.Failed)
		contains(t, "the checks message", ch, "Checks at the switch (1 of 1 failed)", "api-ping: 3 of 20 requests answered 503 on GET /api/ping (expected 200)")
	})

	t.Run("ecs_switch_check_fails_latency", func(t *testing.T) {
		_, ch := switched(t, "hc-ecs-slow", checktest.Faults{Delay: 450 * time.Millisecond, Of: 1, Every: 10}, hook.Failed)
		contains(t, "the checks message", ch, "above 300 ms budget on GET /api/ping, 20 requests")
	})

	t.Run("ecs_switch_check_times_out", func(t *testing.T) {
		// Slower than the check's 1 s timeout: the check fails with what
		// it saw, and the hook still answers.
		_, ch := switched(t, "hc-ecs-timeout", checktest.Faults{Delay: 3 * time.Second}, hook.Failed)
		contains(t, "the checks message", ch, "20 of 20 requests got no answer on GET /api/ping", "timed out after 1.0 s")
	})

	t.Run("ecs_rollback_traffic_shift", func(t *testing.T) {
		app.SetFaults(checktest.Faults{})
		messages()
		in := fakeECSHook(t, "hc-ecs-rollback", hook.StageProductionTrafficShift, 0)
		for i := range 2 {
			if s := ecsStatus(t, rig.invoke(t, in)); s != hook.Succeeded {
				t.Errorf("invocation %d: answer %s", i+1, s)
			}
		}
		got := messages()
		if len(got) != 1 {
			t.Fatalf("%d Slack messages for the rollback invoked twice, want 1: %q", len(got), got)
		}
		contains(t, "the rollback message", got[0], "ECS deployment rolling back")
		if app.Requests() != 0 {
			t.Errorf("checks ran at the rollback (%d requests)", app.Requests())
		}
	})

	for _, c := range []struct {
		name   string
		faults checktest.Faults
		status string
		says   string
	}{
		{"failing", checktest.Faults{Status: http.StatusInternalServerError}, "Failed", "20 of 20 requests answered 500 on GET /api/ping"},
		{"passing", checktest.Faults{}, "Succeeded", "api-ping: GET /api/ping: 20 requests, all 200"},
	} {
		t.Run("codedeploy_after_allow_traffic_"+c.name, func(t *testing.T) {
			app.SetFaults(c.faults)
			messages()
			id := r.deployment(t)
			in := codeDeployHook(t, id, "eyJoYyI6ImNkLSJ9-"+c.name)
			for i := range 2 {
				if inv := rig.invoke(t, in); inv.FunctionError {
					t.Fatalf("invocation %d: function error %s: %s", i+1, inv.ErrorType, inv.ErrorMessage)
				}
			}
			calls := r.moto.HookStatusCalls(t, id)
			if len(calls) != 1 || calls[0].Status != c.status {
				t.Errorf("PutLifecycleEventHookExecutionStatus calls %+v, want exactly one %s", calls, c.status)
			}
			got := messages()
			if len(got) != 2 {
				t.Fatalf("%d Slack messages for one execution invoked twice, want 2 (the switch, the checks): %q", len(got), got)
			}
			contains(t, "the switch message", got[0], "Traffic switched", r.appName)
			contains(t, "the checks message", got[1], c.says)
		})
	}
}
