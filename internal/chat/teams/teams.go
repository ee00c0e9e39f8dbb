// Package teams is the Microsoft Teams destination: it formats a message
// as an Adaptive Card 1.4 (1.5 cards do not render when a flow posts them)
// and posts it to a Power Automate Workflows webhook, the "Post to a
// channel when a webhook request is received" flow that replaced Office
// 365 connectors.
//
// Every span of deployment text is escaped for the Markdown of
// TextBlocks, with mentions and autolinks broken, so only the card's own
// Action.OpenUrl buttons link anywhere. The body is kept under Teams'
// 28 KB message limit before it is sent: optional parts are dropped and
// long text cut visibly, and a card that still does not fit is a
// permanent error; an oversize card is never sent.
//
// The webhook answers 202 Accepted with an empty body as soon as the flow
// is queued: the flow then runs on its own, so a flow that fails later
// (a bad card, a channel the flow cannot post to) is invisible to
// cutover, and delivery records it as sent. Workflows webhooks cannot
// @mention reliably, so a destination with configured mentions is refused.
package teams

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/retry"
)

// Type names this destination type in configuration and receipts.
const Type = "teams"

// ErrMentions is why a Teams destination refuses configured mentions.
var ErrMentions = errors.New("teams: Workflows webhooks cannot @mention reliably (a mention needs an entity the flow does not pass on); remove \"mention\" from this destination, cutover does not drop it silently")

// Notifier posts messages to a Teams Workflows webhook.
type Notifier struct {
	url    string
	poster *chat.Poster
}

var _ chat.Notifier = (*Notifier)(nil)

// New returns a Notifier for the Workflows webhook at webhookURL, posting
// through p (nil: a Poster with default options). The URL is a secret (its
// query holds the flow's signature): it appears in no error, log or
// String output.
func New(webhookURL string, p *chat.Poster) *Notifier {
	if p == nil {
		p = chat.NewPoster(chat.PosterOptions{})
	}
	return &Notifier{url: webhookURL, poster: p}
}

// Build is the chat.Factory of the "teams" destination type: a Workflows
// webhook at spec.URL. It refuses configured mentions (ErrMentions).
func Build(spec chat.Spec, deps chat.Deps) (chat.Notifier, error) {
	if spec.URL.IsZero() {
		return nil, errors.New("a Teams destination needs a Workflows webhook URL")
	}
	if len(spec.Mentions) > 0 {
		return nil, ErrMentions
	}
	return New(spec.URL.Reveal(), deps.Poster), nil
}

// Notify formats n.Message with Format and posts it. Errors read e.g.
// "teams: post: 400 Bad Request: …"; retry.IsPermanent tells whether
// another attempt can help (429 and 5xx are retried by the Poster, other
// 4xx are permanent). The webhook gives no message ID: the receipt only
// names the destination type, and an earlier receipt changes nothing.
func (t *Notifier) Notify(ctx context.Context, n *chat.Notification) (chat.Receipt, error) {
	if n == nil {
		return chat.Receipt{}, retry.Permanent(errors.New("teams: nil notification"))
	}
	body, err := Format(n.Message, nil)
	if err != nil {
		return chat.Receipt{}, retry.Permanent(fmt.Errorf("teams: %w", err))
	}
	if _, err := t.poster.Post(ctx, t.url, body, map[string]string{"Content-Type": "application/json"}, Accepted); err != nil {
		return chat.Receipt{}, fmt.Errorf("teams: %w", err)
	}
	return chat.Receipt{Destination: Type}, nil
}

// Accepted is the Validator of Workflows webhooks: 202 Accepted (what a
// flow trigger answers) and 200 OK mean the message was taken. A 200 whose
// body reports a failure (as retired Office 365 connectors did) and any
// other 2xx are permanent errors: the URL is not a Workflows webhook.
func Accepted(status int, body []byte) error {
	switch status {
	case http.StatusAccepted:
		return nil
	case http.StatusOK:
		b := strings.TrimSpace(string(body))
		low := strings.ToLower(b)
		if b == "" || b == "1" || !(strings.Contains(low, "error") || strings.Contains(low, "fail")) {
			return nil
		}
		return retry.Permanent(errors.New("teams: webhook reported a failure: " + plainLine(chat.Redact(b), 200)))
	}
	return retry.Permanent(fmt.Errorf("teams: unexpected status %d %s (a Workflows webhook answers 202)", status, http.StatusText(status)))
}

