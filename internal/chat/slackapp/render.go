package slackapp

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/chat/slackhook"
	"github.com/cutover-dev/cutover/internal/control"
	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/message"
)

// Action IDs of the buttons: the click handler dispatches on them.
const (
	ActionRollback    = "cutover:rollback"
	ActionFinishEarly = "cutover:finish-early"
)

// Block Kit limits (chat-facts.md §1-2).
const (
	maxSectionText = 3000
	maxPlainLabel  = 60 // a deployment named in a confirm text (≤300 in all)
	maxTimeline    = 20 // timeline lines shown
)

// StepOf is the timeline step of n's event.
func StepOf(n *message.Notice) Step {
	ev := &n.Event
	at := ev.Published
	if at.IsZero() {
		at = n.Now
	}
	return Step{
		Key:        ev.Identity(),
		Deployment: n.Deployment(),
		Phase:      ev.Phase,
		Rollback:   ev.IsRollback(),
		At:         at.UTC().Truncate(time.Second),
	}
}

// HeadOf renders the parent's body as of n's event: m (the message built
// from n) as Slack blocks with the configured mentions, and the buttons of
// n's platform when buttons are enabled, the rollback window is open and
// the deployment has not ended. destination names the destination in the
// buttons' value.
func HeadOf(n *message.Notice, m *message.Message, mentions []string, buttons bool, destination string) (*Head, error) {
	if n == nil || m == nil {
		return nil, errors.New("render: nil notice")
	}
	body, err := slackhook.FormatBody(m, mentions)
	if err != nil {
		return nil, err
	}
	h := &Head{Step: StepOf(n), Text: body.Text, Blocks: body.Blocks, Attachments: body.Attachments}
	ev := &n.Event
	if buttons && m.Deadline != nil && m.Deadline.Open && !ev.Phase.Ended() && !n.FollowUp {
		// The deployment the enrichment resolved: an ECS-native
		// EventBridge event names "ecs-svc/…", which ECS's
		// StopServiceDeployment does not take; its service-deployment ARN.
		r := control.RefOf(ev, destination)
		r.DeploymentID = n.Deployment()
		if ref, err := r.Encode(); err == nil {
			for _, a := range control.Actions(ev.Platform) {
				h.Buttons = append(h.Buttons, string(a))
			}
			h.Ref = ref
		}
	}
	return h, nil
}

// textObject is a Block Kit text object.
type textObject struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func plain(s string) *textObject  { return &textObject{Type: "plain_text", Text: s} }
func mrkdwn(s string) *textObject { return &textObject{Type: "mrkdwn", Text: s} }

type sectionBlock struct {
	Type string      `json:"type"`
	Text *textObject `json:"text"`
}

type confirmObject struct {
	Title   *textObject `json:"title"`
	Text    *textObject `json:"text"`
	Confirm *textObject `json:"confirm"`
	Deny    *textObject `json:"deny"`
	Style   string      `json:"style,omitempty"`
}

type buttonElement struct {
	Type     string         `json:"type"`
	ActionID string         `json:"action_id"`
	Text     *textObject    `json:"text"`
	Style    string         `json:"style,omitempty"`
	Value    string         `json:"value"`
	Confirm  *confirmObject `json:"confirm"`
}

type actionsBlock struct {
	Type     string          `json:"type"`
	BlockID  string          `json:"block_id"`
	Elements []buttonElement `json:"elements"`
}

// Parent renders the parent message of st (chat.postMessage or
// chat.update body, without channel and ts): the head's blocks, the
// timeline, and the buttons while the head offers them. It is pure.
func Parent(st *State) (*Message, error) {
	if st == nil || st.Head == nil {
		return nil, errors.New("render: no message to show")
	}
	h := st.Head
	var blocks []json.RawMessage
	if len(h.Blocks) > 0 {
		if err := json.Unmarshal(h.Blocks, &blocks); err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
	}
	if tl := timeline(st); tl != "" {
		b, err := chat.EncodeJSON(sectionBlock{Type: "section", Text: mrkdwn(tl)})
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		blocks = append(blocks, b)
	}
	if len(st.Requested) > 0 {
		b, err := chat.EncodeJSON(sectionBlock{Type: "section", Text: mrkdwn(requested(st.Requested))})
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		blocks = append(blocks, b)
	} else if act := actions(h); act != nil {
		b, err := chat.EncodeJSON(act)
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		blocks = append(blocks, b)
	}
	return assemble(h.Text, blocks, h.Attachments)
}

// Reply renders the thread reply for an event: m as Slack blocks with the
// mentions, in the thread of parent (none: a message of its own),
// broadcast to the channel too when broadcast is set.
func Reply(m *message.Message, mentions []string, parent string, broadcast bool) (*Message, error) {
	if m == nil {
		return nil, errors.New("render: nil message")
	}
	body, err := slackhook.FormatBody(m, mentions)
	if err != nil {
		return nil, err
	}
	// The body's blocks as they are: FormatBody kept within Slack's limit.
	off := false
	msg := &Message{Text: body.Text, Blocks: body.Blocks, Attachments: body.Attachments, UnfurlLinks: &off, UnfurlMedia: &off}
	msg.ThreadTS = parent
	msg.ReplyBroadcast = broadcast && parent != ""
	return msg, nil
}

