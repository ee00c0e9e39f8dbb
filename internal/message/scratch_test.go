package message

import (
	"testing"
	"time"
)

func TestScratchWords(t *testing.T) {
	var s scratch
	s.init(1, 1) // small, so that both arrays grow while in use
	ds := []time.Duration{0, time.Second, 59 * time.Second, time.Minute, 59*time.Minute + 59*time.Second, time.Hour, time.Hour + 5*time.Minute, 2 * time.Hour, 99*time.Hour + time.Minute, 100 * time.Hour, 12345*time.Hour + 7*time.Minute, -90 * time.Second}
	type said struct{ got, want string }
	var all []said
	for _, d := range ds {
		all = append(all, said{s.duration(" (", d, ")"), " (" + FormatDuration(d) + ")"})
		all = append(all, said{s.duration("", d, ""), FormatDuration(d)})
	}
	for _, at := range []time.Time{time.Date(2022, 10, 13, 15, 58, 2, 0, time.UTC), time.Date(1999, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))} {
		all = append(all, said{s.time(at), FormatTime(at)})
	}
	all = append(all, said{s.word(" ", "Traffic switched"), " Traffic switched"})
	for _, w := range all { // checked after all were written: none was written over
		if w.got != w.want {
			t.Errorf("scratch says %q, want %q", w.got, w.want)
		}
	}
	if got := FormatDuration(time.Hour + 5*time.Minute); got != "1 h 5 min" {
		t.Errorf("FormatDuration = %q", got)
	}
}

func TestScratchTexts(t *testing.T) {
	var s scratch
	s.init(2, 0)
	a := s.text(plain("a"))
	i := s.mark()
	s.add(plain("b"), plain("c"))
	b := s.since(i)
	if s.since(s.mark()) != nil {
		t.Error("since with nothing added is not nil")
	}
	a = append(a, plain("x")) // must copy: a's capacity is its length
	c := s.text(plain("d"))
	if plainText(a) != "ax" || plainText(b) != "bc" || plainText(c) != "d" {
		t.Errorf("texts = %q %q %q, want ax bc d", plainText(a), plainText(b), plainText(c))
	}
}
