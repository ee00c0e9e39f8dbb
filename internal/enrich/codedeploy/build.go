package codedeploy

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cutover-dev/cutover/internal/enrich"

	"github.com/aws/aws-sdk-go-v2/aws"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/deploy"
)

// build turns what the lookups found into Details. It is pure.
func build(ev *deploy.Event, snap snapshot, now time.Time) (*enrich.Details, []enrich.Warning) {
	d := &enrich.Details{
		DeploymentID:    ev.DeploymentID,
		Region:          snap.region,
		AccountID:       ev.AccountID,
		Application:     ev.Application,
		DeploymentGroup: ev.DeploymentGroup,
	}
	warnings := snap.warnings
	if dep := snap.dep; dep != nil {
		d.Deployment = convertDeployment(dep)
		d.Application = firstNonEmpty(d.Application, aws.ToString(dep.ApplicationName))
		d.DeploymentGroup = firstNonEmpty(d.DeploymentGroup, aws.ToString(dep.DeploymentGroupName))
	}
	if d.AccountID == "" {
		d.AccountID = accountFromSnapshot(&snap)
	}
	target := firstECSTarget(snap.targets)
	onECS := isECSPlatform(&snap)
	if onECS {
		d.Service = buildService(ev, &snap, target)
	} else {
		// A Lambda target "function:alias" looks like an ECS one: drop
		// what the ECS lookups said about it.
		warnings = slices.DeleteFunc(slices.Clone(warnings), func(w enrich.Warning) bool {
			return strings.HasPrefix(w.Action, "ecs:")
		})
	}
	if ev.Phase.WentWrong() {
		d.Failure = buildFailure(ev, snap.targets)
	}
	switch {
	case ev.TrafficSwitched() && onECS && !isRollbackDeployment(ev, snap.dep):
		w, msg := switchWindow(ev, &snap, target, now)
		d.Window = w
		if msg != "" {
			warnings = append(warnings, enrich.Warning{Reason: enrich.ReasonIncomplete, Message: msg})
		}
	case isReady(ev):
		w, msg := readyWindow(ev, &snap, now)
		d.Window = w
		if msg != "" {
			warnings = append(warnings, enrich.Warning{Reason: enrich.ReasonIncomplete, Message: msg})
		}
	}
	d.Links = Links(ev, d)
	d.Commands = Commands(ev, d)
	return d, warnings
}

// isECSPlatform reports whether the deployment is (or may be) an ECS one:
// not when GetDeployment says another compute platform, nor when its
// targets are Lambda functions or instances.
func isECSPlatform(snap *snapshot) bool {
	if snap.dep != nil && snap.dep.ComputePlatform != "" {
		return snap.dep.ComputePlatform == cdtypes.ComputePlatformEcs
	}
	for _, t := range snap.targets {
		if t.LambdaTarget != nil || t.InstanceTarget != nil {
			return false
		}
	}
	return true
}

// convertDeployment keeps what a notification can use of GetDeployment.
func convertDeployment(dep *cdtypes.DeploymentInfo) *enrich.Deployment {
	out := &enrich.Deployment{
		Status:                 string(dep.Status),
		Creator:                string(dep.Creator),
		Description:            aws.ToString(dep.Description),
		ConfigName:             aws.ToString(dep.DeploymentConfigName),
		ComputePlatform:        string(dep.ComputePlatform),
		CreateTime:             utc(dep.CreateTime),
		StartTime:              utc(dep.StartTime),
		CompleteTime:           utc(dep.CompleteTime),
		ExternalID:             aws.ToString(dep.ExternalId),
		StatusMessages:         slices.Clone(dep.DeploymentStatusMessages),
		TerminationWaitStarted: dep.InstanceTerminationWaitTimeStarted,
	}
	if r := dep.RollbackInfo; r != nil {
		out.RollbackDeploymentID = aws.ToString(r.RollbackDeploymentId)
		out.RollbackTriggeringDeploymentID = aws.ToString(r.RollbackTriggeringDeploymentId)
		out.RollbackMessage = aws.ToString(r.RollbackMessage)
	}
	if e := dep.ErrorInformation; e != nil {
		out.ErrorCode = string(e.Code)
		out.ErrorMessage = aws.ToString(e.Message)
	}
	if a := dep.AutoRollbackConfiguration; a != nil {
		out.AutoRollback = a.Enabled
		for _, ev := range a.Events {
			out.AutoRollbackEvents = append(out.AutoRollbackEvents, string(ev))
		}
	}
	out.Pipeline = detectPipeline(dep)
	return out
}

