// Package simulated makes up realistic enrichment details for `cutover
// demo` and for tests of renderers, without calling AWS. It is not used by
// the Lambda: only the demo wires it in, through app.Options.Enricher.
package simulated

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/enrich/codedeploy"
)

// Enricher gives the made-up Details of every event, and calls a
// deployment whose ID contains "BACK" a rollback, as Details does. It
// implements enrich.Enricher for the demo.
type Enricher struct{}

var _ enrich.Enricher = Enricher{}

// Details returns Details(ev) and no warnings.
func (Enricher) Details(_ context.Context, ev *deploy.Event) (*enrich.Details, []enrich.Warning) {
	return Details(ev), nil
}

// IsRollbackDeployment reports whether deploymentID names a simulated
// rollback (its ID contains "BACK").
func (Enricher) IsRollbackDeployment(_ context.Context, _, deploymentID string) bool {
	return strings.Contains(deploymentID, "BACK")
}

// simulatedEpoch is the time of simulated details for an event without any
// time of its own.
var simulatedEpoch = time.Date(2026, time.March, 10, 14, 0, 0, 0, time.UTC)

// Details returns realistic, made-up details for ev without calling AWS,
// for `cutover demo` and previews. It is deterministic: names come from
// the event (with demo defaults), times from the event's own time
// (LastUpdated, else Published, else CreateTime), so an event stamped now
// shows an open rollback window. A deployment whose ID contains "BACK" is
// a rollback of the same ID with "FAIL" (d-DEMOBACK1 rolls back
// d-DEMOFAIL1, and the other way round), as instance events do not say
// so. Details.Simulated is true. It returns nil for a nil event and a
// test notification (deploy.Test).
func Details(ev *deploy.Event) *enrich.Details {
	if ev == nil || ev.Phase == deploy.Test {
		return nil
	}
	at := simulatedEpoch
	switch {
	case !ev.LastUpdated.IsZero():
		at = ev.LastUpdated.UTC()
	case !ev.Published.IsZero():
		at = ev.Published.UTC()
	case !ev.CreateTime.IsZero():
		at = ev.CreateTime.UTC()
	}
	region := cmp.Or(ev.Region, "us-east-1")
	account := cmp.Or(ev.AccountID, "111122223333")
	app := cmp.Or(ev.Application, "web-frontend")
	group := cmp.Or(ev.DeploymentGroup, app+"-prod")
	cluster, service := "prod-cluster", app
	if ev.Target != nil && ev.Target.Cluster != "" && ev.Target.Service != "" {
		cluster, service = ev.Target.Cluster, ev.Target.Service
	}
	d := &enrich.Details{
		DeploymentID:    cmp.Or(ev.DeploymentID, "d-DEMO7XQ2K"),
		Region:          region,
		AccountID:       account,
		Application:     app,
		DeploymentGroup: group,
		Simulated:       true,
	}
	const execution = "3c6f9a2e-8b1d-4e0f-9a57-2d4b6c8e1f03"
	created := at.Add(-9 * time.Minute)
	dep := &enrich.Deployment{
		Status:          "InProgress",
		Creator:         "user",
		Description:     "Release 3f9c2e1: lazy-load product images (CodePipeline " + app + " execution " + execution + ")",
		ConfigName:      "CodeDeployDefault.ECSAllAtOnce",
		ComputePlatform: "ECS",
		CreateTime:      created,
		StartTime:       created.Add(2 * time.Second),
		Pipeline:        &enrich.Pipeline{Name: app, ExecutionID: execution, From: "description"},
		AutoRollback:    true,
		AutoRollbackEvents: []string{
			"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM",
		},
	}
	d.Deployment = dep
	image := func(tag string) string {
		return account + ".dkr.ecr." + region + ".amazonaws.com/" + service + ":" + tag
	}
	logGroup := "/ecs/" + service
	taskSet := func(label, id, status string, weight float64, rev, tag, tg string) enrich.TaskSet {
		return enrich.TaskSet{
			ID:                id,
			ARN:               "arn:aws:ecs:" + region + ":" + account + ":task-set/" + cluster + "/" + service + "/" + id[len("ecs-svc/"):],
			Label:             label,
			Status:            status,
			TrafficWeight:     weight,
			TrafficKnown:      true,
			DesiredCount:      4,
			RunningCount:      4,
			TargetGroup:       tg,
			TaskDefinition:    service + ":" + rev,
			TaskDefinitionARN: "arn:aws:ecs:" + region + ":" + account + ":task-definition/" + service + ":" + rev,
			Containers: []enrich.Container{
				{Name: service, Image: image(tag), LogGroup: logGroup, LogRegion: region, LogStreamPrefix: "ecs"},
				{Name: "envoy", Image: "public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod"},
			},
		}
	}
	green := taskSet("GREEN", "ecs-svc/9223370493423413672", "PRIMARY", 100, "43", "3f9c2e1", service+"-green")
	blue := taskSet("BLUE", "ecs-svc/9223370493425779968", "ACTIVE", 0, "42", "a1b7d04", service+"-blue")

	rollback := ev.IsRollback() || ev.Phase == deploy.RollingBack || strings.Contains(d.DeploymentID, "BACK")
	if rollback {
		dep.Creator = "codeDeployRollback"
		dep.Pipeline = nil
		dep.Description = ""
		dep.RollbackTriggeringDeploymentID = rollsBack(ev, d.DeploymentID)
		dep.RollbackMessage = "Deployment " + d.DeploymentID + " is triggered to roll back deployment " + dep.RollbackTriggeringDeploymentID + "."
	}

	switch {
	case ev.TrafficSwitched() && !rollback:
		dep.TerminationWaitStarted = true
		d.Window = &enrich.Window{
			Kind: enrich.WindowRollback, Start: at, StartFrom: "lifecycle", Wait: time.Hour,
			Deadline: at.Add(time.Hour), Action: "TERMINATE",
		}
		d.Service = &enrich.Service{Cluster: cluster, Name: service, TargetStatus: "Succeeded", TaskSets: []enrich.TaskSet{green, blue}}
	case ev.TrafficSwitched():
		// Traffic is back on the original task set; the failed
		// replacement no longer serves.
		blue.TrafficWeight, blue.Status = 100, "PRIMARY"
		green.TrafficWeight, green.Status = 0, "ACTIVE"
		d.Service = &enrich.Service{Cluster: cluster, Name: service, TargetStatus: "Succeeded", TaskSets: []enrich.TaskSet{green, blue}}
	case ev.Phase == deploy.Ready:
		dep.Status = "Ready"
		d.Window = &enrich.Window{
			Kind: enrich.WindowReroute, Start: at, StartFrom: "event", Wait: 2 * time.Hour,
			Deadline: at.Add(2 * time.Hour), Action: "STOP_DEPLOYMENT",
		}
	case ev.Phase.WentWrong():
		hook := "CodeDeployHook_" + service + "-smoke"
		if ev.Phase == deploy.RollingBack {
			// The rollback has just started; the failure shown is the one
			// of the deployment it rolls back.
			dep.Status = "InProgress"
		} else {
			dep.Status = "Failed"
			if ev.Phase == deploy.Stopped {
				dep.Status = "Stopped"
			}
			dep.CompleteTime = at
			dep.ErrorCode = "HOOK_EXECUTION_FAILURE"
			dep.ErrorMessage = "The deployment failed because the AfterAllowTraffic hook " + hook + " returned Failed."
			if e := ev.Error; e != nil && (e.Code != "" || e.Message != "") {
				dep.ErrorCode, dep.ErrorMessage = e.Code, e.Message
			}
			if !rollback {
				dep.RollbackDeploymentID = rolledBackBy(d.DeploymentID)
				dep.RollbackMessage = "Deployment " + dep.RollbackDeploymentID + " is triggered to roll back deployment " + d.DeploymentID + "."
			}
		}
		d.Failure = &enrich.Failure{
			TargetID:       cluster + ":" + service,
			LifecycleEvent: "AfterAllowTraffic",
			Status:         "Failed",
			Start:          at.Add(-2 * time.Minute),
			End:            at.Add(-time.Minute),
			Diagnostics: &enrich.Diagnostics{
				ErrorCode:  "ScriptFailed",
				Message:    "The AfterAllowTraffic hook returned Failed.",
				ScriptName: hook,
				LogTail: "[smoke] target: production listener :443 (" + service + "-green)\n" +
					"[smoke] GET /healthz -> 200 in 41 ms\n" +
					"[smoke] 200 x GET /api/ping: p50 212 ms, p95 1.9 s, p99 2.4 s\n" +
					"[smoke] FAIL: p99 latency 2.4 s above the 800 ms budget\n" +
					"[smoke] reporting Failed to CodeDeploy\n",
			},
		}
		// AfterAllowTraffic runs once production traffic is on the
		// replacement: it serves until the rollback switches back.
		d.Service = &enrich.Service{Cluster: cluster, Name: service, TargetStatus: "Failed", TaskSets: []enrich.TaskSet{green, blue}}
	case ev.Phase == deploy.Succeeded && !ev.IsTarget():
		dep.Status = "Succeeded"
		dep.CompleteTime = at
	}
	d.Links = codedeploy.Links(ev, d)
	d.Commands = codedeploy.Commands(ev, d)
	return d
}

// rollsBack is the deployment a simulated rollback deployment id rolls
// back: the event's, else id with "BACK" made "FAIL", else a demo ID.
func rollsBack(ev *deploy.Event, id string) string {
	if ev.Rollback != nil && ev.Rollback.RollsBack != "" {
		return ev.Rollback.RollsBack
	}
	if strings.Contains(id, "BACK") {
		return strings.Replace(id, "BACK", "FAIL", 1)
	}
	return "d-DEMO0FAIL"
}

// rolledBackBy is the simulated rollback deployment of the failed
// deployment id: id with "FAIL" made "BACK", else a demo ID.
func rolledBackBy(id string) string {
	if strings.Contains(id, "FAIL") {
		return strings.Replace(id, "FAIL", "BACK", 1)
	}
	return "d-DEMOROLLB"
}
