package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// decodeStrict decodes raw, one JSON value of type T, strictly: unknown keys
// (a misspelt "distributions") and data after the value are problems. On a
// decode error it says what was expected (shape: e.g. `a JSON list of
// checks like [...]`) and what is wrong, in the decoder's words, which
// quote keys and types, never string values (they may be secrets).
func decodeStrict[T any](raw, shape string) (T, error) {
	var v T
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, fmt.Errorf("not %s: %w", shape, jsonProblem(err))
	}
	if err := dec.Decode(&json.RawMessage{}); !errors.Is(err, io.EOF) {
		what, _, _ := strings.Cut(shape, " like ")
		return v, fmt.Errorf("unexpected data after %s", strings.TrimPrefix(strings.TrimPrefix(what, "a "), "an "))
	}
	return v, nil
}

// entryProblems returns the function that records a problem of the i-th
// entry of a JSON list (kind: "check", "destination"), labelled by the
// entry's name when the name is valid (so a hostile name is never echoed
// as a label), else by its position.
func entryProblems(errs *[]error, kind string, i int, name string, nameOK bool) func(format string, args ...any) {
	label := fmt.Sprintf("%s %d", kind, i+1)
	if nameOK {
		label = kind + " " + name
	}
	return func(format string, args ...any) {
		*errs = append(*errs, fmt.Errorf("%s: %s", label, fmt.Sprintf(format, args...)))
	}
}