func utc(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// artifactBucket matches CodePipeline's default artifact store buckets,
// "codepipeline-REGION-NUMBER".
var artifactBucket = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^codepipeline-[a-z]{2}(?:-[a-z]+)+-\d+-[0-9a-z]+$`) })

// pipelineNameMax is the length CodePipeline shortens a pipeline name to in
// artifact keys (inferred from artifact keys such as
// "myPipeline/SourceArti/KEY", whose artifact name is cut at 10).
const pipelineNameMax = 20

var (
	uuidRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	})
	pipelineARNRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`arn:aws[a-z-]*:codepipeline:[a-z0-9-]+:\d{12}:([A-Za-z0-9.@_-]+)`)
	})
	pipelineNamed = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)\b(?:code)?pipeline(?:[ _-]?name)?\b\s*[:=]?\s*["'\x60]?([A-Za-z0-9.@_-]{1,100})`)
	})
)

// detectPipeline infers the CodePipeline pipeline that created dep: from
// an S3 revision in a CodePipeline artifact bucket (the key starts with the
// pipeline name), else from a description that names the pipeline (its
// ARN, or "pipeline NAME") and, optionally, an execution ID (a UUID).
// CodeDeploy records neither, so this is a best effort.
func detectPipeline(dep *cdtypes.DeploymentInfo) *enrich.Pipeline {
	switch dep.Creator {
	case "", cdtypes.DeploymentCreatorUser:
	default:
		return nil
	}
	desc := aws.ToString(dep.Description)
	if r := dep.Revision; r != nil && r.S3Location != nil {
		bucket := aws.ToString(r.S3Location.Bucket)
		key := aws.ToString(r.S3Location.Key)
		if name, _, ok := strings.Cut(key, "/"); ok && name != "" && artifactBucket().MatchString(bucket) {
			p := &enrich.Pipeline{Name: name, From: "revision", NameTruncated: len(name) >= pipelineNameMax}
			if strings.Contains(strings.ToLower(desc), "pipeline") {
				p.ExecutionID = uuidRE().FindString(desc)
			}
			return p
		}
	}
	if !strings.Contains(strings.ToLower(desc), "pipeline") {
		return nil
	}
	p := &enrich.Pipeline{From: "description", ExecutionID: uuidRE().FindString(desc)}
	if m := pipelineARNRE().FindStringSubmatch(desc); m != nil {
		p.Name = m[1]
	} else {
		for _, m := range pipelineNamed().FindAllStringSubmatch(desc, -1) {
			switch strings.ToLower(m[1]) {
			case "execution", "executionid", "execution-id", "execution_id", "run", "id", "arn":
				continue
			}
			if uuidRE().MatchString(m[1]) {
				continue
			}
			p.Name = m[1]
			break
		}
	}
	if p.Name == "" {
		return nil
	}
	return p
}

// isRollbackDeployment reports whether the deployment rolls another back.
func isRollbackDeployment(ev *deploy.Event, dep *cdtypes.DeploymentInfo) bool {
	if ev.IsRollback() {
		return true
	}
	if dep == nil {
		return false
	}
	if dep.Creator == cdtypes.DeploymentCreatorCodeDeployRollback {
		return true
	}
	return dep.RollbackInfo != nil && aws.ToString(dep.RollbackInfo.RollbackTriggeringDeploymentId) != ""
}

// haveWarning reports whether a lookup of one of the actions failed.
func haveWarning(snap *snapshot, actions ...string) bool {
	for _, w := range snap.warnings {
		if slices.Contains(actions, w.Action) {
			return true
		}
	}
	return false
}

// blueGreen returns the deployment's blue/green configuration, else the
// group's (the deployment's is a copy taken when it was created).
func blueGreen(snap *snapshot, has func(*cdtypes.BlueGreenDeploymentConfiguration) bool) *cdtypes.BlueGreenDeploymentConfiguration {
	if snap.dep != nil && snap.dep.BlueGreenDeploymentConfiguration != nil && has(snap.dep.BlueGreenDeploymentConfiguration) {
		return snap.dep.BlueGreenDeploymentConfiguration
	}
	if snap.group != nil && snap.group.BlueGreenDeploymentConfiguration != nil && has(snap.group.BlueGreenDeploymentConfiguration) {
		return snap.group.BlueGreenDeploymentConfiguration
	}
	return nil
}

