// Package ecsnative looks up what an ECS-native blue/green event leaves
// out, within a time budget: the service deployment
// (DescribeServiceDeployments; ListServiceDeployments first when the
// event names only the ECS deployment ID "ecs-svc/…"), and its target and
// source service revisions (DescribeServiceRevisions). From them it fills
// enrich.Details: the bake-time deadline (the rollback window), the
// revisions with task definitions, images, production weights and running
// counts, the circuit breaker and alarms, console links and the exact
// rollback command (aws ecs stop-service-deployment … --stop-type
// ROLLBACK). ECS-native has no command that ends bake time early, so
// Commands.FinishEarly stays empty.
//
// It needs ecs:ListServiceDeployments (on the service),
// ecs:DescribeServiceDeployments (on service-deployment ARNs) and
// ecs:DescribeServiceRevisions (on service-revision ARNs); each missing
// one gives one warning and leaves its part out. It never fails.
package ecsnative

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// DefaultTimeout bounds one Details call when Options.Timeout is zero.
const DefaultTimeout = 2 * time.Second

// The IAM actions of the lookups, in the order they are made.
const (
	ActListServiceDeployments     = "ecs:ListServiceDeployments"
	ActDescribeServiceDeployments = "ecs:DescribeServiceDeployments"
	ActDescribeServiceRevisions   = "ecs:DescribeServiceRevisions"
)

// Actions lists the IAM actions the enricher needs.
var Actions = []string{ActListServiceDeployments, ActDescribeServiceDeployments, ActDescribeServiceRevisions}

// API is the part of the ECS client the enricher uses; *ecs.Client
// implements it.
type API interface {
	// ListServiceDeployments is ecs:ListServiceDeployments.
	ListServiceDeployments(ctx context.Context, in *ecs.ListServiceDeploymentsInput, optFns ...func(*ecs.Options)) (*ecs.ListServiceDeploymentsOutput, error)
	// DescribeServiceDeployments is ecs:DescribeServiceDeployments.
	DescribeServiceDeployments(ctx context.Context, in *ecs.DescribeServiceDeploymentsInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServiceDeploymentsOutput, error)
	// DescribeServiceRevisions is ecs:DescribeServiceRevisions.
	DescribeServiceRevisions(ctx context.Context, in *ecs.DescribeServiceRevisionsInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServiceRevisionsOutput, error)
}

var (
	_ API             = (*ecs.Client)(nil)
	_ enrich.Enricher = (*Enricher)(nil)
)

// Options tune an Enricher. The zero value is ready to use.
type Options struct {
	// Timeout bounds one Details call, all lookups included (default
	// DefaultTimeout).
	Timeout time.Duration
	// ECS replaces the client built from the aws.Config.
	ECS API
	// Now is the clock, used only when an event carries no time of its own
	// (default time.Now).
	Now func() time.Time
}

// Enricher looks up ECS-native service deployments; it implements
// enrich.Enricher. Build one per process with New; it is safe for
// concurrent use.
type Enricher struct {
	ecs     API
	region  string
	timeout time.Duration
	now     func() time.Time
}

// New returns an Enricher that calls ECS with cfg. The client it builds
// retries within awsx.Short so that retries fit in the timeout.
func New(cfg aws.Config, opts Options) *Enricher {
	e := &Enricher{ecs: opts.ECS, region: cfg.Region, timeout: opts.Timeout, now: opts.Now}
	if e.timeout <= 0 {
		e.timeout = DefaultTimeout
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.ecs == nil {
		e.ecs = ecs.NewFromConfig(awsx.WithRetries(cfg, awsx.Short))
	}
	return e
}

// IsDeployment reports whether id names an ECS-native deployment: a
// service-deployment ARN or an ECS deployment ID "ecs-svc/…".
func IsDeployment(id string) bool {
	return strings.HasPrefix(id, "ecs-svc/") || strings.Contains(id, ":service-deployment/")
}

// IsRollbackDeployment reports whether the service deployment deploymentID
// (a service-deployment ARN) is being or was rolled back. ECS rolls back
// within the same service deployment, so this is "a rollback started";
// false when it cannot be told.
func (e *Enricher) IsRollbackDeployment(ctx context.Context, region, deploymentID string) bool {
	if !strings.Contains(deploymentID, ":service-deployment/") {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	out, err := e.ecs.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{deploymentID}}, e.regionOpt(region)...)
	if err != nil || out == nil || len(out.ServiceDeployments) == 0 {
		return false
	}
	d := out.ServiceDeployments[0]
	return (d.Rollback != nil && d.Rollback.StartedAt != nil) || strings.HasPrefix(string(d.Status), "ROLLBACK_")
}

func (e *Enricher) regionOpt(region string) []func(*ecs.Options) {
	if region == "" || region == e.region {
		return nil
	}
	return []func(*ecs.Options){func(o *ecs.Options) { o.Region = region }}
}

// found is what the lookups of one Details call found.
type found struct {
	arn       string
	dep       *ecstypes.ServiceDeployment
	revisions map[string]*ecstypes.ServiceRevision
	warnings  []enrich.Warning
}

