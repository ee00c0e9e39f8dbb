package notify

import (
	"strings"

	"github.com/slack-go/slack"
)

// renderSlackFollowUp renders a follow-up notice: how the actions reported
// in an earlier message ended (e.g. "CloudFront invalidation completed").
// It names the deployment and lists the actions; it does not repeat the
// event's own details.
func renderSlackFollowUp(n *Notice) ([]byte, error) {
	ev := &n.Event
	failed := false
	for _, a := range n.Actions {
		if a.Error != "" {
			failed = true
		}
	}
	emoji, title, color := ":white_check_mark:", "CloudFront invalidation completed", colorGood
	if failed {
		emoji, title, color = ":warning:", "CloudFront invalidation did not complete", colorWarning
	}
	headline := "*" + emoji + " " + title + "*"
	if sum := slackSummary(ev); sum != "" {
		headline += "\n" + sum
	}
	var details []slack.Block
	if s := slackActionsText(n.Actions); s != "" {
		details = append(details, slackSection(s))
	}
	details = append(details, slackContext(slackFooter(ev, nil)))

	fallback := emoji + " " + title
	var where []string
	if ag := appGroup(ev); ag != "" {
		where = append(where, ag)
	}
	if id := esc1(ev.DeploymentID, slackMaxShort); id != "" {
		where = append(where, id)
	}
	if len(where) > 0 {
		fallback += " (" + strings.Join(where, ", ") + ")"
	}
	msg := slackMessage{
		Text:        clampText(fallback, slackMaxFallback),
		Blocks:      slack.Blocks{BlockSet: []slack.Block{slackSection(headline)}},
		Attachments: []slack.Attachment{{Color: color, Blocks: slack.Blocks{BlockSet: details}}},
	}
	return encodeSlack(msg)
}
