package googlechat

import (
	"strings"
	"unicode/utf8"

	"github.com/cutover-dev/cutover/internal/message"
)

// Text helpers of the Google Chat formatter: pure and deterministic.
// Lengths are in runes; the byte limit of the whole message is checked
// once the message is encoded.

// htmlEscaper makes text literal in card HTML (Google Chat reads <b>, <i>,
// <u>, <s>, <font>, <a href> and <br>), and breaks "://" with a zero-width
// space so that no URL in the text is turned into a link.
var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "://", ":\u200b//")

// escape makes s literal in card HTML.
func escape(s string) string {
	if !strings.ContainsAny(s, "&<>") && !strings.Contains(s, "://") {
		return s // what the replacer gives, without its copy
	}
	return htmlEscaper.Replace(s)
}

// truncate escapes raw (already cleaned) cut to at most limit runes. A
// cut is visible: "…" when short, else "… (truncated, N more characters)",
// N counting raw characters dropped. Line breaks become <br>.
func truncate(raw string, limit int, long bool) string {
	total := utf8.RuneCountInString(raw)
	if total <= limit {
		return br(escape(raw))
	}
	keep := max(limit-utf8.RuneCountInString(message.CutMark(total, long)), 0)
	kept := string([]rune(raw)[:keep])
	kept = strings.TrimRight(kept, " \n")
	return br(escape(kept)) + message.CutMark(total-utf8.RuneCountInString(kept), long)
}

// br turns line breaks into <br>.
func br(s string) string { return strings.ReplaceAll(s, "\n", "<br>") }

// cut bounds s (escaped text without tags, or message text) to n runes,
// ending it with "…" and never leaving half an entity.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	s = string([]rune(s)[:max(n-1, 0)])
	if i := strings.LastIndexByte(s, '&'); i >= 0 && !strings.Contains(s[i:], ";") {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '<'); i >= 0 && !strings.Contains(s[i:], ">") {
		s = s[:i]
	}
	return s + "…"
}

// cutPlain bounds unescaped s to n runes, ending it with "…".
func cutPlain(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:max(n-1, 0)]) + "…"
}

// tailText is the end of an untrusted log for a card: escaped, at most
// maxLines lines and limit runes, starting at a line when it can, lines
// joined with <br>. dropped counts the (cleaned) characters left out at
// the start.
func tailText(raw string, limit, maxLines int) (tail string, dropped int) {
	runes := []rune(message.Clean(raw, true))
	if len(runes) == 0 || limit <= 0 || maxLines <= 0 {
		return "", len(runes)
	}
	i := message.TailStart(runes, limit, maxLines, func(rune) int { return 1 })
	return br(escape(strings.Trim(string(runes[i:]), "\n"))), i
}
