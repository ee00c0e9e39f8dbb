package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// BenchmarkColdStart measures the cold path of the real bootstrap: from
// starting the Runtime Interface Emulator and the bootstrap process until
// the fake Slack has the POST for the first invocation (ms/cold), and the
// part of it from the emulator listening to the POST (ms/first-invoke: the
// emulator starts the bootstrap, which inits and handles the event). Run it with -benchtime=20x (each iteration starts processes).
// Enrichment is off and AWS points at a closed local port, so no AWS call
// is made.
func BenchmarkColdStart(b *testing.B) {
	bin := testrig.BuildBootstrap(b)
	chat := testrig.NewFakeChat(b)
	payload := snsEvent(b, "instance-success", "bench-cold", "")
	env := []string{
		config.EnvSlackWebhookURL + "=" + chat.WebhookURL(),
		config.EnvEnrich + "=false",
		"AWS_LAMBDA_FUNCTION_NAME=cutover",
		"AWS_LAMBDA_FUNCTION_TIMEOUT=30",
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_ENDPOINT_URL=http://127.0.0.1:9", "AWS_EC2_METADATA_DISABLED=true",
	}
	var total, invoke time.Duration
	for i := 0; i < b.N; i++ {
		before := chat.Count()
		start := time.Now()
		rie := testrig.StartRIE(b, bin, env)
		listening := time.Now()
		res, err := rie.InvokeResult(context.Background(), payload)
		if err != nil || res.FunctionError {
			b.Fatalf("invoke: %v %+v\n%s", err, res, rie.Output())
		}
		chat.WaitFor(b, before+1, 10*time.Second)
		total += time.Since(start)
		invoke += time.Since(listening)
		rie.Stop()
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/cold")
	b.ReportMetric(float64(invoke.Microseconds())/1000/float64(b.N), "ms/first-invoke")
}
