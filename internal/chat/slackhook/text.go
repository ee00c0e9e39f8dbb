package slackhook

import (
	"bytes"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/message"
)

// Text helpers of the Slack formatter. They are pure and
// deterministic. Lengths are counted in UTF-16 code units, which is at
// least the character count whichever way a destination counts, so text
// cut to a limit here is within the destination's limit too.

// mrkdwnEscaper escapes the three characters Slack mrkdwn gives meaning:
// & < > (links, mentions, entities).
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escape makes s literal in Slack mrkdwn.
func escape(s string) string { return mrkdwnEscaper.Replace(s) }

// appendEscape appends s made literal in Slack mrkdwn: escape without a
// new string.
func appendEscape(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		b = append(b, s[start:i]...)
		b = append(b, rep...)
		start = i + 1
	}
	return append(b, s[start:]...)
}

// escapedLen is message.UTF16Len(escape(s)), without escaping.
func escapedLen(s string) int {
	n := 0
	for _, r := range s {
		switch r {
		case '&':
			n += len("&amp;")
		case '<', '>':
			n += len("&lt;")
		default:
			n += max(utf16.RuneLen(r), 1)
		}
	}
	return n
}

// utf16Len is message.UTF16Len of b.
func utf16Len(b []byte) int {
	n := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		n += max(utf16.RuneLen(r), 1)
		i += size
	}
	return n
}

// escapeRune is escape for one rune.
func escapeRune(r rune) string {
	switch r {
	case '&':
		return "&amp;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	}
	return string(r)
}

// esc1 is untrusted s as one escaped line of at most limit units, cut with
// an ellipsis.
func esc1(s string, limit int) string {
	return truncate(message.Line(s), limit, false)
}

// code is untrusted s as inline code of at most limit units inside the
// backticks, or "" when s is blank.
func code(s string, limit int) string {
	e := esc1(strings.ReplaceAll(s, "`", "'"), limit)
	if e == "" {
		return ""
	}
	return "`" + e + "`"
}

// appendCode appends code(s, limit).
func appendCode(b []byte, s string, limit int) []byte {
	line := message.Line(strings.ReplaceAll(s, "`", "'"))
	if line == "" {
		return b
	}
	b = append(b, '`')
	b = appendTruncate(b, line, limit, false)
	return append(b, '`')
}

// appendTruncate appends truncate(raw, limit, long).
func appendTruncate(b []byte, raw string, limit int, long bool) []byte {
	if escapedLen(raw) <= limit {
		return appendEscape(b, raw)
	}
	return append(b, truncate(raw, limit, long)...)
}

// truncate escapes raw (already cleaned) and cuts it to at most limit
// units. A cut is visible: "…" when short, else
// "… (truncated, N more characters)", N counting raw characters dropped.
func truncate(raw string, limit int, long bool) string {
	esc := escape(raw)
	if message.UTF16Len(esc) <= limit {
		return esc
	}
	total := len([]rune(raw))
	budget := max(limit-message.UTF16Len(message.CutMark(total, long)), 0)
	var b strings.Builder
	used, kept := 0, 0
	for _, r := range raw {
		piece := escapeRune(r)
		l := message.UTF16Len(piece)
		if used+l > budget {
			break
		}
		b.WriteString(piece)
		used += l
		kept++
	}
	return strings.TrimRight(b.String(), " \n") + message.CutMark(total-kept, long)
}

// clampText is the last guard on formatted mrkdwn: it cuts s to at most
// limit units without splitting an entity or a link, marking the cut. The
// renderers bound their parts so that it rarely has anything to do.
func clampText(s string, limit int) string {
	if message.UTF16Len(s) <= limit {
		return s
	}
	const mark = "… (truncated)"
	budget := max(limit-message.UTF16Len(mark), 0)
	s = message.UTF16Prefix(s, budget)
	// Do not leave half an entity (&amp;) or half a link (<url|label>).
	if i := strings.LastIndexByte(s, '&'); i >= 0 && !strings.Contains(s[i:], ";") {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '<'); i >= 0 && !strings.Contains(s[i:], ">") {
		s = s[:i]
	}
	return s + mark
}

// appendLink appends the link span s: slackLink(s.URL, spanText(s)).
func appendLink(b []byte, s message.Span) []byte {
	label := len(b)
	b = appendSpan(b, s)
	if !safeLinkURL(s.URL) || bytes.IndexByte(b[label:], '|') >= 0 {
		return b
	}
	return wrapLink(b, label, s.URL)
}

// wrapLink makes b[label:], an escaped label, a mrkdwn link to u (a safe
// URL): "<" + u with "&" escaped + "|" + label + ">".
func wrapLink(b []byte, label int, u string) []byte {
	k := len("<|") + len(u) + (len("&amp;")-1)*strings.Count(u, "&")
	n := len(b) - label
	b = append(b, make([]byte, k)...)
	copy(b[label+k:], b[label:label+n])
	w := append(b[label:label], '<')
	for i := 0; i < len(u); i++ {
		if u[i] == '&' {
			w = append(w, "&amp;"...)
		} else {
			w = append(w, u[i])
		}
	}
	_ = append(w, '|')
	return append(b, '>')
}

// slackLink is a mrkdwn link to u labelled with label (already escaped),
// or just the label when u is not a plain https URL or the label holds a
// "|": event data ends up in URLs and labels, and a stray "|" or ">" must
// not reshape the message.
func slackLink(u, label string) string {
	if !safeLinkURL(u) || strings.Contains(label, "|") {
		return label
	}
	return "<" + strings.ReplaceAll(u, "&", "&amp;") + "|" + label + ">"
}

// safeLinkURL reports whether u is an https URL made only of characters
// that need no escaping inside a Slack link.
func safeLinkURL(u string) bool {
	if !strings.HasPrefix(u, "https://") || len(u) > 2000 {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && !strings.ContainsRune("-._~:/?=&%#+$@", rune(c)) {
			return false
		}
	}
	return true
}
