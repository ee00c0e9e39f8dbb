package discord

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/cutover-dev/cutover/internal/message"
)

// part is the description or one field of the embed. Its text comes from
// render, which keeps to the limit it is given, so that the embed can
// shrink its parts to Discord's 6,000 characters over all embeds.
type part struct {
	// name is the field name; "" for the description.
	name   string
	inline bool
	// render gives the text within limit units ("" when there is nothing).
	render func(limit int) string
	// max is the limit the part is first rendered with.
	max int
	// shrink orders the parts that give up room when the embed is too
	// long: lowest first; 0 never shrinks (it is left out last).
	shrink int
	value  string
}

func (p *part) size() int {
	if p.value == "" {
		return 0
	}
	return message.UTF16Len(p.name) + message.UTF16Len(p.value)
}

// fit renders parts into e within Discord's limits: each part at its
// natural size, then, while the embed is over the total limit, the parts
// in shrink order get less room or are left out, and the description says
// how many were.
func fit(e *embed, parts []part) {
	for i := range parts {
		parts[i].value = parts[i].render(parts[i].max)
	}
	fixed := message.UTF16Len(e.Title)
	if e.Footer != nil {
		fixed += message.UTF16Len(e.Footer.Text)
	}
	size := func() int {
		n := fixed
		for i := range parts {
			n += parts[i].size()
		}
		return n
	}
	budget := maxEmbedTotal - noteRoom
	dropped := 0
	if size() > budget {
		order := make([]int, 0, len(parts))
		for i, p := range parts {
			if p.shrink > 0 {
				order = append(order, i)
			}
		}
		// By shrink, then the later part first.
		slices.SortStableFunc(order, func(a, b int) int {
			return cmp.Or(cmp.Compare(parts[a].shrink, parts[b].shrink), cmp.Compare(b, a))
		})
		for _, i := range order {
			over := size() - budget
			if over <= 0 {
				break
			}
			p := &parts[i]
			if p.value == "" {
				continue
			}
			if target := message.UTF16Len(p.value) - over; target >= minPart {
				p.value = clampMarkdown(p.render(target), target)
				continue
			}
			p.value = ""
			if p.name != "" {
				dropped++
			}
		}
		// The last resort: the facts, from the end, then the description.
		for i := len(parts) - 1; i > 0 && size() > budget; i-- {
			if parts[i].value != "" {
				parts[i].value = ""
				dropped++
			}
		}
		if over := size() - budget; over > 0 && len(parts) > 0 {
			parts[0].value = clampMarkdown(parts[0].value, max(message.UTF16Len(parts[0].value)-over, 0))
		}
	}
	for _, p := range parts {
		switch {
		case p.value == "":
		case p.name == "":
			e.Description = p.value
		case len(e.Fields) == maxFields:
			dropped++
		default:
			e.Fields = append(e.Fields, field{Name: p.name, Value: p.value, Inline: p.inline})
		}
	}
	if dropped > 0 {
		unit := " part"
		if dropped > 1 {
			unit += "s"
		}
		note := "… (" + strconv.Itoa(dropped) + " more" + unit + " left out: Discord's length limits)"
		if e.Description != "" {
			note = "\n" + note
		}
		e.Description += note
	}
}

// spanText is a span's text escaped for Discord markdown: outside text
// cleaned and cut to its Max, cutover's wording as is.
func spanText(s message.Span) string {
	switch {
	case s.Max == 0:
		return escape(s.Text)
	case s.Long:
		return truncate(message.Clean(s.Text, false), s.Max, true)
	}
	return esc1(s.Text, s.Max)
}

// render is t as Discord markdown.
func render(t message.Text) string {
	var b strings.Builder
	for _, s := range t {
		switch s.Kind {
		case message.Emoji:
			b.WriteString(s.Icon.Emoji())
		case message.Code:
			limit := s.Max
			if limit == 0 {
				limit = maxFieldValue
			}
			b.WriteString(code(s.Text, limit))
		case message.Link:
			b.WriteString(mdLink(s.URL, spanText(s)))
		case message.Strong:
			if text := spanText(s); text != "" {
				b.WriteString("**" + text + "**")
			}
		default:
			b.WriteString(spanText(s))
		}
	}
	return b.String()
}

