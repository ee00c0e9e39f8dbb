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
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/cutover-dev/cutover/internal/accounts"
	"github.com/cutover-dev/cutover/internal/action/cloudfront"
	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/discord"
	"github.com/cutover-dev/cutover/internal/chat/googlechat"
	"github.com/cutover-dev/cutover/internal/chat/slackapp"
	"github.com/cutover-dev/cutover/internal/chat/slackhook"
	"github.com/cutover-dev/cutover/internal/chat/teams"
	"github.com/cutover-dev/cutover/internal/chat/webhook"
	"github.com/cutover-dev/cutover/internal/check"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/enrich"
	cdenrich "github.com/cutover-dev/cutover/internal/enrich/codedeploy"
	ecsenrich "github.com/cutover-dev/cutover/internal/enrich/ecsnative"
	"github.com/cutover-dev/cutover/internal/hook"
	"github.com/cutover-dev/cutover/internal/inbound"
	"github.com/cutover-dev/cutover/internal/interact"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/route"
	"github.com/cutover-dev/cutover/internal/secret"
	"github.com/cutover-dev/cutover/internal/source"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
	"github.com/cutover-dev/cutover/internal/source/ecsnative"
)

// Sources returns the event sources cutover decodes, in the order they are
// asked. config.Load checks CUTOVER_EVENTS against their event names.
func Sources() *source.Registry {
	// hook.Names decodes nothing (the router reads hook invocations); it
	// makes the hook event names known.
	return source.New(codedeploy.Decoder{}, ecsnative.Decoder{}, hook.Names{})
}

// Destinations returns the destination types cutover delivers to, by the
// type name configuration uses.
func Destinations() chat.Types {
	return chat.Types{
		"slack":      {New: slackhook.Build, Render: slackhook.RenderSpec},
		"teams":      {New: teams.Build, Render: teams.RenderSpec},
		"discord":    {New: discord.Build, Render: discord.RenderSpec},
		"googlechat": {New: googlechat.Build, Render: googlechat.RenderSpec},
		"webhook":    {New: webhook.Build, Render: webhook.RenderSpec},
		"slack-app":  {New: slackapp.Build, Render: slackapp.RenderSpec},
	}
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
	// Enricher, when set, replaces the configured enrichment
	// (CUTOVER_ENRICH): the demo gives its simulated details.
	Enricher enrich.Enricher
	// FunctionName is the Lambda function's own name
	// (AWS_LAMBDA_FUNCTION_NAME), for the self-invocation that acts on
	// a button click.
	FunctionName string
}

