package message

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
)

// How much of outside text a message shows, in characters (UTF-16 units):
// names and values, IDs, paths and statuses, and the longer parts.
const (
	maxValue         = 200
	maxShort         = 100
	maxImage         = 150
	maxDescription   = 300
	maxDiagMessage   = 600
	maxStatusMessage = 300
	maxActionErr     = 500
	maxCommand       = 500
	maxRollbackMsg   = 2 * maxValue
)

// How many of a kind a message shows before "and N more".
const (
	maxStatusMessages = 3
	maxImages         = 4
	maxPaths          = 10
	maxLogs           = 3
)

// Hints, by the look that offers them.
const (
	hintSwitched = "The original task set keeps running until the termination wait ends: stop the deployment with rollback to switch traffic back."
	hintReady    = "Reroute traffic (continue the deployment) from the CodeDeploy console, or stop it."
	hintTest     = "CodeDeploy sends this test notification when a trigger is created or updated."
	hintUnknown  = "This version of cutover does not know this status."
)

// Span constructors.
func plain(s string) Span          { return Span{Kind: Plain, Text: s} }
func value(s string, max int) Span { return Span{Kind: Plain, Text: s, Max: max} }
func code(s string, max int) Span  { return Span{Kind: Code, Text: s, Max: max} }
func strong(s string) Span         { return Span{Kind: Strong, Text: s} }
func emoji(i Icon) Span            { return Span{Kind: Emoji, Icon: i} }
func link(u, label string, max int) Span {
	return Span{Kind: Link, Text: label, URL: u, Max: max}
}

// blank reports whether untrusted s shows nothing.
func blank(s string) bool { return Line(s) == "" }

// Build decides what is said about n: the neutral Message every
// destination formats. It is pure: it reads no clock (n.Now stands in for
// it). A nil Notice gives nil.
//
// With n.Details, the deadline (rollback window or reroute deadline) comes
// right under the title and in the fallback, and the message adds who
// started the deployment, the failing lifecycle event with the end of its
// log, the task sets, the AWS CLI commands that apply and console links. A
// deployment the details say is a rollback reads as one. Any part may be
// missing.
func Build(n *Notice) *Message {
	if n == nil {
		return nil
	}
	if n.FollowUp {
		return buildFollowUp(n)
	}
	evCopy := withDetails(n)
	ev, d := &evCopy, n.Details
	steps := 0
	if ev.Target != nil {
		steps = len(ev.Target.Lifecycle)
	}
	more := 16 * len(n.Actions)
	if d != nil {
		more += 48
	}
	var s scratch
	s.init(48+4*steps+more, 96+8*steps+more)
	deployURL := codeDeployURL(ev)
	m := lookFor(ev)
	m.Deadline = deadline(ev, d, n.Now)
	m.Summary = summary(&s, ev, deployURL)
	m.Fields = append(fields(&s, ev, n.Now), detailFields(ev, d)...)
	m.Error = errorPart(ev, detailError(ev, d))
	m.Lifecycle = lifecycle(&s, ev)
	m.Failure = failure(ev, d)
	m.TaskSets = taskSets(&s, ev, d)
	m.Commands = commands(d)
	m.Checks = checks(n.Checks)
	m.Actions = actions(&s, n.Actions)
	m.Links = links(&s, ev, d, deployURL)
	if isECSNative(ev) {
		m.Fields = ecsFields(&s, m.Fields, ev, d)
		m.Commands = ecsCommands(d)
		if m.Error != nil && ev.Phase == deploy.RollingBack {
			m.Error.Title = "Reason"
		}
	}
	if len(m.Fields) == 0 {
		m.Fields = nil // as without room made for them
	}
	m.Hint = hint(m.Hint, d)
	m.Footer = footer(&s, ev, d, deployURL)
	m.Fallback = fallback(&s, ev, m, true)
	checksOutcome(m, n.Checks)
	return m
}

// codeDeployURL is the CodeDeploy console page of the event's deployment,
// built once per message; "" for an ECS-native event, whose message links
// the ECS console instead.
func codeDeployURL(ev *deploy.Event) string {
	if isECSNative(ev) {
		return ""
	}
	return awsx.CodeDeployDeploymentURL(ev.Region, ev.DeploymentID)
}

// withDetails is the event as the message should read it: a rollback when
// the details say the deployment rolls another back, although the
// notification did not (target events never do). The notice is not
// changed: the rollback link comes from the details, not from the event.
func withDetails(n *Notice) deploy.Event {
	ev := n.Event
	if d := n.Details; d != nil && d.Deployment != nil && !ev.IsRollback() {
		if id := d.Deployment.RollbackTriggeringDeploymentID; id != "" && id != ev.DeploymentID {
			ev.Rollback = &deploy.Rollback{RollsBack: id, Message: d.Deployment.RollbackMessage}
		}
	}
	return ev
}