// plain is t as plain text, for the footer, which Discord shows verbatim:
// no markup, no mention, no link. Outside text is cleaned and cut.
func plain(t message.Text) string {
	var b strings.Builder
	for _, s := range t {
		switch {
		case s.Kind == message.Emoji:
			b.WriteString(s.Icon.Emoji())
		case s.Max == 0 && s.Kind != message.Code:
			b.WriteString(strings.ReplaceAll(s.Text, "\n", " "))
		default:
			limit := s.Max
			if limit == 0 {
				limit = maxFooter
			}
			b.WriteString(cut(message.Line(s.Text), limit, "…"))
		}
	}
	return footerSafe.Replace(strings.Map(func(r rune) rune {
		if stripped(r) {
			return -1
		}
		return r
	}, b.String()))
}

// footerSafe puts a zero-width space after every "@" and "<" of the
// footer. Discord renders no mention in a footer; this keeps its text
// from even looking like one ("<@123>", "@everyone") anywhere.
var footerSafe = strings.NewReplacer("@", "@\u200b", "<", "<\u200b")

// descriptionPart is the embed's description: subject, deadline, summary,
// the deployment's error (whose message gets the room left) and the hint.
func descriptionPart(m *message.Message) part {
	var head []string
	if s := render(m.Subject); s != "" {
		head = append(head, s)
	}
	if dl := m.Deadline; dl != nil {
		if text := esc1(dl.Text, maxValue); text != "" {
			if dl.Open {
				head = append(head, message.IconDeadline.Emoji()+" **"+text+"**")
			} else {
				head = append(head, message.IconWarning.Emoji()+" "+text)
			}
		}
	}
	if s := render(m.Summary); s != "" {
		head = append(head, s)
	}
	var tail []string
	if m.Hint != "" {
		tail = append(tail, message.IconInfo.Emoji()+" "+escape(m.Hint))
	}
	render := func(limit int) string {
		lines := slices.Clone(head)
		if e := m.Error; e != nil {
			var errLines []string
			if e.Title != "" {
				line := "**" + escape(e.Title) + "**"
				if c := code(e.Code, 100); c != "" {
					line += " " + c
				}
				errLines = append(errLines, line)
			}
			var rollback string
			if e.RollbackTitle != "" {
				if r := esc1(e.Rollback, 2*maxValue); r != "" {
					rollback = "**" + escape(e.RollbackTitle) + "** " + r
				}
			}
			if msg := message.Clean(e.Message, true); msg != "" && e.Title != "" {
				used := message.UTF16Len(strings.Join(slices.Concat(lines, errLines, []string{rollback}, tail), "\n")) + len(lines) + 4
				if room := min(maxErrorMessage, limit-used); room >= 40 {
					errLines = append(errLines, truncate(msg, room, true))
				}
			}
			if rollback != "" {
				errLines = append(errLines, rollback)
			}
			lines = append(lines, errLines...)
		}
		lines = append(lines, tail...)
		return clampMarkdown(strings.Join(lines, "\n"), limit)
	}
	return part{render: render, max: maxDescription - noteRoom, shrink: 8}
}

// factParts are the labelled facts, as inline fields.
func factParts(fs []message.Field) []part {
	var out []part
	for _, f := range fs {
		v := render(f.Value)
		name := cutLine(escape(f.Label), maxFieldName)
		if strings.TrimSpace(v) == "" || strings.TrimSpace(name) == "" || len(out) == maxFacts {
			continue
		}
		out = append(out, fixedPart(name, v, true, 0))
	}
	return out
}

// fixedPart is a part whose text only shrinks by being cut.
func fixedPart(name, value string, inline bool, shrink int) part {
	return part{name: name, inline: inline, max: maxFieldValue, shrink: shrink,
		render: func(limit int) string { return clampMarkdown(value, limit) }}
}

