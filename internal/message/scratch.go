package message

import (
	"strconv"
	"strings"
	"time"
)

// scratch is where one Build takes its spans and the words it makes up
// (durations, times) from: one growing array of spans and one growing
// text, instead of an allocation per part. Every Text it hands out is a
// full slice (capacity = length), so appending to one copies it instead
// of writing over the next; and nothing it handed out is ever written
// over, so each part stays as it was when the array grows.
type scratch struct {
	spans []Span
	words strings.Builder
}

// init makes room for about spans spans and words bytes of text. A
// scratch is not copied once used (its text is a strings.Builder).
func (s *scratch) init(spans, words int) {
	s.spans = make([]Span, 0, spans)
	s.words.Grow(words)
}

// text is spans as one Text.
func (s *scratch) text(spans ...Span) Text {
	i := len(s.spans)
	s.spans = append(s.spans, spans...)
	return s.spans[i:len(s.spans):len(s.spans)]
}

// mark is where a Text being added span by span starts; since(mark)
// ends it.
func (s *scratch) mark() int { return len(s.spans) }

// add adds spans to the Text being built.
func (s *scratch) add(spans ...Span) { s.spans = append(s.spans, spans...) }

// since is the Text of the spans added since mark i; nil when none was.
func (s *scratch) since(i int) Text {
	if len(s.spans) == i {
		return nil
	}
	return s.spans[i:len(s.spans):len(s.spans)]
}

// drop takes back the spans added since mark i, which must not have been
// handed out.
func (s *scratch) drop(i int) { s.spans = s.spans[:i] }

// word is the concatenation of parts.
func (s *scratch) word(parts ...string) string {
	i := s.words.Len()
	for _, p := range parts {
		s.words.WriteString(p)
	}
	return s.words.String()[i:]
}

// duration is prefix + FormatDuration(d) + suffix.
func (s *scratch) duration(prefix string, d time.Duration, suffix string) string {
	i := s.words.Len()
	s.words.WriteString(prefix)
	writeDuration(&s.words, d)
	s.words.WriteString(suffix)
	return s.words.String()[i:]
}

// time is FormatTime(t).
func (s *scratch) time(t time.Time) string {
	var buf [len(timeLayout) + 8]byte
	i := s.words.Len()
	s.words.Write(t.UTC().AppendFormat(buf[:0], timeLayout))
	return s.words.String()[i:]
}

// writeDuration writes FormatDuration(d) to b.
func writeDuration(b *strings.Builder, d time.Duration) {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		b.WriteString(strconv.FormatInt(int64(d/time.Second), 10))
		b.WriteString(" s")
		return
	case d < time.Hour:
		b.WriteString(strconv.FormatInt(int64(d/time.Minute), 10))
		b.WriteString(" min")
		return
	}
	b.WriteString(strconv.FormatInt(int64(d/time.Hour), 10))
	b.WriteString(" h")
	if m := int64((d % time.Hour) / time.Minute); m != 0 {
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(m, 10))
		b.WriteString(" min")
	}
}