// finished reports whether a deployment status is final, and when.
func finished(dep *cdtypes.DeploymentInfo) (bool, time.Time) {
	if dep == nil {
		return false, time.Time{}
	}
	switch dep.Status {
	case cdtypes.DeploymentStatusSucceeded, cdtypes.DeploymentStatusFailed, cdtypes.DeploymentStatusStopped:
		return true, utc(dep.CompleteTime)
	}
	return false, time.Time{}
}

// switchWindow is the rollback window after traffic switched, and a
// message when it cannot be told although the lookups answered.
func switchWindow(ev *deploy.Event, snap *snapshot, target *cdtypes.ECSTarget, now time.Time) (*enrich.Window, string) {
	bg := blueGreen(snap, func(c *cdtypes.BlueGreenDeploymentConfiguration) bool {
		return c.TerminateBlueInstancesOnDeploymentSuccess != nil
	})
	if bg == nil {
		if haveWarning(snap, actGetDeployment, actGetDeploymentGroup) {
			return nil, ""
		}
		return nil, "rollback window unknown: neither the deployment nor its group has terminateBlueInstancesOnDeploymentSuccess"
	}
	term := bg.TerminateBlueInstancesOnDeploymentSuccess
	if term.Action == cdtypes.InstanceActionKeepAlive {
		return nil, "" // the original keeps running: no deadline (not allowed for ECS)
	}
	w := &enrich.Window{
		Kind:   enrich.WindowRollback,
		Action: string(cmp.Or(term.Action, cdtypes.InstanceActionTerminate)),
		Wait:   time.Duration(term.TerminationWaitTimeInMinutes) * time.Minute,
	}
	w.NoWindow = term.TerminationWaitTimeInMinutes == 0
	w.Start, w.StartFrom = switchStart(ev, target, now)
	w.Deadline = w.Start.Add(w.Wait)
	w.Ended, w.EndedAt = finished(snap.dep)
	return w, ""
}

// switchStart is when the termination wait began: the end of the target's
// AfterAllowTraffic (else AllowTraffic) lifecycle event, else the event's
// time, else now.
func switchStart(ev *deploy.Event, target *cdtypes.ECSTarget, now time.Time) (time.Time, string) {
	if target != nil {
		var allow time.Time
		for _, le := range target.LifecycleEvents {
			switch aws.ToString(le.LifecycleEventName) {
			case "AfterAllowTraffic":
				if le.EndTime != nil {
					return le.EndTime.UTC(), "lifecycle"
				}
			case "AllowTraffic":
				allow = utc(le.EndTime)
			}
		}
		if !allow.IsZero() {
			return allow, "lifecycle"
		}
	}
	if ev.Target != nil {
		var allow time.Time
		for _, le := range ev.Target.Lifecycle {
			switch le.Name {
			case "AfterAllowTraffic":
				if !le.End.IsZero() {
					return le.End.UTC(), "lifecycle"
				}
			case "AllowTraffic":
				allow = le.End.UTC()
			}
		}
		if !allow.IsZero() {
			return allow, "lifecycle"
		}
	}
	return eventStart(ev, now)
}

// eventStart is the event's own time, else now.
func eventStart(ev *deploy.Event, now time.Time) (time.Time, string) {
	switch {
	case !ev.LastUpdated.IsZero():
		return ev.LastUpdated.UTC(), "event"
	case !ev.Published.IsZero():
		return ev.Published.UTC(), "event"
	}
	return now.UTC(), "clock"
}

// readyWindow is the reroute deadline of a deployment waiting in Ready.
func readyWindow(ev *deploy.Event, snap *snapshot, now time.Time) (*enrich.Window, string) {
	bg := blueGreen(snap, func(c *cdtypes.BlueGreenDeploymentConfiguration) bool {
		return c.DeploymentReadyOption != nil
	})
	if bg == nil {
		if haveWarning(snap, actGetDeployment, actGetDeploymentGroup) {
			return nil, ""
		}
		return nil, "reroute deadline unknown: neither the deployment nor its group has deploymentReadyOption"
	}
	opt := bg.DeploymentReadyOption
	if opt.ActionOnTimeout != cdtypes.DeploymentReadyActionStopDeployment {
		return nil, "" // traffic is rerouted without waiting
	}
	w := &enrich.Window{
		Kind:   enrich.WindowReroute,
		Action: string(opt.ActionOnTimeout),
		Wait:   time.Duration(opt.WaitTimeInMinutes) * time.Minute,
	}
	w.Start, w.StartFrom = eventStart(ev, now)
	if opt.WaitTimeInMinutes > 0 {
		w.Deadline = w.Start.Add(w.Wait)
	}
	w.Ended, w.EndedAt = finished(snap.dep)
	return w, ""
}

