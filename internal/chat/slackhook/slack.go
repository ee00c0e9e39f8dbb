package slackhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/retry"
)

// Type names this destination in receipts: a Slack incoming webhook.
const Type = "slackhook"

// Hook posts messages to a Slack incoming webhook.
type Hook struct {
	url      string
	poster   *chat.Poster
	mentions []string // in Slack's syntax
}

var _ chat.Notifier = (*Hook)(nil)

// New returns a Notifier for the incoming webhook at webhookURL, posting
// through p (nil: a Poster with default options). The URL is a secret: it
// appears in no error, log or String output.
func New(webhookURL string, p *chat.Poster) *Hook {
	if p == nil {
		p = chat.NewPoster(chat.PosterOptions{})
	}
	return &Hook{url: webhookURL, poster: p}
}

// Build is the chat.Factory of the "slack" destination type: an incoming
// webhook at spec.URL.
func Build(spec chat.Spec, deps chat.Deps) (chat.Notifier, error) {
	if spec.URL.IsZero() {
		return nil, errors.New("a Slack destination needs a webhook URL")
	}
	mentions, err := ParseMentions(spec.Mentions)
	if err != nil {
		return nil, err
	}
	h := New(spec.URL.Reveal(), deps.Poster)
	h.mentions = mentions
	return h, nil
}

// Notify formats n.Message with Format and posts it. Errors read e.g.
// "slack: post: 404 Not Found: channel_not_found"; retry.IsPermanent tells
// whether another attempt can help. An incoming webhook answers "ok" and
// nothing else: the receipt only names the destination type, and an
// earlier receipt changes nothing (a webhook can neither update nor
// thread).
func (h *Hook) Notify(ctx context.Context, n *chat.Notification) (chat.Receipt, error) {
	if n == nil {
		return chat.Receipt{}, retry.Permanent(errors.New("slack: nil notification"))
	}
	body, err := FormatMentions(n.Message, h.mentions)
	if err != nil {
		return chat.Receipt{}, retry.Permanent(fmt.Errorf("slack: %w", err))
	}
	if _, err := h.poster.Post(ctx, h.url, body, map[string]string{"Content-Type": "application/json"}, chat.AcceptAny); err != nil {
		return chat.Receipt{}, fmt.Errorf("slack: %w", err)
	}
	return chat.Receipt{Destination: Type}, nil
}

// String names the destination by host only, e.g. "slack(hooks.slack.com)".
func (h *Hook) String() string {
	return "slack(" + chat.Host(h.url) + ")"
}

// GoString keeps %#v from printing the webhook URL.
func (h *Hook) GoString() string { return h.String() }

// LogValue keeps slog from printing the webhook URL.
func (h *Hook) LogValue() slog.Value { return slog.StringValue(h.String()) }

// Slack's Block Kit limits, and the tighter ones cutover keeps to.
const (
	slackMaxBlocks      = 50
	slackMaxSectionText = 3000
	slackMaxFields      = 10
	slackMaxFieldText   = 2000
	// slackMaxValue bounds one escaped single-line value.
	slackMaxValue = 200
	// slackMaxFallback bounds the notification text.
	slackMaxFallback  = 400
	slackMaxActions   = 25
	slackMaxLifecycle = 20
	slackMaxTaskSets  = 4
	slackMaxCommand   = 500
	// slackMaxLogTail bounds the log tail shown; slackMaxLogLines the
	// number of its last lines kept.
	slackMaxLogTail  = 1500
	slackMaxLogLines = 30
)

// Colours of the attachment bar, by severity (Slack's brand palette).
const (
	colorGood    = "#2EB67D"
	colorInfo    = "#36C5F0"
	colorWarning = "#ECB22E"
	colorDanger  = "#E01E5A"
	colorNeutral = "#9EA0A4"
)