// Details looks up ev's service deployment and revisions within the
// enricher's timeout. Events of other platforms get nil.
func (e *Enricher) Details(ctx context.Context, ev *deploy.Event) (*enrich.Details, []enrich.Warning) {
	if ev == nil || ev.Platform != deploy.ECSNative || ev.DeploymentID == "" {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	region := ev.Region
	if region == "" {
		region = e.region
	}
	f := e.lookup(ctx, ev, region)
	now := eventTime(ev)
	if now.IsZero() {
		now = e.now().UTC()
	}
	return build(ev, region, f, now)
}

// lookup makes the calls one after the other: each needs the one before.
func (e *Enricher) lookup(ctx context.Context, ev *deploy.Event, region string) found {
	var f found
	opts := e.regionOpt(region)
	account := ev.AccountID
	warn := func(action, resource, leftOut string, err error) {
		w := enrich.Warning{Action: action, Resource: resource, LeftOut: leftOut, Err: err, Reason: classify(err)}
		if w.Reason == enrich.ReasonTimeout {
			w.Timeout = e.timeout
		}
		f.warnings = append(f.warnings, w)
	}
	f.arn = ev.DeploymentID
	if !strings.HasPrefix(f.arn, "arn:") {
		// An "ecs-svc/<digits>" ID: find the service deployment. ECS
		// documents no link between the two; the service revision a
		// deployment creates ends in the same digits (inferred from
		// public examples), else the newest deployment is taken.
		svcARN := awsx.ARN("ecs", region, account, "service/"+ev.Cluster+"/"+ev.Service)
		out, err := e.ecs.ListServiceDeployments(ctx, &ecs.ListServiceDeploymentsInput{
			Cluster: aws.String(ev.Cluster), Service: aws.String(ev.Service),
		}, opts...)
		if err != nil {
			warn(ActListServiceDeployments, svcARN, "bake-time deadline, revisions, rollback command",
				fmt.Errorf("enrich: list service deployments %s/%s: %w", ev.Cluster, ev.Service, err))
			return f
		}
		f.arn = matchDeployment(out.ServiceDeployments, ev.DeploymentID)
		if f.arn == "" {
			f.warnings = append(f.warnings, enrich.Warning{Reason: enrich.ReasonIncomplete,
				Message: "no service deployment of " + ev.Cluster + "/" + ev.Service + " matches " + ev.DeploymentID})
			return f
		}
	}
	out, err := e.ecs.DescribeServiceDeployments(ctx, &ecs.DescribeServiceDeploymentsInput{ServiceDeploymentArns: []string{f.arn}}, opts...)
	switch {
	case err != nil:
		warn(ActDescribeServiceDeployments, f.arn, "bake-time deadline, revisions, circuit breaker and alarms",
			fmt.Errorf("enrich: describe service deployment %s: %w", f.arn, err))
		return f
	case len(out.ServiceDeployments) == 0:
		f.warnings = append(f.warnings, enrich.Warning{Reason: enrich.ReasonNotFound, Action: ActDescribeServiceDeployments,
			Resource: f.arn, LeftOut: "bake-time deadline, revisions", Err: fmt.Errorf("enrich: service deployment %s: %s", f.arn, failureReason(out.Failures))})
		return f
	}
	f.dep = &out.ServiceDeployments[0]
	var arns []string
	if t := f.dep.TargetServiceRevision; t != nil && aws.ToString(t.Arn) != "" {
		arns = append(arns, aws.ToString(t.Arn))
	}
	for _, s := range f.dep.SourceServiceRevisions {
		if a := aws.ToString(s.Arn); a != "" && !slices.Contains(arns, a) {
			arns = append(arns, a)
		}
	}
	if len(arns) == 0 {
		return f
	}
	arns = arns[:min(len(arns), 20)] // the API's limit
	revs, err := e.ecs.DescribeServiceRevisions(ctx, &ecs.DescribeServiceRevisionsInput{ServiceRevisionArns: arns}, opts...)
	if err != nil {
		warn(ActDescribeServiceRevisions, arns[0], "task definitions and images",
			fmt.Errorf("enrich: describe service revisions of %s: %w", f.arn, err))
		return f
	}
	f.revisions = map[string]*ecstypes.ServiceRevision{}
	for i := range revs.ServiceRevisions {
		r := &revs.ServiceRevisions[i]
		f.revisions[aws.ToString(r.ServiceRevisionArn)] = r
	}
	return f
}

// matchDeployment picks the service deployment of the ECS deployment ID
// "ecs-svc/<digits>": the one whose target revision ARN ends in the same
// digits, else the newest one (the list comes newest first; the newest
// created wins when times are given).
func matchDeployment(list []ecstypes.ServiceDeploymentBrief, id string) string {
	digits := strings.TrimPrefix(id, "ecs-svc/")
	for _, d := range list {
		if digits != "" && strings.HasSuffix(aws.ToString(d.TargetServiceRevisionArn), "/"+digits) {
			return aws.ToString(d.ServiceDeploymentArn)
		}
	}
	var best *ecstypes.ServiceDeploymentBrief
	for i := range list {
		d := &list[i]
		if best == nil || (d.CreatedAt != nil && best.CreatedAt != nil && d.CreatedAt.After(*best.CreatedAt)) {
			best = d
		}
	}
	if best == nil {
		return ""
	}
	return aws.ToString(best.ServiceDeploymentArn)
}

func failureReason(fs []ecstypes.Failure) string {
	for _, f := range fs {
		if r := aws.ToString(f.Reason); r != "" {
			return strings.ToLower(r)
		}
	}
	return "not found"
}

// eventTime is when the event happened, as the event tells.
func eventTime(ev *deploy.Event) time.Time {
	for _, t := range []time.Time{ev.LastUpdated, ev.Published, ev.CreateTime} {
		if !t.IsZero() {
			return t.UTC()
		}
	}
	return time.Time{}
}
