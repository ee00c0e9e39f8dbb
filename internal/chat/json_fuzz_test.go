package chat

import (
	"encoding/json"
	"testing"
)

// FuzzAppendJSONString checks that AppendJSONString writes exactly what
// encoding/json writes for the same string: json.Marshal with HTML
// escaping, EncodeJSON without.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "a", `"\`, "<a href=\"x\">&amp;</a>", "\x00\x01\b\f\n\r\t\x1f\x7f", "é ✓ 🚀", "\u2028\u2029", "\xff\xfe", "a\xc3", "\xed\xa0\x80", "`code` *b* _i_ ~s~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendJSONString([]byte("x"), s, true); string(got) != "x"+string(want) {
			t.Errorf("AppendJSONString(%q, html) = %s, want x%s", s, got, want)
		}
		want, err = EncodeJSON(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendJSONString(nil, s, false); string(got) != string(want) {
			t.Errorf("AppendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
