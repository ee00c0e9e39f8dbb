package message

import (
	"strings"
	"testing"
)

// FuzzLine checks that Line's allocation-free path gives exactly what the
// general path (strings.Fields and Join) gives.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", " ", "a", "a b", "a  b", " a", "a ", "a\tb", "a\u00a0b", "Traffic switched", "x\u2028y", "é b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s, false)
		want := strings.Join(strings.Fields(c), " ")
		if got := Line(s); got != want {
			t.Fatalf("Line(%q) = %q, want %q", s, got, want)
		}
	})
}