// buildFollowUp says how the actions reported in an earlier message ended
// (e.g. "CloudFront invalidation completed"). It names the deployment and
// lists the actions; it does not repeat the event's own details.
func buildFollowUp(n *Notice) *Message {
	ev := &n.Event
	m := &Message{Icon: IconSucceeded, Title: "CloudFront invalidation completed", Severity: Good}
	for _, a := range n.Actions {
		if a.Error != "" {
			m.Icon, m.Title, m.Severity = IconWarning, "CloudFront invalidation did not complete", Warning
		}
	}
	var s scratch
	s.init(32+16*len(n.Actions), 32+16*len(n.Actions))
	deployURL := codeDeployURL(ev)
	m.Summary = summary(&s, ev, deployURL)
	m.Actions = actions(&s, n.Actions)
	m.Footer = footer(&s, ev, nil, deployURL)
	m.Fallback = fallback(&s, ev, m, false)
	return m
}

// sourceName names the event's source in wording such as "Unrecognised
// CodeDeploy status".
func sourceName(ev *deploy.Event) string {
	if ev.Platform == "" || ev.Platform.IsCodeDeploy() {
		return "CodeDeploy"
	}
	if isECSNative(ev) {
		return "ECS"
	}
	return "deployment"
}

// lookFor is how the event reads: icon, title, subject, severity, hint.
func lookFor(ev *deploy.Event) *Message {
	if isECSNative(ev) {
		return ecsLook(ev)
	}
	// rolled adds "<prefix><link to the rolled-back deployment>" as subject.
	rolled := func(m *Message, prefix string) *Message {
		if !ev.IsRollback() {
			return m
		}
		id := ev.Rollback.RollsBack
		m.Subject = Text{plain(prefix), link(awsx.CodeDeployDeploymentURL(ev.Region, id), id, maxShort)}
		if prefix == "" {
			m.Subject = m.Subject[1:]
		}
		return m
	}
	if ev.TrafficSwitched() {
		if ev.IsRollback() {
			return rolled(&Message{Icon: IconSwitchedBack, Title: "Traffic switched back to the original task set", Severity: Warning}, "· rolling back ")
		}
		return &Message{Icon: IconTrafficSwitched, Title: "Traffic switched to the new task set", Severity: Good, Hint: hintSwitched}
	}
	target := ev.IsTarget()
	switch ev.Phase {
	case deploy.Started:
		if target {
			return &Message{Icon: IconTargetStarted, Title: "Deployment target started", Severity: Info}
		}
		return &Message{Icon: IconStarted, Title: "Deployment started", Severity: Info}
	case deploy.RollingBack:
		if !ev.IsRollback() {
			return &Message{Icon: IconRollingBack, Title: "Rollback started", Severity: Warning}
		}
		return rolled(&Message{Icon: IconRollingBack, Title: "Rolling back", Severity: Warning}, "")
	case deploy.Ready:
		if target {
			return &Message{Icon: IconWaiting, Title: "Deployment target ready, waiting for traffic reroute", Severity: Info, Hint: hintReady}
		}
		return &Message{Icon: IconWaiting, Title: "Replacement task set installed, waiting for traffic reroute", Severity: Info, Hint: hintReady}
	case deploy.Succeeded:
		switch {
		case target:
			return &Message{Icon: IconSucceeded, Title: "Deployment target succeeded", Severity: Good}
		case ev.IsRollback():
			return rolled(&Message{Icon: IconSwitchedBack, Title: "Rollback succeeded", Severity: Warning}, "· rolled back ")
		}
		return &Message{Icon: IconSucceeded, Title: "Deployment succeeded", Severity: Good}
	case deploy.Failed:
		switch {
		case target:
			return &Message{Icon: IconFailed, Title: "Deployment target failed", Severity: Danger}
		case ev.IsRollback():
			return rolled(&Message{Icon: IconFailed, Title: "Rollback failed", Severity: Danger}, "· rolling back ")
		}
		return &Message{Icon: IconFailed, Title: "Deployment failed", Severity: Danger}
	case deploy.Stopped:
		return &Message{Icon: IconStopped, Title: "Deployment stopped", Severity: Warning}
	case deploy.Test:
		m := &Message{Icon: IconTest, Title: "Trigger configured", Severity: Neutral, Hint: hintTest,
			Subject: Text{plain("— cutover will post here")}}
		if !blank(ev.TriggerName) {
			m.Title += ":"
			m.Subject = Text{value(ev.TriggerName, maxValue), plain(" — cutover will post here")}
		}
		return m
	}
	m := &Message{Icon: IconUnknown, Title: "Unrecognised " + sourceName(ev) + " status:", Severity: Neutral,
		Subject: Text{plain("(none)")}, Hint: hintUnknown}
	if !blank(ev.RawStatus) {
		m.Subject = Text{code(ev.RawStatus, maxShort)}
	}
	return m
}