var colors = map[message.Severity]string{
	message.Good:    colorGood,
	message.Info:    colorInfo,
	message.Warning: colorWarning,
	message.Danger:  colorDanger,
	message.Neutral: colorNeutral,
}

// emojis are Slack's names of the message icons.
var emojis = map[message.Icon]string{
	message.IconStarted:         ":rocket:",
	message.IconTargetStarted:   ":arrow_forward:",
	message.IconWaiting:         ":hourglass_flowing_sand:",
	message.IconTrafficSwitched: ":twisted_rightwards_arrows:",
	message.IconSwitchedBack:    ":leftwards_arrow_with_hook:",
	message.IconRollingBack:     ":rewind:",
	message.IconSucceeded:       ":white_check_mark:",
	message.IconFailed:          ":x:",
	message.IconStopped:         ":octagonal_sign:",
	message.IconTest:            ":bell:",
	message.IconUnknown:         ":grey_question:",
	message.IconDeadline:        ":hourglass:",
	message.IconWarning:         ":warning:",
	message.IconLink:            ":link:",
	message.IconInfo:            ":information_source:",
	message.IconPending:         ":hourglass_flowing_sand:",
	message.IconSkipped:         ":fast_forward:",
	message.IconDryRun:          ":memo:",
}

// emoji is icon's Slack emoji, ":grey_question:" for one it does not know.
func emoji(icon message.Icon) string {
	if e, ok := emojis[icon]; ok {
		return e
	}
	return ":grey_question:"
}

// blockKind is what a block of the body is.
type blockKind uint8

const (
	sectionBlock blockKind = iota // a section of mrkdwn text
	fieldsBlock                   // a section of mrkdwn fields
	contextBlock                  // a context line of mrkdwn
)

// block is one Block Kit block of the body, its text already mrkdwn and
// within Slack's limits.
type block struct {
	kind   blockKind
	text   string
	fields []string
}

// Render returns the exact JSON body Slack is sent for n: Format of
// message.Build(n).
func Render(n *message.Notice) ([]byte, error) {
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	return Format(message.Build(n))
}

// RenderSpec is Render for the destination spec configures: its mentions
// included, exactly as it sends.
func RenderSpec(n *message.Notice, spec chat.Spec) ([]byte, error) {
	mentions, err := ParseMentions(spec.Mentions)
	if err != nil {
		return nil, err
	}
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	return FormatMentions(message.Build(n), mentions)
}

// Format returns the exact JSON body Slack is sent for m. It is pure: the
// same Message always gives the same bytes. All text from outside is
// escaped for Slack mrkdwn and kept within Slack's Block Kit limits; a
// long error message or log is cut visibly ("… (truncated, N more
// characters)").
func Format(m *message.Message) ([]byte, error) {
	return FormatMentions(m, nil)
}

// FormatMentions is Format with the configured mentions (already in
// Slack's syntax, see ParseMentions) put before the headline and the
// notification text when m reports something that went wrong
// (message.Danger). They are the only mentions the body can hold: text
// from a deployment is escaped.
func FormatMentions(m *message.Message, mentions []string) ([]byte, error) {
	b, err := formatBody(m, mentions)
	if err != nil {
		return nil, err
	}
	return b.JSON, nil
}

// Body is the webhook body of a message and its parts, for the Slack app,
// which posts the same text and blocks through chat.postMessage.
type Body struct {
	// JSON is the whole body, as FormatMentions gives it.
	JSON []byte
	// Text is the notification text; Blocks and Attachments are the JSON
	// arrays of the top-level blocks and of the attachments, parts of
	// JSON; Count is the number of blocks in both.
	Text                string
	Blocks, Attachments []byte
	Count               int
}

// FormatBody is FormatMentions with the body's parts.
func FormatBody(m *message.Message, mentions []string) (*Body, error) {
	b, err := formatBody(m, mentions)
	if err != nil {
		return nil, err
	}
	return &b, nil
}

