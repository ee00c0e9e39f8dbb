package googlechat

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/cutover-dev/cutover/internal/chat"
	"github.com/cutover-dev/cutover/internal/message"
)

// Google Chat's limits, and the tighter ones cutover keeps to.
const (
	// MaxBytes is Google Chat's limit on one message (text and cards).
	MaxBytes = 32000
	// maxWidgets is Google Chat's limit per card (the rest are dropped).
	maxWidgets = 100
	// maxThreadKey bounds the thread key (Google takes 4,000 characters).
	maxThreadKey = 100
	// maxFallback bounds the message text, in runes.
	maxFallback = 400
	// maxHeader bounds the card's title and subtitle, in runes.
	maxHeader = 200
	// maxMentions bounds the configured mentions rendered.
	maxMentions = 20
)

// budget bounds the parts of a card. Format tries budgets from the most
// generous until the message fits MaxBytes, then falls back to a minimal
// card that says it was shortened.
type budget struct {
	value     int // a single-line span, in runes (spans have their own Max too)
	long      int // a long span (error text, diagnostics), in runes
	errorText int // the deployment's error message, in runes
	logTail   int // the end of the failing step's log, in runes
	logLines  int
	items     int // lifecycle steps, actions
	taskSets  int
	command   int // one command, in runes
	buttons   int
	fields    int
	paragraph int // one list paragraph, in bytes
}

var budgets = []budget{
	{value: 600, long: 600, errorText: 3000, logTail: 1500, logLines: 30, items: 25, taskSets: 4, command: 500, buttons: 6, fields: 12, paragraph: 6000},
	{value: 120, long: 300, errorText: 800, logTail: 400, logLines: 8, items: 10, taskSets: 2, command: 300, buttons: 4, fields: 8, paragraph: 2000},
}

// Header colours of the severity line, Google's palette.
var colors = map[message.Severity]string{
	message.Good:    "#188038",
	message.Info:    "#1A73E8",
	message.Warning: "#E37400",
	message.Danger:  "#D93025",
	message.Neutral: "#5F6368",
}

// The cardsV2 message, as much of it as cutover sends.
type (
	chatMessage struct {
		Text    string    `json:"text"`
		CardsV2 []cardV2  `json:"cardsV2"`
		Thread  *threadID `json:"thread,omitempty"`
	}
	threadID struct {
		ThreadKey string `json:"threadKey"`
	}
	cardV2 struct {
		CardID string `json:"cardId"`
		Card   card   `json:"card"`
	}
	card struct {
		Header   header    `json:"header"`
		Sections []section `json:"sections"`
	}
	header struct {
		Title    string `json:"title"`
		Subtitle string `json:"subtitle,omitempty"`
	}
	section struct {
		Header                    string   `json:"header,omitempty"`
		Collapsible               bool     `json:"collapsible,omitempty"`
		UncollapsibleWidgetsCount int      `json:"uncollapsibleWidgetsCount,omitempty"`
		Widgets                   []widget `json:"widgets"`
	}
	widget struct {
		DecoratedText *decoratedText `json:"decoratedText,omitempty"`
		TextParagraph *textParagraph `json:"textParagraph,omitempty"`
		ButtonList    *buttonList    `json:"buttonList,omitempty"`
	}
	decoratedText struct {
		TopLabel string `json:"topLabel"`
		Text     string `json:"text"`
		WrapText bool   `json:"wrapText"`
	}
	textParagraph struct {
		Text string `json:"text"`
	}
	buttonList struct {
		Buttons []button `json:"buttons"`
	}
	button struct {
		Text    string  `json:"text"`
		OnClick onClick `json:"onClick"`
	}
	onClick struct {
		OpenLink openLink `json:"openLink"`
	}
	openLink struct {
		URL string `json:"url"`
	}
)

// Render returns the exact JSON body Google Chat is sent for n, in the
// thread of n's deployment and without mentions: Format of
// message.Build(n).
func Render(n *message.Notice) ([]byte, error) {
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	return Format(message.Build(n), ThreadKey(n.Event.DeploymentID), nil)
}