// System is an assembled cutover.
type System struct {
	// Inbound routes every input: the Lambda handler and the CLI hand it
	// their payloads.
	Inbound *inbound.Router
	// Dispatcher delivers decoded events (through Inbound).
	Dispatcher *delivery.Dispatcher
	// Interact handles Slack button clicks; nil when no slack-app
	// destination has a signing secret.
	Interact *interact.Handler
	// Checks runs the checks of CUTOVER_CHECKS (Inbound.Checks); nil when
	// none are configured.
	Checks *check.Checker
	// AWS is the AWS configuration the system's clients use.
	AWS aws.Config
	// Accounts gives the AWS configuration for an event's account, region
	// and deployment (CUTOVER_ACCOUNTS): the enrichment uses it, and so
	// must anything that looks up or acts on a deployment (buttons, hooks).
	// An account that is not connected gets accounts.NotListedError.
	Accounts   *accounts.Resolver
	closers    []func() error
	log        *slog.Logger
	cloudfront *cloudfront.Invalidator
	enricher   enrich.Enricher
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
	claims := &lateRecords{}
	dsts, specs, err := buildDestinationSpecs(ctx, cfg, Destinations(), &lazyReader{aws: s.AWS}, chat.Deps{Poster: chat.NewPoster(chat.PosterOptions{
		Timeout: opts.HTTPTimeout, Logger: log, UserAgent: "cutover/" + opts.Version}),
		Records: claims, Log: log, SlackAPIURL: cfg.SlackAPIURL})
	if err != nil {
		errs = append(errs, err)
	}
	d.Destinations = dsts
	d.Destinations = append(d.Destinations, opts.Extra...)
	if opts.Lambda {
		warnPlainSecrets(log, cfg)
	}
	checks, err := buildChecks(ctx, cfg, s.AWS, &lazyReader{aws: s.AWS}, log)
	if err != nil {
		errs = append(errs, err)
	}
	s.Checks = checks

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

	claims.set(d.Records)
	// The connected accounts: without CUTOVER_ACCOUNTS every account
	// gets the function's own configuration, as before.
	s.Accounts = accounts.New(accounts.Options{Hub: s.AWS, Accounts: cfg.Accounts, Log: log})

	// One enricher (and one set of CodeDeploy/ECS clients) for the
	// notices and the CloudFront rollback check.
	switch {
	case opts.Enricher != nil:
		s.enricher = opts.Enricher
	case cfg.Enrich:
		eo := cdenrich.Options{Timeout: cfg.EnrichTimeout, Now: opts.Now}
		newECS := func(c aws.Config) enrich.Enricher {
			return ecsenrich.New(c, ecsenrich.Options{Timeout: cfg.EnrichTimeout, Now: opts.Now})
		}
		bp := byPlatform{ecsNative: newECS(s.AWS)}
		if s.Accounts.Connected() {
			// Lookups of a spoke run with its role; an unconnected
			// account gets none.
			eo.Accounts = s.Accounts
			bp.ecsNative = &accounts.PerAccount{Resolver: s.Accounts, New: newECS}
		}
		bp.codeDeploy = cdenrich.New(s.AWS, eo)
		s.enricher = bp
	}
	if err := s.addActions(d, cfg, opts); err != nil {
		errs = append(errs, err)
	}
	s.addEnrichment(d)

	if len(errs) > 0 {
		s.Close()
		return nil, fmt.Errorf("setup: %w", errors.Join(errs...))
	}
	if len(d.Destinations) == 0 {
		log.Warn("no chat destination configured: set " + config.EnvDestinations + " or " + config.EnvSlackWebhookURLSecret + " (or " + config.EnvSlackWebhookURL + " locally)")
	}
	var names []string
	for _, dst := range d.Destinations {
		names = append(names, dst.Name)
	}
	log.Debug("cutover ready", "destinations", names, "events", cfg.EventNames(),
		"records", d.Records != nil, "cloudfront", cfg.CloudFront.Enabled())
	s.Dispatcher = d
	s.Inbound = &inbound.Router{Registry: Sources(), Delivery: d, Log: log, Hooks: s.hookOptions(cfg, d)}
	if s.cloudfront != nil {
		s.Inbound.FollowUps = s.cloudfront
	}
	if s.Interact = s.buildInteract(specs, dsts, d.Records, cfg.SlackAPIURL, opts); s.Interact != nil {
		s.Inbound.Interact = s.Interact
	}
	if s.Checks != nil {
		s.Inbound.Checks = s.Checks
	}
	return s, nil
}

// Routed lists the configured destinations in delivery order, with their
// routes and without notifiers (nothing is read or built): the Slack
// webhook of CUTOVER_SLACK_WEBHOOK_URL(_SECRET), named "slack" and routed
// by CUTOVER_EVENTS (no Route: the Dispatcher's Events), then each entry
// of CUTOVER_DESTINATIONS. `cutover routes` explains routing with it.
func Routed(cfg *config.Config) []delivery.Destination {
	var out []delivery.Destination
	if cfg.Slack() {
		out = append(out, delivery.Destination{Name: config.LegacySlackName, Type: "slack"})
	}
	for _, dst := range cfg.Destinations {
		r := dst.Route
		out = append(out, delivery.Destination{Name: dst.Name, Type: dst.Type, Route: &r})
	}
	return out
}

// buildDestinations reads the destinations' secrets once (the JSON of
// CUTOVER_DESTINATIONS_PARAMETER first, then each url_secret and
// signing_secret_secret), builds each notifier through Destinations() and
// attaches its route. Errors name the destination and the variable, never
// a value; every problem is reported.
func buildDestinations(ctx context.Context, cfg *config.Config, types chat.Types, reader secretReader, deps chat.Deps) ([]delivery.Destination, error) {
	dsts, _, err := buildDestinationSpecs(ctx, cfg, types, reader, deps)
	return dsts, err
}

