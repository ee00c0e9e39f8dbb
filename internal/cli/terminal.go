package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/cutover-dev/cutover/internal/notify"
)

// terminal is a destination that shows each notice in a terminal as the
// Slack message would read, so the demo shows exactly what Slack gets.
type terminal struct {
	mu sync.Mutex
	w  io.Writer
}

// Notify prints n's Slack rendering as plain text.
func (t *terminal) Notify(_ context.Context, n *notify.Notice) error {
	body, err := notify.RenderSlack(n)
	if err != nil {
		return err
	}
	text, err := slackToText(body)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, err = io.WriteString(t.w, text)
	return err
}

type textObj struct {
	Text string `json:"text"`
}

type block struct {
	Type     string    `json:"type"`
	Text     *textObj  `json:"text"`
	Fields   []textObj `json:"fields"`
	Elements []textObj `json:"elements"`
}

var (
	slackLinkRe = regexp.MustCompile(`<([^|>]+)\|([^>]+)>`)
	bareLinkRe  = regexp.MustCompile(`<(https?://[^>]+)>`)
	boldRe      = regexp.MustCompile(`\*([^*\n]+)\*`)
	emojiNames  = strings.NewReplacer(
		":twisted_rightwards_arrows:", "⇄", ":rotating_light:", "🚨", ":white_check_mark:", "✅",
		":x:", "❌", ":octagonal_sign:", "🛑", ":rewind:", "⏪", ":hourglass_flowing_sand:", "⏳",
		":rocket:", "🚀", ":bell:", "🔔", ":grey_question:", "❔", ":warning:", "⚠️", ":wrench:", "🔧",
		":arrows_counterclockwise:", "🔄", ":leftwards_arrow_with_hook:", "↩",
		":memo:", "📝", ":information_source:", "ℹ", ":link:", "🔗", ":hourglass:", "⌛",
	)
	unescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// mrkdwnToText turns Slack mrkdwn into readable plain text.
func mrkdwnToText(s string) string {
	s = slackLinkRe.ReplaceAllString(s, "$2 ($1)")
	s = bareLinkRe.ReplaceAllString(s, "$1")
	s = emojiNames.Replace(s)
	s = boldRe.ReplaceAllString(s, "$1")
	s = strings.ReplaceAll(s, "`", "")
	return unescape.Replace(s)
}

// slackToText renders a Slack webhook body as indented plain text.
func slackToText(body []byte) (string, error) {
	var msg struct {
		Blocks      []block `json:"blocks"`
		Attachments []struct {
			Color  string  `json:"color"`
			Blocks []block `json:"blocks"`
		} `json:"attachments"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		return "", fmt.Errorf("terminal: %w", err)
	}
	var b strings.Builder
	write := func(prefix string, blocks []block) {
		for _, bl := range blocks {
			var parts []string
			if bl.Text != nil {
				parts = append(parts, bl.Text.Text)
			}
			for _, f := range bl.Fields {
				parts = append(parts, strings.ReplaceAll(f.Text, "\n", " "))
			}
			for _, e := range bl.Elements {
				parts = append(parts, e.Text)
			}
			for _, p := range parts {
				for _, line := range strings.Split(mrkdwnToText(p), "\n") {
					b.WriteString(prefix + line + "\n")
				}
			}
		}
	}
	write("  ", msg.Blocks)
	for _, a := range msg.Attachments {
		write("  │ ", a.Blocks)
	}
	b.WriteString("\n")
	return b.String(), nil
}