// RenderSpec is Render for the destination spec configures: its mentions
// included, exactly as it sends.
func RenderSpec(n *message.Notice, spec chat.Spec) ([]byte, error) {
	if n == nil {
		return nil, errors.New("render: nil notice")
	}
	return Format(message.Build(n), ThreadKey(n.Event.DeploymentID), spec.Mentions)
}

// Format returns the exact JSON body Google Chat is sent for m: a text
// (the fallback line, then the mentions when m reports something gone
// wrong) and one card, in the thread threadKey ("" for none). It is pure:
// the same arguments always give the same bytes. Every piece of text from
// outside is cleaned and escaped so that it shows as written and can
// neither mention anyone nor make a link; only http(s) URLs of link spans
// become links and buttons. The body is at most MaxBytes: a message that
// would be longer is shortened visibly.
func Format(m *message.Message, threadKey string, mentions []string) ([]byte, error) {
	if m == nil {
		return nil, errors.New("render: nil message")
	}
	pings, err := renderMentions(mentions)
	if err != nil {
		return nil, err
	}
	text := cut(chatText(m.Fallback), maxFallback)
	if text == "" {
		text = chatText(message.Text{{Text: m.Title}})
	}
	if m.Severity == message.Danger && len(pings) > 0 {
		text += "\n" + strings.Join(pings, " ")
	}
	msg := chatMessage{Text: text}
	if threadKey != "" {
		msg.Thread = &threadID{ThreadKey: threadKey}
	}
	for _, b := range budgets {
		msg.CardsV2 = []cardV2{{CardID: "cutover", Card: buildCard(m, b)}}
		body, err := encode(msg)
		if err != nil || len(body) <= MaxBytes {
			return body, err
		}
	}
	msg.CardsV2 = []cardV2{{CardID: "cutover", Card: minimalCard(m)}}
	body, err := encode(msg)
	if err == nil && len(body) > MaxBytes {
		return nil, fmt.Errorf("render: %d bytes, Google Chat takes at most %d", len(body), MaxBytes)
	}
	return body, err
}

// encode is msg as JSON without HTML escaping (the card text is HTML).
func encode(msg chatMessage) ([]byte, error) {
	body, err := chat.EncodeJSON(msg)
	if err != nil {
		return nil, fmt.Errorf("render: %w", err)
	}
	return body, nil
}

// cardHeader is the card's header: icon and title, and which deployment.
func cardHeader(m *message.Message) header {
	return header{
		Title:    cut(m.Icon.Emoji()+" "+escape(message.Line(m.Title)), maxHeader),
		Subtitle: cut(plainHTML(m.Summary), maxHeader),
	}
}

