package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/interact"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/snshttp"
)

// serveUsage is the usage of `cutover serve` (`cutover help serve`).
const serveUsage = `Usage: cutover serve --topics ARN[,ARN] [--addr 127.0.0.1:8080]

Receive SNS HTTP/S notifications and run what the Lambda function runs
on each. Only signed messages from the given topics (--topics, or
$` + config.EnvSNSTopicARNs + `) are accepted; their subscription
confirmations are confirmed. Slack button clicks of slack-app
destinations are answered at POST /slack/actions. Runs until interrupted.
`

// deliveryBound bounds one delivery in `serve`, within SNS's HTTP delivery
// timeout; what does not finish is retried by SNS and deduplicated.
const deliveryBound = 45 * time.Second

func runServe(ctx context.Context, args []string, env Env) error {
	fs := newFlags("serve", env)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	topics := fs.String("topics", "", "comma-separated SNS topic ARNs to accept (default $"+config.EnvSNSTopicARNs+")")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *topics == "" {
		*topics = env.Getenv(config.EnvSNSTopicARNs)
	}
	allowed := config.SplitList(*topics)
	if len(allowed) == 0 {
		return usageErr("serve needs the SNS topic ARNs to accept: --topics or $%s", config.EnvSNSTopicARNs)
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	log := cliLogger(env, cfg.LogLevel)
	sys, err := buildCLI(ctx, cfg, env, false)
	if err != nil {
		return err
	}
	defer sys.Close()
	verifier, err := snshttp.NewVerifier(allowed, env.snsOptions...)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	deliver := func(ctx context.Context, body []byte) error {
		// Answer SNS within its delivery timeout; what does not finish is
		// retried by SNS (a 500) and deduplicated by the records.
		// Not tied to the request: if SNS hangs up, a delivery Slack has
		// already accepted must still be recorded, or SNS's retry would
		// send it again.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deliveryBound)
		defer cancel()
		rep, err := sys.Inbound.Handle(ctx, body)
		if rejected := rep.Rejections(); err == nil && !rep.Accepted() && len(rejected) > 0 {
			// Not a deployment notification: SNS retrying cannot help.
			return retry.Permanent(rejected[0])
		}
		return err
	}
	h, err := snshttp.NewHandler(verifier, deliver, log)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("serve: %w", err)}
	}
	// Headers within 10 s and at most 16 KiB; the body within the handler's
	// own bound (snshttp.DefaultBodyTimeout); idle keep-alive connections
	// are closed after a minute, so idle clients hold nothing for long.
	// Slack button clicks share the server and its bounds; without a
	// slack-app destination the path answers 404.
	mux := http.NewServeMux()
	mux.Handle(interact.Path, &interact.HTTPHandler{Handler: sys.Interact, BodyTimeout: snshttp.DefaultBodyTimeout, MaxUnverified: snshttp.DefaultMaxUnverified})
	mux.Handle("/", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 60 * time.Second,
		IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10}
	log.Info("serving SNS notifications", "addr", ln.Addr().String(), "topics", len(allowed))
	if env.listening != nil {
		env.listening(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		// Let deliveries in flight finish and be recorded before the
		// records are closed.
		shutdown, cancel := context.WithTimeout(context.Background(), deliveryBound+5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdown)
	case err := <-errc:
		return &ExitError{Code: 1, Err: fmt.Errorf("serve: %w", err)}
	}
}
