package message

import (
	"strconv"
	"strings"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// What ECS-native blue/green messages say that CodeDeploy ones do not.
const (
	// hintECSStarted: ECS sends no event at the production shift.
	hintECSStarted = "Bake time, the rollback window, starts once production traffic has shifted; ECS sends no event at that moment (a lifecycle hook at POST_PRODUCTION_TRAFFIC_SHIFT tells cutover)."
	// hintECSAwaiting: a pause hook waits for ContinueServiceDeployment.
	hintECSAwaiting = "The deployment waits at this stage until someone continues or rolls it back (aws ecs continue-service-deployment), or the hook times out."
	// hintECSSwitched replaces hintSwitched: ECS keeps the source revision
	// through bake time.
	hintECSSwitched = "The source revision keeps running until bake time ends: stop the service deployment with rollback to switch traffic back."
	// noteECSRollBack is the rollback command's note: ECS-native has no
	// finish-early.
	noteECSRollBack = "stop the service deployment; traffic returns to the source revision. ECS-native has no finish early: bake time cannot be cut short; stop-service-deployment rolls back"
)

// isECSNative reports whether ev is an ECS-native blue/green event.
func isECSNative(ev *deploy.Event) bool { return ev.Platform == deploy.ECSNative }

// isHookEvent reports whether ev is an ECS Hook State Change.
func isHookEvent(ev *deploy.Event) bool { return strings.HasPrefix(ev.Name, "HOOK_") }

// ecsLook is how an ECS-native event reads: icon, title, subject,
// severity, hint.
func ecsLook(ev *deploy.Event) *Message {
	if isHookEvent(ev) {
		m := ecsHookLook(ev)
		if !blank(ev.Stage) {
			m.Subject = Text{plain("at "), code(ev.Stage, maxShort)}
		}
		return m
	}
	switch {
	case ev.TrafficSwitched() && ev.IsRollback():
		return &Message{Icon: IconSwitchedBack, Title: "Traffic switched back to the source revision", Severity: Warning}
	case ev.TrafficSwitched():
		return &Message{Icon: IconTrafficSwitched, Title: "Traffic switched to the new revision", Severity: Good, Hint: hintECSSwitched}
	}
	switch ev.Phase {
	case deploy.Started:
		return &Message{Icon: IconStarted, Title: "ECS deployment started", Severity: Info, Hint: hintECSStarted}
	case deploy.RollingBack:
		return &Message{Icon: IconRollingBack, Title: "ECS deployment rolling back", Severity: Warning}
	case deploy.Succeeded:
		return &Message{Icon: IconSucceeded, Title: "ECS deployment completed", Severity: Good}
	case deploy.Failed:
		return &Message{Icon: IconFailed, Title: "ECS deployment failed", Severity: Danger}
	case deploy.Stopped:
		return &Message{Icon: IconStopped, Title: "ECS deployment stopped", Severity: Warning}
	case deploy.Ready:
		return &Message{Icon: IconWaiting, Title: "ECS deployment waiting", Severity: Info}
	}
	m := &Message{Icon: IconUnknown, Title: "Unrecognised ECS event:", Severity: Neutral, Subject: Text{plain("(none)")}, Hint: hintUnknown}
	if !blank(ev.RawStatus) {
		m.Subject = Text{code(ev.RawStatus, maxShort)}
	}
	return m
}

// ecsHookLook is how an ECS Hook State Change reads: the hook's own
// progress, never the deployment's ("Lifecycle hook succeeded").
func ecsHookLook(ev *deploy.Event) *Message {
	switch ev.Phase {
	case deploy.Started:
		return &Message{Icon: IconTargetStarted, Title: "Lifecycle hook running", Severity: Info}
	case deploy.Ready:
		return &Message{Icon: IconWaiting, Title: "Lifecycle hook waiting for action", Severity: Warning, Hint: hintECSAwaiting}
	case deploy.Succeeded:
		return &Message{Icon: IconSucceeded, Title: "Lifecycle hook succeeded", Severity: Good}
	case deploy.Failed:
		if strings.EqualFold(ev.Status, "TIMED_OUT") {
			return &Message{Icon: IconFailed, Title: "Lifecycle hook timed out", Severity: Danger}
		}
		return &Message{Icon: IconFailed, Title: "Lifecycle hook failed", Severity: Danger}
	}
	m := &Message{Icon: IconUnknown, Title: "Unrecognised ECS hook event", Severity: Neutral, Hint: hintUnknown}
	return m
}

// ecsDeployment is how a deployment ID reads: the last part of a
// service-deployment ARN ("EZe5RNVLH6PPzHXINuP28"), else the ID as sent
// ("ecs-svc/4503257381420581834").
func ecsDeployment(id string) string {
	if i := strings.LastIndex(id, ":service-deployment/"); i >= 0 {
		if j := strings.LastIndex(id, "/"); j > i {
			return id[j+1:]
		}
	}
	return id
}

// ecsService is "cluster/service" (or the service alone).
func ecsService(sc *scratch, ev *deploy.Event) string {
	switch {
	case blank(ev.Service):
		return ""
	case blank(ev.Cluster):
		return Line(ev.Service)
	}
	return sc.word(Line(ev.Cluster), "/", Line(ev.Service))
}

// ecsSummary is the headline's second line: "service cluster/service ·
// deployment", the service linked to its console page.
func ecsSummary(sc *scratch, ev *deploy.Event) Text {
	i := sc.mark()
	if s := ecsService(sc, ev); s != "" {
		sc.add(plain("service "), link(awsx.ECSServiceURL(ev.Region, ev.Cluster, ev.Service), s, maxValue))
	}
	if id := ecsDeployment(ev.DeploymentID); !blank(id) {
		if sc.mark() > i {
			sc.add(plain(" · "))
		}
		sc.add(code(id, maxShort))
	}
	return sc.since(i)
}

// ecsFields adds to out the facts only ECS-native events and details
// have: the hook's stage, the deployment's stage, and what rolls it back
// on its own (circuit breaker, alarms).
func ecsFields(sc *scratch, out []Field, ev *deploy.Event, d *enrich.Details) []Field {
	if isHookEvent(ev) && !blank(ev.Stage) {
		out = append(out, Field{Label: "Hook stage", Value: sc.text(code(ev.Stage, maxShort))})
	}
	if d == nil {
		return out
	}
	if dep := d.Deployment; dep != nil && !blank(dep.Stage) {
		i := sc.mark()
		sc.add(code(dep.Stage, maxShort))
		if !blank(dep.Status) {
			sc.add(plain(" ("), value(dep.Status, maxShort), plain(")"))
		}
		out = append(out, Field{Label: "Deployment stage", Value: sc.since(i)})
	}
	if d.Service == nil || d.Service.Monitors == nil {
		return out
	}
	m := d.Service.Monitors
	i := sc.mark()
	sep := func() {
		if sc.mark() > i {
			sc.add(plain(" · "))
		}
	}
	if !blank(m.CircuitBreaker) {
		sc.add(plain("circuit breaker "), value(strings.ToLower(m.CircuitBreaker), maxShort))
		if m.Threshold > 0 {
			sc.add(plain(sc.word(" (", strconv.Itoa(int(m.FailureCount)), " of ", strconv.Itoa(int(m.Threshold)), " failed tasks)")))
		}
	}
	if len(m.Triggered) > 0 {
		sep()
		sc.add(plain("in ALARM: "))
		nameList(sc, m.Triggered)
	} else if len(m.Alarms) > 0 {
		sep()
		sc.add(plain("alarms "))
		nameList(sc, m.Alarms)
		if !blank(m.AlarmStatus) {
			sc.add(plain(" ("), value(strings.ToLower(m.AlarmStatus), maxShort), plain(")"))
		}
	}
	if mon := sc.since(i); mon != nil {
		out = append(out, Field{Label: "Rollback monitors", Value: mon})
	}
	return out
}

// nameList adds the first names as code, then how many more.
func nameList(sc *scratch, names []string) {
	shown := names[:min(len(names), maxPaths)]
	n := 0
	for _, name := range shown {
		if blank(strings.ReplaceAll(name, "`", "'")) {
			continue
		}
		if n > 0 {
			sc.add(plain(", "))
		}
		sc.add(code(name, maxShort))
		n++
	}
	if more := len(names) - len(shown); more > 0 {
		sc.add(plain(sc.word(" and ", strconv.Itoa(more), " more")))
	}
}

// ecsCommands are the commands of an ECS-native deployment: the rollback,
// with the note that there is no finish early.
func ecsCommands(d *enrich.Details) []Command {
	if d == nil || blank(d.Commands.RollBack) {
		return nil
	}
	return []Command{{Title: "Roll back now", Note: noteECSRollBack, Command: d.Commands.RollBack}}
}

// revisionName names a service revision by its role: "Target revision
// (new)", "Source revision".
func revisionName(ts *enrich.TaskSet) Span {
	switch strings.ToUpper(ts.Label) {
	case "GREEN":
		return strong("Target revision (new)")
	case "BLUE":
		return strong("Source revision")
	}
	return strong("Revision")
}

// revisionID is the last part of a service-revision ARN
// ("…:service-revision/CLUSTER/SERVICE/4503257381420581834"), or id.
func revisionID(id string) string {
	if strings.Contains(id, ":service-revision/") {
		return id[strings.LastIndex(id, "/")+1:]
	}
	return id
}