// buildCard lays m out as one card within b.
func buildCard(m *message.Message, b budget) card {
	r := renderer{b: b}
	var top []widget
	if s := r.html(m.Subject); s != "" {
		top = append(top, paragraph(s))
	}
	if dl := m.Deadline; dl != nil {
		if t := r.line(dl.Text, b.value); t != "" {
			if dl.Open {
				t = message.IconDeadline.Emoji() + " <b>" + t + "</b>"
			} else {
				t = message.IconWarning.Emoji() + " " + t
			}
			top = append(top, paragraph(`<font color="`+colors[m.Severity]+`">`+t+`</font>`))
		}
	}
	for _, f := range m.Fields {
		v := r.html(f.Value)
		if v == "" || len(top) >= b.fields+2 {
			continue
		}
		top = append(top, widget{DecoratedText: &decoratedText{TopLabel: cut(escape(message.Line(f.Label)), maxHeader), Text: v, WrapText: true}})
	}
	sections := []section{{Widgets: top}}
	add := func(title string, ws ...widget) {
		var keep []widget
		for _, w := range ws {
			if w != (widget{}) {
				keep = append(keep, w)
			}
		}
		if len(keep) > 0 {
			sections = append(sections, section{Header: title, Widgets: keep})
		}
	}
	if e := m.Error; e != nil {
		add(escape(e.Title), paragraph(r.errorText(e)))
	}
	if l := m.Lifecycle; l != nil {
		add(escape(l.Title), paragraph(r.list(l, b.items, "• ")))
	}
	if f := m.Failure; f != nil {
		add("", r.failure(f)...)
	}
	if l := m.TaskSets; l != nil {
		add(escape(l.Title), paragraph(r.list(l, b.taskSets, "")))
	}
	if len(m.Commands) > 0 {
		var ws []widget
		for _, c := range m.Commands {
			if line := r.line(c.Command, b.command); line != "" {
				label := escape(c.Title)
				if c.Note != "" {
					label += " (" + escape(c.Note) + ")"
				}
				ws = append(ws, widget{DecoratedText: &decoratedText{TopLabel: label, Text: `<font color="#5F6368">` + line + `</font>`, WrapText: true}})
			}
		}
		add("Commands", ws...)
	}
	if l := m.Checks; l != nil {
		add(escape(l.Title), paragraph(r.list(l, b.items, "")))
	}
	if l := m.Actions; l != nil {
		add(escape(l.Title), paragraph(r.list(l, b.items, "")))
	}
	var last []widget
	if btns := r.buttons(m.Links); len(btns) > 0 {
		last = append(last, widget{ButtonList: &buttonList{Buttons: btns}})
	}
	if m.Hint != "" {
		last = append(last, paragraph(message.IconInfo.Emoji()+" "+escape(m.Hint)))
	}
	if f := r.footer(m.Footer); f != "" {
		last = append(last, paragraph(`<font color="#5F6368">`+f+`</font>`))
	}
	add("", last...)
	if len(sections[0].Widgets) == 0 {
		sections = sections[1:]
	}
	if len(sections) == 0 {
		sections = []section{{Widgets: []widget{paragraph(escape(message.Line(m.Title)))}}}
	}
	return card{Header: cardHeader(m), Sections: capWidgets(sections)}
}

// capWidgets keeps the first maxWidgets widgets: Google drops the rest.
func capWidgets(sections []section) []section {
	n := 0
	for i := range sections {
		if n+len(sections[i].Widgets) > maxWidgets {
			sections[i].Widgets = sections[i].Widgets[:maxWidgets-n]
			return sections[:i+1]
		}
		n += len(sections[i].Widgets)
	}
	return sections
}

// minimalCard is the card of a message that does not fit even the
// smallest budget: the headline and the fallback line, and a note.
func minimalCard(m *message.Message) card {
	return card{Header: cardHeader(m), Sections: []section{{Widgets: []widget{
		paragraph(cut(escape(message.Line(chatPlain(m.Fallback))), 2*maxFallback)),
		paragraph(`<font color="#5F6368">` + message.IconInfo.Emoji() + " Details left out: the message was longer than Google Chat's 32,000 bytes.</font>"),
	}}}}
}

func paragraph(html string) widget {
	if html == "" {
		return widget{}
	}
	return widget{TextParagraph: &textParagraph{Text: html}}
}

// renderer renders text within a budget.
type renderer struct{ b budget }

// limit is the rune limit of span s under the budget.
func (r renderer) limit(s message.Span) int {
	lim := r.b.value
	if s.Long {
		lim = r.b.long
	}
	if s.Max > 0 && s.Max < lim {
		lim = s.Max
	}
	return lim
}

// spanText is s's text for a card: outside text cleaned, cut and escaped,
// cutover's wording escaped.
func (r renderer) spanText(s message.Span) string {
	switch {
	case s.Max == 0 && s.Kind != message.Code:
		return br(escape(s.Text))
	case s.Long:
		return truncate(message.Clean(s.Text, true), r.limit(s), true)
	}
	return r.line(s.Text, r.limit(s))
}

