package app

import (
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/slackapp"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/interact"
	"github.com/cutover-dev/cutover/internal/records"
)

// SlackAppType is the destination type whose messages carry buttons.
const SlackAppType = "slack-app"

// buildInteract assembles the button click handler from the configured
// slack-app destinations that have a signing secret (specs and dsts are
// the destinations built, in the same order); nil when there are none.
// slackAPI is CUTOVER_SLACK_API_URL: when it is not Slack's, its origin
// may hand out response URLs too.
// Each destination's notifier is its Slack client for thread replies,
// user group lookups and marking its message: the same bot token, Web
// API client and records as its messages. The Lambda defers a click to
// an asynchronous invocation of itself; the CLI (`serve`) to a bounded
// background goroutine, waited for on Close.
func (s *System) buildInteract(specs []chat.Spec, dsts []delivery.Destination, store records.Store, slackAPI string, opts Options) *interact.Handler {
	h := &interact.Handler{Records: store, Log: s.log, Now: opts.Now}
	if u, err := url.Parse(slackAPI); err == nil && u.Host != "" && slackAPI != config.DefaultSlackAPIURL {
		// A Slack Web API of the operator's choice (a proxy, a test
		// fake) may also hand out response URLs.
		h.Responder = interact.HTTPResponder{AlsoAllow: u.Scheme + "://" + u.Host + "/"}
	}
	for i, sp := range specs {
		if sp.Type != SlackAppType || sp.SigningSecret.IsZero() || i >= len(dsts) || dsts[i].Name != sp.Name {
			continue
		}
		d := interact.Destination{Name: sp.Name, SigningSecret: sp.SigningSecret,
			AllowedUsers: sp.AllowedUsers, AllowedGroups: sp.AllowedGroups}
		if c, ok := dsts[i].Notifier.(interact.Slack); ok {
			d.Slack = c
		}
		h.Destinations = append(h.Destinations, d)
	}
	if len(h.Destinations) == 0 {
		return nil
	}
	cfg := awsx.WithRetries(s.AWS, awsx.Standard)
	h.Platforms = interact.Platforms{
		CodeDeploy: interact.CodeDeploy{Client: codedeploy.NewFromConfig(cfg)},
		ECS:        interact.ECS{Client: ecs.NewFromConfig(cfg)},
	}
	if s.Accounts.Connected() {
		// A spoke's deployment is acted on through its role; an
		// unconnected account's never.
		h.Platforms = interact.Platforms{
			CodeDeploy: interact.PerAccount{Configs: s.Accounts, New: func(c aws.Config) interact.Platform {
				return interact.CodeDeploy{Client: codedeploy.NewFromConfig(awsx.WithRetries(c, awsx.Standard))}
			}},
			ECS: interact.PerAccount{Configs: s.Accounts, New: func(c aws.Config) interact.Platform {
				return interact.ECS{Client: ecs.NewFromConfig(awsx.WithRetries(c, awsx.Standard))}
			}},
		}
	}
	if opts.Lambda {
		h.Deferrer = interact.LambdaInvoker{Client: lambda.NewFromConfig(cfg), FunctionName: opts.FunctionName}
	} else {
		bg := &interact.Background{Run: h.Run, Log: s.log}
		h.Deferrer = bg
		// Clicks in flight finish before the records close.
		s.closers = append([]func() error{func() error { bg.Wait(); return nil }}, s.closers...)
	}
	return h
}

// The slack-app destination is the click handler's Slack client.
var (
	_ interact.Slack  = (*slackapp.Notifier)(nil)
	_ interact.Marker = (*slackapp.Notifier)(nil)
)
