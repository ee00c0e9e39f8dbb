package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/inbound"
	"github.com/cutover-dev/cutover/internal/retry"
)

// replayUsage is the usage of `cutover replay` (`cutover help replay`).
const replayUsage = `Usage: cutover replay --function NAME [--keep] [--max N] [--no-records] [--poison-dir DIR] [--drop-poison] [FILE...]
       cutover replay [--queue-url URL] [--keep] [--max N] [--no-records] [--poison-dir DIR] [--drop-poison] [FILE...]

Re-run the events that failed: the messages in the function's failure
queue, or saved events in FILE... . With --function NAME the
configuration, failure queue and delivery records are the deployed
function's own; without it they come from the environment, the queue from
--queue-url or $` + config.EnvFailureQueueURL + `. Nothing already delivered is
sent again. What succeeds is deleted from the queue (unless --keep); what
still fails stays there, and replay exits 1.

A message that can never be delivered (input that is no notification, a
lifecycle hook whose status can never be reported) is set aside: saved as a file in --poison-dir
for you to inspect, left in the queue unless --drop-poison, and not counted
as failing: replay exits 0 when everything that could be delivered was.
`

// SQSAPI is the part of SQS replay uses.
type SQSAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

func runReplay(ctx context.Context, args []string, env Env) error {
	fs := newFlags("replay", env)
	queueURL := fs.String("queue-url", "", "failure queue to drain (default $"+config.EnvFailureQueueURL+", or the --function's on-failure destination)")
	function := fs.String("function", "", "take the configuration and failure queue from this deployed cutover function")
	keep := fs.Bool("keep", false, "do not delete replayed messages from the queue")
	noRecords := fs.Bool("no-records", false, "replay without the function's delivery records: what was delivered may be sent again")
	maxMsgs := fs.Int("max", 1000, "stop after about this many queue messages (checked per batch of up to 10)")
	poisonDir := fs.String("poison-dir", "cutover-poison", "where queue messages that can never be delivered are saved, one file each")
	dropPoison := fs.Bool("drop-poison", false, "delete from the queue the messages that can never be delivered, once saved")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *function != "" {
		// The failure queue is looked up only when no queue or files are
		// given.
		needQueue := *queueURL == "" && fs.NArg() == 0
		fnEnv, fnQueue, err := functionSettings(ctx, *function, needQueue)
		if err != nil {
			return &ExitError{Code: 1, Err: err}
		}
		env = withFunctionEnv(env, fnEnv)
		if *queueURL == "" {
			*queueURL = fnQueue
		}
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
		return usageErr("give saved event files, --function NAME, or a failure queue (--queue-url or $%s)", config.EnvFailureQueueURL)
	}
	if !cfg.HasDestinations() && !cfg.CloudFront.Enabled() {
		return usageErr("nothing to replay to: configure the destinations as the function has them (%s or %s, CUTOVER_CLOUDFRONT_DISTRIBUTION_IDS, ...) or use --function NAME",
			config.EnvDestinations, config.EnvSlackWebhookURLSecret)
	}
	if *queueURL != "" && cfg.RecordsTable == "" && !*noRecords {
		return usageErr("replaying a failure queue needs the function's delivery records (%s, or --function NAME) so nothing already delivered is sent again; --no-records replays anyway",
			config.EnvRecordsTable)
	}
	sys, err := buildCLI(ctx, cfg, env, *noRecords)
	if err != nil {
		return err
	}
	defer sys.Close()
	r := &replayer{sys: sys, env: env, poisonDir: *poisonDir, dropPoison: *dropPoison}
	for _, f := range files {
		data, err := readFile(f)
		if err != nil {
			r.fail(f, fmt.Errorf("read: %w", err))
			continue
		}
		r.one(ctx, f, data)
	}
	if *queueURL != "" {
		if err := r.queue(ctx, sqs.NewFromConfig(sys.AWS), *queueURL, *maxMsgs, !*keep); err != nil {
			return &ExitError{Code: 1, Err: err}
		}
	}
	fmt.Fprintf(env.Stdout, "replay: %d replayed, %d delivered, %d still failing, %d set aside (never deliverable)\n", r.total, r.ok, r.failed, r.poison)
	if r.failed > 0 {
		return &ExitError{Code: 1, Err: fmt.Errorf("replay: %d still failing; fix the cause and run replay again", r.failed)}
	}
	return nil
}

type replayer struct {
	sys                       *app.System
	env                       Env
	poisonDir                 string
	dropPoison                bool
	total, ok, failed, poison int
}

// outcome is what replaying one input came to.
type outcome int