// formatBody is FormatBody, its Body not on the heap for FormatMentions.
func formatBody(m *message.Message, mentions []string) (Body, error) {
	if m == nil {
		return Body{}, errors.New("render: nil message")
	}
	// One scratch buffer holds each block's mrkdwn while it is written;
	// each block's text is then one string.
	b := make([]byte, 0, 2048)
	ping := m.Severity == message.Danger && len(mentions) > 0
	b = appendPing(b, mentions, ping)
	b = append(b, '*')
	b = append(b, emoji(m.Icon)...)
	b = append(b, ' ')
	b = append(b, m.Title...)
	b = append(b, '*')
	b = appendPart(b, " ", m.Subject)
	if dl := m.Deadline; dl != nil {
		if text := esc1(dl.Text, slackMaxValue); text != "" {
			b = append(b, '\n')
			if dl.Open {
				b = append(b, emoji(message.IconDeadline)...)
				b = append(b, " *"...)
				b = append(b, text...)
				b = append(b, '*')
			} else {
				b = append(b, emoji(message.IconWarning)...)
				b = append(b, ' ')
				b = append(b, text...)
			}
		}
	}
	b = appendPart(b, "\n", m.Summary)
	top := [1]block{{kind: sectionBlock, text: clampBytes(b, slackMaxSectionText)}}

	details := make([]block, 0, 12)
	if f := fields(b, m.Fields); len(f) > 0 {
		details = append(details, block{kind: fieldsBlock, fields: f})
	}
	b = append(b[:0], errorText(m.Error)...)
	details = appendSection(details, b)
	b = appendList(b[:0], m.Lifecycle, slackMaxLifecycle, "• ")
	details = appendSection(details, b)
	b = append(b[:0], failureText(m.Failure)...)
	details = appendSection(details, b)
	b = appendList(b[:0], m.TaskSets, slackMaxTaskSets, "")
	details = appendSection(details, b)
	b = append(b[:0], commandsText(m.Commands)...)
	details = appendSection(details, b)
	b = appendList(b[:0], m.Checks, slackMaxActions, "")
	details = appendSection(details, b)
	b = appendList(b[:0], m.Actions, slackMaxActions, "")
	details = appendSection(details, b)
	b = appendLinks(b[:0], m.Links)
	details = appendSection(details, b)
	if m.Hint != "" {
		b = append(b[:0], emoji(message.IconInfo)...)
		b = append(b, ' ')
		b = appendEscape(b, m.Hint)
		details = append(details, block{kind: contextBlock, text: clampBytes(b, slackMaxSectionText)})
	}
	b = appendFooter(b[:0], m.Footer)
	details = append(details, block{kind: contextBlock, text: clampBytes(b, slackMaxSectionText)})

	b = appendPing(b[:0], mentions, ping)
	p := len(b)
	if b = appendText(b, m.Fallback); utf16Len(b[p:]) > slackMaxFallback {
		b = append(b[:p], clampText(string(b[p:]), slackMaxFallback)...)
	}
	return encodeSlack(string(b), top[:], colors[m.Severity], details)
}

// appendPing appends the mentions, each followed by a space, when ping
// is set.
func appendPing(b []byte, mentions []string, ping bool) []byte {
	if !ping {
		return b
	}
	for _, m := range mentions {
		b = append(b, m...)
		b = append(b, ' ')
	}
	return b
}

// appendPart appends sep and t as mrkdwn, or nothing when t shows
// nothing.
func appendPart(b []byte, sep string, t message.Text) []byte {
	n := len(b)
	b = append(b, sep...)
	m := len(b)
	if b = appendText(b, t); len(b) == m {
		return b[:n]
	}
	return b
}

// appendSection adds a section of the mrkdwn in b to blocks, unless b is
// empty.
func appendSection(blocks []block, b []byte) []block {
	if len(b) == 0 {
		return blocks
	}
	return append(blocks, block{kind: sectionBlock, text: clampBytes(b, slackMaxSectionText)})
}

