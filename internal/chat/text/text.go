// Package text formats a message.Message as plain text for a terminal or a
// log: what `cutover demo` prints. The headline is indented, the details
// follow behind a bar, links show their URL in parentheses and icons are
// Unicode emoji. Formatting is pure, and every piece of outside text is
// cleaned of control characters (a terminal would obey them).
package text

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/message"
)

// Prefixes of the headline lines and of the detail lines.
const (
	headPrefix   = "  "
	detailPrefix = "  │ "
)

// maxLogLines bounds the log lines shown (its end).
const maxLogLines = 30

// glyphs are the icons a terminal shows otherwise than as
// message.Icon.Emoji: in text presentation (no emoji variation selector),
// and a traffic switch as ⇄.
var glyphs = map[message.Icon]string{
	message.IconTargetStarted:   "▶",
	message.IconTrafficSwitched: "⇄",
	message.IconSwitchedBack:    "↩",
	message.IconInfo:            "ℹ",
}

// Emoji is icon as a terminal shows it: its glyph, else its Unicode
// emoji, "❔" for one it does not know.
func Emoji(icon message.Icon) string {
	if g, ok := glyphs[icon]; ok {
		return g
	}
	return icon.Emoji()
}

// Format is m as indented plain text ending in a blank line; "" for nil.
func Format(m *message.Message) string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	b.Grow(2048)
	line := func(prefix, s string) {
		for {
			l, rest, more := strings.Cut(s, "\n")
			b.WriteString(prefix)
			b.WriteString(l)
			b.WriteByte('\n')
			if !more {
				return
			}
			s = rest
		}
	}
	// sc is scratch for the detail lines made of spans: lines writes it
	// as line does a string.
	var sc []byte
	lines := func(prefix string, s []byte) {
		for {
			l, rest, more := bytes.Cut(s, []byte("\n"))
			b.WriteString(prefix)
			b.Write(l)
			b.WriteByte('\n')
			if !more {
				return
			}
			s = rest
		}
	}
	// detailText writes head followed by t as a detail line, unless t
	// shows nothing.
	detailText := func(head string, t message.Text) {
		sc = append(sc[:0], head...)
		n := len(sc)
		if sc = appendInline(sc, t); len(sc) > n {
			lines(detailPrefix, sc)
		}
	}
	head := Emoji(m.Icon) + " " + m.Title
	if s := Inline(m.Subject); s != "" {
		head += " " + s
	}
	line(headPrefix, head)
	if dl := m.Deadline; dl != nil {
		icon := message.IconWarning
		if dl.Open {
			icon = message.IconDeadline
		}
		line(headPrefix, Emoji(icon)+" "+message.Line(dl.Text))
	}
	if s := Inline(m.Summary); s != "" {
		line(headPrefix, s)
	}
	detail := func(s string) {
		if s != "" {
			line(detailPrefix, s)
		}
	}
	for _, f := range m.Fields {
		detailText(f.Label+" ", f.Value)
	}
	if e := m.Error; e != nil {
		if e.Title != "" {
			h := e.Title
			if c := message.Line(e.Code); c != "" {
				h += " " + c
			}
			detail(h)
			detail(message.Clean(e.Message, true))
		}
		if r := message.Line(e.Rollback); r != "" {
			detail(e.RollbackTitle + " " + r)
		}
	}
	list := func(l *message.List, bullet string) {
		if l == nil || len(l.Items) == 0 {
			return
		}
		detail(l.Title)
		for _, it := range l.Items {
			detailText(bullet, it)
		}
	}
	list(m.Lifecycle, "• ")
	if f := m.Failure; f != nil {
		detail(Inline(f.Head))
		detail(Inline(f.Detail))
		for _, n := range f.Notes {
			if s := Inline(n); s != "" {
				detail("• " + s)
			}
		}
		if log, dropped := logTail(f.Log); log != "" {
			h := f.LogTitle
			if dropped > 0 {
				h += " … (" + strconv.Itoa(dropped) + " earlier lines)"
			}
			detail(h)
			detail(log)
		}
	}
	list(m.TaskSets, "")
	for _, c := range m.Commands {
		h := c.Title
		if c.Note != "" {
			h += " (" + c.Note + ")"
		}
		detail(h)
		detail(message.Line(c.Command))
	}
	list(m.Checks, "")
	list(m.Actions, "")
	var links []string
	for _, l := range m.Links {
		if s := Inline(message.Text{l}); s != "" {
			links = append(links, s)
		}
	}
	if len(links) > 0 {
		detail(Emoji(message.IconLink) + " " + strings.Join(links, " · "))
	}
	if m.Hint != "" {
		detail(Emoji(message.IconInfo) + " " + m.Hint)
	}
	sc = sc[:0]
	for _, p := range m.Footer {
		n := len(sc)
		if n > 0 {
			sc = append(sc, " · "...)
		}
		k := len(sc)
		if sc = appendInline(sc, p); len(sc) == k {
			sc = sc[:n]
		}
	}
	if len(sc) > 0 {
		lines(detailPrefix, sc)
	}
	b.WriteString("\n")
	return b.String()
}

// Fallback is m's fallback on one line, e.g. for a log record.
func Fallback(m *message.Message) string {
	if m == nil {
		return ""
	}
	return Inline(m.Fallback)
}

// Inline is t as plain text: outside text cleaned and cut to its Max,
// links as "label (URL)", icons as emoji.
func Inline(t message.Text) string {
	if len(t) == 1 && t[0].Kind == message.Plain {
		return spanText(t[0]) // what appendInline writes, without a copy
	}
	return string(appendInline(nil, t))
}

// appendInline appends Inline(t) to b.
func appendInline(b []byte, t message.Text) []byte {
	for _, s := range t {
		switch s.Kind {
		case message.Emoji:
			b = append(b, Emoji(s.Icon)...)
		case message.Link:
			label := spanText(s)
			b = append(b, label...)
			if u := message.Line(s.URL); u != "" && label != "" {
				b = append(b, " ("...)
				b = append(b, u...)
				b = append(b, ')')
			}
		case message.Code:
			b = append(b, cut(message.Line(s.Text), s.Max, false)...)
		default:
			b = append(b, spanText(s)...)
		}
	}
	return b
}

// spanText is a span's text: cutover's wording as is, outside text
// cleaned and cut.
func spanText(s message.Span) string {
	switch {
	case s.Max == 0:
		return s.Text
	case s.Long:
		return cut(message.Clean(s.Text, false), s.Max, true)
	}
	return cut(message.Line(s.Text), s.Max, false)
}

// cut shortens s to at most limit characters (no limit when 0), marking
// the cut: "…", or when long "… (truncated, N more characters)".
func cut(s string, limit int, long bool) string {
	if limit <= 0 || utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	if !long {
		return strings.TrimRight(string(r[:max(limit-1, 0)]), " ") + "…"
	}
	return strings.TrimRight(string(r[:limit]), " ") + message.CutMark(len(r)-limit, true)
}

// logTail is the end of an untrusted log: cleaned, its last maxLogLines
// lines, and how many lines came before.
func logTail(raw string) (string, int) {
	s := message.Clean(raw, true)
	if s == "" {
		return "", 0
	}
	lines := strings.Split(s, "\n")
	dropped := max(len(lines)-maxLogLines, 0)
	return strings.Join(lines[dropped:], "\n"), dropped
}
