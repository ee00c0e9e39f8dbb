package discord

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/message"
)

// Text helpers of the Discord formatter. They are pure and deterministic.
// Lengths are counted in UTF-16 code units, which is at least the
// character count whichever way Discord counts, so text cut to a limit
// here is within Discord's limit too.

// mdSpecial are the characters Discord markdown gives meaning anywhere in
// a line: emphasis, strike, spoilers, quotes, code, masked links, mentions
// (<@id>, <#id>, <t:…>, @everyone) and the escape itself.
const mdSpecial = "\\*_~|>`[]()<@"

// stripped reports whether r is removed from every text: control
// characters (other than a newline) and the bidirectional controls that
// can make text read differently from what it is.
func stripped(r rune) bool {
	switch {
	case r == '\n':
		return false
	case unicode.IsControl(r), r == '\u061c', r == '\u200e', r == '\u200f',
		r >= '\u202a' && r <= '\u202e', r >= '\u2066' && r <= '\u2069':
		return true
	}
	return false
}

// escapePieces is s made literal in Discord markdown, one piece per rune
// kept (so that callers can cut between runes): every character of
// mdSpecial gets a backslash; so do "#", "-", "+" and the "." of "1."
// at the start of a line (headings, lists), and the ":" of "://" (so that
// a URL in deployment data is not made a link). Tabs become spaces;
// stripped runes are dropped. s's start counts as a line start.
func escapePieces(s string) []string {
	pieces := make([]string, 0, len(s))
	escapeEach(s, func(p string, _, _ int) { pieces = append(pieces, p) })
	return pieces
}

// escapeEach calls piece with each piece escapePieces gives, in order,
// and the bytes s[i:i+n] it stands for; a piece is a substring of s or a
// literal, never a new string.
func escapeEach(s string, piece func(p string, i, n int)) {
	lineStart, digits := true, false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		p := s[i : i+n]
		switch {
		case r == utf8.RuneError && n == 1:
			p = "\uFFFD" // what string(r) gives for an invalid byte
		case r == '\t':
			r, p = ' ', " "
		}
		if stripped(r) {
			i += n
			continue
		}
		switch {
		case strings.ContainsRune(mdSpecial, r),
			lineStart && (r == '#' || r == '-' || r == '+'),
			r == '.' && digits,
			r == ':' && strings.HasPrefix(s[i+1:], "//"):
			p = escapedASCII(r)
		}
		piece(p, i, n)
		i += n
		switch {
		case r == '\n':
			lineStart, digits = true, false
		case r >= '0' && r <= '9' && (lineStart || digits):
			lineStart, digits = false, true
		case r == ' ' && lineStart:
		default:
			lineStart, digits = false, false
		}
	}
}

// escapedASCII is r, one of the ASCII characters escapeEach escapes,
// after a backslash.
func escapedASCII(r rune) string {
	const all = `\\\*\_\~\|\>\` + "`" + `\[\]\(\)\<\@\#\-\+\.\:`
	for i := 1; i < len(all); i += 2 {
		if rune(all[i]) == r {
			return all[i-1 : i+1]
		}
	}
	return `\` + string(r) // not reached: every escaped character is in all
}

// escape makes s literal in Discord markdown (see escapePieces): s itself
// when nothing changes.
func escape(s string) string {
	var b strings.Builder
	changed, next := false, 0 // next: where the unchanged text s[:next] ends
	escapeEach(s, func(p string, i, n int) {
		if !changed {
			if i == next && p == s[i:i+n] {
				next = i + n
				return
			}
			changed = true
			b.Grow(len(s) + 16)
			b.WriteString(s[:next])
		}
		b.WriteString(p)
	})
	if changed {
		return b.String()
	}
	return s[:next] // all of s, or s without the stripped runes at its end
}

// esc1 is untrusted s as one escaped line of at most limit units, cut with
// an ellipsis.
func esc1(s string, limit int) string {
	return truncate(message.Line(s), limit, false)
}

// codeText is untrusted s for a code span or block: cleaned, backticks
// made quotes so that the code cannot be closed early. Discord shows code
// verbatim: no mention, link or markup forms inside it.
func codeText(s string, multiline bool) string {
	if multiline {
		s = message.Clean(s, true)
	} else {
		s = message.Line(s)
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '`':
			return '\''
		case r == '\t':
			return ' '
		case stripped(r):
			return -1
		}
		return r
	}, s)
}

// code is untrusted s as inline code of at most limit units inside the
// backticks, or "" when s is blank.
func code(s string, limit int) string {
	c := cut(codeText(s, false), limit, "…")
	if strings.TrimSpace(c) == "" {
		return ""
	}
	return "`" + c + "`"
}

// cut cuts plain s to at most limit units, ending with mark when it cuts.
func cut(s string, limit int, mark string) string {
	if message.UTF16Len(s) <= limit {
		return s
	}
	budget := max(limit-message.UTF16Len(mark), 0)
	return message.UTF16Prefix(s, budget) + mark
}

// truncate escapes raw (already cleaned) and cuts it to at most limit
// units. A cut is visible: "…" when short, else
// "… (truncated, N more characters)", N counting raw characters dropped.
func truncate(raw string, limit int, long bool) string {
	// No more than limit runes can fit (escaping only lengthens): escape
	// only those, and a few more for escapePieces to look ahead.
	total, prefix := 0, raw
	for i := range raw {
		if total == limit+3 {
			prefix = raw[:i]
		}
		total++
	}
	if len(prefix) == len(raw) {
		if esc := escape(raw); message.UTF16Len(esc) <= limit {
			return esc
		}
	}
	pieces := escapePieces(prefix)
	budget := max(limit-message.UTF16Len(message.CutMark(total, long)), 0)
	var b strings.Builder
	used, kept := 0, 0
	for _, p := range pieces {
		l := message.UTF16Len(p)
		if used+l > budget {
			break
		}
		b.WriteString(p)
		used += l
		kept++
	}
	return trimCut(b.String()) + message.CutMark(max(total-kept, 1), long)
}

