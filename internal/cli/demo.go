package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/cutover-dev/cutover/internal/app"
	"github.com/cutover-dev/cutover/internal/config"
	"github.com/cutover-dev/cutover/internal/delivery"
	"github.com/cutover-dev/cutover/internal/records"
	"github.com/cutover-dev/cutover/internal/route"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// demoUsage is the usage of `cutover demo` (`cutover help demo`).
const demoUsage = `Usage: cutover demo

Play an ECS blue/green deployment through the real pipeline: a
deployment, the traffic switch, a duplicate SNS delivery, then cutover as
a second service's AfterAllowTraffic hook, whose check (real HTTP requests
to a stand-in application on 127.0.0.1; CodeDeploy simulated) fails, the
failed deployment and its automatic rollback. Two demo destinations show
routing: "web-team" (a Slack destination that takes every CodeDeploy
event, not hook events, of the web-* applications) and "oncall" (a Teams destination with the quiet
default events, for every application). Each message is shown in the
terminal as plain text, labelled by destination, with the reason a
destination was not sent an event, and the CloudFront invalidations as a
dry run. Needs no AWS account; with destinations configured
($` + config.EnvSlackWebhookURL + `, $` + config.EnvDestinations + `), also posts to them.
`

// demoDistribution is the CloudFront distribution the demo pretends to
// invalidate when none is configured.
const demoDistribution = "E2DEMO0CUTOVER"

// demoStep is one SNS delivery of the demo scenario.
type demoStep struct {
	at        time.Time
	narration string
	messageID string
	subject   string
	message   map[string]any
	// invoke, when set, is the payload instead of the SNS event: a
	// lifecycle-hook invocation.
	invoke []byte
}

func runDemo(ctx context.Context, args []string, env Env) error {
	fs := newFlags("demo", env)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	// The demo shows every kind of message and never touches AWS unless a
	// webhook secret has to be read.
	for _, k := range codedeploy.Names {
		cfg.Events[k] = true
	}
	if !cfg.CloudFront.Enabled() {
		cfg.CloudFront.DistributionIDs = []string{demoDistribution}
		cfg.CloudFront.Paths = []string{"/*"}
		cfg.CloudFront.OnRollback = true
	}
	cfg.CloudFront.FollowUpQueueURL = ""

	steps := demoScenario()
	clock := steps[0].at
	terms, extra := demoDestinations()
	opts := app.Options{
		Log:      cliLogger(env, max(cfg.LogLevel, 4)), // warnings and errors only
		DryRun:   true,
		Enricher: demoEnricher{now: func() time.Time { return clock }},
		Records:  records.NewMemory(cfg.RecordsTTL),
		Extra:    extra,
		Now:      func() time.Time { return clock },
	}
	if cfg.SlackWebhookSecret == "" && cfg.DestinationsParameter == "" && !secretRefs(cfg) {
		opts.AWS = &aws.Config{Region: "us-east-1"}
	}
	sys, err := app.Build(ctx, cfg, opts)
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	defer sys.Close()
	// cutover as checkout-api's AfterAllowTraffic hook: a real check of a
	// stand-in application on loopback, CodeDeploy simulated.
	stand, err := startDemoApp()
	if err != nil {
		return &ExitError{Code: 1, Err: err}
	}
	defer stand.Close()
	sys.Inbound.Checks = demoChecks(stand.url)
	sys.Inbound.Hooks.CodeDeploy = &demoCodeDeploy{}

	out := env.Stdout
	fmt.Fprintln(out, "cutover demo: an ECS blue/green deployment, then a failed one and its rollback,")
	fmt.Fprintln(out, "played through the same pipeline the Lambda runs (CloudFront in dry-run, no AWS needed).")
	fmt.Fprintln(out, "Two demo destinations show routing; their messages are printed here as plain text:")
	fmt.Fprintln(out, "  web-team (slack): every CodeDeploy event (no hook events) of the web-* applications")
	fmt.Fprintln(out, "  oncall (teams):   the quiet default events of every application")
	if cfg.HasDestinations() {
		fmt.Fprintln(out, "Each message is also posted to the configured destinations their routes select.")
	} else {
		fmt.Fprintf(out, "Set %s or %s to also post each message to your own destinations.\n", config.EnvSlackWebhookURL, config.EnvDestinations)
	}
	fmt.Fprintln(out)
	failed := 0
	for _, st := range steps {
		clock = st.at
		fmt.Fprintf(out, "── %s  %s\n", st.at.Format("15:04:05"), st.narration)
		in := st.snsEvent()
		if st.invoke != nil {
			in = st.invoke
		}
		rep, err := sys.Inbound.Handle(ctx, in)
		var shown []string
		for _, term := range terms {
			msg := term.take()
			if msg == "" {
				continue
			}
			label := term.name + " (" + term.typ + ")"
			if slices.Contains(shown, msg) {
				fmt.Fprintf(out, "   ▸ %s: the same message\n", label)
				continue
			}
			shown = append(shown, msg)
			fmt.Fprintf(out, "   ▸ %s:\n", label)
			for _, l := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
				fmt.Fprintln(out, "     "+l)
			}
		}
		for _, e := range rep.Events {
			for _, l := range deliveryLines(e) {
				fmt.Fprintln(out, "   "+l)
			}
		}
		if rep.Hook != nil {
			fmt.Fprintln(out, "   "+rep.Hook.Summary()+" (CodeDeploy simulated)")
		}
		if err != nil {
			failed++
		}
		fmt.Fprintln(out)
	}
	fmt.Fprintln(out, "Done. Deploy it with the Terraform module in terraform/ (see README).")
	if failed > 0 {
		return &ExitError{Code: 1, Err: fmt.Errorf("demo: %d steps failed to deliver", failed)}
	}
	return nil
}