// clampBytes is clampText of b as a string.
func clampBytes(b []byte, limit int) string {
	if utf16Len(b) <= limit {
		return string(b)
	}
	return clampText(string(b), limit)
}

// encodeSlack writes the webhook body: text as the notification
// fallback, the top-level blocks, and one attachment of the colour with
// the detail blocks; byte for byte what encoding/json gave for slack-go's
// types (blocks HTML-escaped, as slack-go marshals them, the text not).
// It refuses a message with more blocks than Slack takes
// (slackMaxBlocks, counting the top-level and attachment blocks): Slack
// would reject the whole message, so a formatter that builds one has a
// bug.
func encodeSlack(text string, top []block, color string, details []block) (Body, error) {
	n := len(top) + len(details)
	if n > slackMaxBlocks {
		return Body{}, fmt.Errorf("render: %d blocks, Slack takes at most %d", n, slackMaxBlocks)
	}
	size := 160 + len(text) + len(color)
	for _, bs := range [2][]block{top, details} {
		for _, b := range bs {
			size += 64 + len(b.text) + len(b.text)/8
			for _, f := range b.fields {
				size += 32 + len(f) + len(f)/8
			}
		}
	}
	buf := make([]byte, 0, size)
	buf = append(buf, `{"text":`...)
	buf = chat.AppendJSONString(buf, text, false)
	buf = append(buf, `,"blocks":`...)
	blocks := len(buf)
	buf = appendBlocks(buf, top)
	blocksEnd := len(buf)
	buf = append(buf, `,"attachments":`...)
	atts := len(buf)
	buf = append(buf, '[', '{')
	if color != "" {
		buf = append(buf, `"color":`...)
		buf = chat.AppendJSONString(buf, color, false)
		buf = append(buf, ',')
	}
	buf = append(buf, `"blocks":`...)
	buf = appendBlocks(buf, details)
	buf = append(buf, '}', ']')
	attsEnd := len(buf)
	buf = append(buf, `,"unfurl_links":false,"unfurl_media":false}`...)
	if !utf8.ValidString(text) {
		text = validText(text) // as the body says it
	}
	return Body{JSON: buf, Text: text, Blocks: buf[blocks:blocksEnd], Attachments: buf[atts:attsEnd], Count: n}, nil
}

// validText is s with each invalid byte U+FFFD, as AppendJSONString
// writes it.
func validText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// appendBlocks appends bs as a JSON array of Block Kit blocks.
func appendBlocks(buf []byte, bs []block) []byte {
	if bs == nil {
		return append(buf, "null"...)
	}
	buf = append(buf, '[')
	for i, b := range bs {
		if i > 0 {
			buf = append(buf, ',')
		}
		switch b.kind {
		case fieldsBlock:
			buf = append(buf, `{"type":"section","fields":[`...)
			for j, f := range b.fields {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = appendMrkdwn(buf, f)
			}
			buf = append(buf, ']', '}')
		case contextBlock:
			buf = append(buf, `{"type":"context","elements":[`...)
			buf = appendMrkdwn(buf, b.text)
			buf = append(buf, ']', '}')
		default:
			buf = append(buf, `{"type":"section","text":`...)
			buf = appendMrkdwn(buf, b.text)
			buf = append(buf, '}')
		}
	}
	return append(buf, ']')
}

// appendMrkdwn appends a mrkdwn text object.
func appendMrkdwn(buf []byte, text string) []byte {
	buf = append(buf, `{"type":"mrkdwn","text":`...)
	buf = chat.AppendJSONString(buf, text, true)
	return append(buf, '}')
}

// spanText is a span's text escaped for mrkdwn: outside text cleaned and
// cut to its Max, cutover's wording as is.
func spanText(s message.Span) string {
	switch {
	case s.Max == 0:
		return escape(s.Text)
	case s.Long:
		return truncate(message.Clean(s.Text, false), s.Max, true)
	}
	return esc1(s.Text, s.Max)
}

