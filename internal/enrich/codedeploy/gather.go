package codedeploy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cutover-dev/cutover/internal/enrich"

	"github.com/aws/aws-sdk-go-v2/aws"
	cdsdk "github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/cutover-dev/cutover/internal/accounts"
	"github.com/cutover-dev/cutover/internal/deploy"
	cdsource "github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// The IAM actions of the lookups, in the order warnings are reported.
const (
	actGetDeployment      = "codedeploy:GetDeployment"
	actGetDeploymentGroup = "codedeploy:GetDeploymentGroup"
	actListTargets        = "codedeploy:ListDeploymentTargets"
	actBatchGetTargets    = "codedeploy:BatchGetDeploymentTargets"
	actDescribeTaskSets   = "ecs:DescribeTaskSets"
	actDescribeTaskDef    = "ecs:DescribeTaskDefinition"
)

var actionOrder = []string{
	actGetDeployment, actGetDeploymentGroup, actListTargets, actBatchGetTargets,
	actDescribeTaskSets, actDescribeTaskDef,
}

// plan says which lookups an event gets.
type plan struct {
	deployment, group, targets, ecs bool
}

// planFor chooses the lookups for ev's kind.
func planFor(ev *deploy.Event) plan {
	switch {
	case ev.TrafficSwitched():
		return plan{deployment: true, group: true, targets: true, ecs: true}
	case isReady(ev):
		return plan{deployment: true, group: true}
	case ev.Phase.WentWrong():
		return plan{deployment: true, targets: true}
	default:
		return plan{deployment: true}
	}
}

func isReady(ev *deploy.Event) bool {
	return ev.Name == cdsource.DeploymentReady || ev.Name == cdsource.InstanceReady
}

// snapshot is what the lookups found by the time Details stopped waiting.
type snapshot struct {
	plan     plan
	region   string
	dep      *cdtypes.DeploymentInfo
	group    *cdtypes.DeploymentGroupInfo
	targets  []cdtypes.DeploymentTarget
	cluster  string
	service  string
	taskSets []ecstypes.TaskSet
	taskDefs map[string]*ecstypes.TaskDefinition
	warnings []enrich.Warning
	timeout  time.Duration
}

// op is one lookup in flight, for the warning if it does not finish.
type op struct {
	action  string
	leftOut string
}

// gather runs the lookups of one Details call and collects their results.
type gather struct {
	s   *Session
	ev  *deploy.Event
	wg  sync.WaitGroup
	cd  CodeDeployAPI
	ecs ECSAPI
	cdo []func(*cdsdk.Options)
	eco []func(*ecs.Options)
	// scope starts every memo key: the account of the clients, when
	// accounts are connected (the same names may exist in two accounts).
	scope string

	allDone chan struct{}

	mu           sync.Mutex
	closed       bool
	snap         snapshot
	pending      map[int]op
	nextOp       int
	groupStarted bool
	ecsStarted   bool
	taskDefsSeen map[string]bool
}

func newGather(s *Session, ev *deploy.Event, c clients) *gather {
	region := ev.Region
	if region == "" {
		region = s.e.region
	}
	if c.regional {
		region = c.region
	}
	g := &gather{
		s:            s,
		ev:           ev,
		cd:           c.cd,
		ecs:          c.ecs,
		scope:        c.scope,
		allDone:      make(chan struct{}),
		pending:      map[int]op{},
		taskDefsSeen: map[string]bool{},
	}
	g.snap.plan = planFor(ev)
	g.snap.region = region
	g.snap.taskDefs = map[string]*ecstypes.TaskDefinition{}
	g.snap.timeout = s.e.timeout
	if region != "" && region != s.e.region && !c.regional {
		g.cdo = []func(*cdsdk.Options){func(o *cdsdk.Options) { o.Region = region }}
		g.eco = []func(*ecs.Options){func(o *ecs.Options) { o.Region = region }}
	}
	return g
}

