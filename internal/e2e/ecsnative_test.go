package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/testrig"
)

// TestLambdaECSNative: the real bootstrap under the emulator reads an
// ECS-native EventBridge event, looks the service deployment up in the
// fake ECS API (moto has no service deployments) and posts the
// ECS-native message with the bake-time deadline and the rollback
// command; with a permission missing it still posts, without that part,
// and logs one warning naming the action.
func TestLambdaECSNative(t *testing.T) {
	ecs := testrig.ECSFakeBlueGreen(t)
	// The function reads the clock: bake time began 8 minutes ago.
	const arn = "arn:aws:ecs:us-east-1:111122223333:service-deployment/prod-cluster/web-frontend/EZe5RNVLH6PPzHXINuP28"
	dep := ecs.Deployment(arn)
	dep["updatedAt"] = float64(time.Now().Add(-8 * time.Minute).Unix())
	ecs.AddDeployment(dep)
	rig := startLambda(t, []string{
		"AWS_ENDPOINT_URL=" + ecs.URL,
		"AWS_ACCESS_KEY_ID=test",
		"AWS_SECRET_ACCESS_KEY=test",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true",
	}, "CUTOVER_ENRICH_TIMEOUT=5s")
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "source", "ecsnative", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	body := func(i int) string {
		reqs := rig.chat.Requests()
		if len(reqs) != i {
			t.Fatalf("fake Slack got %d requests, want %d", len(reqs), i)
		}
		return string(reqs[i-1].Body)
	}

	inv := rig.invoke(t, read("deployment/in-progress.json"))
	if inv.FunctionError {
		t.Fatalf("function error: %s %s", inv.ErrorType, inv.ErrorMessage)
	}
	got := body(1)
	for _, want := range []string{
		"ECS deployment started", "Roll back before", "stop-service-deployment --service-deployment-arn arn:aws:ecs:us-east-1:111122223333:service-deployment/prod-cluster/web-frontend/EZe5RNVLH6PPzHXINuP28 --stop-type ROLLBACK",
		"no finish early", "web-frontend:43", "Service revisions",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("message lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "codedeploy") {
		t.Errorf("an ECS-native message links CodeDeploy:\n%s", got)
	}
	if ecs.Calls(testrig.ECSListServiceDeployments) != 1 || ecs.Calls(testrig.ECSDescribeServiceRevisions) != 1 {
		t.Errorf("lookups: list %d, revisions %d", ecs.Calls(testrig.ECSListServiceDeployments), ecs.Calls(testrig.ECSDescribeServiceRevisions))
	}

	ecs.Fail(testrig.ECSDescribeServiceRevisions, testrig.ECSDenied(testrig.ECSDescribeServiceRevisions,
		"arn:aws:ecs:us-east-1:111122223333:service-revision/prod-cluster/web-frontend/4503257381420581834"))
	inv = rig.invoke(t, read("hook/awaiting-action.json"))
	if inv.FunctionError {
		t.Fatalf("function error: %s %s", inv.ErrorType, inv.ErrorMessage)
	}
	got = body(2)
	if !strings.Contains(got, "Lifecycle hook waiting for action") || !strings.Contains(got, "Roll back before") ||
		strings.Contains(got, "web-frontend:43") || !strings.Contains(got, "`4503257381420581834` · 100% traffic") {
		t.Errorf("message with revisions denied:\n%s", got)
	}
	var warned int
	for _, l := range inv.Logs {
		if strings.Contains(l.str("warning"), "ecs:DescribeServiceRevisions") {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("%d warnings naming ecs:DescribeServiceRevisions, want 1:\n%s", warned, inv.Output)
	}
}