// cutLine cuts one line of markdown to at most limit units with "…",
// never leaving a lone backslash to escape the mark.
func cutLine(s string, limit int) string {
	if message.UTF16Len(s) <= limit {
		return s
	}
	return trimCut(cut(s, limit-1, "")) + "…"
}

// trimCut drops trailing spaces and newlines from text that is about to
// get a cut mark, and a lone trailing backslash that would escape it.
func trimCut(s string) string {
	s = strings.TrimRight(s, " \n")
	if n := len(s) - len(strings.TrimRight(s, `\`)); n%2 == 1 {
		s = s[:len(s)-1]
	}
	return s
}

// clampMarkdown is the last guard on formatted markdown: it cuts s to at
// most limit units, at a line break when one is near enough, closing a
// code block the cut left open and marking the cut. The renderers bound
// their parts so that it rarely has anything to do.
func clampMarkdown(s string, limit int) string {
	if message.UTF16Len(s) <= limit {
		return s
	}
	const mark = "… (truncated)"
	// Room for the mark, a newline and a code fence that repair may add.
	budget := limit - message.UTF16Len(mark) - 5
	if budget <= 0 {
		return cut(mark, limit, "")
	}
	c := cut(s, budget, "")
	if i := strings.LastIndexByte(c, '\n'); i >= budget/2 {
		c = c[:i]
	}
	c = repair(trimCut(c))
	if c != "" {
		c += "\n"
	}
	return c + mark
}

// repair ends markdown that was cut anywhere: it drops a link cut short
// and closes the inline code or code block the cut left open. It reads s
// as Discord does: escapes outside code, code verbatim.
func repair(s string) string {
	inline, block := false, false
	opened := 0
	for i := 0; i < len(s); i++ {
		switch {
		case block:
			if strings.HasPrefix(s[i:], "```") {
				block = false
				i += 2
			}
		case inline:
			if s[i] == '`' {
				inline = false
			}
		case strings.HasPrefix(s[i:], "```"):
			block, opened = true, i
			i += 2
		case s[i] == '`':
			inline, opened = true, i
		case s[i] == '\\':
			i++
		case s[i] == '[':
			// A link the formatter made: [escaped label](url without ")").
			j := strings.Index(s[i:], "](")
			k := -1
			if j >= 0 {
				k = strings.IndexByte(s[i+j:], ')')
			}
			if k < 0 {
				return repair(trimCut(s[:i]))
			}
			i += j + k
		}
	}
	switch {
	case block && strings.TrimSpace(s[opened+3:]) == "":
		return trimCut(s[:opened])
	case block:
		return s + "\n```"
	case inline && opened == len(s)-1:
		return trimCut(s[:opened])
	case inline:
		return s + "`"
	}
	return s
}

// joinLines joins lines within limit units and at most maxLines lines,
// saying how many were left out ("… (truncated, N more steps)").
func joinLines(lines []string, maxLines, limit int, unit string) string {
	const room = 60 // for the "… (truncated, N more …)" line
	var b strings.Builder
	used, shown := 0, 0
	for _, line := range lines {
		if shown == 0 && message.UTF16Len(line) > limit-room {
			line = clampMarkdown(line, limit-room)
		}
		l := message.UTF16Len(line)
		if shown > 0 {
			l++
		}
		if shown == maxLines || used+l > limit-room {
			break
		}
		if shown > 0 {
			b.WriteString("\n")
		}
		b.WriteString(line)
		used += l
		shown++
	}
	if more := len(lines) - shown; more > 0 {
		if more != 1 {
			unit += "s"
		}
		if shown > 0 {
			b.WriteString("\n")
		}
		b.WriteString(message.CutMore(more, unit))
	}
	return b.String()
}

// tailText is the end of an untrusted log for a code block: cleaned, at
// most maxLines lines and limit units, starting at a line when it can.
// dropped counts the (cleaned) characters left out at the start.
func tailText(raw string, limit, maxLines int) (tail string, dropped int) {
	runes := []rune(codeText(raw, true))
	if len(runes) == 0 {
		return "", 0
	}
	i := message.TailStart(runes, limit, maxLines, func(r rune) int { return max(utf16.RuneLen(r), 1) })
	return strings.Trim(string(runes[i:]), "\n"), i
}

// safeLinkURL reports whether u is an http(s) URL that can stand in a
// markdown link as is: no spaces, parentheses, angle brackets, quotes or
// backslashes that could end the link early or reshape the message.
func safeLinkURL(u string) bool {
	if (!strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://")) || len(u) > 2000 {
		return false
	}
	// A host, and no user info: "https://console.aws@evil.example" is not
	// a link to console.aws.
	authority := u[strings.Index(u, "://")+3:]
	if i := strings.IndexAny(authority, "/?#"); i >= 0 {
		authority = authority[:i]
	}
	if authority == "" || strings.Contains(authority, "@") {
		return false
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && !strings.ContainsRune("-._~:/?=&%#+$@!,;*", rune(c)) {
			return false
		}
	}
	return true
}

// mdLink is a markdown link to u labelled with label (already escaped), or
// just the label when u is not a safe http(s) URL.
func mdLink(u, label string) string {
	if !safeLinkURL(u) || label == "" {
		return label
	}
	return "[" + label + "](" + u + ")"
}