// run starts the lookups the plan asks for; allDone closes when every
// lookup, including those started by others, has finished.
func (g *gather) run(ctx context.Context) {
	p := g.snap.plan
	ev := g.ev
	if p.deployment {
		g.spawn(func() { g.deployment(ctx) })
	}
	if p.group && ev.Application != "" && ev.DeploymentGroup != "" {
		g.startGroup(ctx, ev.Application, ev.DeploymentGroup)
	}
	if p.targets {
		g.spawn(func() { g.targets(ctx) })
	}
	if p.ecs && ev.Target != nil && ev.Target.Cluster != "" && ev.Target.Service != "" {
		g.startECS(ctx, ev.Target.Cluster, ev.Target.Service)
	}
	go func() {
		g.wg.Wait()
		close(g.allDone)
	}()
}

// spawn runs fn in a goroutine counted by the wait group.
func (g *gather) spawn(fn func()) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		fn()
	}()
}

// begin records a lookup in flight; end removes it and records the warning
// for err, if any. Both report false once the gather is closed.
func (g *gather) begin(action, leftOut string) (int, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return 0, false
	}
	g.nextOp++
	g.pending[g.nextOp] = op{action: action, leftOut: leftOut}
	return g.nextOp, true
}

func (g *gather) end(id int, err error) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	o := g.pending[id]
	delete(g.pending, id)
	if err != nil {
		g.snap.warnings = append(g.snap.warnings, g.warningLocked(o, err))
	}
	return true
}

// warningLocked builds the warning for a failed lookup; g.mu is held.
func (g *gather) warningLocked(o op, err error) enrich.Warning {
	w := enrich.Warning{Action: o.action, LeftOut: o.leftOut, Err: err, Reason: classify(err)}
	if role, ok := accounts.IsAssumeFailure(err); ok {
		// The spoke's role could not be assumed: that is what to fix, not
		// the lookup's own permission.
		w.Action, w.Resource = "sts:AssumeRole", role
		return w
	}
	if w.Reason == enrich.ReasonTimeout {
		w.Timeout = g.snap.timeout
	}
	if w.Reason == enrich.ReasonDenied {
		w.Resource = resourceFromDenied(err)
	}
	if w.Resource == "" && w.Reason == enrich.ReasonDenied {
		w.Resource = g.resourceLocked(o.action)
	}
	return w
}

// resourceLocked is the resource to grant action on; g.mu is held.
func (g *gather) resourceLocked(action string) string {
	if strings.HasPrefix(action, "ecs:") {
		return "*"
	}
	app, group := g.ev.Application, g.ev.DeploymentGroup
	if d := g.snap.dep; d != nil {
		app = firstNonEmpty(app, aws.ToString(d.ApplicationName))
		group = firstNonEmpty(group, aws.ToString(d.DeploymentGroupName))
	}
	return deploymentGroupARN(g.snap.region, firstNonEmpty(g.ev.AccountID, accountFromSnapshot(&g.snap)), app, group)
}

// close stops collecting: results that arrive later are dropped, lookups
// still in flight become timeout warnings. It returns the snapshot.
func (g *gather) close() snapshot {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	ids := make([]int, 0, len(g.pending))
	for id := range g.pending {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		o := g.pending[id]
		g.snap.warnings = append(g.snap.warnings, enrich.Warning{
			Action:  o.action,
			Reason:  enrich.ReasonTimeout,
			LeftOut: o.leftOut,
			Timeout: g.snap.timeout,
			Err:     fmt.Errorf("enrich: %s: %w", o.action, context.DeadlineExceeded),
		})
	}
	snap := g.snap
	snap.taskDefs = make(map[string]*ecstypes.TaskDefinition, len(g.snap.taskDefs))
	for k, v := range g.snap.taskDefs {
		snap.taskDefs[k] = v
	}
	snap.warnings = nil
	for _, w := range g.snap.warnings { // one warning per action, reason and resource
		if !slices.ContainsFunc(snap.warnings, func(o enrich.Warning) bool {
			return o.Action == w.Action && o.Reason == w.Reason && o.Resource == w.Resource
		}) {
			snap.warnings = append(snap.warnings, w)
		}
	}
	snap.targets = slices.Clone(g.snap.targets)
	snap.taskSets = slices.Clone(g.snap.taskSets)
	slices.SortStableFunc(snap.warnings, func(a, b enrich.Warning) int {
		return slices.Index(actionOrder, a.Action) - slices.Index(actionOrder, b.Action)
	})
	return snap
}