// listPart is a titled list as a field, each item after bullet.
func listPart(l *message.List, maxItems int, bullet string, shrink int) []part {
	if l == nil || len(l.Items) == 0 {
		return nil
	}
	lines := make([]string, 0, len(l.Items))
	for _, it := range l.Items {
		if s := render(it); s != "" {
			lines = append(lines, bullet+s)
		}
	}
	name := cutLine(escape(l.Title), maxFieldName)
	if len(lines) == 0 || name == "" {
		return nil
	}
	return []part{{name: name, max: maxFieldValue, shrink: shrink,
		render: func(limit int) string { return joinLines(lines, maxItems, limit, l.Unit) }}}
}

// sectionParts are the fields after the facts: lifecycle, failure and its
// log, task sets, commands, actions and links.
func sectionParts(m *message.Message) []part {
	var parts []part
	parts = append(parts, listPart(m.Lifecycle, maxLifecycle, "• ", 2)...)
	parts = append(parts, failureParts(m.Failure)...)
	parts = append(parts, listPart(m.TaskSets, maxTaskSets, "", 4)...)
	for i, c := range m.Commands {
		if i == maxCommands {
			break
		}
		line := cut(codeText(c.Command, false), maxCommand, "…")
		name := escape(c.Title)
		if c.Note != "" {
			name += " (" + escape(c.Note) + ")"
		}
		if strings.TrimSpace(line) == "" || name == "" {
			continue
		}
		parts = append(parts, fixedPart(cutLine(name, maxFieldName), "```\n"+line+"\n```", false, 7))
	}
	parts = append(parts, listPart(m.Checks, maxActions, "", 5)...)
	parts = append(parts, listPart(m.Actions, maxActions, "", 5)...)
	if l := linksText(m); l != "" {
		parts = append(parts, fixedPart(message.IconLink.Emoji()+" Links", l, false, 6))
	}
	return parts
}

// failureParts are the failing step with its diagnostic and status
// messages, and the end of its log in a code block.
func failureParts(f *message.Failure) []part {
	if f == nil {
		return nil
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
	var parts []part
	if len(lines) > 0 {
		parts = append(parts, part{name: "Failure", max: maxFieldValue, shrink: 3,
			render: func(limit int) string { return joinLines(lines, len(lines), limit, "line") }})
	}
	if strings.TrimSpace(f.Log) != "" && f.LogTitle != "" {
		log := f.Log
		parts = append(parts, part{name: cutLine(escape(f.LogTitle), maxFieldName), max: maxFieldValue, shrink: 1,
			render: func(limit int) string {
				const overhead = 60 // "… (truncated, N earlier characters)\n```\n" + "\n```"
				tail, dropped := tailText(log, limit-overhead, maxLogLines)
				if tail == "" || limit-overhead < 1 {
					return ""
				}
				text := "```\n" + tail + "\n```"
				if dropped > 0 {
					text = message.CutEarlier(dropped) + "\n" + text
				}
				return text
			}})
	}
	return parts
}

// linksText puts the console links on one line, with the footer's (the
// footer cannot hold links); a link that is not a safe http(s) URL is
// left out.
func linksText(m *message.Message) string {
	var parts []string
	add := func(s message.Span) {
		if label := spanText(s); label != "" && safeLinkURL(s.URL) {
			parts = append(parts, mdLink(s.URL, label))
		}
	}
	for _, l := range m.Links {
		add(l)
	}
	for _, t := range m.Footer {
		for _, s := range t {
			if s.Kind == message.Link {
				add(s)
			}
		}
	}
	var b strings.Builder
	for _, p := range parts {
		sep := ""
		if b.Len() > 0 {
			sep = " · "
		}
		if message.UTF16Len(b.String())+message.UTF16Len(sep+p) > maxFieldValue {
			break
		}
		b.WriteString(sep + p)
	}
	return b.String()
}

// footerText is the footer line: the footer's parts without links (they
// go to the links field), as plain text.
func footerText(parts []message.Text) string {
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if slices.ContainsFunc(p, func(s message.Span) bool { return s.Kind == message.Link }) {
			continue
		}
		if s := strings.TrimSpace(plain(p)); s != "" {
			out = append(out, s)
		}
	}
	return cut(strings.Join(out, " · "), maxFooter, "…")
}
