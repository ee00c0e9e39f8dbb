package notify

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/slack-go/slack"

	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// Rendering of enrich.Details in Slack: the deadline under the headline,
// who started the deployment and why, the failing lifecycle event, the
// task sets serving, commands to paste and console links. Every part is
// optional: a Details with only some parts gives a complete message
// without the others.

// Bounds of the detail parts (UTF-16 units unless said otherwise).
const (
	slackMaxDescription    = 300
	slackMaxDiagMessage    = 600
	slackMaxStatusMessage  = 300
	slackMaxStatusMessages = 3
	slackMaxCommand        = 500
	slackMaxTaskSets       = 4
	slackMaxImages         = 4
	slackMaxImage          = 150
	slackMaxLogs           = 3
	// slackMaxLogTail bounds the log tail shown; slackMaxLogLines the
	// number of its last lines kept.
	slackMaxLogTail  = 1500
	slackMaxLogLines = 30
)

// withDetails is the event as the message should read it: a rollback when
// the details say the deployment rolls another back, although the
// notification did not (instance events never do). The notice is not
// changed.
func withDetails(n *Notice) deploy.Event {
	ev := n.Event
	if d := n.Details; d != nil && d.Deployment != nil && !ev.IsRollback() {
		if id := d.Deployment.RollbackTriggeringDeploymentID; id != "" && id != ev.DeploymentID {
			ev.Rollback = &deploy.Rollback{RollsBack: id, Message: d.Deployment.RollbackMessage}
		}
	}
	return ev
}

// slackWindow is the deadline line under the headline, e.g.
// ":hourglass: *Roll back before 14:52 UTC (58 min left)*", and its plain
// form for the fallback text; "" when there is no window to tell.
func slackWindow(ev *deploy.Event, d *enrich.Details, now time.Time) (line, plain string) {
	if d == nil || d.Window == nil {
		return "", ""
	}
	w := d.Window
	if now.IsZero() {
		// No render time: count from the event, else from the wait's start.
		now = eventTime(ev)
		if now.IsZero() {
			now = w.Start
		}
	}
	text := esc1(w.Describe(now), slackMaxValue)
	switch {
	case text == "":
		return "", ""
	case w.Open(now):
		return ":hourglass: *" + text + "*", text
	}
	return ":warning: " + text, text
}

// slackDetailFields are the fields the details add: who started the
// deployment, its description, and the deployment that rolled it back.
func slackDetailFields(ev *deploy.Event, d *enrich.Details) [][2]string {
	if d == nil || d.Deployment == nil {
		return nil
	}
	dep := d.Deployment
	var fields [][2]string
	if by := startedBy(ev, d); by != "" {
		fields = append(fields, [2]string{"Started by", by})
	}
	if desc := esc1(dep.Description, slackMaxDescription); desc != "" && !onlyNamesPipeline(dep) {
		fields = append(fields, [2]string{"Description", desc})
	}
	if id := dep.RollbackDeploymentID; id != "" && id != ev.DeploymentID && !ev.IsRollback() {
		fields = append(fields, [2]string{"Rolled back by", slackLink(d.Links.Related, esc1(id, slackMaxShort))})
	}
	return fields
}