// demoDestinations are the demo's two destinations of different types
// with their routes, both printing plain text to the terminal: web-team
// takes every event of the web-* applications, oncall the quiet default
// events of every application.
func demoDestinations() ([]*terminal, []delivery.Destination) {
	web := &terminal{name: "web-team", typ: "slack"}
	oncall := &terminal{name: "oncall", typ: "teams"}
	return []*terminal{web, oncall}, []delivery.Destination{
		{Name: web.name, Type: web.typ, Notifier: web, Route: &route.Route{Events: codedeploy.Names, Applications: []string{"web-*"}}},
		{Name: oncall.name, Type: oncall.typ, Notifier: oncall, Route: &route.Route{Events: config.DefaultEvents}},
	}
}

// secretRefs reports whether a configured destination is read from a
// secret (and so needs AWS).
func secretRefs(cfg *config.Config) bool {
	for _, d := range cfg.Destinations {
		if d.URLSecret != "" || d.SigningSecretRef != "" {
			return true
		}
	}
	return false
}

// snsEvent wraps the step's trigger message as the Lambda SNS event.
func (st demoStep) snsEvent() []byte {
	msg, _ := json.Marshal(st.message)
	ev := map[string]any{"Records": []any{map[string]any{
		"EventSource":          "aws:sns",
		"EventVersion":         "1.0",
		"EventSubscriptionArn": "arn:aws:sns:us-east-1:111122223333:cutover-deployments:5f0b6f2e-demo",
		"Sns": map[string]any{
			"Type":      "Notification",
			"MessageId": st.messageID,
			"TopicArn":  "arn:aws:sns:us-east-1:111122223333:cutover-deployments",
			"Subject":   st.subject,
			"Message":   string(msg),
			"Timestamp": st.at.Format("2006-01-02T15:04:05.000Z"),
		},
	}}}
	b, _ := json.Marshal(ev)
	return b
}