// String names the destination by host only, e.g.
// "teams(prod-00.westeurope.logic.azure.com:443)".
func (t *Notifier) String() string {
	return "teams(" + chat.Host(t.url) + ")"
}

// GoString keeps %#v from printing the webhook URL.
func (t *Notifier) GoString() string { return t.String() }

// LogValue keeps slog from printing the webhook URL.
func (t *Notifier) LogValue() slog.Value { return slog.StringValue(t.String()) }

// MaxPayload is the largest body cutover sends: Teams takes 28 KB per
// message, counted here as 28,000 bytes to be within it whichever way a
// kilobyte is read.
const MaxPayload = 28_000

// Render returns the exact JSON body Teams is sent for n: Format of
// message.Build(n), without mentions.
func Render(n *message.Notice) ([]byte, error) {
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	return Format(message.Build(n), nil)
}

// RenderSpec is Render for the destination spec configures (a Teams
// destination takes no mentions: Format refuses them).
func RenderSpec(n *message.Notice, spec chat.Spec) ([]byte, error) {
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	return Format(message.Build(n), spec.Mentions)
}

// Format returns the exact JSON body a Workflows webhook is sent for m. It
// is pure: the same Message always gives the same bytes. Mentions must be
// empty (ErrMentions): a Workflows webhook cannot render them reliably,
// and cutover does not drop them silently. The body is at most MaxPayload
// bytes: when the full card is larger, Format drops optional parts (log
// tail, task sets, lifecycle, commands, list items, facts) and cuts long
// text, saying so on the card; when even the smallest card is too large it
// returns an error.
func Format(m *message.Message, mentions []string) ([]byte, error) {
	if m == nil {
		return nil, errors.New("render: nil message")
	}
	if len(mentions) > 0 {
		return nil, ErrMentions
	}
	var size int
	for i, lv := range levels {
		body, err := chat.EncodeJSON(buildCard(m, lv, i > 0))
		if err != nil {
			return nil, fmt.Errorf("render: %w", err)
		}
		if len(body) <= MaxPayload {
			return body, nil
		}
		size = len(body)
	}
	return nil, fmt.Errorf("render: the smallest Teams card is %d bytes, over the %d-byte limit", size, MaxPayload)
}

// level bounds what a card shows; levels go from the full card to the
// smallest one.
type level struct {
	logLines, logChars int // 0 logLines: no log tail
	errorChars         int
	listItems          int // per list (lifecycle, task sets, actions)
	facts              int
	notes              int // failure notes
	taskSets           bool
	lifecycle          bool
	commands           bool
	hint               bool
	footer             bool
	buttons            int
}

var levels = []level{
	{logLines: 30, logChars: 1500, errorChars: 3000, listItems: 25, facts: 20, notes: 10, taskSets: true, lifecycle: true, commands: true, hint: true, footer: true, buttons: 6},
	{logLines: 10, logChars: 600, errorChars: 1500, listItems: 10, facts: 12, notes: 5, taskSets: true, lifecycle: true, commands: true, hint: true, footer: true, buttons: 6},
	{errorChars: 600, listItems: 5, facts: 10, notes: 2, commands: true, hint: true, footer: true, buttons: 6},
	{errorChars: 200, listItems: 3, facts: 6, buttons: 3},
	{errorChars: 100, facts: 3, buttons: 1},
}

// Colours by severity: Adaptive Card named colours and container styles
// (hex colours are not allowed in TextBlocks).
var (
	colors = map[message.Severity]string{
		message.Good:    "good",
		message.Info:    "accent",
		message.Warning: "warning",
		message.Danger:  "attention",
		message.Neutral: "default",
	}
	styles = map[message.Severity]string{
		message.Good:    "good",
		message.Info:    "accent",
		message.Warning: "warning",
		message.Danger:  "attention",
		message.Neutral: "emphasis",
	}
)

