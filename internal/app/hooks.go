package app

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	codedeploysdk "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/inbound"
	"github.com/cutover-dev/cutover/internal/records"
)

// hookOptions configures lifecycle-hook mode: the policy for cutover's own
// faults, and the CodeDeploy client that finds which hook invoked the
// function and reports its status (retried within the standard budget on
// throttling and 5xx, always inside the invocation's deadline).
//
// An ECS hook whose notifications could not all be delivered is kept in
// the failure queue (CUTOVER_FAILURE_QUEUE_URL), for `cutover replay`.
//
// Without a records table the answers are kept in memory, so a duplicate
// invocation reaching the same instance still does not answer twice.
func (s *System) hookOptions(cfg *config.Config, d *delivery.Dispatcher) inbound.HookOptions {
	var answers records.Store
	if d.Records == nil {
		answers = records.NewMemory(cfg.RecordsTTL)
	}
	var keep func(ctx context.Context, record []byte) error
	if queue := cfg.FailureQueueURL; queue != "" {
		client := newLazy(func() *sqs.Client { return sqs.NewFromConfig(awsx.WithRetries(s.AWS, awsx.Short)) })
		keep = func(ctx context.Context, record []byte) error {
			_, err := client.get().SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queue), MessageBody: aws.String(string(record))})
			if err != nil {
				return fmt.Errorf("keep for replay: sqs:SendMessage to %s: %w", config.EnvFailureQueueURL, err)
			}
			return nil
		}
	}
	return inbound.HookOptions{
		Answers:         answers,
		Keep:            keep,
		OnError:         cfg.Hooks.OnError,
		CodeDeployEvent: cfg.Hooks.CodeDeployEvent,
		CodeDeploy: lazyCodeDeploy{newLazy(func() *codedeploysdk.Client {
			return codedeploysdk.NewFromConfig(awsx.WithRetries(s.AWS, awsx.Standard))
		})},
		Region: s.AWS.Region,
	}
}
