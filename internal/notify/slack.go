package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/cutover-dev/cutover/internal/action"
	"github.com/cutover-dev/cutover/internal/awsx"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/retry"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
)

// Slack posts notices to a Slack incoming webhook.
type Slack struct {
	url    string
	poster *Poster
}

var _ Notifier = (*Slack)(nil)

// NewSlack returns a Notifier for the incoming webhook at webhookURL,
// posting through p (nil: a Poster with default options). The URL is a
// secret: it appears in no error, log or String output.
func NewSlack(webhookURL string, p *Poster) *Slack {
	if p == nil {
		p = NewPoster(PosterOptions{})
	}
	return &Slack{url: webhookURL, poster: p}
}

// Notify renders n with RenderSlack and posts it. Errors read e.g.
// "slack: post: 404 Not Found: channel_not_found"; retry.IsPermanent tells
// whether another attempt can help.
func (s *Slack) Notify(ctx context.Context, n *Notice) error {
	body, err := RenderSlack(n)
	if err != nil {
		return retry.Permanent(fmt.Errorf("slack: %w", err))
	}
	if err := s.poster.Post(ctx, s.url, body, map[string]string{"Content-Type": "application/json"}); err != nil {
		return fmt.Errorf("slack: %w", err)
	}
	return nil
}

// String names the destination by host only, e.g. "slack(hooks.slack.com)".
func (s *Slack) String() string {
	host := "invalid URL"
	if u, err := url.Parse(s.url); err == nil && u.Host != "" {
		host = u.Host
	}
	return "slack(" + host + ")"
}

// GoString keeps %#v from printing the webhook URL.
func (s *Slack) GoString() string { return s.String() }

// LogValue keeps slog from printing the webhook URL.
func (s *Slack) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Slack's Block Kit limits, and the tighter ones cutover keeps to.
const (
	slackMaxBlocks      = 50
	slackMaxSectionText = 3000
	slackMaxFields      = 10
	slackMaxFieldText   = 2000
	// slackMaxValue bounds one escaped single-line value (a name, an ID);
	// slackMaxShort bounds IDs, paths and statuses.
	slackMaxValue = 200
	slackMaxShort = 100
	// slackMaxFallback bounds the notification text.
	slackMaxFallback = 400
	// slackMaxActionErr bounds one action's error, so one failure cannot
	// crowd out the other actions.
	slackMaxActionErr = 500
	slackMaxActions   = 25
	slackMaxPaths     = 10
	slackMaxLifecycle = 20
)

// Colours of the attachment bar, by severity (Slack's brand palette).
const (
	colorGood    = "#2EB67D"
	colorInfo    = "#36C5F0"
	colorWarning = "#ECB22E"
	colorDanger  = "#E01E5A"
	colorNeutral = "#9EA0A4"
)

// slackMessage is the body posted to an incoming webhook: the headline as
// top-level blocks, the details in one attachment whose colour shows the
// severity, and text as the notification and accessibility fallback.
type slackMessage struct {
	Text        string             `json:"text"`
	Blocks      slack.Blocks       `json:"blocks"`
	Attachments []slack.Attachment `json:"attachments,omitempty"`
	UnfurlLinks bool               `json:"unfurl_links"`
	UnfurlMedia bool               `json:"unfurl_media"`
}

