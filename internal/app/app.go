// Package app assembles a running cutover from its configuration: AWS
// clients, the secret-backed destinations, the delivery records, the
// CloudFront action and the enrichment. The Lambda handler and the CLI
// build the same System, so `cutover send` runs exactly what the Lambda
// runs.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/discord"
	"github.com/cutover-dev/cutover/internal/chat/slackhook"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/inbound"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/source"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// Sources returns the event sources cutover decodes, in the order they are
// asked. config.Load checks CUTOVER_EVENTS against their event names.
func Sources() *source.Registry { return source.New(codedeploy.Decoder{}) }

// Destinations returns the destination types cutover delivers to, by the
// type name configuration uses.
func Destinations() chat.Types {
	return chat.Types{"slack": slackhook.Build, "discord": discord.Build}
}

// Options adjust how a System is built.
type Options struct {
	// Log receives the system's logs (required).
	Log *slog.Logger
	// Lambda is true inside the Lambda runtime.
	Lambda bool
	// AWS, when set, is used instead of loading the default AWS config.
	AWS *aws.Config
	// DryRun describes actions instead of performing them.
	DryRun bool
	// Extra destinations are added after the configured ones (e.g. the
	// demo's terminal).
	Extra []delivery.Destination
	// Records, when set, replaces the configured delivery records.
	Records records.Store
	// Now is the clock (default time.Now).
	Now func() time.Time
	// HTTPTimeout bounds one chat POST attempt (default 10 s).
	HTTPTimeout time.Duration
	// Version is reported in the chat User-Agent.
	Version string
	// FollowUpDelay overrides the wait before each invalidation completion
	// check (tests; negative means none).
	FollowUpDelay time.Duration
	// Simulated replaces AWS lookups with realistic simulated details
	// (the demo).
	Simulated bool
}

// System is an assembled cutover.
type System struct {
	// Inbound routes every input: the Lambda handler and the CLI hand it
	// their payloads.
	Inbound *inbound.Router
	// Dispatcher delivers decoded events (through Inbound).
	Dispatcher *delivery.Dispatcher
	// AWS is the AWS configuration the system's clients use.
	AWS        aws.Config
	closers    []func() error
	log        *slog.Logger
	cloudfront *cloudfront.Invalidator
	enricher   *enrich.Enricher
}

// Close releases what the system holds open (the local records file).
func (s *System) Close() {
	for _, c := range s.closers {
		if err := c(); err != nil {
			s.log.Warn("close", "error", err)
		}
	}
	s.closers = nil
}