// assemble builds a message body within Slack's block limit.
func assemble(text string, blocks []json.RawMessage, attachments json.RawMessage) (*Message, error) {
	n := len(blocks)
	if len(attachments) > 0 {
		var atts []struct {
			Blocks []json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(attachments, &atts); err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		for _, a := range atts {
			n += len(a.Blocks)
		}
	}
	if n > slackhook.MaxBlocks {
		return nil, fmt.Errorf("render: %d blocks, Slack takes at most %d", n, slackhook.MaxBlocks)
	}
	bs, err := chat.EncodeJSON(blocks)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	off := false
	return &Message{Text: text, Blocks: json.RawMessage(strings.TrimSpace(string(bs))), Attachments: attachments, UnfurlLinks: &off, UnfurlMedia: &off}, nil
}

// phaseLabel is a phase in the timeline.
func phaseLabel(p deploy.Phase) string {
	switch p {
	case deploy.Started:
		return "Started"
	case deploy.Ready:
		return "Replacement ready, waiting for traffic"
	case deploy.TrafficSwitched:
		return "Traffic switched"
	case deploy.RollingBack:
		return "Rolling back"
	case deploy.Succeeded:
		return "Succeeded"
	case deploy.Failed:
		return "Failed"
	case deploy.Stopped:
		return "Stopped"
	case deploy.Test:
		return "Test event"
	}
	return "Update"
}

// timeline is the status timeline: one line a step, the latest in bold,
// times as Slack dates (each reader's time zone) with a UTC fallback.
func timeline(st *State) string {
	steps := st.Steps
	if len(steps) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("*Timeline*")
	if len(steps) > maxTimeline {
		fmt.Fprintf(&b, "\n_… %d earlier_", len(steps)-maxTimeline)
		steps = steps[len(steps)-maxTimeline:]
	}
	for i, s := range steps {
		label := phaseLabel(s.Phase)
		if s.Rollback || (s.Deployment != "" && s.Deployment != st.Thread) {
			label = "Rollback " + slackhook.Line(deploymentLabel(s.Deployment), maxPlainLabel) + ": " + strings.ToLower(label[:1]) + label[1:]
		}
		if i == len(steps)-1 {
			label = "*" + label + "*"
		}
		fmt.Fprintf(&b, "\n<!date^%d^{time_secs}|%s>  %s", s.At.Unix(), s.At.UTC().Format("15:04:05 UTC"), label)
	}
	out := b.String()
	if len(out) > maxSectionText {
		out = out[:strings.LastIndexByte(out[:maxSectionText-2], '\n')] + "\n…"
	}
	return out
}

// requested says who asked for which action and when, one line each:
// "Rollback requested by <@U0ALICE> at 15:02 UTC".
func requested(rs []Requested) string {
	lines := make([]string, 0, len(rs))
	for _, r := range rs {
		what := "Rollback"
		if control.Action(r.Action) == control.FinishEarly {
			what = "Finish early"
		}
		who := "someone"
		if userID.MatchString(r.User) {
			who = "<@" + r.User + ">"
		}
		lines = append(lines, fmt.Sprintf(":raised_hand: %s requested by %s at %s", what, who, r.At.UTC().Format("15:04 UTC")))
	}
	return strings.Join(lines, "\n")
}

// deploymentLabel shows a deployment readably: an ECS service-deployment
// ARN (the thread of an ECS-native deployment, message.Notice.Deployment)
// as CLUSTER/SERVICE/ID, any other ID as it is.
func deploymentLabel(id string) string {
	if _, rest, ok := strings.Cut(id, ":service-deployment/"); ok && rest != "" {
		return rest
	}
	return id
}

// actions is the buttons block of h, or nil.
func actions(h *Head) *actionsBlock {
	if len(h.Buttons) == 0 || h.Ref == "" {
		return nil
	}
	dep := message.Line(deploymentLabel(h.Step.Deployment))
	if r := []rune(dep); len(r) > maxPlainLabel {
		dep = string(r[:maxPlainLabel-1]) + "…"
	}
	sum := sha256.Sum256([]byte(h.Step.Key))
	blk := &actionsBlock{Type: "actions", BlockID: "cutover_actions_" + hex.EncodeToString(sum[:6])}
	for _, a := range h.Buttons {
		switch control.Action(a) {
		case control.Rollback:
			blk.Elements = append(blk.Elements, buttonElement{
				Type: "button", ActionID: ActionRollback, Text: plain("Roll back now"), Style: "danger", Value: h.Ref,
				Confirm: &confirmObject{
					Title:   plain("Roll back now?"),
					Text:    plain("Roll back deployment " + dep + "? Traffic returns to the original version, and the new version is stopped."),
					Confirm: plain("Roll back"), Deny: plain("Cancel"), Style: "danger",
				},
			})
		case control.FinishEarly:
			blk.Elements = append(blk.Elements, buttonElement{
				Type: "button", ActionID: ActionFinishEarly, Text: plain("Finish early"), Style: "primary", Value: h.Ref,
				Confirm: &confirmObject{
					Title:   plain("Finish early?"),
					Text:    plain("Finish deployment " + dep + " now? The original version is terminated: there is no rollback after this."),
					Confirm: plain("Finish now"), Deny: plain("Cancel"), Style: "primary",
				},
			})
		}
	}
	if len(blk.Elements) == 0 {
		return nil
	}
	return blk
}