// deadline is the line under the headline, e.g. "Roll back before 14:52
// UTC (58 min left)"; nil when there is no window to tell.
func deadline(ev *deploy.Event, d *enrich.Details, now time.Time) *Deadline {
	if d == nil || d.Window == nil {
		return nil
	}
	w := d.Window
	if now.IsZero() {
		// No build time: count from the event, else from the wait's start.
		now = eventTime(ev)
		if now.IsZero() {
			now = w.Start
		}
	}
	text := DescribeWindow(w, now)
	if blank(text) {
		return nil
	}
	return &Deadline{Text: text, Open: w.Open(now)}
}

// hasAppGroup reports whether addAppGroup adds anything.
func hasAppGroup(ev *deploy.Event) bool {
	return !blank(ev.Application) || !blank(ev.DeploymentGroup)
}

// addAppGroup adds "application / group", either alone, or nothing.
func (s *scratch) addAppGroup(ev *deploy.Event) {
	app, group := !blank(ev.Application), !blank(ev.DeploymentGroup)
	switch {
	case app && group:
		s.add(value(ev.Application, maxValue), plain(" / "), value(ev.DeploymentGroup, maxValue))
	case app:
		s.add(value(ev.Application, maxValue))
	case group:
		s.add(value(ev.DeploymentGroup, maxValue))
	}
}

// summary is the headline's second line: application, group and a link
// to the deployment (deployURL, its console page).
func summary(s *scratch, ev *deploy.Event, deployURL string) Text {
	if isECSNative(ev) {
		return ecsSummary(s, ev)
	}
	i := s.mark()
	s.addAppGroup(ev)
	if !blank(ev.DeploymentID) {
		if s.mark() > i {
			s.add(plain(" · "))
		}
		s.add(link(deployURL, ev.DeploymentID, maxShort))
	}
	return s.since(i)
}

// fields are the facts of the event: target, time, duration, target
// counts, the raw status of an unknown event.
func fields(s *scratch, ev *deploy.Event, now time.Time) []Field {
	out := make([]Field, 0, 8) // with the detail and ECS fields Build adds
	add := func(label string, v Text) { out = append(out, Field{Label: label, Value: v}) }
	if t := ev.Target; t != nil && !blank(t.ID) {
		label := "Target"
		if t.Type == deploy.TargetECS {
			label = "ECS service"
		}
		add(label, s.text(code(t.ID, maxValue)))
	}
	at, label := eventTime(ev), "Time"
	switch {
	case at.IsZero():
		at, label = now, "Received"
	case ev.TrafficSwitched():
		label = "Switched at"
	}
	if !at.IsZero() {
		add(label, s.text(plain(s.time(at))))
	}
	if !ev.CreateTime.IsZero() {
		end, label := ev.CompleteTime, "Duration"
		if end.IsZero() {
			end, label = at, "Since start"
		}
		// "Since start" of a few seconds (a start event's publication
		// delay) says nothing.
		if d := end.Sub(ev.CreateTime); d > 0 && (label == "Duration" || d >= time.Minute) {
			add(label, s.text(plain(s.duration("", d, ""))))
		}
	}
	if ev.Overview != nil {
		if o := overviewText(ev.Overview); o != "" {
			add("Targets", s.text(plain(o)))
		}
	}
	if ev.Phase == deploy.Unknown && !blank(ev.RawStatus) {
		add("Status", s.text(code(ev.RawStatus, maxShort)))
	}
	return out
}

// eventTime is when the event happened, as well as the event tells: the
// target's last change, the deployment's end, the publication, or the
// deployment's creation; zero when it tells nothing.
func eventTime(ev *deploy.Event) time.Time {
	for _, t := range []time.Time{ev.LastUpdated, ev.CompleteTime, ev.Published, ev.CreateTime} {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func overviewText(o *deploy.Overview) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{o.Succeeded, "succeeded"}, {o.Failed, "failed"}, {o.InProgress, "in progress"},
		{o.Pending, "pending"}, {o.Ready, "ready"}, {o.Skipped, "skipped"},
	} {
		if c.n > 0 {
			parts = append(parts, strconv.Itoa(c.n)+" "+c.what)
		}
	}
	return strings.Join(parts, ", ")
}

