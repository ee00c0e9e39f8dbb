package teams

import (
	"strings"
	"testing"
)

// FuzzEscape checks escape, which returns its input when nothing needs
// escaping, against referenceEscape, the version it replaced (a copy
// always).
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a", "plain text", "- a\n+ b\n= c\n1. d\n12.5", "https://x.example www.x W x (www.y", "[a](b) @here <at>", "\xff\xfe\xc3", "\ufffd", "\\`*_[]()#<>~", "é 😀"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := escape(s), referenceEscape(s); got != want {
			t.Fatalf("escape(%q) = %q, want %q", s, got, want)
		}
	})
}

// referenceEscape is escape as it was written first.
func referenceEscape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	lineStart := true
	digits := false // only digits since the start of the line
	for i, r := range s {
		switch {
		case r == ']' && strings.HasPrefix(s[i:], "]("):
			b.WriteString("\\]" + zwsp)
		case strings.ContainsRune(mdSpecial, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case lineStart && (r == '-' || r == '+' || r == '='):
			// "- item", "+ item" lists; "===" setext headings.
			b.WriteByte('\\')
			b.WriteRune(r)
		case digits && (r == '.'):
			// "1. item": an ordered list.
			b.WriteString("\\.")
		case r == '@':
			b.WriteString("@" + zwsp)
		case r == ':' && strings.HasPrefix(s[i:], "://"):
			b.WriteString(":" + zwsp)
		case (r == 'w' || r == 'W') && lineStartOrSpace(s, i) && len(s) >= i+4 && strings.EqualFold(s[i:i+4], "www."):
			b.WriteString(s[i:i+1] + zwsp)
		default:
			b.WriteRune(r)
		}
		digits = (lineStart || digits) && r >= '0' && r <= '9'
		lineStart = r == '\n'
	}
	return b.String()
}