// startedBy says who or what started the deployment, the CodePipeline
// execution linked when known; "" when unknown, or when the headline
// already says it is an automatic rollback.
func startedBy(ev *deploy.Event, d *enrich.Details) string {
	dep := d.Deployment
	if p := dep.Pipeline; p != nil && p.Name != "" {
		label := "pipeline " + esc1(p.Name, slackMaxShort)
		if p.NameTruncated {
			label += "…"
		}
		if x := esc1(shortExecution(p.ExecutionID), slackMaxShort); x != "" {
			label += " · execution " + x
		}
		return slackLink(d.Links.Pipeline, label)
	}
	by := dep.InitiatedBy()
	if ev.IsRollback() && by == "an automatic rollback" {
		return ""
	}
	return esc1(by, slackMaxValue)
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

// detailError is the deployment's error from the details, for a failure
// or stop event whose notification did not carry it; nil otherwise.
func detailError(ev *deploy.Event, d *enrich.Details) *deploy.Error {
	if ev.Error != nil || d == nil || d.Deployment == nil {
		return nil
	}
	switch ev.Name {
	case codedeploy.DeploymentFailure, codedeploy.DeploymentStop, codedeploy.InstanceFailure:
	default:
		return nil
	}
	if d.Deployment.ErrorCode == "" && d.Deployment.ErrorMessage == "" {
		return nil
	}
	return &deploy.Error{Code: d.Deployment.ErrorCode, Message: d.Deployment.ErrorMessage}
}

// slackFailureText shows the failing lifecycle event, its diagnostics and
// the end of its log in a code block, and CodeDeploy's status messages.
func slackFailureText(ev *deploy.Event, d *enrich.Details) string {
	if d == nil {
		return ""
	}
	var lines []string
	var logTail string
	if f := d.Failure; f != nil {
		// A stop leaves the running step "Unknown": it did not fail.
		status := esc1(strings.ToLower(f.Status), slackMaxShort)
		head := "*Failed step*"
		switch {
		case status == "" || status == "failed":
			status = ""
		case ev.Name == codedeploy.DeploymentStop:
			head, status = "*Stopped during*", ""
		default:
			head = "*Step*"
		}
		if name := code(f.LifecycleEvent, slackMaxShort); name != "" {
			head += " " + name
		}
		if status != "" {
			head += " " + status
		}
		if t := code(f.TargetID, slackMaxValue); t != "" && (ev.Target == nil || ev.Target.ID != f.TargetID) {
			head += " on " + t
		}
		if !f.Start.IsZero() && !f.End.IsZero() && !f.End.Before(f.Start) {
			head += " (" + formatDuration(f.End.Sub(f.Start)) + ")"
		}
		lines = append(lines, head)
		if dg := f.Diagnostics; dg != nil {
			var parts []string
			if c := code(dg.ErrorCode, slackMaxShort); c != "" {
				parts = append(parts, c)
			}
			if s := code(dg.ScriptName, slackMaxValue); s != "" {
				parts = append(parts, "in "+s)
			}
			line := strings.Join(parts, " ")
			if m := clean(dg.Message, false); m != "" {
				if line != "" {
					line += ": "
				}
				line += truncate(strings.Join(strings.Fields(m), " "), slackMaxDiagMessage, true)
			}
			if line != "" {
				lines = append(lines, line)
			}
			logTail = dg.LogTail
		}
	}
	if dep := d.Deployment; dep != nil && isFailureKind(ev.Name) {
		shown := 0
		for _, m := range dep.StatusMessages {
			if shown == slackMaxStatusMessages {
				break
			}
			if ev.Error != nil && strings.TrimSpace(m) == strings.TrimSpace(ev.Error.Message) {
				continue
			}
			if e := esc1(m, slackMaxStatusMessage); e != "" {
				lines = append(lines, "• "+e)
				shown++
			}
		}
	}
	if len(lines) == 0 {
		return ""
	}
	text := strings.Join(lines, "\n")
	// The log gets the room left, and shows its end: the error is there.
	const overhead = 80 // "\n*Log tail* … (truncated, N earlier characters)\n```" + "```"
	room := min(slackMaxLogTail, slackMaxSectionText-textLen(text)-overhead)
	if room >= 100 {
		if tail, dropped := tailText(logTail, room, slackMaxLogLines); tail != "" {
			text += "\n*Log tail*"
			if dropped > 0 {
				text += " … (truncated, " + strconv.Itoa(dropped) + " earlier characters)"
			}
			text += "\n```" + tail + "```"
		}
	}
	return text
}

func isFailureKind(k string) bool {
	switch k {
	case codedeploy.DeploymentFailure, codedeploy.DeploymentStop, codedeploy.InstanceFailure:
		return true
	}
	return false
}

// tailText is the end of an untrusted log for a code block: escaped, at
// most maxLines lines and limit units, starting at a line when it can, with
// backticks made quotes so that the block cannot be closed early. dropped
// counts the (cleaned) characters left out at the start.
func tailText(raw string, limit, maxLines int) (tail string, dropped int) {
	runes := []rune(strings.ReplaceAll(clean(raw, true), "`", "'"))
	if len(runes) == 0 {
		return "", 0
	}
	start := 0
	for i, lines := len(runes)-1, 1; i >= 0; i-- {
		if runes[i] == '\n' {
			if lines == maxLines {
				start = i + 1
				break
			}
			lines++
		}
	}
	used, i := 0, len(runes)
	for i > start {
		l := textLen(escapeRune(runes[i-1]))
		if used+l > limit {
			break
		}
		used += l
		i--
	}
	if i > start {
		// Cut inside a line: start at the next whole line, if one is left.
		for j := i; j < len(runes)-1; j++ {
			if runes[j] == '\n' {
				i = j + 1
				break
			}
		}
	}
	var b strings.Builder
	for _, r := range runes[i:] {
		b.WriteString(escapeRune(r))
	}
	return strings.Trim(b.String(), "\n"), i
}

// slackTaskSetsText shows the service's task sets, the one that matters
// first (the replacement; after a rollback, the one serving): task
// definition, traffic, running tasks, target group and images.
func slackTaskSetsText(ev *deploy.Event, d *enrich.Details) string {
	if d == nil || d.Service == nil || len(d.Service.TaskSets) == 0 {
		return ""
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
	lines := make([]string, 0, len(sets))
	for _, ts := range sets {
		line := "*" + taskSetName(ts, rollback) + "*"
		what := code(ts.TaskDefinition, slackMaxShort)
		if what == "" {
			what = code(ts.ID, slackMaxShort)
		}
		if what != "" {
			line += " " + what
		}
		var facts []string
		if w := ts.TrafficWeight; ts.TrafficKnown && w >= 0 && w <= 100 {
			facts = append(facts, strconv.FormatFloat(math.Round(w*100)/100, 'f', -1, 64)+"% traffic")
		} else if st := esc1(ts.Status, slackMaxShort); st != "" {
			facts = append(facts, st)
		}
		run := strconv.FormatInt(ts.RunningCount, 10) + "/" + strconv.FormatInt(ts.DesiredCount, 10) + " running"
		if ts.PendingCount > 0 {
			run += ", " + strconv.FormatInt(ts.PendingCount, 10) + " pending"
		}
		facts = append(facts, run)
		if ts.TrafficKnown && strings.EqualFold(ts.Status, "DRAINING") {
			facts = append(facts, "draining")
		}
		if tg := code(ts.TargetGroup, slackMaxShort); tg != "" {
			facts = append(facts, "target group "+tg)
		}
		line += " · " + strings.Join(facts, " · ")
		if img := imagesText(ts, main, ts == first); img != "" {
			line += "\n" + img
		}
		lines = append(lines, line)
	}
	return joinLines("*Task sets*", lines, slackMaxTaskSets, "task set")
}

// taskSetName names a task set by its label and, outside a rollback, its
// role: "Green (new)", "Blue (original)".
func taskSetName(ts *enrich.TaskSet, rollback bool) string {
	switch strings.ToUpper(ts.Label) {
	case "GREEN":
		if rollback {
			return "Green"
		}
		return "Green (new)"
	case "BLUE":
		if rollback {
			return "Blue"
		}
		return "Blue (original)"
	}
	if l := esc1(ts.Label, slackMaxShort); l != "" {
		return l
	}
	return "Task set"
}

// imagesText lists a task set's images: all of them for the first task
// set, only those that differ from it for the others.
func imagesText(ts *enrich.TaskSet, main []string, first bool) string {
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
			return "same images as above"
		case len(diff) < len(imgs):
			return imageList(diff) + " (other images as above)"
		}
	}
	return imageList(imgs)
}