// detailFields are the fields the details add: who started the
// deployment, its description, and the deployment that rolled it back.
func detailFields(ev *deploy.Event, d *enrich.Details) []Field {
	if d != nil && d.NotConnected {
		return []Field{notConnected(d)}
	}
	if d == nil || d.Deployment == nil {
		return nil
	}
	dep := d.Deployment
	var out []Field
	if by := startedBy(ev, d); by != nil {
		out = append(out, Field{Label: "Started by", Value: by})
	}
	if !blank(dep.Description) && !onlyNamesPipeline(dep) {
		out = append(out, Field{Label: "Description", Value: Text{value(dep.Description, maxDescription)}})
	}
	if id := dep.RollbackDeploymentID; id != "" && id != ev.DeploymentID && !ev.IsRollback() && !blank(id) {
		out = append(out, Field{Label: "Rolled back by", Value: Text{link(d.Links.Related, id, maxShort)}})
	}
	return out
}

// notConnected says that the deployment's account is not connected to
// cutover, so the message carries only what the event said: "account
// 444455556666 is not connected to cutover: details unavailable".
func notConnected(d *enrich.Details) Field {
	who := Text{plain("the deployment's account")}
	if awsx.ValidAccount(d.AccountID) {
		who = Text{plain("account "), value(d.AccountID, maxShort)}
	}
	return Field{Label: "Details", Value: append(who, plain(" is not connected to cutover: details unavailable"))}
}

// startedBy says who or what started the deployment, the CodePipeline
// execution linked when known; nil when unknown, or when the headline
// already says it is an automatic rollback.
func startedBy(ev *deploy.Event, d *enrich.Details) Text {
	dep := d.Deployment
	if p := dep.Pipeline; p != nil && p.Name != "" {
		label := "pipeline " + Line(p.Name)
		if p.NameTruncated {
			label += "…"
		}
		if x := Line(shortExecution(p.ExecutionID)); x != "" {
			label += " · execution " + x
		}
		return Text{link(d.Links.Pipeline, label, 3*maxShort)}
	}
	by := InitiatedBy(dep)
	if (ev.IsRollback() && by == "an automatic rollback") || blank(by) {
		return nil
	}
	return Text{value(by, maxValue)}
}

// onlyNamesPipeline reports whether the deployment's description says no
// more than the pipeline and execution it was recognised from (e.g.
// "CodePipeline web execution 3c6f…"), which "Started by" already shows.
func onlyNamesPipeline(dep *enrich.Deployment) bool {
	p := dep.Pipeline
	if p == nil || p.Name == "" || p.From != "description" {
		return false
	}
	rest := strings.ToLower(dep.Description)
	for _, s := range []string{strings.ToLower(p.ExecutionID), strings.ToLower(p.Name)} {
		if s != "" {
			rest = strings.ReplaceAll(rest, s, " ")
		}
	}
	for _, w := range strings.FieldsFunc(rest, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		switch w {
		case "aws", "codepipeline", "pipeline", "execution", "executionid", "id", "arn", "run",
			"deployed", "deployment", "created", "started", "triggered", "by", "via", "from", "for", "of", "name":
		default:
			return false
		}
	}
	return true
}

// shortExecution shows a CodePipeline execution ID (a UUID) by its first
// eight characters, as the console does.
func shortExecution(id string) string {
	if len(id) == 36 && strings.Count(id, "-") == 4 {
		return id[:8]
	}
	return id
}

// detailError is the deployment's error from the details, for an event of
// a deployment that went wrong whose notification did not carry it; nil
// otherwise.
func detailError(ev *deploy.Event, d *enrich.Details) *deploy.Error {
	if ev.Error != nil || d == nil || d.Deployment == nil || !ev.Phase.WentWrong() {
		return nil
	}
	if d.Deployment.ErrorCode == "" && d.Deployment.ErrorMessage == "" {
		return nil
	}
	return &deploy.Error{Code: d.Deployment.ErrorCode, Message: d.Deployment.ErrorMessage}
}

// errorPart is the deployment's error (the event's, else fallback) and the
// rollback message; nil when there is neither.
func errorPart(ev *deploy.Event, fallback *deploy.Error) *Error {
	var p Error
	if r := ev.Rollback; r != nil && !standardRollbackMessage(ev) && !blank(r.Message) {
		p.RollbackTitle, p.Rollback = "Rollback", r.Message
	}
	e := ev.Error
	if e == nil {
		e = fallback
	}
	if e != nil {
		p.Title, p.Code, p.Message = "Error", e.Code, e.Message
	}
	if p.Title == "" && p.RollbackTitle == "" {
		return nil
	}
	part := p // p itself stays off the heap when there is no part
	return &part
}