// RenderSlack returns the exact JSON body Slack is sent for n. It is pure:
// it reads no clock (n.Now stands in for it) and the same Notice always
// gives the same bytes. All text taken from the event and its details is
// escaped for Slack mrkdwn and kept within Slack's Block Kit limits; a long
// error message or log is cut visibly ("… (truncated, N more characters)").
//
// With n.Details, the deadline (rollback window or reroute deadline) comes
// right under the title and in the fallback text, and the attachment adds
// who started the deployment, the failing lifecycle event with the end of
// its log, the task sets (task definition, images, traffic, tasks, target
// group), the AWS CLI commands that apply and console links. A deployment
// the details say is a rollback reads as one. Any part may be missing.
func RenderSlack(n *Notice) ([]byte, error) {
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	if n.FollowUp {
		return renderSlackFollowUp(n)
	}
	evCopy := withDetails(n)
	ev, d := &evCopy, n.Details
	look := slackLookFor(ev)
	window, windowPlain := slackWindow(ev, d, n.Now)

	// The deadline comes right under the title: it is what the team must
	// act on.
	headline := "*" + look.emoji + " " + look.title + "*"
	if look.subject != "" {
		headline += " " + look.subject
	}
	if window != "" {
		headline += "\n" + window
	}
	if sum := slackSummary(ev); sum != "" {
		headline += "\n" + sum
	}
	top := []slack.Block{slackSection(headline)}

	var details []slack.Block
	if f := slackFields(ev, n.Now, slackDetailFields(ev, d)); len(f) > 0 {
		details = append(details, slack.NewSectionBlock(nil, f, nil))
	}
	if s := slackErrorText(ev, detailError(ev, d)); s != "" {
		details = append(details, slackSection(s))
	}
	if s := slackLifecycleText(ev); s != "" {
		details = append(details, slackSection(s))
	}
	details = append(details, slackDetailBlocks(ev, d)...)
	if s := slackActionsText(n.Actions); s != "" {
		details = append(details, slackSection(s))
	}
	if s := slackLinksText(ev, d); s != "" {
		details = append(details, slackSection(s))
	}
	if hint := slackHint(look, d); hint != "" {
		details = append(details, slackContext(hint))
	}
	details = append(details, slackContext(slackFooter(ev, d)))

	msg := slackMessage{
		Text:   slackFallback(ev, look, windowPlain),
		Blocks: slack.Blocks{BlockSet: top},
		Attachments: []slack.Attachment{{
			Color:  look.color,
			Blocks: slack.Blocks{BlockSet: details},
		}},
	}
	return encodeSlack(msg)
}

