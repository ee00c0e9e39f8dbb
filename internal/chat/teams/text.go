package teams

import (
	"strings"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/message"
)

// Text helpers of the Teams formatter: escaping for the Markdown subset
// of Adaptive Card TextBlocks and facts, and visible cuts. Lengths are
// counted in characters (runes); the payload limit is checked on the
// encoded bytes.

// zwsp (zero width space) breaks what Teams would otherwise turn into a
// mention or a link, without changing what the text reads as.
const zwsp = "\u200b"

// mdSpecial are the characters to which TextBlock Markdown (or the
// CommonMark renderers behind it) may give meaning: emphasis, links, code,
// headings, HTML and mention tags, strikethrough, escapes.
const mdSpecial = "\\`*_[]()#<>~"

// escape makes s literal in a TextBlock: every Markdown character is
// backslash-escaped and a list or heading marker at the start of a line
// neutralised. What could ping or link is also broken by a zero width
// space, so that it stays inert even in a renderer that ignored backslash
// escapes: "](" (a Markdown link), "@" (a mention), "://" and "www." (an
// autolink).
//
// It returns s itself when nothing needs escaping.
func escape(s string) string {
	var b strings.Builder
	changed := false
	// change starts the escaped copy at s[i], s[:i] being unchanged.
	change := func(i int) {
		if !changed {
			changed = true
			b.Grow(len(s) + len(s)/8)
			b.WriteString(s[:i])
		}
	}
	lineStart := true
	digits := false // only digits since the start of the line
	for i, r := range s {
		switch {
		case r == ']' && strings.HasPrefix(s[i:], "]("):
			change(i)
			b.WriteString("\\]" + zwsp)
		case strings.ContainsRune(mdSpecial, r):
			change(i)
			b.WriteByte('\\')
			b.WriteRune(r)
		case lineStart && (r == '-' || r == '+' || r == '='):
			// "- item", "+ item" lists; "===" setext headings.
			change(i)
			b.WriteByte('\\')
			b.WriteRune(r)
		case digits && (r == '.'):
			// "1. item": an ordered list.
			change(i)
			b.WriteString("\\.")
		case r == '@':
			change(i)
			b.WriteString("@" + zwsp)
		case r == ':' && strings.HasPrefix(s[i:], "://"):
			change(i)
			b.WriteString(":" + zwsp)
		case (r == 'w' || r == 'W') && lineStartOrSpace(s, i) && len(s) >= i+4 && strings.EqualFold(s[i:i+4], "www."):
			change(i)
			b.WriteString(s[i:i+1] + zwsp)
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			change(i) // an invalid byte is written as U+FFFD
			b.WriteRune(r)
		case changed:
			b.WriteRune(r)
		}
		digits = (lineStart || digits) && r >= '0' && r <= '9'
		lineStart = r == '\n'
	}
	if !changed {
		return s
	}
	return b.String()
}

// lineStartOrSpace reports whether s[i] starts s, a line or a word.
func lineStartOrSpace(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return r == ' ' || r == '\n' || r == '(' || r == '<' || r == '"' || r == '\''
}

// runes is s's length in characters.
func runes(s string) int { return utf8.RuneCountInString(s) }

// cut shortens raw (already cleaned, not escaped) to at most limit
// characters and escapes it. A cut is visible: "…" when short, else
// "… (truncated, N more characters)", N counting the characters dropped.
func cut(raw string, limit int, long bool) string {
	if limit <= 0 || runes(raw) <= limit {
		return escape(raw)
	}
	total := runes(raw)
	budget := max(limit-runes(message.CutMark(total, long)), 0)
	kept := []rune(raw)[:budget]
	head := strings.TrimRight(string(kept), " \n")
	return escape(head) + message.CutMark(total-len(kept), long)
}

// line is untrusted s as one escaped line of at most limit characters.
func line(s string, limit int) string { return cut(message.Line(s), limit, false) }

// plainLine is untrusted s as one line of at most limit characters for
// plain-text properties (button titles, the fallback): not escaped, but
// defanged.
func plainLine(s string, limit int) string {
	s = message.Line(s)
	if runes(s) > limit {
		s = strings.TrimRight(string([]rune(s)[:max(limit-1, 0)]), " ") + "…"
	}
	return defang(s)
}

// defanger breaks, with a zero width space, what could mention or link
// in text shown without Markdown: "@", a tag, a Markdown link, a URL.
var defanger = strings.NewReplacer("@", "@"+zwsp, "<", "<"+zwsp, "](", "]"+zwsp+"(", "://", ":"+zwsp+"//")

// defang is s with its mentions, tags, links and URLs broken.
func defang(s string) string {
	if !strings.ContainsAny(s, "@<") && !strings.Contains(s, "](") && !strings.Contains(s, "://") {
		return s // what the replacer gives, without its copy
	}
	return defanger.Replace(s)
}
