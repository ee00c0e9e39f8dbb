package codedeploy

import (
	"encoding/json"
	"testing"
)

// FuzzPlainString checks that plainString, where it answers, gives exactly
// what json.Unmarshal gives for the same string literal.
func FuzzPlainString(f *testing.F) {
	for _, s := range []string{`""`, `"a"`, `"Succeeded"`, `"a\"b"`, `"a\u00e9"`, `"tab\there"`, `"Thu Oct 13 15:50:47 UTC 2022"`, `"é"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := plainString(raw)
		var want string
		err := json.Unmarshal(raw, &want)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("plainString(%q) = %q, but json.Unmarshal fails: %v", raw, got, err)
		}
		if got != want {
			t.Fatalf("plainString(%q) = %q, json.Unmarshal gives %q", raw, got, want)
		}
	})
}
