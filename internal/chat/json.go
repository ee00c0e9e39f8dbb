package chat

import (
	"bytes"
	"encoding/json"
)

// EncodeJSON is v as a request body: JSON without HTML escaping (each
// formatter escapes for its own markup, and "<", ">" and "&" stay
// readable) and without a trailing newline.
func EncodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