// firstECSTarget is the first ECS target among targets.
func firstECSTarget(targets []cdtypes.DeploymentTarget) *cdtypes.ECSTarget {
	for _, t := range targets {
		if t.EcsTarget != nil {
			return t.EcsTarget
		}
	}
	return nil
}

// buildService merges CodeDeploy's view of the task sets (labels, traffic)
// with ECS's (task definitions, images).
func buildService(ev *deploy.Event, snap *snapshot, target *cdtypes.ECSTarget) *enrich.Service {
	cluster, service := snap.cluster, snap.service
	if cluster == "" && target != nil {
		cluster, service, _ = splitTargetID(aws.ToString(target.TargetId))
	}
	if cluster == "" && ev.Target != nil {
		cluster, service = ev.Target.Cluster, ev.Target.Service
	}
	if cluster == "" || service == "" {
		return nil
	}
	if target == nil && len(snap.taskSets) == 0 && !snap.plan.ecs {
		return nil
	}
	svc := &enrich.Service{Cluster: cluster, Name: service}
	index := map[string]int{}
	if target != nil {
		svc.TargetStatus = string(target.Status)
		for _, ti := range target.TaskSetsInfo {
			ts := enrich.TaskSet{
				ID:            aws.ToString(ti.Identifer),
				Label:         strings.ToUpper(string(ti.TaskSetLabel)),
				Status:        aws.ToString(ti.Status),
				TrafficWeight: ti.TrafficWeight,
				TrafficKnown:  true,
				DesiredCount:  ti.DesiredCount,
				PendingCount:  ti.PendingCount,
				RunningCount:  ti.RunningCount,
			}
			if ti.TargetGroup != nil {
				ts.TargetGroup = aws.ToString(ti.TargetGroup.Name)
			}
			index[taskSetKey(ts.ID)] = len(svc.TaskSets)
			svc.TaskSets = append(svc.TaskSets, ts)
		}
	}
	for _, es := range snap.taskSets {
		id := aws.ToString(es.Id)
		i, ok := index[taskSetKey(id)]
		if !ok {
			i, ok = index[taskSetKey(aws.ToString(es.TaskSetArn))]
		}
		if !ok {
			svc.TaskSets = append(svc.TaskSets, enrich.TaskSet{
				ID:           id,
				Status:       aws.ToString(es.Status),
				DesiredCount: int64(es.ComputedDesiredCount),
				PendingCount: int64(es.PendingCount),
				RunningCount: int64(es.RunningCount),
			})
			i = len(svc.TaskSets) - 1
			index[taskSetKey(id)] = i
		}
		ts := &svc.TaskSets[i]
		ts.ARN = aws.ToString(es.TaskSetArn)
		ts.TaskDefinitionARN = aws.ToString(es.TaskDefinition)
		if ts.Status == "" {
			ts.Status = aws.ToString(es.Status)
		}
		if ts.TargetGroup == "" && len(es.LoadBalancers) > 0 {
			ts.TargetGroup = targetGroupName(aws.ToString(es.LoadBalancers[0].TargetGroupArn))
		}
	}
	for i := range svc.TaskSets {
		ts := &svc.TaskSets[i]
		if ts.TaskDefinitionARN == "" {
			continue
		}
		ts.TaskDefinition = taskDefName(ts.TaskDefinitionARN)
		if td := snap.taskDefs[ts.TaskDefinitionARN]; td != nil {
			if fam := aws.ToString(td.Family); fam != "" && td.Revision > 0 {
				ts.TaskDefinition = fam + ":" + strconv.Itoa(int(td.Revision))
			}
			ts.Containers = containers(td)
		}
	}
	slices.SortStableFunc(svc.TaskSets, func(a, b enrich.TaskSet) int {
		if c := cmp.Compare(labelRank(a.Label), labelRank(b.Label)); c != 0 {
			return c
		}
		return cmp.Compare(b.TrafficWeight, a.TrafficWeight)
	})
	return svc
}

func labelRank(label string) int {
	switch label {
	case "GREEN":
		return 0
	case "BLUE":
		return 1
	}
	return 2
}

// taskSetKey normalises a task set ID or ARN to "ecs-svc/NUMBER".
func taskSetKey(id string) string {
	parts := strings.Split(id, "/")
	if len(parts) >= 2 {
		return parts[len(parts)-2] + "/" + parts[len(parts)-1]
	}
	return id
}