// encodeSlack encodes msg as the webhook body, without HTML escaping. It
// refuses a message with more blocks than Slack takes (slackMaxBlocks,
// counting the top-level and attachment blocks): Slack would reject the
// whole message, so a renderer that builds one has a bug.
func encodeSlack(msg slackMessage) ([]byte, error) {
	n := len(msg.Blocks.BlockSet)
	for _, a := range msg.Attachments {
		n += len(a.Blocks.BlockSet)
	}
	if n > slackMaxBlocks {
		return nil, fmt.Errorf("render: %d blocks, Slack takes at most %d", n, slackMaxBlocks)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(msg); err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// slackLook is how one kind of event reads: emoji, bold title (fixed
// text), an optional subject after it (escaped mrkdwn, may hold a link) and
// its plain form for the fallback, the colour and an optional hint.
type slackLook struct {
	emoji        string
	title        string
	subject      string
	plainSubject string
	color        string
	hint         string
}

const (
	hintSwitched = ":information_source: The original task set keeps running until the termination wait ends: stop the deployment with rollback to switch traffic back."
	hintReady    = ":information_source: Reroute traffic (continue the deployment) from the CodeDeploy console, or stop it."
)

func slackLookFor(ev *deploy.Event) slackLook {
	// rolled adds "<prefix><link to the rolled-back deployment>" as subject.
	rolled := func(l slackLook, prefix string) slackLook {
		if !ev.IsRollback() {
			return l
		}
		label := esc1(ev.Rollback.RollsBack, slackMaxShort)
		l.subject, l.plainSubject = prefix+slackLink(awsx.CodeDeployDeploymentURL(ev.Region, ev.Rollback.RollsBack), label), prefix+label
		return l
	}
	switch {
	case ev.TrafficSwitched() && ev.IsRollback():
		return rolled(slackLook{emoji: ":leftwards_arrow_with_hook:", title: "Traffic switched back to the original task set", color: colorWarning}, "· rolling back ")
	case ev.TrafficSwitched():
		return slackLook{emoji: ":twisted_rightwards_arrows:", title: "Traffic switched to the new task set", color: colorGood, hint: hintSwitched}
	}
	switch ev.Name {
	case codedeploy.DeploymentStart:
		return slackLook{emoji: ":rocket:", title: "Deployment started", color: colorInfo}
	case codedeploy.DeploymentRollback:
		if !ev.IsRollback() {
			return slackLook{emoji: ":rewind:", title: "Rollback started", color: colorWarning}
		}
		return rolled(slackLook{emoji: ":rewind:", title: "Rolling back", color: colorWarning}, "")
	case codedeploy.DeploymentReady:
		return slackLook{emoji: ":hourglass_flowing_sand:", title: "Replacement task set installed, waiting for traffic reroute", color: colorInfo, hint: hintReady}
	case codedeploy.DeploymentSuccess:
		if ev.IsRollback() {
			return rolled(slackLook{emoji: ":leftwards_arrow_with_hook:", title: "Rollback succeeded", color: colorWarning}, "· rolled back ")
		}
		return slackLook{emoji: ":white_check_mark:", title: "Deployment succeeded", color: colorGood}
	case codedeploy.DeploymentFailure:
		if ev.IsRollback() {
			return rolled(slackLook{emoji: ":x:", title: "Rollback failed", color: colorDanger}, "· rolling back ")
		}
		return slackLook{emoji: ":x:", title: "Deployment failed", color: colorDanger}
	case codedeploy.DeploymentStop:
		return slackLook{emoji: ":octagonal_sign:", title: "Deployment stopped", color: colorWarning}
	case codedeploy.InstanceStart:
		return slackLook{emoji: ":arrow_forward:", title: "Deployment target started", color: colorInfo}
	case codedeploy.InstanceReady:
		return slackLook{emoji: ":hourglass_flowing_sand:", title: "Deployment target ready, waiting for traffic reroute", color: colorInfo, hint: hintReady}
	case codedeploy.InstanceSuccess:
		return slackLook{emoji: ":white_check_mark:", title: "Deployment target succeeded", color: colorGood}
	case codedeploy.InstanceFailure:
		return slackLook{emoji: ":x:", title: "Deployment target failed", color: colorDanger}
	case codedeploy.TriggerTest:
		l := slackLook{
			emoji: ":bell:", title: "Trigger configured", color: colorNeutral,
			hint: ":information_source: CodeDeploy sends this test notification when a trigger is created or updated.",
		}
		l.subject = "— cutover will post here"
		if name := esc1(ev.TriggerName, slackMaxValue); name != "" {
			l.title += ":"
			l.subject = name + " " + l.subject
		}
		l.plainSubject = l.subject
		return l
	}
	l := slackLook{
		emoji: ":grey_question:", title: "Unrecognised CodeDeploy status:", color: colorNeutral,
		subject: "(none)", plainSubject: "(none)",
		hint: ":information_source: This version of cutover does not know this status.",
	}
	if raw := esc1(ev.RawStatus, slackMaxShort); raw != "" {
		l.subject, l.plainSubject = code(ev.RawStatus, slackMaxShort), raw
	}
	return l
}

// appGroup is "application / group", either alone, or "".
func appGroup(ev *deploy.Event) string {
	app, group := esc1(ev.Application, slackMaxValue), esc1(ev.DeploymentGroup, slackMaxValue)
	if app != "" && group != "" {
		return app + " / " + group
	}
	return app + group
}

// slackSummary is the headline's second line: application, group and a
// link to the deployment.
func slackSummary(ev *deploy.Event) string {
	var parts []string
	if ag := appGroup(ev); ag != "" {
		parts = append(parts, ag)
	}
	if id := esc1(ev.DeploymentID, slackMaxShort); id != "" {
		parts = append(parts, slackLink(awsx.CodeDeployDeploymentURL(ev.Region, ev.DeploymentID), id))
	}
	return strings.Join(parts, " · ")
}

// slackFields are the detail fields: target, time, duration, target
// counts, the raw status of an unknown event, then extra (label, value)
// pairs (value already mrkdwn).
func slackFields(ev *deploy.Event, now time.Time, extra [][2]string) []*slack.TextBlockObject {
	var fields []*slack.TextBlockObject
	add := func(label, value string) {
		if value != "" && len(fields) < slackMaxFields {
			fields = append(fields, mrkdwn(clampText("*"+label+"*\n"+value, slackMaxFieldText)))
		}
	}
	if t := ev.Target; t != nil {
		label := "Target"
		if t.Type == "ECS" {
			label = "ECS service"
		}
		add(label, code(t.ID, slackMaxValue))
	}
	at, label := eventTime(ev), "Time"
	switch {
	case at.IsZero():
		at, label = now, "Received"
	case ev.TrafficSwitched():
		label = "Switched at"
	}
	if !at.IsZero() {
		add(label, formatTime(at))
	}
	if !ev.CreateTime.IsZero() {
		end, label := ev.CompleteTime, "Duration"
		if end.IsZero() {
			end, label = at, "Since start"
		}
		// "Since start" of a few seconds (a start event's publication
		// delay) says nothing.
		if d := end.Sub(ev.CreateTime); d > 0 && (label == "Duration" || d >= time.Minute) {
			add(label, formatDuration(d))
		}
	}
	if ev.Overview != nil {
		add("Targets", overviewText(ev.Overview))
	}
	if ev.Name == codedeploy.Unknown {
		add("Status", code(ev.RawStatus, slackMaxShort))
	}
	for _, f := range extra {
		add(f[0], f[1])
	}
	return fields
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

// slackErrorText shows the deployment's error code and message (the
// event's, else fallback), and the rollback message; the error message
// gets whatever room is left.
func slackErrorText(ev *deploy.Event, fallback *deploy.Error) string {
	var rollback string
	if r := ev.Rollback; r != nil && !standardRollbackMessage(ev) {
		if m := esc1(r.Message, slackMaxValue*2); m != "" {
			rollback = "*Rollback* " + m
		}
	}
	var b strings.Builder
	e := ev.Error
	if e == nil {
		e = fallback
	}
	if e != nil {
		b.WriteString("*Error*")
		if c := code(e.Code, slackMaxShort); c != "" {
			b.WriteString(" " + c)
		}
		if m := clean(e.Message, true); m != "" {
			b.WriteString("\n")
			room := slackMaxSectionText - textLen(b.String()) - textLen(rollback) - 1
			b.WriteString(truncate(m, room, true))
		}
	}
	if rollback != "" {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(rollback)
	}
	return b.String()
}

// standardRollbackMessage reports whether the rollback message is
// CodeDeploy's usual "Deployment d-R is triggered to roll back deployment
// d-M.", which the headline already says ("rolling back d-M").
func standardRollbackMessage(ev *deploy.Event) bool {
	r := ev.Rollback
	return ev.IsRollback() && strings.TrimSpace(r.Message) ==
		"Deployment "+ev.DeploymentID+" is triggered to roll back deployment "+r.RollsBack+"."
}

// slackLifecycleText lists an instance event's lifecycle steps.
func slackLifecycleText(ev *deploy.Event) string {
	if ev.Target == nil || len(ev.Target.Lifecycle) == 0 {
		return ""
	}
	lines := make([]string, 0, len(ev.Target.Lifecycle))
	for _, le := range ev.Target.Lifecycle {
		line := "• " + code(le.Name, slackMaxShort)
		if s := esc1(le.Status, slackMaxShort); s != "" {
			line += " " + s
		}
		if !le.Start.IsZero() && !le.End.IsZero() && !le.End.Before(le.Start) {
			line += " (" + formatDuration(le.End.Sub(le.Start)) + ")"
		}
		lines = append(lines, line)
	}
	return joinLines("*Lifecycle*", lines, slackMaxLifecycle, "step")
}

// slackActionsText says what cutover did, one line per action result, e.g.
// "CloudFront E123: invalidation I2J3 for `/*`, `/index.html` (InProgress)".
func slackActionsText(results []action.Result) string {
	if len(results) == 0 {
		return ""
	}
	lines := make([]string, 0, len(results))
	for _, r := range results {
		invalidation := r.Action == "cloudfront-invalidation"
		label := esc1(r.Action, slackMaxShort)
		if invalidation {
			label = "CloudFront"
		}
		if t := esc1(r.Target, slackMaxShort); t != "" {
			label += " " + t
		}
		var line string
		switch {
		case r.Error != "":
			line = ":x: " + label + ": failed: " + truncate(clean(r.Error, false), slackMaxActionErr, true)
		case r.Skipped != "":
			line = ":fast_forward: " + label + ": skipped: " + esc1(r.Skipped, slackMaxActionErr)
		case r.DryRun:
			line = ":memo: " + label + ": dry run"
			if len(r.Paths) > 0 {
				line += ", would invalidate " + pathList(r.Paths)
			}
		default:
			line = ":white_check_mark: " + label + ": "
			if invalidation {
				line += "invalidation"
			} else {
				line += "done"
			}
			if id := esc1(r.ID, slackMaxShort); id != "" {
				line += " " + id
			}
			if len(r.Paths) > 0 {
				line += " for " + pathList(r.Paths)
			}
			if s := esc1(r.Status, slackMaxShort); s != "" {
				line += " (" + s + ")"
			}
		}
		lines = append(lines, line)
	}
	return joinLines("*Actions*", lines, slackMaxActions, "action")
}

// pathList shows the first paths as inline code, then how many more.
func pathList(paths []string) string {
	shown := paths[:min(len(paths), slackMaxPaths)]
	parts := make([]string, 0, len(shown))
	for _, p := range shown {
		if c := code(p, slackMaxShort); c != "" {
			parts = append(parts, c)
		}
	}
	s := strings.Join(parts, ", ")
	if more := len(paths) - len(shown); more > 0 {
		s += " and " + strconv.Itoa(more) + " more"
	}
	return s
}

// slackHint is the look's hint unless the details make it wrong or
// redundant: the commands section says how to roll back or reroute, and
// the window line says when the original task set goes.
func slackHint(look slackLook, d *enrich.Details) string {
	if d == nil {
		return look.hint
	}
	switch look.hint {
	case hintSwitched:
		if d.Window != nil || d.Commands.RollBack != "" {
			return ""
		}
	case hintReady:
		if d.Commands.Reroute != "" || (d.Window != nil && d.Window.Ended) {
			return ""
		}
	}
	return look.hint
}

// slackFooter is the context line: console link, region, account, trigger
// and SNS message ID, and whether the details are simulated.
func slackFooter(ev *deploy.Event, d *enrich.Details) string {
	parts := []string{"cutover"}
	if d != nil && d.Simulated {
		parts = append(parts, "simulated details (demo)")
	}
	if u := awsx.CodeDeployDeploymentURL(ev.Region, ev.DeploymentID); safeLinkURL(u) {
		parts = append(parts, ":link: "+slackLink(u, "CodeDeploy console"))
	}
	if r := esc1(ev.Region, slackMaxShort); r != "" {
		parts = append(parts, r)
	}
	if a := esc1(ev.AccountID, slackMaxShort); a != "" {
		parts = append(parts, "account "+a)
	}
	if t := esc1(ev.TriggerName, slackMaxValue); t != "" && ev.Name != codedeploy.TriggerTest {
		parts = append(parts, "trigger "+t)
	}
	if m := esc1(ev.MessageID, slackMaxShort); m != "" {
		parts = append(parts, "SNS message "+m)
	}
	return strings.Join(parts, " · ")
}

// slackFallback is the top-level text, which phone notifications, screen
// readers and old clients show: emoji, title, where, the error code and
// the deadline, e.g. ":x: Deployment failed (app / group, d-X):
// ECS_UPDATE_ERROR" or "… (app / group, d-X, c:s) · Roll back before
// 14:52 UTC (58 min left)".
func slackFallback(ev *deploy.Event, look slackLook, window string) string {
	s := look.emoji + " " + look.title
	if look.plainSubject != "" {
		s += " " + look.plainSubject
	}
	var where []string
	if ag := appGroup(ev); ag != "" {
		where = append(where, ag)
	}
	if id := esc1(ev.DeploymentID, slackMaxShort); id != "" {
		where = append(where, id)
	}
	if ev.Target != nil {
		if t := esc1(ev.Target.ID, slackMaxShort); t != "" {
			where = append(where, t)
		}
	}
	if len(where) > 0 {
		s += " (" + strings.Join(where, ", ") + ")"
	}
	if ev.Error != nil {
		if c := esc1(ev.Error.Code, slackMaxShort); c != "" {
			s += ": " + c
		}
	}
	if window != "" {
		s += " · " + window
	}
	return clampText(s, slackMaxFallback)
}

func slackSection(text string) *slack.SectionBlock {
	return slack.NewSectionBlock(mrkdwn(clampText(text, slackMaxSectionText)), nil, nil)
}

func slackContext(text string) *slack.ContextBlock {
	return slack.NewContextBlock("", mrkdwn(clampText(text, slackMaxSectionText)))
}

func mrkdwn(text string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, text, false, false)
}
