package e2e

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/testrig"
)

// BenchmarkColdStartVsFloor runs the real bootstrap and the floor program
// (bench/floor: the same job with the standard library only) under the
// Runtime Interface Emulator alternately, one cold start of each per
// iteration, and reports the first invoke of each (from the emulator
// listening to the POST at the fake Slack) and their ratio
// (x-floor/first-invoke, goal ≤ 2). Run it with -benchtime=20x.
// CUTOVER_BENCH_RUNTIME_ENV adds space-separated KEY=VALUE pairs to both
// functions' environment: bench/run.sh passes the Go runtime settings the
// Terraform module gives the function (go_runtime_tuning).
func BenchmarkColdStartVsFloor(b *testing.B) {
	bins := []string{testrig.BuildBootstrap(b), testrig.BuildLambda(b, "./bench/floor")}
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
	env = append(env, strings.Fields(os.Getenv("CUTOVER_BENCH_RUNTIME_ENV"))...)
	var invoke [2]time.Duration
	for i := 0; i < b.N; i++ {
		for j, bin := range bins {
			before := chat.Count()
			rie := testrig.StartRIE(b, bin, env)
			listening := time.Now()
			res, err := rie.InvokeResult(context.Background(), payload)
			if err != nil || res.FunctionError {
				b.Fatalf("invoke %s: %v %+v\n%s", bin, err, res, rie.Output())
			}
			chat.WaitFor(b, before+1, 10*time.Second)
			invoke[j] += time.Since(listening)
			rie.Stop()
		}
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(b.N) }
	b.ReportMetric(ms(invoke[0]), "ms/first-invoke")
	b.ReportMetric(ms(invoke[1]), "floor-ms/first-invoke")
	b.ReportMetric(float64(invoke[0])/float64(invoke[1]), "x-floor/first-invoke")
}