// set stores a result under the lock unless the gather is closed.
func (g *gather) set(fn func(*snapshot)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.closed {
		fn(&g.snap)
	}
}

func (g *gather) deployment(ctx context.Context) {
	id, ok := g.begin(actGetDeployment, "creator, pipeline, error and rollback details")
	if !ok {
		return
	}
	depID := g.ev.DeploymentID
	dep, err := memo(ctx, g.s, g.scope+"GetDeployment/"+g.snap.region+"/"+depID, func(ctx context.Context) (*cdtypes.DeploymentInfo, error) {
		out, err := g.cd.GetDeployment(ctx, &cdsdk.GetDeploymentInput{DeploymentId: aws.String(depID)}, g.cdo...)
		if err != nil {
			return nil, fmt.Errorf("enrich: get deployment %s: %w", depID, err)
		}
		return out.DeploymentInfo, nil
	})
	if err == nil {
		g.set(func(s *snapshot) { s.dep = dep })
	}
	if !g.end(id, err) || err != nil || dep == nil {
		return
	}
	if g.snap.plan.group {
		g.startGroup(ctx, aws.ToString(dep.ApplicationName), aws.ToString(dep.DeploymentGroupName))
	}
}

// startGroup starts the deployment group lookup once.
func (g *gather) startGroup(ctx context.Context, app, group string) {
	if app == "" || group == "" {
		return
	}
	g.mu.Lock()
	if g.groupStarted || g.closed {
		g.mu.Unlock()
		return
	}
	g.groupStarted = true
	g.mu.Unlock()
	g.spawn(func() { g.group(ctx, app, group) })
}

func (g *gather) group(ctx context.Context, app, group string) {
	leftOut := "rollback window"
	if isReady(g.ev) {
		leftOut = "reroute deadline"
	}
	id, ok := g.begin(actGetDeploymentGroup, leftOut)
	if !ok {
		return
	}
	info, err := memo(ctx, g.s, g.scope+"GetDeploymentGroup/"+g.snap.region+"/"+app+"/"+group, func(ctx context.Context) (*cdtypes.DeploymentGroupInfo, error) {
		out, err := g.cd.GetDeploymentGroup(ctx, &cdsdk.GetDeploymentGroupInput{
			ApplicationName:     aws.String(app),
			DeploymentGroupName: aws.String(group),
		}, g.cdo...)
		if err != nil {
			return nil, fmt.Errorf("enrich: get deployment group %s/%s: %w", app, group, err)
		}
		return out.DeploymentGroupInfo, nil
	})
	if err == nil {
		g.set(func(s *snapshot) { s.group = info })
	}
	if !g.end(id, err) || err != nil || info == nil || !g.snap.plan.ecs {
		return
	}
	if len(info.EcsServices) > 0 {
		svc := info.EcsServices[0]
		g.startECS(ctx, aws.ToString(svc.ClusterName), aws.ToString(svc.ServiceName))
	}
}

func (g *gather) targets(ctx context.Context) {
	const leftOut = "task sets, traffic weights and lifecycle diagnostics"
	depID := g.ev.DeploymentID
	var ids []string
	if t := g.ev.Target; t != nil && t.ID != "" {
		ids = []string{t.ID}
	} else {
		id, ok := g.begin(actListTargets, leftOut)
		if !ok {
			return
		}
		listed, err := memo(ctx, g.s, g.scope+"ListDeploymentTargets/"+g.snap.region+"/"+depID, func(ctx context.Context) ([]string, error) {
			out, err := g.cd.ListDeploymentTargets(ctx, &cdsdk.ListDeploymentTargetsInput{DeploymentId: aws.String(depID)}, g.cdo...)
			if err != nil {
				return nil, fmt.Errorf("enrich: list deployment targets %s: %w", depID, err)
			}
			return out.TargetIds, nil
		})
		if !g.end(id, err) || err != nil {
			return
		}
		ids = listed
	}
	if len(ids) == 0 {
		return
	}
	if len(ids) > 25 { // the API's limit; an ECS or Lambda deployment has one target
		ids = ids[:25]
	}
	id, ok := g.begin(actBatchGetTargets, leftOut)
	if !ok {
		return
	}
	key := g.scope + "BatchGetDeploymentTargets/" + g.snap.region + "/" + depID + "/" + strings.Join(ids, ",")
	targets, err := memo(ctx, g.s, key, func(ctx context.Context) ([]cdtypes.DeploymentTarget, error) {
		out, err := g.cd.BatchGetDeploymentTargets(ctx, &cdsdk.BatchGetDeploymentTargetsInput{
			DeploymentId: aws.String(depID),
			TargetIds:    ids,
		}, g.cdo...)
		if err != nil {
			return nil, fmt.Errorf("enrich: get deployment targets %s: %w", depID, err)
		}
		return out.DeploymentTargets, nil
	})
	if err == nil {
		g.set(func(s *snapshot) { s.targets = targets })
	}
	if !g.end(id, err) || err != nil || !g.snap.plan.ecs {
		return
	}
	for _, t := range targets {
		if t.EcsTarget == nil {
			continue
		}
		if cluster, service, ok := splitTargetID(aws.ToString(t.EcsTarget.TargetId)); ok {
			g.startECS(ctx, cluster, service)
			return
		}
	}
}