// Build assembles a System from cfg. It reads secrets once, here, so a
// missing permission fails at init rather than on the first deployment.
func Build(ctx context.Context, cfg *config.Config, opts Options) (*System, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &System{log: log}
	if opts.AWS != nil {
		s.AWS = *opts.AWS
	} else {
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
		if err != nil {
			return nil, fmt.Errorf("setup: aws config: %w", err)
		}
		s.AWS = awsCfg
	}
	// Clients built from s.AWS retry within the standard budget unless
	// they ask for another one (or the given config has its own retryer).
	if s.AWS.Retryer == nil {
		s.AWS = awsx.WithRetries(s.AWS, awsx.Standard)
	}

	d := &delivery.Dispatcher{
		Events: cfg.Events,
		Log:    log,
		Now:    opts.Now,
	}
	var errs []error

	// Destinations.
	webhook := cfg.SlackWebhookURL
	if cfg.SlackWebhookSecret != "" {
		v, err := secret.NewReader(s.AWS).Read(ctx, cfg.SlackWebhookSecret, "webhook_url", "url")
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: %w", config.EnvSlackWebhookURLSecret, err))
		default:
			// A malformed value would fail every delivery: say so now,
			// without echoing it.
			if err := config.CheckWebhookURL(v.Reveal()); err != nil {
				errs = append(errs, fmt.Errorf("%s: the value of %s is not a webhook URL: %w", config.EnvSlackWebhookURLSecret, secret.Name(cfg.SlackWebhookSecret), err))
			}
		}
		webhook = v
	}
	var specs []chat.Spec
	if !webhook.IsZero() {
		// The one Slack webhook keeps the records key "slack" it always
		// had, so an upgrade sends nothing twice.
		specs = append(specs, chat.Spec{Name: "slack", Type: "slack", URL: webhook})
	}
	deps := chat.Deps{Poster: chat.NewPoster(chat.PosterOptions{Timeout: opts.HTTPTimeout, Logger: log, UserAgent: "cutover/" + opts.Version})}
	for _, spec := range specs {
		n, err := Destinations().New(spec, deps)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		d.Destinations = append(d.Destinations, delivery.Destination{Name: spec.Name, Notifier: n})
	}
	d.Destinations = append(d.Destinations, opts.Extra...)

	// Delivery records.
	switch {
	case opts.Records != nil:
		d.Records = opts.Records
		if rs, ok := opts.Records.(records.ReceiptStore); ok {
			d.Receipts = rs
		}
	case cfg.RecordsTable != "":
		client := dynamodb.NewFromConfig(awsx.WithRetries(s.AWS, awsx.Standard))
		if err := probeTable(ctx, client, cfg.RecordsTable); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", config.EnvRecordsTable, err))
		}
		store, err := records.NewDynamoDB(client, cfg.RecordsTable, cfg.RecordsTTL)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", config.EnvRecordsTable, err))
		}
		// A store that is down or slow must not stop notifications: the
		// wrapper bounds each call and delivers anyway, saying duplicates
		// are possible.
		d.Records = records.WithFallback(store, log)
		d.Receipts = records.ReceiptsWithFallback(store, log)
	case cfg.RecordsFile != "":
		if err := os.MkdirAll(filepath.Dir(cfg.RecordsFile), 0o700); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", config.EnvRecordsFile, err))
			break
		}
		store, err := records.OpenFile(cfg.RecordsFile, cfg.RecordsTTL)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", config.EnvRecordsFile, err))
			break
		}
		d.Records, d.Receipts = store, store
		s.closers = append(s.closers, store.Close)
	default:
		if opts.Lambda {
			log.Warn("no delivery records table (" + config.EnvRecordsTable + "): Lambda retries may send a message twice")
		}
	}

	if cfg.Enrich && !opts.Simulated {
		// One enricher (and one set of CodeDeploy/ECS clients) for the
		// notices and the CloudFront rollback check.
		s.enricher = enrich.New(s.AWS, enrich.Options{Timeout: cfg.EnrichTimeout, Now: opts.Now})
	}
	if err := s.addActions(d, cfg, opts); err != nil {
		errs = append(errs, err)
	}
	s.addEnrichment(d, opts)

	if len(errs) > 0 {
		s.Close()
		return nil, fmt.Errorf("setup: %w", errors.Join(errs...))
	}
	if len(d.Destinations) == 0 {
		log.Warn("no chat destination configured: set " + config.EnvSlackWebhookURLSecret + " (or " + config.EnvSlackWebhookURL + " locally)")
	}
	log.Debug("cutover ready", "destinations", len(d.Destinations), "events", cfg.EventNames(),
		"records", d.Records != nil, "cloudfront", cfg.CloudFront.Enabled())
	s.Dispatcher = d
	s.Inbound = &inbound.Router{Registry: Sources(), Delivery: d, Log: log}
	if s.cloudfront != nil {
		s.Inbound.FollowUps = s.cloudfront
	}
	return s, nil
}

// probeTable reads one item of the records table at init, so that a wrong
// table name or a missing permission fails the start (and shows in the
// init error) instead of silently turning deduplication off on every
// event. An unreachable DynamoDB is only a warning later, per delivery.
func probeTable(ctx context.Context, client *dynamodb.Client, table string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(table),
		Key: map[string]ddbtypes.AttributeValue{
			"pk": &ddbtypes.AttributeValueMemberS{Value: "cutover-probe"},
			"sk": &ddbtypes.AttributeValueMemberS{Value: "init"},
		},
	})
	switch {
	case err == nil:
	case awsx.NotFound(err):
		return fmt.Errorf("table %s does not exist", table)
	case awsx.Denied(err):
		return fmt.Errorf("table %s: access denied: the role needs dynamodb:GetItem, PutItem, UpdateItem and DeleteItem on it", table)
	case awsx.Code(err) == "ValidationException":
		return fmt.Errorf("table %s: its key schema must be pk (string) and sk (string): %s", table, awsx.Message(err))
	}
	return nil
}