// standardRollbackMessage reports whether the rollback message is
// CodeDeploy's usual "Deployment d-R is triggered to roll back deployment
// d-M.", which the headline already says ("rolling back d-M").
func standardRollbackMessage(ev *deploy.Event) bool {
	r := ev.Rollback
	return ev.IsRollback() && strings.TrimSpace(r.Message) ==
		"Deployment "+ev.DeploymentID+" is triggered to roll back deployment "+r.RollsBack+"."
}

// lifecycle lists a target event's lifecycle steps.
func lifecycle(s *scratch, ev *deploy.Event) *List {
	if ev.Target == nil || len(ev.Target.Lifecycle) == 0 {
		return nil
	}
	l := &List{Title: "Lifecycle", Unit: "step", Items: make([]Text, 0, len(ev.Target.Lifecycle))}
	for _, le := range ev.Target.Lifecycle {
		i := s.mark()
		s.add(code(le.Name, maxShort))
		if !blank(le.Status) {
			s.add(plain(" "), value(le.Status, maxShort))
		}
		if !le.Start.IsZero() && !le.End.IsZero() && !le.End.Before(le.Start) {
			s.add(plain(s.duration(" (", le.End.Sub(le.Start), ")")))
		}
		l.Items = append(l.Items, s.since(i))
	}
	return l
}

// failure is the failing lifecycle event, its diagnostics and log, and
// CodeDeploy's status messages; nil when there is none of them.
func failure(ev *deploy.Event, d *enrich.Details) *Failure {
	if d == nil {
		return nil
	}
	var p Failure
	if f := d.Failure; f != nil {
		// A stop leaves the running step "Unknown": it did not fail.
		status := Line(strings.ToLower(f.Status))
		head := "Failed step"
		switch {
		case status == "" || status == "failed":
			status = ""
		case ev.Phase == deploy.Stopped:
			head, status = "Stopped during", ""
		default:
			head = "Step"
		}
		p.Head = Text{strong(head)}
		if !blank(f.LifecycleEvent) {
			p.Head = append(p.Head, plain(" "), code(f.LifecycleEvent, maxShort))
		}
		if status != "" {
			p.Head = append(p.Head, plain(" "), value(status, maxShort))
		}
		if !blank(f.TargetID) && (ev.Target == nil || ev.Target.ID != f.TargetID) {
			p.Head = append(p.Head, plain(" on "), code(f.TargetID, maxValue))
		}
		if !f.Start.IsZero() && !f.End.IsZero() && !f.End.Before(f.Start) {
			p.Head = append(p.Head, plain(" ("+FormatDuration(f.End.Sub(f.Start))+")"))
		}
		if dg := f.Diagnostics; dg != nil {
			var t Text
			if !blank(dg.ErrorCode) {
				t = append(t, code(dg.ErrorCode, maxShort))
			}
			if !blank(dg.ScriptName) {
				if t != nil {
					t = append(t, plain(" "))
				}
				t = append(t, plain("in "), code(dg.ScriptName, maxValue))
			}
			if m := Line(dg.Message); m != "" {
				if t != nil {
					t = append(t, plain(": "))
				}
				t = append(t, Span{Kind: Plain, Text: m, Max: maxDiagMessage, Long: true})
			}
			p.Detail = t
			if strings.TrimSpace(dg.LogTail) != "" {
				p.LogTitle, p.Log = "Log tail", dg.LogTail
			}
		}
	}
	if dep := d.Deployment; dep != nil && ev.Phase.WentWrong() {
		for _, m := range dep.StatusMessages {
			if len(p.Notes) == maxStatusMessages {
				break
			}
			if ev.Error != nil && strings.TrimSpace(m) == strings.TrimSpace(ev.Error.Message) {
				continue
			}
			if !blank(m) {
				p.Notes = append(p.Notes, Text{value(m, maxStatusMessage)})
			}
		}
	}
	if p.Head == nil && p.Detail == nil && p.Notes == nil {
		return nil
	}
	return &p
}