// color is the named colour of severity s, "default" for one it does not
// know.
func color(s message.Severity) string {
	if c, ok := colors[s]; ok {
		return c
	}
	return "default"
}

// style is the container style of severity s, "emphasis" for one it does
// not know.
func style(s message.Severity) string {
	if c, ok := styles[s]; ok {
		return c
	}
	return "emphasis"
}

// Bounds of single texts, in characters.
const (
	maxValue    = 200  // an outside value without its own Max
	maxCode     = 500  // a code span without its own Max, a command
	maxFallback = 400  // the card's fallback text
	maxButton   = 50   // a button title
	maxURL      = 2000 // a button URL
	maxLong     = 3000 // a long span of outside text
)

// buildCard is the card for m within lv; shrunk marks a card that left
// something out to fit.
func buildCard(m *message.Message, lv level, shrunk bool) envelope {
	head := []element{}
	title := m.Icon.Emoji() + " " + escape(m.Title)
	if s := render(m.Subject); s != "" {
		title += " " + s
	}
	tb := textBlock(title)
	tb.Weight, tb.Size, tb.Color = "Bolder", "Medium", color(m.Severity)
	head = append(head, tb)
	if dl := m.Deadline; dl != nil {
		if text := line(dl.Text, maxValue); text != "" {
			b := textBlock(message.IconWarning.Emoji() + " " + text)
			if dl.Open {
				b = textBlock(message.IconDeadline.Emoji() + " **" + text + "**")
				b.Color = "attention"
			}
			b.Spacing = "Small"
			head = append(head, b)
		}
	}
	if s := render(m.Summary); s != "" {
		b := textBlock(s)
		b.Spacing = "Small"
		head = append(head, b)
	}
	body := []element{{Type: "Container", Style: style(m.Severity), Bleed: true, Items: head}}

	if facts := factSet(m.Fields, lv.facts); len(facts) > 0 {
		body = append(body, element{Type: "FactSet", Facts: facts})
	}
	body = append(body, errorBlocks(m.Error, lv)...)
	if lv.lifecycle {
		body = append(body, listBlocks(m.Lifecycle, lv.listItems, "• ")...)
	}
	body = append(body, failureBlocks(m.Failure, lv)...)
	if lv.taskSets {
		body = append(body, listBlocks(m.TaskSets, lv.listItems, "")...)
	}
	if lv.commands {
		body = append(body, commandBlocks(m.Commands)...)
	}
	body = append(body, listBlocks(m.Checks, lv.listItems, "")...)
	body = append(body, listBlocks(m.Actions, lv.listItems, "")...)
	if lv.hint && m.Hint != "" {
		b := textBlock(message.IconInfo.Emoji() + " " + escape(m.Hint))
		b.IsSubtle = true
		body = append(body, b)
	}
	if shrunk {
		b := textBlock(escape("Some details were left out to fit the Teams message size limit."))
		b.IsSubtle, b.Size = true, "Small"
		body = append(body, b)
	}
	if lv.footer {
		if f := footerText(m.Footer); f != "" {
			b := textBlock(f)
			b.IsSubtle, b.Size, b.Separator = true, "Small", true
			body = append(body, b)
		}
	}
	fallback := plainLine(plainText(m.Fallback), maxFallback)
	if fallback == "" {
		fallback = plainLine(m.Title, maxFallback)
	}
	return envelope{
		Type: "message",
		Attachments: []attachment{{
			ContentType: cardContentType,
			Content: card{
				Type:         "AdaptiveCard",
				Schema:       cardSchema,
				Version:      cardVersion,
				FallbackText: fallback,
				MSTeams:      msteams{Width: "Full"},
				Body:         body,
				Actions:      buttons(m, lv.buttons),
			},
		}},
	}
}