// line is untrusted s on one line, escaped, at most limit runes.
func (r renderer) line(s string, limit int) string { return truncate(message.Line(s), limit, false) }

// html is t as card HTML: links to http(s) URLs as <a>, strong as <b>,
// line breaks as <br>.
func (r renderer) html(t message.Text) string {
	var b strings.Builder
	for _, s := range t {
		switch s.Kind {
		case message.Emoji:
			b.WriteString(s.Icon.Emoji())
		case message.Link:
			label := r.spanText(s)
			if safeURL(s.URL) && label != "" {
				b.WriteString(`<a href="` + strings.ReplaceAll(s.URL, "&", "&amp;") + `">` + label + `</a>`)
			} else {
				b.WriteString(label)
			}
		case message.Strong:
			if t := r.spanText(s); t != "" {
				b.WriteString("<b>" + t + "</b>")
			}
		default:
			b.WriteString(r.spanText(s))
		}
	}
	return strings.TrimSpace(b.String())
}

// errorText is the deployment's error: code, message, rollback message.
func (r renderer) errorText(e *message.Error) string {
	var parts []string
	if c := r.line(e.Code, 100); c != "" {
		parts = append(parts, "<b>"+c+"</b>")
	}
	if m := message.Clean(e.Message, true); m != "" {
		parts = append(parts, truncate(m, r.b.errorText, true))
	}
	if e.RollbackTitle != "" {
		if m := r.line(e.Rollback, 2*r.b.value); m != "" {
			parts = append(parts, "<b>"+escape(e.RollbackTitle)+"</b> "+m)
		}
	}
	return strings.Join(parts, "<br>")
}

// list is l's items, one a line after bullet, at most maxItems items and
// the paragraph budget, saying how many were left out.
func (r renderer) list(l *message.List, maxItems int, bullet string) string {
	var b strings.Builder
	shown := 0
	for _, it := range l.Items {
		line := r.html(it)
		if line == "" {
			continue
		}
		if shown == maxItems || b.Len()+len(line)+len(bullet)+4 > r.b.paragraph {
			break
		}
		if shown > 0 {
			b.WriteString("<br>")
		}
		b.WriteString(bullet + line)
		shown++
	}
	if more := len(l.Items) - shown; more > 0 && shown > 0 {
		unit := l.Unit
		if more != 1 {
			unit += "s"
		}
		b.WriteString("<br>" + escape(message.CutMore(more, unit)))
	}
	return b.String()
}

// failure is the failing step and the end of its log.
func (r renderer) failure(f *message.Failure) []widget {
	var lines []string
	for _, t := range append([]message.Text{f.Head, f.Detail}, f.Notes...) {
		if s := r.html(t); s != "" {
			lines = append(lines, s)
		}
	}
	ws := []widget{paragraph(strings.Join(lines, "<br>"))}
	if tail, dropped := tailText(f.Log, r.b.logTail, r.b.logLines); tail != "" {
		head := "<b>" + escape(f.LogTitle) + "</b>"
		if dropped > 0 {
			head += " " + message.CutEarlier(dropped)
		}
		head += "<br>"
		ws = append(ws, paragraph(head+`<font color="#5F6368">`+tail+`</font>`))
	}
	return ws
}

// buttons are the console links as link buttons, http(s) URLs only.
func (r renderer) buttons(links []message.Span) []button {
	var out []button
	for _, l := range links {
		label := plainHTML(message.Text{l})
		if label == "" || !safeURL(l.URL) || len(out) == r.b.buttons {
			continue
		}
		out = append(out, button{Text: cut(label, 80), OnClick: onClick{OpenLink: openLink{URL: l.URL}}})
	}
	return out
}

// footer is the small print on one line; links to http(s) URLs only.
func (r renderer) footer(parts []message.Text) string {
	var out []string
	for _, p := range parts {
		if s := r.html(p); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " · ")
}