// taskSets shows the service's task sets, the one that matters first (the
// replacement; after a rollback, the one serving): task definition,
// traffic, running tasks, target group and images.
func taskSets(sc *scratch, ev *deploy.Event, d *enrich.Details) *List {
	if d == nil || d.Service == nil || len(d.Service.TaskSets) == 0 {
		return nil
	}
	s := d.Service
	rollback := ev.IsRollback()
	first := s.New()
	if rollback || first == nil {
		first = s.Live()
	}
	if first == nil {
		first = &s.TaskSets[0]
	}
	sets := []*enrich.TaskSet{first}
	for i := range s.TaskSets {
		if ts := &s.TaskSets[i]; ts != first {
			sets = append(sets, ts)
		}
	}
	main := first.Images()
	l := &List{Title: "Task sets", Unit: "task set", Items: make([]Text, 0, len(sets))}
	if s.Revisions {
		l.Title, l.Unit = "Service revisions", "revision"
	}
	for _, ts := range sets {
		i := sc.mark()
		if s.Revisions {
			sc.add(revisionName(ts))
		} else {
			sc.add(taskSetName(ts, rollback))
		}
		switch {
		case !blank(ts.TaskDefinition):
			sc.add(plain(" "), code(ts.TaskDefinition, maxShort))
		case s.Revisions && !blank(ts.ID):
			sc.add(plain(" "), code(revisionID(ts.ID), maxShort))
		case !blank(ts.ID):
			sc.add(plain(" "), code(ts.ID, maxShort))
		}
		// The facts, each after " · ".
		var num [24]byte
		if w := ts.TrafficWeight; ts.TrafficKnown && w >= 0 && w <= 100 {
			sc.add(plain(" · "), plain(sc.word(string(strconv.AppendFloat(num[:0], math.Round(w*100)/100, 'f', -1, 64)), "% traffic")))
		} else if !blank(ts.Status) {
			sc.add(plain(" · "), value(ts.Status, maxShort))
		}
		run := sc.word(strconv.FormatInt(ts.RunningCount, 10), "/", strconv.FormatInt(ts.DesiredCount, 10), " running")
		if ts.PendingCount > 0 {
			run = sc.word(run, ", ", strconv.FormatInt(ts.PendingCount, 10), " pending")
		}
		sc.add(plain(" · "), plain(run))
		if ts.TrafficKnown && strings.EqualFold(ts.Status, "DRAINING") {
			sc.add(plain(" · "), plain("draining"))
		}
		if !blank(ts.TargetGroup) {
			sc.add(plain(" · "), plain("target group "), code(ts.TargetGroup, maxShort))
		}
		j := sc.mark()
		sc.add(plain("\n"))
		if imagesText(sc, ts, main, ts == first) == nil {
			sc.drop(j)
		}
		l.Items = append(l.Items, sc.since(i))
	}
	return l
}

// taskSetName names a task set by its label and, outside a rollback, its
// role: "Green (new)", "Blue (original)".
func taskSetName(ts *enrich.TaskSet, rollback bool) Span {
	switch strings.ToUpper(ts.Label) {
	case "GREEN":
		if rollback {
			return strong("Green")
		}
		return strong("Green (new)")
	case "BLUE":
		if rollback {
			return strong("Blue")
		}
		return strong("Blue (original)")
	}
	if !blank(ts.Label) {
		return Span{Kind: Strong, Text: ts.Label, Max: maxShort}
	}
	return strong("Task set")
}

// imagesText adds a task set's images: all of them for the first task
// set, only those that differ from it for the others. It returns the
// spans it added, nil when none.
func imagesText(sc *scratch, ts *enrich.TaskSet, main []string, first bool) Text {
	imgs := ts.Images()
	if !first && len(main) > 0 {
		var diff []string
		for _, img := range imgs {
			if !slices.Contains(main, img) {
				diff = append(diff, img)
			}
		}
		switch {
		case len(imgs) == 0:
		case len(diff) == 0:
			return sc.text(plain("same images as above"))
		case len(diff) < len(imgs):
			i := sc.mark()
			imageList(sc, diff)
			sc.add(plain(" (other images as above)"))
			return sc.since(i)
		}
	}
	return imageList(sc, imgs)
}

// imageList adds the first images as code, then how many more; it
// returns the spans it added, nil when no image shows.
func imageList(sc *scratch, imgs []string) Text {
	shown := imgs[:min(len(imgs), maxImages)]
	i := sc.mark()
	if len(imgs) > 1 {
		sc.add(plain("images "))
	} else {
		sc.add(plain("image "))
	}
	n := 0
	for _, img := range shown {
		if !blank(strings.ReplaceAll(img, "`", "'")) {
			if n > 0 {
				sc.add(plain(", "))
			}
			sc.add(code(img, maxImage))
			n++
		}
	}
	if n == 0 {
		sc.drop(i)
		return nil
	}
	if more := len(imgs) - len(shown); more > 0 {
		sc.add(plain(sc.word(" and ", strconv.Itoa(more), " more")))
	}
	return sc.since(i)
}

