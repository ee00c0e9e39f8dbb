package inbound

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/source"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
	"github.com/cutover-dev/cutover/internal/source/ecsnative"
)

// TestClassifyECSNative: ECS EventBridge events (their lifecycleStage is
// under detail) are notifications for the ECS-native source, alone or in
// an SQS record; a hook invocation (executionId and lifecycleStage at the
// top) stays a hook.
func TestClassifyECSNative(t *testing.T) {
	reg := source.New(codedeploy.Decoder{}, ecsnative.Decoder{})
	paths, err := filepath.Glob(filepath.Join("..", "source", "ecsnative", "testdata", "*", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no ECS-native fixtures: %v", err)
	}
	n := 0
	for _, p := range paths {
		if filepath.Base(filepath.Dir(p)) == "decoded" {
			continue
		}
		n++
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		got := Classify(reg, data)
		if got.Kind != KindNotification || len(got.Events) != 1 || got.Events[0].Platform != deploy.ECSNative {
			t.Errorf("%s: kind %s, %d events, rejected %v", p, got.Kind, len(got.Events), got.Rejected)
		}
		batch := `{"Records":[{"messageId":"m1","eventSource":"aws:sqs","body":` + quote(string(data)) + `}]}`
		b := Classify(reg, []byte(batch))
		if b.Kind != KindBatch || len(b.Records) != 1 || b.Records[0].Payload.Kind != KindNotification {
			t.Errorf("%s in SQS: %+v", p, b)
		}
	}
	if n < 10 {
		t.Errorf("only %d fixtures", n)
	}
	hook := `{"executionId":"f4fcae0f","lifecycleStage":"PRODUCTION_TRAFFIC_SHIFT","resourceArn":"arn:aws:ecs:us-west-2:123456789012:service-deployment/c/s/x","executionDetails":{}}`
	if got := Classify(reg, []byte(hook)); got.Kind != KindHook {
		t.Errorf("hook invocation: kind %s", got.Kind)
	}
}

func quote(s string) string {
	b := []byte{'"'}
	for _, r := range s {
		switch r {
		case '"', '\\':
			b = append(b, '\\', byte(r))
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, string(r)...)
		}
	}
	return string(append(b, '"'))
}
