package ecsnative

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// build turns what the lookups found into Details. It is pure: now is the
// event's time (or the clock's when the event has none).
func build(ev *deploy.Event, region string, f found, now time.Time) (*enrich.Details, []enrich.Warning) {
	d := &enrich.Details{DeploymentID: ev.DeploymentID, Region: region, AccountID: ev.AccountID}
	if strings.HasPrefix(f.arn, "arn:") {
		d.DeploymentID = f.arn
	}
	warnings := f.warnings
	d.Links.Service = awsx.ECSServiceURL(region, ev.Cluster, ev.Service)
	dep := f.dep
	if dep != nil {
		d.Deployment = &enrich.Deployment{
			Status:       string(dep.Status),
			Stage:        string(dep.LifecycleStage),
			CreateTime:   utc(dep.CreatedAt),
			StartTime:    utc(dep.StartedAt),
			CompleteTime: utc(firstTime(dep.FinishedAt, dep.StoppedAt)),
		}
		if r := dep.Rollback; r != nil {
			d.Deployment.RollbackMessage = aws.ToString(r.Reason)
		}
		if c := dep.DeploymentConfiguration; c != nil {
			d.Deployment.ConfigName = string(c.Strategy)
		}
		d.Service = service(ev, dep, f.revisions)
		w, msg := window(ev, dep, now)
		d.Window = w
		if msg != "" {
			warnings = append(warnings, enrich.Warning{Reason: enrich.ReasonIncomplete, Message: msg})
		}
	}
	d.Commands = commands(ev, d, region)
	return d, warnings
}

// service lists the target revision (GREEN, the new one) and the source
// revisions (BLUE) with their weights, counts and images.
func service(ev *deploy.Event, dep *ecstypes.ServiceDeployment, revs map[string]*ecstypes.ServiceRevision) *enrich.Service {
	s := &enrich.Service{Cluster: ev.Cluster, Name: ev.Service, Revisions: true, TargetStatus: string(dep.Status)}
	add := func(sum *ecstypes.ServiceRevisionSummary, label string) {
		if sum == nil || aws.ToString(sum.Arn) == "" {
			return
		}
		ts := enrich.TaskSet{
			ID:           aws.ToString(sum.Arn),
			Label:        label,
			DesiredCount: int64(sum.RequestedTaskCount),
			RunningCount: int64(sum.RunningTaskCount),
			PendingCount: int64(sum.PendingTaskCount),
		}
		if w := sum.RequestedProductionTrafficWeight; w != nil {
			ts.TrafficWeight, ts.TrafficKnown = *w, true
		}
		if r := revs[ts.ID]; r != nil {
			ts.TaskDefinitionARN = aws.ToString(r.TaskDefinition)
			ts.TaskDefinition = taskDefName(ts.TaskDefinitionARN)
			for _, c := range r.ContainerImages {
				ts.Containers = append(ts.Containers, enrich.Container{Name: aws.ToString(c.ContainerName), Image: aws.ToString(c.Image)})
			}
			if len(r.LoadBalancers) > 0 {
				ts.TargetGroup = targetGroupName(aws.ToString(r.LoadBalancers[0].TargetGroupArn))
			}
		}
		s.TaskSets = append(s.TaskSets, ts)
	}
	add(dep.TargetServiceRevision, "GREEN")
	for i := range dep.SourceServiceRevisions {
		add(&dep.SourceServiceRevisions[i], "BLUE")
	}
	m := &enrich.Monitors{}
	if cb := dep.DeploymentCircuitBreaker; cb != nil {
		m.CircuitBreaker, m.FailureCount, m.Threshold = string(cb.Status), cb.FailureCount, cb.Threshold
	}
	if a := dep.Alarms; a != nil {
		m.AlarmStatus, m.Alarms, m.Triggered = string(a.Status), a.AlarmNames, a.TriggeredAlarmNames
	}
	if m.CircuitBreaker != "" || m.AlarmStatus != "" || len(m.Alarms) > 0 {
		s.Monitors = m
	}
	return s
}