// startECS starts the ECS lookups once, for the first service learned.
func (g *gather) startECS(ctx context.Context, cluster, service string) {
	if cluster == "" || service == "" {
		return
	}
	g.mu.Lock()
	if g.ecsStarted || g.closed {
		g.mu.Unlock()
		return
	}
	g.ecsStarted = true
	g.snap.cluster, g.snap.service = cluster, service
	g.mu.Unlock()
	g.spawn(func() { g.taskSets(ctx, cluster, service) })
}

func (g *gather) taskSets(ctx context.Context, cluster, service string) {
	id, ok := g.begin(actDescribeTaskSets, "task definitions and images")
	if !ok {
		return
	}
	key := g.scope + "DescribeTaskSets/" + g.snap.region + "/" + cluster + "/" + service
	sets, err := memo(ctx, g.s, key, func(ctx context.Context) ([]ecstypes.TaskSet, error) {
		out, err := g.ecs.DescribeTaskSets(ctx, &ecs.DescribeTaskSetsInput{
			Cluster: aws.String(cluster),
			Service: aws.String(service),
		}, g.eco...)
		if err != nil {
			return nil, fmt.Errorf("enrich: describe task sets %s/%s: %w", cluster, service, err)
		}
		return out.TaskSets, nil
	})
	if err == nil {
		g.set(func(s *snapshot) { s.taskSets = sets })
	}
	if !g.end(id, err) || err != nil {
		return
	}
	for _, ts := range sets {
		arn := aws.ToString(ts.TaskDefinition)
		if arn == "" {
			continue
		}
		g.mu.Lock()
		seen := g.taskDefsSeen[arn]
		g.taskDefsSeen[arn] = true
		g.mu.Unlock()
		if !seen {
			g.spawn(func() { g.taskDefinition(ctx, arn) })
		}
	}
}

func (g *gather) taskDefinition(ctx context.Context, arn string) {
	id, ok := g.begin(actDescribeTaskDef, "container images and logs link")
	if !ok {
		return
	}
	td, err := memo(ctx, g.s, g.scope+"DescribeTaskDefinition/"+arn, func(ctx context.Context) (*ecstypes.TaskDefinition, error) {
		out, err := g.ecs.DescribeTaskDefinition(ctx, &ecs.DescribeTaskDefinitionInput{TaskDefinition: aws.String(arn)}, g.eco...)
		if err != nil {
			return nil, fmt.Errorf("enrich: describe task definition %s: %w", taskDefName(arn), err)
		}
		return out.TaskDefinition, nil
	})
	if err == nil && td != nil {
		g.set(func(s *snapshot) { s.taskDefs[arn] = td })
	}
	g.end(id, err)
}

// splitTargetID splits an ECS deployment target ID "cluster:service".
func splitTargetID(id string) (cluster, service string, ok bool) {
	cluster, service, ok = strings.Cut(id, ":")
	if !ok || cluster == "" || service == "" || strings.Contains(service, ":") {
		return "", "", false
	}
	return cluster, service, true
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
