package message

import (
	"strconv"
	"unicode/utf16"
)

// UTF16Len is s's length in UTF-16 code units, as Slack and Discord count
// their limits (an invalid rune counts one).
func UTF16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// UTF16Prefix is the longest prefix of s, whole runes, of at most limit
// UTF-16 code units.
func UTF16Prefix(s string, limit int) string {
	used := 0
	for i, r := range s {
		l := max(utf16.RuneLen(r), 1)
		if used+l > limit {
			return s[:i]
		}
		used += l
	}
	return s
}

// TailStart is where the shown end of a log begins in runes: within its
// last maxLines lines and at most limit units, each rune weighing size(r)
// (what it takes once escaped); when limit cuts inside a line, the start
// moves to the next whole line if one is left. runes[TailStart:] is the
// tail, TailStart what it drops.
func TailStart(runes []rune, limit, maxLines int, size func(r rune) int) int {
	start := 0
	for i, lines := len(runes)-1, 1; i >= 0; i-- {
		if runes[i] == '\n' {
			if lines == maxLines {
				start = i + 1
				break
			}
			lines++
		}
	}
	used, i := 0, len(runes)
	for i > start {
		l := size(runes[i-1])
		if used+l > limit {
			break
		}
		used += l
		i--
	}
	if i > start {
		// Cut inside a line: start at the next whole line, if one is left.
		for j := i; j < len(runes)-1; j++ {
			if runes[j] == '\n' {
				i = j + 1
				break
			}
		}
	}
	return i
}

// CutMark marks text cut short at its end: "…", or for long text
// "… (truncated, N more characters)", n counting the characters left out.
func CutMark(n int, long bool) string {
	if !long {
		return "…"
	}
	return CutMore(n, "characters")
}

// CutMore says that n units (characters, steps, actions…) at the end were
// left out: "… (truncated, 3 more steps)".
func CutMore(n int, unit string) string {
	return "… (truncated, " + strconv.Itoa(n) + " more " + unit + ")"
}

// CutEarlier says that the n characters before a log's shown end were
// left out: "… (truncated, 120 earlier characters)".
func CutEarlier(n int) string {
	return "… (truncated, " + strconv.Itoa(n) + " earlier characters)"
}