// containers lists a task definition's containers, images and awslogs
// settings.
func containers(td *ecstypes.TaskDefinition) []enrich.Container {
	var out []enrich.Container
	for _, cd := range td.ContainerDefinitions {
		c := enrich.Container{Name: aws.ToString(cd.Name), Image: aws.ToString(cd.Image)}
		if lc := cd.LogConfiguration; lc != nil && lc.LogDriver == ecstypes.LogDriverAwslogs {
			c.LogGroup = lc.Options["awslogs-group"]
			c.LogRegion = lc.Options["awslogs-region"]
			c.LogStreamPrefix = lc.Options["awslogs-stream-prefix"]
		}
		out = append(out, c)
	}
	return out
}

// taskDefName turns a task definition ARN into "family:revision".
func taskDefName(arn string) string {
	if i := strings.LastIndex(arn, "task-definition/"); i >= 0 {
		return arn[i+len("task-definition/"):]
	}
	return arn
}

// targetGroupName extracts NAME from
// arn:aws:elasticloadbalancing:R:A:targetgroup/NAME/ID.
func targetGroupName(arn string) string {
	_, rest, ok := strings.Cut(arn, ":targetgroup/")
	if !ok {
		return ""
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// buildFailure finds the first failed lifecycle event among the targets,
// else in the event's own lifecycle list.
func buildFailure(ev *deploy.Event, targets []cdtypes.DeploymentTarget) *enrich.Failure {
	for _, t := range targets {
		id, events := targetLifecycle(t)
		for _, le := range events {
			if le.Status != cdtypes.LifecycleEventStatusFailed {
				continue
			}
			f := &enrich.Failure{
				TargetID:       id,
				LifecycleEvent: aws.ToString(le.LifecycleEventName),
				Status:         string(le.Status),
				Start:          utc(le.StartTime),
				End:            utc(le.EndTime),
			}
			if dg := le.Diagnostics; dg != nil {
				f.Diagnostics = &enrich.Diagnostics{
					ErrorCode:  string(dg.ErrorCode),
					Message:    aws.ToString(dg.Message),
					ScriptName: aws.ToString(dg.ScriptName),
					LogTail:    aws.ToString(dg.LogTail),
				}
			}
			return f
		}
	}
	if ev.Target != nil {
		for _, le := range ev.Target.Lifecycle {
			if strings.EqualFold(le.Status, "Failed") {
				return &enrich.Failure{TargetID: ev.Target.ID, LifecycleEvent: le.Name, Status: le.Status, Start: le.Start, End: le.End}
			}
		}
	}
	return nil
}

// targetLifecycle returns a target's ID and lifecycle events, whatever its
// compute platform.
func targetLifecycle(t cdtypes.DeploymentTarget) (string, []cdtypes.LifecycleEvent) {
	switch {
	case t.EcsTarget != nil:
		return aws.ToString(t.EcsTarget.TargetId), t.EcsTarget.LifecycleEvents
	case t.LambdaTarget != nil:
		return aws.ToString(t.LambdaTarget.TargetId), t.LambdaTarget.LifecycleEvents
	case t.InstanceTarget != nil:
		return aws.ToString(t.InstanceTarget.TargetId), t.InstanceTarget.LifecycleEvents
	case t.CloudFormationTarget != nil:
		return aws.ToString(t.CloudFormationTarget.TargetId), t.CloudFormationTarget.LifecycleEvents
	}
	return "", nil
}

// accountFromSnapshot finds the account ID in any ARN the lookups returned.
func accountFromSnapshot(snap *snapshot) string {
	var arns []string
	for _, t := range snap.targets {
		if t.EcsTarget != nil {
			arns = append(arns, aws.ToString(t.EcsTarget.TargetArn))
		}
	}
	for _, ts := range snap.taskSets {
		arns = append(arns, aws.ToString(ts.TaskSetArn), aws.ToString(ts.ServiceArn))
	}
	if snap.group != nil {
		arns = append(arns, aws.ToString(snap.group.ServiceRoleArn))
	}
	for _, a := range arns {
		parts := strings.SplitN(a, ":", 6)
		if len(parts) == 6 && parts[0] == "arn" && len(parts[4]) == 12 {
			return parts[4]
		}
	}
	return ""
}

// deploymentGroupARN is the IAM resource of CodeDeploy's deployment reads;
// unknown parts are "*".
func deploymentGroupARN(region, account, app, group string) string {
	return awsx.ARN("codedeploy", cmp.Or(region, "*"), cmp.Or(account, "*"),
		"deploymentgroup:"+cmp.Or(app, "*")+"/"+cmp.Or(group, "*"))
}

// Links are the console links of d: the CodeDeploy deployment and group,
// the ECS service, the log groups of the replacement task set's
// containers, the pipeline and the related (rollback) deployment, each in
// the partition of d's region. It is pure, so simulated details can share
// it.
func Links(ev *deploy.Event, d *enrich.Details) enrich.Links {
	r := d.Region
	if r == "" {
		return enrich.Links{}
	}
	l := enrich.Links{
		Deployment:      awsx.CodeDeployDeploymentURL(r, d.DeploymentID),
		DeploymentGroup: awsx.CodeDeployGroupURL(r, d.Application, d.DeploymentGroup),
	}
	if s := d.Service; s != nil {
		l.Service = awsx.ECSServiceURL(r, s.Cluster, s.Name)
		ts := s.New()
		if ts == nil {
			ts = s.Live()
		}
		if ts == nil && len(s.TaskSets) > 0 {
			ts = &s.TaskSets[0]
		}
		if ts != nil {
			seen := map[string]bool{}
			for _, c := range ts.Containers {
				if c.LogGroup == "" || seen[c.LogGroup] {
					continue
				}
				seen[c.LogGroup] = true
				l.Logs = append(l.Logs, enrich.Link{Label: c.LogGroup, URL: awsx.LogGroupURL(cmp.Or(c.LogRegion, r), c.LogGroup)})
			}
		}
	}
	if dep := d.Deployment; dep != nil {
		if p := dep.Pipeline; p != nil && p.Name != "" && !p.NameTruncated {
			l.Pipeline = awsx.PipelineURL(r, p.Name, p.ExecutionID)
		}
		if rel := cmp.Or(dep.RollbackDeploymentID, dep.RollbackTriggeringDeploymentID); rel != "" && rel != d.DeploymentID {
			l.Related = awsx.CodeDeployDeploymentURL(r, rel)
		}
	}
	if l.Related == "" && ev.Rollback != nil && ev.Rollback.RollsBack != "" {
		l.Related = awsx.CodeDeployDeploymentURL(r, ev.Rollback.RollsBack)
	}
	return l
}

// Commands are the AWS CLI commands the team can run now for ev's
// deployment: roll back and finish early after traffic switched, reroute
// or roll back while it waits in Ready; none once it ended or when
// nothing can be done. It is pure, so simulated details can share it.
func Commands(ev *deploy.Event, d *enrich.Details) enrich.Commands {
	var c enrich.Commands
	w := d.Window
	if w != nil && w.Ended {
		return c
	}
	if ended, _ := finishedStatus(d.Deployment); ended {
		return c
	}
	region := ""
	if d.Region != "" {
		region = " --region " + d.Region
	}
	stop := "aws deploy stop-deployment --deployment-id " + d.DeploymentID + " --auto-rollback-enabled" + region
	if d.Deployment != nil && d.Deployment.ComputePlatform != "" && d.Deployment.ComputePlatform != string(cdtypes.ComputePlatformEcs) {
		return c // no termination wait to end or roll back in
	}
	switch {
	case ev.TrafficSwitched():
		if (d.Deployment != nil && isRollbackCreator(d.Deployment)) || ev.IsRollback() || (w != nil && w.NoWindow) {
			return c
		}
		c.RollBack = stop
		c.FinishEarly = "aws deploy continue-deployment --deployment-id " + d.DeploymentID +
			" --deployment-wait-type TERMINATION_WAIT" + region
	case isReady(ev):
		c.RollBack = stop
		c.Reroute = "aws deploy continue-deployment --deployment-id " + d.DeploymentID +
			" --deployment-wait-type READY_WAIT" + region
	}
	return c
}

func isRollbackCreator(d *enrich.Deployment) bool {
	return d.Creator == string(cdtypes.DeploymentCreatorCodeDeployRollback) || d.RollbackTriggeringDeploymentID != ""
}

// finishedStatus reports whether a converted deployment has ended.
func finishedStatus(d *enrich.Deployment) (bool, time.Time) {
	if d == nil {
		return false, time.Time{}
	}
	switch cdtypes.DeploymentStatus(d.Status) {
	case cdtypes.DeploymentStatusSucceeded, cdtypes.DeploymentStatusFailed, cdtypes.DeploymentStatusStopped:
		return true, d.CompleteTime
	}
	return false, time.Time{}
}
