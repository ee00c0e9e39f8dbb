package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/dispatch"
)

// SQSAPI is the part of SQS replay uses.
type SQSAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

func runReplay(ctx context.Context, args []string, env Env) error {
	fs := newFlags("replay", env)
	queueURL := fs.String("queue-url", "", "failure queue to drain (default $"+config.EnvFailureQueueURL+")")
	keep := fs.Bool("keep", false, "do not delete replayed messages from the queue")
	max := fs.Int("max", 1000, "stop after this many queue messages")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	files := fs.Args()
	if *queueURL == "" {
		*queueURL = cfg.FailureQueueURL
	}
	if len(files) == 0 && *queueURL == "" {
		return usageErr("give saved event files or a failure queue (--queue-url or $%s)", config.EnvFailureQueueURL)
	}
	sys, err := buildCLI(ctx, cfg, env, false)
	if err != nil {
		return err
	}
	defer sys.Close()
	r := &replayer{d: sys.Dispatcher, env: env}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			r.fail(f, fmt.Errorf("read: %w", err))
			continue
		}
		r.one(ctx, f, data)
	}
	if *queueURL != "" {
		if err := r.queue(ctx, sqs.NewFromConfig(sys.AWS), *queueURL, *max, !*keep); err != nil {
			return &ExitError{Code: 1, Err: err}
		}
	}
	fmt.Fprintf(env.Stdout, "replay: %d replayed, %d delivered, %d still failing\n", r.total, r.ok, r.failed)
	if r.failed > 0 {
		return &ExitError{Code: 1, Err: fmt.Errorf("replay: %d still failing; fix the cause and run replay again", r.failed)}
	}
	return nil
}

type replayer struct {
	d                 *dispatch.Dispatcher
	env               Env
	total, ok, failed int
}

func (r *replayer) fail(name string, err error) {
	r.total++
	r.failed++
	fmt.Fprintf(r.env.Stdout, "FAIL %s: %s\n", name, oneLine(err))
}

// one replays one saved input; it reports whether it fully succeeded.
func (r *replayer) one(ctx context.Context, name string, data []byte) bool {
	rep, err := r.d.Handle(ctx, data)
	if err == nil && len(rep.Events) == 0 && len(rep.Rejected) > 0 {
		err = errors.New(rep.Rejected[0])
	}
	if err != nil {
		r.fail(name, err)
		return false
	}
	r.total++
	r.ok++
	fmt.Fprintf(r.env.Stdout, "ok   %s: %s\n", name, rep.Summary())
	return true
}

// queue drains the failure queue: each message is re-run through the normal
// path (delivery records prevent duplicates) and deleted once it succeeds.
// Messages that still fail stay in the queue and become visible again.
func (r *replayer) queue(ctx context.Context, client SQSAPI, url string, max int, del bool) error {
	seen := map[string]bool{}
	var held []types.Message
	for len(seen) < max {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:            aws.String(url),
			MaxNumberOfMessages: 10,
			WaitTimeSeconds:     1,
			VisibilityTimeout:   300,
		})
		if err != nil {
			return fmt.Errorf("replay: receive from %s: %w", url, err)
		}
		fresh := 0
		for _, m := range out.Messages {
			id := aws.ToString(m.MessageId)
			if seen[id] {
				continue
			}
			seen[id], fresh = true, fresh+1
			ok := r.one(ctx, "sqs:"+id, []byte(aws.ToString(m.Body)))
			switch {
			case ok && del:
				if err := deleteMessage(ctx, client, url, m); err != nil {
					fmt.Fprintf(r.env.Stdout, "WARN sqs:%s: delivered but not deleted: %s\n", id, oneLine(err))
				}
			default:
				held = append(held, m)
			}
		}
		if fresh == 0 {
			break
		}
	}
	// Make what was not deleted visible again at once, so the next replay
	// (after fixing the cause) sees it without waiting out the timeout.
	for _, m := range held {
		if _, err := client.ChangeMessageVisibility(context.WithoutCancel(ctx), &sqs.ChangeMessageVisibilityInput{
			QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0,
		}); err != nil {
			fmt.Fprintf(r.env.Stdout, "WARN sqs:%s: stays invisible until its visibility timeout: %s\n", aws.ToString(m.MessageId), oneLine(err))
		}
	}
	return nil
}

func deleteMessage(ctx context.Context, client SQSAPI, url string, m types.Message) error {
	_, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle})
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}
