package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/config"
)

// functionSettings reads a deployed cutover function's CUTOVER_*
// environment and, when needQueue, the URL of its on-failure SQS
// destination, so replay runs with exactly the function's configuration. The environment holds
// references to secrets, never secrets.
func functionSettings(ctx context.Context, name string, needQueue bool) (map[string]string, string, error) {
	var opts []func(*awsconfig.LoadOptions) error
	if p := strings.Split(name, ":"); len(p) >= 7 && p[0] == "arn" {
		// A function ARN names its region.
		opts = append(opts, awsconfig.WithRegion(p[3]))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, "", fmt.Errorf("replay: aws config: %w", err)
	}
	cfg = awsx.WithRetries(cfg, awsx.Standard)
	lc := lambda.NewFromConfig(cfg)
	fn, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
	if err != nil {
		return nil, "", fmt.Errorf("replay: read function %s (needs lambda:GetFunctionConfiguration): %w", name, err)
	}
	vars := map[string]string{}
	if fn.Environment != nil {
		for k, v := range fn.Environment.Variables {
			if strings.HasPrefix(k, config.Prefix) {
				vars[k] = v
			}
		}
	}
	if !needQueue {
		return vars, "", nil
	}
	inv, err := lc.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	if err != nil {
		return vars, "", fmt.Errorf("replay: read the asynchronous invocation settings of %s (needs lambda:GetFunctionEventInvokeConfig): %w", name, err)
	}
	var arn string
	if d := inv.DestinationConfig; d != nil && d.OnFailure != nil {
		arn = aws.ToString(d.OnFailure.Destination)
	}
	// arn:aws:sqs:REGION:ACCOUNT:NAME
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[2] != "sqs" {
		return vars, "", fmt.Errorf("replay: function %s has no SQS on-failure destination (found %q)", name, arn)
	}
	q, err := sqs.NewFromConfig(cfg, func(o *sqs.Options) { o.Region = parts[3] }).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(parts[5]), QueueOwnerAWSAccountId: aws.String(parts[4])})
	if err != nil {
		return vars, "", fmt.Errorf("replay: find queue %s: %w", arn, err)
	}
	return vars, aws.ToString(q.QueueUrl), nil
}

// withFunctionEnv returns env whose CUTOVER_* variables are exactly the
// function's (a local CUTOVER_EVENTS or webhook must not change what a
// replay does), except CUTOVER_LOG_LEVEL; other variables (AWS_*) come from
// the process.
func withFunctionEnv(env Env, fn map[string]string) Env {
	get := env.Getenv
	env.Getenv = func(k string) string {
		if v, ok := fn[k]; ok {
			return v
		}
		if strings.HasPrefix(k, config.Prefix) && k != config.EnvLogLevel {
			return ""
		}
		return get(k)
	}
	return env
}