// buildDestinationSpecs is buildDestinations that also returns the spec
// of each destination built, in the same order (the click handler takes
// the slack-app destinations' signing secrets and allowed users from
// them).
func buildDestinationSpecs(ctx context.Context, cfg *config.Config, types chat.Types, reader secretReader, deps chat.Deps) ([]delivery.Destination, []chat.Spec, error) {
	var (
		errs  []error
		cache = map[string]secret.Value{}
	)
	read := func(ref string, keys ...string) (secret.Value, error) {
		k := ref + "\x00" + strings.Join(keys, ",")
		if v, ok := cache[k]; ok {
			return v, nil
		}
		v, err := reader.Read(ctx, ref, keys...)
		if err == nil {
			cache[k] = v
		}
		return v, err
	}
	if ref := cfg.DestinationsParameter; ref != "" {
		raw, err := read(ref)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", config.EnvDestinationsParameter, err)
		}
		if err := cfg.SetDestinations(config.EnvDestinationsParameter+" ("+secret.Name(ref)+")", raw.Reveal()); err != nil {
			return nil, nil, err
		}
	}

	var (
		specs  []chat.Spec
		routes []*route.Route
		from   []string // the variable each spec comes from, for errors
	)
	webhook := cfg.SlackWebhookURL
	if cfg.SlackWebhookSecret != "" {
		v, err := read(cfg.SlackWebhookSecret, "webhook_url", "url")
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
	if !webhook.IsZero() {
		// The one Slack webhook keeps the records key "slack" it always
		// had, so an upgrade sends nothing twice; CUTOVER_EVENTS routes it.
		specs = append(specs, chat.Spec{Name: config.LegacySlackName, Type: "slack", URL: webhook})
		routes = append(routes, nil)
		from = append(from, config.EnvSlackWebhookURL)
		if cfg.SlackWebhookSecret != "" {
			from[len(from)-1] = config.EnvSlackWebhookURLSecret
		}
	}
	for _, dst := range cfg.Destinations {
		where := func(key string) string { return config.EnvDestinations + ": destination " + dst.Name + ": " + key }
		spec := chat.Spec{Name: dst.Name, Type: dst.Type, URL: dst.URL, SigningSecret: dst.SigningSecret, Mentions: dst.Mentions}
		ok := slackAppSpec(&spec, dst, read, where, &errs)
		if ref := dst.URLSecret; ref != "" {
			v, err := read(ref, "webhook_url", "url")
			if err == nil {
				err = config.CheckWebhookURL(v.Reveal())
				if err != nil {
					err = fmt.Errorf("the value of %s is not a webhook URL: %w", secret.Name(ref), err)
				}
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", where("url_secret"), err))
				ok = false
			}
			spec.URL = v
		}
		if ref := dst.SigningSecretRef; ref != "" {
			v, err := read(ref, "signing_secret", "secret")
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", where("signing_secret_secret"), err))
				ok = false
			}
			spec.SigningSecret = v
		}
		if ok {
			r := dst.Route
			specs = append(specs, spec)
			routes = append(routes, &r)
			from = append(from, config.EnvDestinations)
		}
	}

	var (
		out   []delivery.Destination
		built []chat.Spec
	)
	for i, spec := range specs {
		n, err := types.New(spec, deps)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", from[i], err))
			continue
		}
		out = append(out, delivery.Destination{Name: spec.Name, Type: spec.Type, Notifier: n, Route: routes[i]})
		built = append(built, spec)
	}
	return out, built, errors.Join(errs...)
}

// secretReader reads secret references (secret.Reader).
type secretReader interface {
	Read(ctx context.Context, ref string, keys ...string) (secret.Value, error)
}

// lazyReader is a secret.Reader built on first use, so that a
// configuration without secret references builds no AWS clients.
type lazyReader struct {
	aws aws.Config
	r   *secret.Reader
}

// Read reads ref with a secret.Reader.
func (l *lazyReader) Read(ctx context.Context, ref string, keys ...string) (secret.Value, error) {
	if l.r == nil {
		l.r = secret.NewReader(l.aws)
	}
	return l.r.Read(ctx, ref, keys...)
}

// warnPlainSecrets says, once per destination, when the function's own
// environment holds a webhook URL or signing secret in plain text: they are
// for local use, and the environment is readable by anyone who may read the
// function's configuration. Never the values themselves.
func warnPlainSecrets(log *slog.Logger, cfg *config.Config) {
	if !cfg.SlackWebhookURL.IsZero() {
		log.Warn("the webhook URL is in the function's environment in plain text: store it in Secrets Manager or SSM and set " +
			config.EnvSlackWebhookURLSecret + " instead of " + config.EnvSlackWebhookURL)
	}
	for _, dst := range cfg.Destinations {
		if !dst.URL.IsZero() || !dst.SigningSecret.IsZero() {
			log.Warn("a destination's secret is in the function's environment in plain text: use url_secret / signing_secret_secret",
				"destination", dst.Name)
		}
	}
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