// spanText is a span's text escaped: outside text cleaned and cut to its
// Max (visibly when Long), cutover's wording as is.
func spanText(s message.Span) string {
	switch {
	case s.Max == 0 && s.Kind != message.Code:
		return escape(s.Text)
	case s.Long:
		return cut(message.Clean(s.Text, false), min(s.Max, maxLong), true)
	}
	limit := s.Max
	if limit == 0 {
		limit = maxCode
	}
	return line(s.Text, limit)
}

// render is t as TextBlock Markdown. Links show their label only: the
// card's buttons carry the URLs. Code shows as plain text (TextBlock
// Markdown has no code).
func render(t message.Text) string {
	var b strings.Builder
	for _, s := range t {
		switch s.Kind {
		case message.Emoji:
			b.WriteString(s.Icon.Emoji())
		case message.Strong:
			if text := spanText(s); text != "" {
				b.WriteString("**" + text + "**")
			}
		default:
			b.WriteString(spanText(s))
		}
	}
	return strings.TrimSpace(b.String())
}

// plainText is t as plain text, for the fallback: no Markdown, no escapes.
func plainText(t message.Text) string {
	var b strings.Builder
	for _, s := range t {
		if s.Kind == message.Emoji {
			b.WriteString(s.Icon.Emoji())
			continue
		}
		b.WriteString(s.Text)
	}
	return b.String()
}

// factSet is the fields as facts, at most n.
func factSet(fs []message.Field, n int) []fact {
	var out []fact
	for _, f := range fs {
		v := render(f.Value)
		if v == "" || len(out) == n {
			continue
		}
		out = append(out, fact{Title: escape(f.Label), Value: v})
	}
	return out
}

// errorBlocks show the deployment's error code and message, and the
// rollback message.
func errorBlocks(e *message.Error, lv level) []element {
	if e == nil {
		return nil
	}
	var out []element
	if e.Title != "" {
		head := "**" + escape(e.Title) + "**"
		if c := line(e.Code, 100); c != "" {
			head += " " + c
		}
		b := textBlock(head)
		b.Color, b.Separator = "attention", true
		out = append(out, b)
		if m := message.Clean(e.Message, true); m != "" {
			b := textBlock(paragraphs(cut(m, lv.errorChars, true)))
			b.Spacing = "Small"
			out = append(out, b)
		}
	}
	if e.RollbackTitle != "" {
		if m := line(e.Rollback, 400); m != "" {
			out = append(out, textBlock("**"+escape(e.RollbackTitle)+"** "+m))
		}
	}
	return out
}

// paragraphs makes the lines of escaped text into Markdown paragraphs,
// which TextBlocks show on lines of their own.
func paragraphs(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n\n")
}

// listBlocks are a titled list, each item a TextBlock after bullet, at
// most maxItems items and a line counting the rest.
func listBlocks(l *message.List, maxItems int, bullet string) []element {
	if l == nil || len(l.Items) == 0 {
		return nil
	}
	title := textBlock("**" + escape(l.Title) + "**")
	title.Separator = true
	out := []element{title}
	shown := 0
	for _, it := range l.Items {
		if shown == maxItems {
			break
		}
		if s := render(it); s != "" {
			b := textBlock(bullet + s)
			b.Spacing = "None"
			out = append(out, b)
		}
		shown++
	}
	if more := len(l.Items) - shown; more > 0 {
		unit := l.Unit
		if more != 1 {
			unit += "s"
		}
		b := textBlock(escape(message.CutMore(more, unit)))
		b.Spacing, b.IsSubtle = "None", true
		out = append(out, b)
	}
	return out
}