// demoScenario is a realistic ECS blue/green deployment with a 60-minute
// termination wait, then a failed deployment and its automatic rollback,
// in the exact shape CodeDeploy sends (text times, nested JSON strings).
func demoScenario() []demoStep {
	base := time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC)
	ts := func(t time.Time) string { return t.Format("Mon Jan 02 15:04:05 MST 2006") }
	at := func(min, sec int) time.Time {
		return base.Add(time.Duration(min)*time.Minute + time.Duration(sec)*time.Second)
	}
	web := func(extra map[string]any) map[string]any {
		m := map[string]any{
			"region": "us-east-1", "accountId": "111122223333", "eventTriggerName": "cutover",
			"applicationName": "web-frontend", "deploymentGroupName": "web-frontend-prod",
			"deploymentId": "d-DEMO7XQ2K", "createTime": ts(base), "completeTime": nil,
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	overview := func(s, f, ip, p int) string {
		return fmt.Sprintf(`{"Succeeded":%d,"Failed":%d,"Skipped":0,"InProgress":%d,"Pending":%d}`, s, f, ip, p)
	}
	failedAt := at(72, 10)
	checkout := func(id string, extra map[string]any) map[string]any {
		m := map[string]any{
			"region": "us-east-1", "accountId": "111122223333", "eventTriggerName": "cutover",
			"applicationName": "checkout-api", "deploymentGroupName": "checkout-api-prod",
			"deploymentId": id, "createTime": ts(at(64, 0)), "completeTime": nil,
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	switched := demoStep{
		at: at(6, 41), narration: "AllowTraffic done: production traffic moved to the new task set",
		messageID: "0d7f6c1e-3a55-4c1b-9d8e-5b1f00000003",
		subject:   "SUCCEEDED: AWS CodeDeploy d-DEMO7XQ2K in us-east-1 to web-frontend",
		message: web(map[string]any{"instanceId": "prod-cluster:web-frontend", "instanceStatus": "Succeeded",
			"lastUpdatedAt": ts(at(6, 40))}),
	}
	redelivered := switched
	redelivered.at = at(7, 41)
	redelivered.narration = "SNS delivers the same message again (at-least-once): nothing is sent twice"
	return []demoStep{
		{at: base, narration: "CodePipeline starts a CodeDeploy blue/green deployment",
			messageID: "0d7f6c1e-3a55-4c1b-9d8e-5b1f00000001",
			subject:   "CREATED: AWS CodeDeploy d-DEMO7XQ2K in us-east-1 to web-frontend",
			message:   web(map[string]any{"status": "CREATED", "deploymentOverview": overview(0, 0, 0, 1)})},
		{at: at(3, 12), narration: "Replacement (green) task set installed and healthy; test traffic checked",
			messageID: "0d7f6c1e-3a55-4c1b-9d8e-5b1f00000002",
			subject:   "READY: AWS CodeDeploy d-DEMO7XQ2K in us-east-1 to web-frontend",
			message:   web(map[string]any{"status": "READY", "deploymentOverview": overview(0, 0, 1, 0)})},
		switched,
		redelivered,
		{at: at(66, 45), narration: "Termination wait over: the original (blue) task set is gone",
			messageID: "0d7f6c1e-3a55-4c1b-9d8e-5b1f00000004",
			subject:   "SUCCEEDED: AWS CodeDeploy d-DEMO7XQ2K in us-east-1 to web-frontend",
			message: web(map[string]any{"status": "SUCCEEDED", "completeTime": ts(at(66, 44)),
				"deploymentOverview": overview(1, 0, 0, 0)})},
		{at: at(71, 30), narration: "A second service's traffic switch: cutover, its AfterAllowTraffic hook, checks a stand-in on loopback (p99 budget 800 ms)",
			invoke: demoHookInvocation()},
		{at: failedAt, narration: "The hook reported Failed: CodeDeploy fails the deployment",
			messageID: "0d7f6c1e-3a55-4c1b-9d8e-5b1f00000005",
			subject:   "FAILED: AWS CodeDeploy d-DEMOFAIL1 in us-east-1 to checkout-api",
			message: checkout("d-DEMOFAIL1", map[string]any{"status": "FAILED", "completeTime": ts(failedAt),
				"deploymentOverview":  overview(0, 1, 0, 0),
				"errorInformation":    `{"ErrorCode":"HEALTH_CONSTRAINTS","ErrorMessage":"The deployment failed because a lifecycle hook (AfterAllowTraffic) reported Failed."}`,
				"rollbackInformation": "{}"})},
		{at: at(72, 12), narration: "CodeDeploy starts the automatic rollback",
			messageID: "0d7f6c1e-3a55-4c1b-9d8e-5b1f00000006",
			subject:   "CREATED: AWS CodeDeploy d-DEMOBACK1 in us-east-1 to checkout-api",
			message: checkout("d-DEMOBACK1", map[string]any{"status": "CREATED", "createTime": ts(at(72, 11)),
				"deploymentOverview":  overview(0, 0, 1, 0),
				"rollbackInformation": `{"RollbackMessage":"Deployment d-DEMOBACK1 is triggered to roll back deployment d-DEMOFAIL1.","RollbackTriggeringDeploymentId":"d-DEMOFAIL1"}`})},
		{at: at(73, 30), narration: "Traffic switched back to the original task set",
			messageID: "0d7f6c1e-3a55-4c1b-9d8e-5b1f00000007",
			subject:   "SUCCEEDED: AWS CodeDeploy d-DEMOBACK1 in us-east-1 to checkout-api",
			message: checkout("d-DEMOBACK1", map[string]any{"instanceId": "prod-cluster:checkout-api",
				"createTime": ts(at(72, 11)), "instanceStatus": "Succeeded", "lastUpdatedAt": ts(at(73, 29))})},
	}
}