// commands are the AWS CLI commands that apply now.
func commands(d *enrich.Details) []Command {
	if d == nil {
		return nil
	}
	c := d.Commands
	var cmds []Command
	add := func(title, note, cmd string) {
		if !blank(cmd) {
			cmds = append(cmds, Command{Title: title, Note: note, Command: cmd})
		}
	}
	switch {
	case c.Reroute != "":
		add("Reroute traffic now", "continue the deployment", c.Reroute)
		add("Or stop the deployment", "production traffic stays on the original task set", c.RollBack)
	default:
		add("Roll back now", "stop the deployment; traffic returns to the original task set", c.RollBack)
		add("Finish early", "end the wait and remove the original task set: no rollback after that", c.FinishEarly)
	}
	return cmds
}

// actions says what cutover did, one item per action result, e.g.
// "CloudFront E123: invalidation I2J3 for /*, /index.html (InProgress)".
func actions(sc *scratch, results []action.Result) *List {
	if len(results) == 0 {
		return nil
	}
	l := &List{Title: "Actions", Unit: "action", Items: make([]Text, 0, len(results))}
	for _, r := range results {
		invalidation := r.Action == "cloudfront-invalidation" || r.Action == "cloudfront"
		i := sc.mark()
		head := func(icon Icon) {
			sc.add(emoji(icon), plain(" "))
			if invalidation {
				sc.add(plain("CloudFront"))
			} else {
				sc.add(value(r.Action, maxShort))
			}
			if !blank(r.Target) {
				sc.add(plain(" "), value(r.Target, maxShort))
			}
		}
		switch {
		case r.Error != "":
			head(IconFailed)
			sc.add(plain(": failed: "), Span{Kind: Plain, Text: Clean(r.Error, false), Max: maxActionErr, Long: true})
		case r.Pending:
			head(IconPending)
			sc.add(plain(": pending"))
		case r.Skipped != "":
			head(IconSkipped)
			sc.add(plain(": skipped: "), value(r.Skipped, maxActionErr))
		case r.DryRun:
			head(IconDryRun)
			sc.add(plain(": dry run"))
			if len(r.Paths) > 0 {
				sc.add(plain(", would invalidate "))
				pathList(sc, r.Paths)
			}
		default:
			head(IconSucceeded)
			if invalidation {
				sc.add(plain(": invalidation"))
			} else {
				sc.add(plain(": done"))
			}
			if !blank(r.ID) {
				sc.add(plain(" "), value(r.ID, maxShort))
			}
			if len(r.Paths) > 0 {
				sc.add(plain(" for "))
				pathList(sc, r.Paths)
			}
			if !blank(r.Status) {
				sc.add(plain(" ("), value(r.Status, maxShort), plain(")"))
			}
		}
		l.Items = append(l.Items, sc.since(i))
	}
	return l
}

// pathList adds the first paths as code, then how many more.
func pathList(sc *scratch, paths []string) {
	shown := paths[:min(len(paths), maxPaths)]
	n := 0
	for _, p := range shown {
		if blank(strings.ReplaceAll(p, "`", "'")) {
			continue
		}
		if n > 0 {
			sc.add(plain(", "))
		}
		sc.add(code(p, maxShort))
		n++
	}
	if more := len(paths) - len(shown); more > 0 {
		sc.add(plain(sc.word(" and ", strconv.Itoa(more), " more")))
	}
}

// links are the console links of the ECS service, its logs, the
// deployment group, and what no other part of the message links already:
// the deployment, the pipeline and the related deployment.
func links(sc *scratch, ev *deploy.Event, d *enrich.Details, deployURL string) []Span {
	if d == nil {
		return nil
	}
	l := d.Links
	out := make([]Span, 0, 6+min(len(l.Logs), maxLogs))
	add := func(u, label string, max int) {
		if u != "" && !blank(label) {
			out = append(out, link(u, label, max))
		}
	}
	if isECSNative(ev) || deployURL == "" {
		add(l.Deployment, "Deployment", 0)
	}
	add(l.Service, "ECS service", 0)
	for i, lg := range l.Logs {
		if i == maxLogs {
			break
		}
		label, max := "Logs", 0
		if g := Line(lg.Label); g != "" {
			label, max = sc.word("Logs ", g), len("Logs ")+maxShort
		}
		add(lg.URL, label, max)
	}
	if d.Deployment == nil || d.Deployment.Pipeline == nil || d.Deployment.Pipeline.Name == "" {
		add(l.Pipeline, "Pipeline", 0)
	}
	add(l.DeploymentGroup, "Deployment group", 0)
	if !ev.IsRollback() && (d.Deployment == nil || d.Deployment.RollbackDeploymentID == "" || d.Deployment.RollbackDeploymentID == ev.DeploymentID) {
		add(l.Related, "Related deployment", 0)
	}
	if len(out) == 0 {
		return nil // as without room made for them
	}
	return out
}