// render is t as mrkdwn.
func render(t message.Text) string {
	if len(t) == 1 && t[0].Kind == message.Plain {
		return spanText(t[0]) // what appendText writes, without a buffer
	}
	return string(appendText(nil, t))
}

// appendSpan appends spanText(s).
func appendSpan(b []byte, s message.Span) []byte {
	switch {
	case s.Max == 0:
		return appendEscape(b, s.Text)
	case s.Long:
		return appendTruncate(b, message.Clean(s.Text, false), s.Max, true)
	}
	return appendTruncate(b, message.Line(s.Text), s.Max, false)
}

// appendText appends t as mrkdwn.
func appendText(b []byte, t message.Text) []byte {
	for _, s := range t {
		switch s.Kind {
		case message.Emoji:
			b = append(b, emoji(s.Icon)...)
		case message.Code:
			limit := s.Max
			if limit == 0 {
				limit = slackMaxSectionText
			}
			b = appendCode(b, s.Text, limit)
		case message.Link:
			b = appendLink(b, s)
		case message.Strong:
			b = append(b, '*')
			b = appendSpan(b, s)
			b = append(b, '*')
		default:
			b = appendSpan(b, s)
		}
	}
	return b
}

// fields are the detail fields, "*Label*\nvalue", at most slackMaxFields;
// b is scratch space.
func fields(b []byte, fs []message.Field) []string {
	if len(fs) == 0 {
		return nil
	}
	out := make([]string, 0, min(len(fs), slackMaxFields))
	for _, f := range fs {
		b = append(b[:0], '*')
		b = appendEscape(b, f.Label)
		b = append(b, "*\n"...)
		n := len(b)
		if b = appendText(b, f.Value); len(b) == n || len(out) == slackMaxFields {
			continue
		}
		out = append(out, clampBytes(b, slackMaxFieldText))
	}
	return out
}