const (
	replayed outcome = iota // delivered
	failing                 // may succeed once the cause is fixed
	poisoned                // can never be delivered
)

func (r *replayer) fail(name string, err error) {
	r.total++
	r.failed++
	fmt.Fprintf(r.env.Stdout, "FAIL %s: %s\n", name, oneLine(err))
}

// one replays one saved input through the inbound router, as the Lambda
// would: a notification (any envelope, including a failure-queue record),
// an SQS batch, or a CloudFront follow-up. It says whether it succeeded,
// may succeed later, or never can.
func (r *replayer) one(ctx context.Context, name string, data []byte) outcome {
	rep, err := r.sys.Inbound.Handle(ctx, data)
	if why := never(rep, err); why != nil {
		r.total++
		r.poison++
		fmt.Fprintf(r.env.Stdout, "POISON %s: %s\n", name, oneLine(why))
		return poisoned
	}
	if err == nil {
		err = undelivered(rep)
	}
	if err != nil {
		r.fail(name, err)
		return failing
	}
	r.total++
	r.ok++
	fmt.Fprintf(r.env.Stdout, "ok   %s: %s\n", name, rep.Summary())
	return replayed
}

// never says why an input can never be delivered, or nil: it holds no
// notification and only parts no retry can fix (permanent rejections).
// A lifecycle hook is run again: what it failed to deliver is delivered,
// and its answer is not repeated (the records hold it); one whose status
// can never be reported (the deployment is gone, the input unreadable)
// and whose deliveries did not fail is set aside.
func never(rep inbound.Report, err error) error {
	if rep.Kind == inbound.KindHook && err != nil && retry.IsPermanent(err) && undelivered(rep) == nil {
		return err
	}
	if rep.Accepted() {
		return nil
	}
	rejected := rep.Rejections()
	if len(rejected) == 0 {
		return nil
	}
	for _, rj := range rejected {
		if !rj.Permanent() {
			return nil
		}
	}
	return rejected[0]
}

// setAside saves a message that can never be delivered to the poison
// directory (its file name is the message ID, so replaying again rewrites
// the same file) and returns the file's path.
func (r *replayer) setAside(id string, body []byte) (string, error) {
	if err := os.MkdirAll(r.poisonDir, 0o700); err != nil {
		return "", fmt.Errorf("poison dir: %w", err)
	}
	path := filepath.Join(r.poisonDir, safeFileName(id)+".json")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		return "", fmt.Errorf("poison file: %w", err)
	}
	return path, nil
}

// safeFileName keeps letters, digits, - and _ of s.
func safeFileName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			b[i] = '_'
		}
	}
	if len(b) == 0 || len(b) > 128 {
		return "message"
	}
	return string(b)
}

// undelivered says why a replay that returned no error still did not
// deliver: the input held nothing cutover acts on, or an event reached no
// destination (its kind is not configured to notify here, and it calls for
// no action).
func undelivered(rep inbound.Report) error {
	if !rep.Accepted() {
		if rejected := rep.Rejections(); len(rejected) > 0 {
			return rejected[0]
		}
		return errors.New("no event in the input")
	}
	for _, e := range rep.EventReports() {
		if len(e.Deliveries) == 0 {
			return fmt.Errorf("%s %s: no destination here takes this event (is it in %s?); kept",
				e.Event.Name, e.Event.DeploymentID, config.EnvEvents)
		}
	}
	return nil
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
			body := []byte(aws.ToString(m.Body))
			switch out := r.one(ctx, "sqs:"+id, body); {
			case out == replayed && del:
				if err := deleteMessage(ctx, client, url, m); err != nil {
					fmt.Fprintf(r.env.Stdout, "WARN sqs:%s: delivered but not deleted: %s\n", id, oneLine(err))
				}
			case out == poisoned:
				path, err := r.setAside(id, body)
				if err != nil {
					// Not saved: never delete it.
					fmt.Fprintf(r.env.Stdout, "WARN sqs:%s: not saved, kept in the queue: %s\n", id, oneLine(err))
					held = append(held, m)
					continue
				}
				if r.dropPoison && del {
					if err := deleteMessage(ctx, client, url, m); err != nil {
						fmt.Fprintf(r.env.Stdout, "WARN sqs:%s: saved to %s but not deleted: %s\n", id, path, oneLine(err))
					} else {
						fmt.Fprintf(r.env.Stdout, "       saved to %s and deleted from the queue\n", path)
					}
					continue
				}
				fmt.Fprintf(r.env.Stdout, "       saved to %s; kept in the queue (--drop-poison deletes it)\n", path)
				held = append(held, m)
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
