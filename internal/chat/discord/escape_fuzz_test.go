package discord

import (
	"slices"
	"strings"
	"testing"
)

// FuzzEscape checks escape and escapePieces, which make no string per
// rune, against referenceEscapePieces, the rune-by-rune version they
// replaced.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "a", "plain text", "# h\n- x\n+ y\n1. z\n12.5", "https://x.example/a_b", "a\tb\x00c\u202ed\u200e", "\xff\xfe\xc3", "*_~|>`[]()<@\\", "é 😀 \ufffd", "x\x01", "\x01x", "  - a\n\t#b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := referenceEscapePieces(s)
		if got := escapePieces(s); !slices.Equal(got, want) {
			t.Fatalf("escapePieces(%q) = %q, want %q", s, got, want)
		}
		if got := escape(s); got != strings.Join(want, "") {
			t.Fatalf("escape(%q) = %q, want %q", s, got, strings.Join(want, ""))
		}
	})
}

// referenceEscapePieces is escapePieces as it was written first: one new
// string per rune.
func referenceEscapePieces(s string) []string {
	pieces := make([]string, 0, len(s))
	lineStart, digits := true, false
	for i, r := range s {
		if r == '\t' {
			r = ' '
		}
		if stripped(r) {
			continue
		}
		esc := false
		switch {
		case strings.ContainsRune(mdSpecial, r):
			esc = true
		case lineStart && (r == '#' || r == '-' || r == '+'):
			esc = true
		case r == '.' && digits:
			esc = true
		case r == ':' && strings.HasPrefix(s[i+1:], "//"):
			esc = true
		}
		p := string(r)
		if esc {
			p = `\` + p
		}
		pieces = append(pieces, p)
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
	return pieces
}