// plainHTML is t escaped for card HTML without any tag (for headers and
// button labels): links show their label only.
func plainHTML(t message.Text) string {
	return escape(message.Line(chatPlain(t)))
}

// chatPlain is t's text without markup: emoji for icons, labels for
// links, outside text cleaned and cut to its Max.
func chatPlain(t message.Text) string {
	var b strings.Builder
	for _, s := range t {
		switch {
		case s.Kind == message.Emoji:
			b.WriteString(s.Icon.Emoji())
		case s.Max > 0 || s.Kind == message.Code:
			lim := s.Max
			if lim <= 0 {
				lim = 200
			}
			b.WriteString(cutPlain(message.Line(s.Text), lim))
		default:
			b.WriteString(s.Text)
		}
	}
	return b.String()
}

// chatText is t for the message text, where Google Chat reads its own
// markup (*bold*, _italic_, ~strike~, `code`, <url|label> links,
// <users/…> mentions) and makes links of bare URLs: every markup
// character is replaced by a look-alike that means nothing.
func chatText(t message.Text) string {
	s := message.Line(chatPlain(t))
	if !strings.ContainsAny(s, "<>*_~`") && !strings.Contains(s, "://") {
		return s // what the replacer gives, without its copy
	}
	return chatNeutral.Replace(s)
}

var chatNeutral = strings.NewReplacer(
	"<", "‹", ">", "›", "*", "∗", "_", "ˍ", "~", "∼", "`", "'", "://", ":\u200b//",
)

// mentionID is what a configured user ID may hold.
var mentionID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`) })

// renderMentions turns the configured mentions into Google Chat's syntax:
// "@here", "@channel" and "@everyone" into <users/all>, "user:ID" into
// <users/ID>. Google Chat has no user groups a webhook can mention: a
// "group:ID" is an error, as is any other form.
func renderMentions(mentions []string) ([]string, error) {
	if len(mentions) > maxMentions {
		return nil, fmt.Errorf("at most %d mentions, got %d", maxMentions, len(mentions))
	}
	var out []string
	seen := map[string]bool{}
	for i, m := range mentions {
		var r string
		switch m = strings.TrimSpace(m); {
		case m == "@here" || m == "@channel" || m == "@everyone":
			r = "<users/all>"
		case strings.HasPrefix(m, "user:") && mentionID().MatchString(m[len("user:"):]):
			r = "<users/" + m[len("user:"):] + ">"
		case strings.HasPrefix(m, "group:"):
			return nil, fmt.Errorf("mention %d: Google Chat webhooks cannot mention a group (use \"@here\" or \"user:ID\")", i+1)
		default:
			return nil, fmt.Errorf("mention %d: want \"@here\", \"@channel\", \"@everyone\" or \"user:ID\" (a Google Chat user ID)", i+1)
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out, nil
}

// ThreadKey is the thread key of a deployment's messages: "cutover-" and
// the deployment ID, made of letters, digits, "-", "_" and "." only and at
// most 100 characters; an ID that had to be changed gets a hash of the
// original so that two deployments never share a thread. "" (no thread)
// for an empty ID.
func ThreadKey(deploymentID string) string {
	if deploymentID == "" {
		return ""
	}
	var b strings.Builder
	changed := false
	for _, r := range deploymentID {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' || r == '_' || r == '.' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
			changed = true
		}
	}
	key := "cutover-" + b.String()
	if changed || len(key) > maxThreadKey {
		sum := sha256.Sum256([]byte(deploymentID))
		h := hex.EncodeToString(sum[:6])
		key = key[:min(len(key), maxThreadKey-len(h)-1)] + "-" + h
	}
	return key
}

// safeURL reports whether u is an http(s) URL made only of characters that
// are safe inside an HTML attribute and a JSON string once & is escaped.
func safeURL(u string) bool {
	if (!strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://")) || len(u) > 2000 {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && !strings.ContainsRune("-._~:/?=&%#+$@,;!*()", rune(c)) {
			return false
		}
	}
	return true
}