// errorText shows the deployment's error code and message, and the
// rollback message; the error message gets whatever room is left.
func errorText(e *message.Error) string {
	if e == nil {
		return ""
	}
	var rollback string
	if e.RollbackTitle != "" {
		if m := esc1(e.Rollback, 2*slackMaxValue); m != "" {
			rollback = "*" + escape(e.RollbackTitle) + "* " + m
		}
	}
	var b strings.Builder
	if e.Title != "" {
		b.WriteString("*" + escape(e.Title) + "*")
		if c := code(e.Code, 100); c != "" {
			b.WriteString(" " + c)
		}
		if m := message.Clean(e.Message, true); m != "" {
			b.WriteString("\n")
			room := slackMaxSectionText - message.UTF16Len(b.String()) - message.UTF16Len(rollback) - 1
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

// appendList appends a titled list within Slack's section limit and at
// most maxItems items, each after bullet, saying how many were left out.
func appendList(b []byte, l *message.List, maxItems int, bullet string) []byte {
	if l == nil || len(l.Items) == 0 {
		return b
	}
	const room = 60 // for the "… (truncated, N more …)" line
	start := len(b)
	b = append(b, '*')
	b = appendEscape(b, l.Title)
	b = append(b, '*')
	used, shown := utf16Len(b[start:]), 0
	for _, it := range l.Items {
		if shown == maxItems {
			break
		}
		n := len(b)
		b = append(b, '\n')
		b = append(b, bullet...)
		b = appendText(b, it)
		l := utf16Len(b[n:])
		if used+l > slackMaxSectionText-room {
			b = b[:n]
			break
		}
		used += l
		shown++
	}
	if more := len(l.Items) - shown; more > 0 {
		unit := l.Unit
		if more != 1 {
			unit += "s"
		}
		b = append(b, '\n')
		b = append(b, message.CutMore(more, unit)...)
	}
	return b
}

// failureText shows the failing step, its diagnostic and CodeDeploy's
// status messages, and the end of the step's log in a code block.
func failureText(f *message.Failure) string {
	if f == nil {
		return ""
	}
	var lines []string
	if s := render(f.Head); s != "" {
		lines = append(lines, s)
	}
	if s := render(f.Detail); s != "" {
		lines = append(lines, s)
	}
	for _, n := range f.Notes {
		if s := render(n); s != "" {
			lines = append(lines, "• "+s)
		}
	}
	if len(lines) == 0 {
		return ""
	}
	text := strings.Join(lines, "\n")
	// The log gets the room left, and shows its end: the error is there.
	const overhead = 80 // "\n*Log tail* … (truncated, N earlier characters)\n```" + "```"
	room := min(slackMaxLogTail, slackMaxSectionText-message.UTF16Len(text)-overhead)
	if room >= 100 {
		if tail, dropped := tailText(f.Log, room, slackMaxLogLines); tail != "" {
			text += "\n*" + escape(f.LogTitle) + "*"
			if dropped > 0 {
				text += " " + message.CutEarlier(dropped)
			}
			text += "\n```" + tail + "```"
		}
	}
	return text
}

// commandsText gives the commands, each in a code block ready to copy.
func commandsText(cmds []message.Command) string {
	parts := make([]string, 0, len(cmds))
	for _, c := range cmds {
		line := esc1(strings.ReplaceAll(c.Command, "`", "'"), slackMaxCommand)
		if line == "" {
			continue
		}
		head := "*" + escape(c.Title) + "*"
		if c.Note != "" {
			head += " (" + escape(c.Note) + ")"
		}
		parts = append(parts, head+"\n```"+line+"```")
	}
	return strings.Join(parts, "\n")
}

// appendLinks appends the console links on one line; a link Slack could
// not show safely is left out.
func appendLinks(b []byte, links []message.Span) []byte {
	start := len(b)
	b = append(b, emoji(message.IconLink)...)
	b = append(b, ' ')
	shown := 0
	for _, l := range links {
		n := len(b)
		if shown > 0 {
			b = append(b, " · "...)
		}
		label := len(b)
		b = appendSpan(b, l)
		if len(b) == label || !safeLinkURL(l.URL) || bytes.IndexByte(b[label:], '|') >= 0 {
			b = b[:n]
			continue
		}
		b = wrapLink(b, label, l.URL)
		shown++
	}
	if shown == 0 {
		return b[:start]
	}
	return b
}

// appendFooter appends the context line; a part whose link Slack could not
// show safely is left out.
func appendFooter(b []byte, parts []message.Text) []byte {
	shown := 0
	for _, p := range parts {
		unsafe := false
		for _, s := range p {
			if s.Kind == message.Link && !safeLinkURL(s.URL) {
				unsafe = true
			}
		}
		if unsafe {
			continue
		}
		n := len(b)
		if shown > 0 {
			b = append(b, " · "...)
		}
		m := len(b)
		if b = appendText(b, p); len(b) == m {
			b = b[:n]
			continue
		}
		shown++
	}
	return b
}

// tailText is the end of an untrusted log for a code block: escaped, at
// most maxLines lines and limit units, starting at a line when it can, with
// backticks made quotes so that the block cannot be closed early. dropped
// counts the (cleaned) characters left out at the start.
func tailText(raw string, limit, maxLines int) (tail string, dropped int) {
	runes := []rune(strings.ReplaceAll(message.Clean(raw, true), "`", "'"))
	if len(runes) == 0 {
		return "", 0
	}
	i := message.TailStart(runes, limit, maxLines, func(r rune) int { return message.UTF16Len(escapeRune(r)) })
	var b strings.Builder
	for _, r := range runes[i:] {
		b.WriteString(escapeRune(r))
	}
	return strings.Trim(b.String(), "\n"), i
}