func imageList(imgs []string) string {
	shown := imgs[:min(len(imgs), slackMaxImages)]
	parts := make([]string, 0, len(shown))
	for _, img := range shown {
		if c := code(img, slackMaxImage); c != "" {
			parts = append(parts, c)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	s := "image "
	if len(imgs) > 1 {
		s = "images "
	}
	s += strings.Join(parts, ", ")
	if more := len(imgs) - len(shown); more > 0 {
		s += " and " + strconv.Itoa(more) + " more"
	}
	return s
}

// slackCommandsText gives the AWS CLI commands that apply now, each in a
// code block ready to copy.
func slackCommandsText(ev *deploy.Event, d *enrich.Details) string {
	if d == nil {
		return ""
	}
	c := d.Commands
	type command struct{ title, command string }
	var cmds []command
	switch {
	case c.Reroute != "":
		cmds = append(cmds, command{"*Reroute traffic now* (continue the deployment)", c.Reroute})
		if c.RollBack != "" {
			cmds = append(cmds, command{"*Or stop the deployment* (production traffic stays on the original task set)", c.RollBack})
		}
	default:
		if c.RollBack != "" {
			cmds = append(cmds, command{"*Roll back now* (stop the deployment; traffic returns to the original task set)", c.RollBack})
		}
		if c.FinishEarly != "" {
			cmds = append(cmds, command{"*Finish early* (end the wait and remove the original task set: no rollback after that)", c.FinishEarly})
		}
	}
	if len(cmds) == 0 {
		return ""
	}
	parts := make([]string, 0, len(cmds))
	for _, cmd := range cmds {
		line := esc1(strings.ReplaceAll(cmd.command, "`", "'"), slackMaxCommand)
		if line == "" {
			continue
		}
		parts = append(parts, cmd.title+"\n```"+line+"```")
	}
	return strings.Join(parts, "\n")
}

// slackLinksText links the ECS service, its logs, the deployment group,
// and what no other part of the message links already: the deployment,
// the pipeline and the related deployment.
func slackLinksText(ev *deploy.Event, d *enrich.Details) string {
	if d == nil {
		return ""
	}
	l := d.Links
	var parts []string
	add := func(u, label string) {
		if label != "" && safeLinkURL(u) && !strings.Contains(label, "|") {
			parts = append(parts, slackLink(u, label))
		}
	}
	if awsx.CodeDeployDeploymentURL(ev.Region, ev.DeploymentID) == "" {
		add(l.Deployment, "Deployment")
	}
	add(l.Service, "ECS service")
	for i, lg := range l.Logs {
		if i == slackMaxLogs {
			break
		}
		label := "Logs"
		if g := esc1(lg.Label, slackMaxShort); g != "" {
			label += " " + g
		}
		add(lg.URL, label)
	}
	if d.Deployment == nil || d.Deployment.Pipeline == nil || d.Deployment.Pipeline.Name == "" {
		add(l.Pipeline, "Pipeline")
	}
	add(l.DeploymentGroup, "Deployment group")
	if !ev.IsRollback() && (d.Deployment == nil || d.Deployment.RollbackDeploymentID == "" || d.Deployment.RollbackDeploymentID == ev.DeploymentID) {
		add(l.Related, "Related deployment")
	}
	if len(parts) == 0 {
		return ""
	}
	return ":link: " + strings.Join(parts, " · ")
}

// slackDetailBlocks are the attachment sections the details add after
// the error: failing step, task sets and commands.
func slackDetailBlocks(ev *deploy.Event, d *enrich.Details) []slack.Block {
	var blocks []slack.Block
	for _, s := range []string{
		slackFailureText(ev, d),
		slackTaskSetsText(ev, d),
		slackCommandsText(ev, d),
	} {
		if s != "" {
			blocks = append(blocks, slackSection(s))
		}
	}
	return blocks
}