// window is the rollback window: the bake time. ECS records no time for
// the production shift; what it records is inferred from:
//   - lifecycleStage BAKE_TIME: the deployment's updatedAt is when it
//     entered bake time (nothing else changes it during bake time), so
//     the deadline is updatedAt + bakeTimeInMinutes;
//   - lifecycleStage POST_PRODUCTION_TRAFFIC_SHIFT (or a traffic-switched
//     event): production has shifted and bake time starts once that
//     stage's hooks are done, so the event's time + bake time is the
//     earliest the window can close;
//   - a SUCCESSFUL deployment: the window closed when it finished.
//
// Earlier stages, rollbacks and failures have no window.
func window(ev *deploy.Event, dep *ecstypes.ServiceDeployment, now time.Time) (*enrich.Window, string) {
	if ev.Phase == deploy.RollingBack || ev.Phase == deploy.Failed {
		return nil, ""
	}
	var bake *int32
	if c := dep.DeploymentConfiguration; c != nil {
		bake = c.BakeTimeInMinutes
	}
	stage := dep.LifecycleStage
	status := dep.Status
	w := &enrich.Window{Kind: enrich.WindowRollback, Action: "BAKE_TIME"}
	if bake != nil {
		w.Wait = time.Duration(*bake) * time.Minute
	}
	switch {
	case status == ecstypes.ServiceDeploymentStatusSuccessful:
		w.Ended, w.EndedAt = true, utc(firstTime(dep.FinishedAt, dep.UpdatedAt))
		return w, ""
	case status != ecstypes.ServiceDeploymentStatusInProgress && status != ecstypes.ServiceDeploymentStatusPending:
		return nil, ""
	case stage == ecstypes.ServiceDeploymentLifecycleStageBakeTime:
		w.Start, w.StartFrom = utc(dep.UpdatedAt), "deployment"
	case stage == ecstypes.ServiceDeploymentLifecycleStagePostProductionTrafficShift || ev.TrafficSwitched():
		w.Start, w.StartFrom = now, "event"
	default:
		return nil, ""
	}
	if bake == nil {
		return nil, "the service deployment does not say its bake time (deploymentConfiguration.bakeTimeInMinutes): no rollback deadline"
	}
	if w.Start.IsZero() {
		w.Start, w.StartFrom = now, "event"
	}
	if *bake == 0 {
		w.NoWindow = true
	}
	w.Deadline = w.Start.Add(w.Wait)
	return w, ""
}

// commands are the commands that apply: the rollback while the deployment
// runs (StopServiceDeployment accepts PENDING and IN_PROGRESS deployments)
// and is not rolling back already. ECS-native has no finish-early.
func commands(ev *deploy.Event, d *enrich.Details, region string) enrich.Commands {
	var c enrich.Commands
	if !strings.Contains(d.DeploymentID, ":service-deployment/") || ev.Phase == deploy.RollingBack || ev.Phase.Ended() {
		return c
	}
	if dep := d.Deployment; dep != nil && dep.Status != string(ecstypes.ServiceDeploymentStatusInProgress) && dep.Status != string(ecstypes.ServiceDeploymentStatusPending) {
		return c
	}
	if ev.Phase != deploy.Started && ev.Phase != deploy.Ready && !ev.TrafficSwitched() {
		return c
	}
	c.RollBack = "aws ecs stop-service-deployment --service-deployment-arn " + d.DeploymentID + " --stop-type ROLLBACK"
	if region != "" {
		c.RollBack += " --region " + region
	}
	return c
}

// classify tells why err happened.
func classify(err error) enrich.Reason {
	switch {
	case awsx.Denied(err, "UnrecognizedClientException", "InvalidSignatureException"):
		return enrich.ReasonDenied
	case awsx.Throttled(err):
		return enrich.ReasonThrottled
	case awsx.NotFound(err, "ServiceNotFoundException", "ClusterNotFoundException"):
		return enrich.ReasonNotFound
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return enrich.ReasonTimeout
	}
	return enrich.ReasonFailed
}

func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func firstTime(ts ...*time.Time) *time.Time {
	for _, t := range ts {
		if t != nil && !t.IsZero() {
			return t
		}
	}
	return nil
}

// taskDefName is "family:revision" of a task definition ARN.
func taskDefName(arn string) string {
	if i := strings.LastIndex(arn, "task-definition/"); i >= 0 {
		return arn[i+len("task-definition/"):]
	}
	return arn
}

// targetGroupName is NAME of arn:…:targetgroup/NAME/ID.
func targetGroupName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":targetgroup/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}
