package message

import "testing"

func TestUTF16Len(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "é": 1, "😀": 2, "a\xffb": 3} {
		if got := UTF16Len(s); got != want {
			t.Errorf("UTF16Len(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestTailStart(t *testing.T) {
	one := func(rune) int { return 1 }
	for _, tc := range []struct {
		raw          string
		limit, lines int
		want         int
	}{
		{"a\nb\nc", 100, 10, 0},
		{"a\nb\nc", 100, 2, 2},     // the last 2 lines
		{"aaaa\nbb\ncc", 6, 10, 5}, // cut inside a line: from the next one
		{"aaaaaaaaaa", 5, 10, 5},   // one long line: its end
		{"ab\n", 0, 10, 3},         // no room: nothing
		{"", 10, 10, 0},
	} {
		if got := TailStart([]rune(tc.raw), tc.limit, tc.lines, one); got != tc.want {
			t.Errorf("TailStart(%q, %d, %d) = %d, want %d", tc.raw, tc.limit, tc.lines, got, tc.want)
		}
	}
	// A rune's size counts: "<" escaped as "&lt;" weighs 4.
	lt := func(r rune) int {
		if r == '<' {
			return 4
		}
		return 1
	}
	if got := TailStart([]rune("a<<<<"), 5, 10, lt); got != 4 {
		t.Errorf("escaped sizes: start %d, want 4", got)
	}
}

func TestCutMarks(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{CutMark(5, false), "…"},
		{CutMark(5, true), "… (truncated, 5 more characters)"},
		{CutMore(3, "steps"), "… (truncated, 3 more steps)"},
		{CutEarlier(120), "… (truncated, 120 earlier characters)"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestUTF16Prefix(t *testing.T) {
	for _, tc := range []struct {
		s     string
		limit int
		want  string
	}{
		{"abc", 5, "abc"},
		{"abc", 2, "ab"},
		{"a😀b", 2, "a"}, // the emoji's two units do not fit
		{"a😀b", 3, "a😀"},
		{"abc", 0, ""},
		{"a\xffb", 2, "a\xff"},
	} {
		if got := UTF16Prefix(tc.s, tc.limit); got != tc.want {
			t.Errorf("UTF16Prefix(%q, %d) = %q, want %q", tc.s, tc.limit, got, tc.want)
		}
	}
}