// hint is the look's hint unless the details make it wrong or redundant:
// the commands say how to roll back or reroute, and the deadline when the
// original task set goes.
func hint(h string, d *enrich.Details) string {
	if d == nil {
		return h
	}
	switch h {
	case hintSwitched, hintECSSwitched:
		if d.Window != nil || d.Commands.RollBack != "" {
			return ""
		}
	case hintReady:
		if d.Commands.Reroute != "" || (d.Window != nil && d.Window.Ended) {
			return ""
		}
	}
	return h
}

// footer are the small facts: console link (deployURL, the CodeDeploy
// console page of the deployment), region, account, trigger and SNS
// message ID, and whether the details are simulated.
func footer(s *scratch, ev *deploy.Event, d *enrich.Details, deployURL string) []Text {
	parts := make([]Text, 1, 8)
	parts[0] = s.text(plain("cutover"))
	if d != nil && d.Simulated {
		parts = append(parts, s.text(plain("simulated details (demo)")))
	}
	switch {
	case isECSNative(ev):
		if u := awsx.ECSServiceURL(ev.Region, ev.Cluster, ev.Service); u != "" {
			parts = append(parts, s.text(emoji(IconLink), plain(" "), link(u, "ECS console", 0)))
		}
	default:
		if deployURL != "" {
			parts = append(parts, s.text(emoji(IconLink), plain(" "), link(deployURL, "CodeDeploy console", 0)))
		}
	}
	if !blank(ev.Region) {
		parts = append(parts, s.text(value(ev.Region, maxShort)))
	}
	if !blank(ev.AccountID) {
		parts = append(parts, s.text(plain("account "), value(ev.AccountID, maxShort)))
	}
	if !blank(ev.TriggerName) && ev.Phase != deploy.Test {
		parts = append(parts, s.text(plain("trigger "), value(ev.TriggerName, maxValue)))
	}
	if !blank(ev.MessageID) {
		parts = append(parts, s.text(plain("SNS message "), value(ev.MessageID, maxShort)))
	}
	return parts
}

// fallback is the message on one line: icon, title, subject, where, the
// error code and the deadline, e.g. "❌ Deployment failed (app / group,
// d-X): ECS_UPDATE_ERROR" or "… (app / group, d-X, c:s) · Roll back before
// 14:52 UTC (58 min left)". Links show as their label, code as plain text.
func fallback(s *scratch, ev *deploy.Event, m *Message, full bool) Text {
	i := s.mark()
	s.add(emoji(m.Icon), plain(s.word(" ", m.Title)))
	if full && len(m.Subject) > 0 {
		s.add(plain(" "))
		for _, sp := range m.Subject {
			if sp.Kind == Link || sp.Kind == Code {
				sp = value(sp.Text, sp.Max)
			}
			s.add(sp)
		}
	}
	// where: "(app / group, d-X, target)", the parts comma-separated.
	where := 0
	next := func() {
		if where == 0 {
			s.add(plain(" ("))
		} else {
			s.add(plain(", "))
		}
		where++
	}
	if hasAppGroup(ev) {
		next()
		s.addAppGroup(ev)
	}
	switch {
	case isECSNative(ev):
		if svc := ecsService(s, ev); svc != "" {
			next()
			s.add(value(svc, maxValue))
		}
		if id := ecsDeployment(ev.DeploymentID); !blank(id) {
			next()
			s.add(value(id, maxShort))
		}
	case !blank(ev.DeploymentID):
		next()
		s.add(value(ev.DeploymentID, maxShort))
	}
	if full && ev.Target != nil && !blank(ev.Target.ID) {
		next()
		s.add(value(ev.Target.ID, maxShort))
	}
	if where > 0 {
		s.add(plain(")"))
	}
	if full && ev.Error != nil && !blank(ev.Error.Code) {
		s.add(plain(": "), value(ev.Error.Code, maxShort))
	}
	if full && m.Deadline != nil {
		s.add(plain(" · "), value(m.Deadline.Text, maxValue))
	}
	return s.since(i)
}