// failureBlocks show the failing step, its diagnostic, the status notes
// and the end of the step's log in monospace.
func failureBlocks(f *message.Failure, lv level) []element {
	if f == nil {
		return nil
	}
	var out []element
	for _, t := range []message.Text{f.Head, f.Detail} {
		if s := render(t); s != "" {
			b := textBlock(s)
			b.Spacing = "Small"
			out = append(out, b)
		}
	}
	if len(out) > 0 {
		out[0].Separator = true
	}
	for i, n := range f.Notes {
		if i == lv.notes {
			break
		}
		if s := render(n); s != "" {
			b := textBlock("• " + s)
			b.Spacing = "None"
			out = append(out, b)
		}
	}
	if lv.logLines == 0 {
		return out
	}
	lines, dropped := tail(f.Log, lv.logChars, lv.logLines)
	if len(lines) == 0 {
		return out
	}
	head := "**" + escape(f.LogTitle) + "**"
	if dropped > 0 {
		head += " " + escape(message.CutEarlier(dropped))
	}
	out = append(out, textBlock(head))
	for _, l := range lines {
		b := textBlock(escape(l))
		b.FontType, b.Size, b.Spacing = "Monospace", "Small", "None"
		out = append(out, b)
	}
	return out
}

// tail is the end of an untrusted log: its last non-empty lines, at most
// maxLines lines and limit characters in all, starting at a whole line
// when it can. dropped counts the (cleaned) characters left out before.
func tail(raw string, limit, maxLines int) (lines []string, dropped int) {
	text := message.Clean(raw, true)
	all := strings.Split(text, "\n")
	used, start := 0, len(all)
	for start > 0 && len(all)-start < maxLines {
		l := runes(all[start-1]) + 1
		if used+l > limit {
			break
		}
		used += l
		start--
	}
	if start == len(all) && len(all) > 0 {
		// Even the last line is too long: keep its end.
		last := []rune(all[len(all)-1])
		keep := string(last[max(len(last)-limit, 0):])
		return []string{"…" + keep}, runes(text) - runes(keep)
	}
	for _, l := range all[start:] {
		if strings.TrimSpace(l) != "" {
			lines = append(lines, l)
		}
	}
	return lines, runes(strings.Join(all[:start], "\n"))
}

// commandBlocks give the commands to copy, in monospace.
func commandBlocks(cmds []message.Command) []element {
	var out []element
	for _, c := range cmds {
		cmd := line(c.Command, maxCode)
		if cmd == "" {
			continue
		}
		head := "**" + escape(c.Title) + "**"
		if c.Note != "" {
			head += " " + escape("("+c.Note+")")
		}
		h := textBlock(head)
		if len(out) == 0 {
			h.Separator = true
		}
		b := textBlock(cmd)
		b.FontType, b.Spacing = "Monospace", "None"
		out = append(out, h, b)
	}
	return out
}

// footerText is the line of small facts. A part that holds a link is left
// out: the buttons carry links.
func footerText(parts []message.Text) string {
	var out []string
	for _, p := range parts {
		linked := false
		for _, s := range p {
			linked = linked || s.Kind == message.Link
		}
		if s := render(p); s != "" && !linked {
			out = append(out, s)
		}
	}
	return strings.Join(out, " · ")
}

// buttons are the message's links as Action.OpenUrl buttons, at most n:
// the footer's (the CodeDeploy console), the console links, then those of
// the subject and summary, each URL once. Links that are not plain http or
// https URLs are left out.
func buttons(m *message.Message, n int) []button {
	var spans []message.Span
	for _, p := range m.Footer {
		spans = append(spans, p...)
	}
	spans = append(spans, m.Links...)
	spans = append(spans, m.Subject...)
	spans = append(spans, m.Summary...)
	var out []button
	seen := map[string]bool{}
	for _, s := range spans {
		if len(out) == n {
			break
		}
		if s.Kind != message.Link || !safeURL(s.URL) || seen[s.URL] {
			continue
		}
		title := plainLine(s.Text, maxButton)
		if title == "" {
			continue
		}
		seen[s.URL] = true
		out = append(out, button{Type: "Action.OpenUrl", Title: title, URL: s.URL})
	}
	return out
}

// safeURL reports whether u is an absolute http or https URL with a host,
// of printable ASCII without spaces, quotes or angle brackets.
func safeURL(u string) bool {
	if len(u) > maxURL {
		return false
	}
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`' {
			return false
		}
	}
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "https" || p.Scheme == "http") && p.Host != "" && p.User == nil
}
