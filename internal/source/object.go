package source

import (
	"bytes"
	"encoding/json"
	"reflect"
	"unicode/utf8"
)

// Object is the top level of a JSON object as a list of its members: each
// key and where its value lies in the input, found in one pass and without
// decoding or copying anything. It answers the questions that decide what
// a document is (which keys it has, what a short string member says) so
// that the document itself is decoded once, into the struct of whoever
// owns it. A map from encoding/json would answer them too, at the price of
// a decode and a copy of every member; a struct would not answer them
// exactly (its fields take keys in any case, and merge repeated objects).
//
// ReadObject does not validate: what it lists is trusted only once the
// whole document is known to be JSON (Valid, or a json.Unmarshal of all
// of it that succeeded). It gives up (nil) on anything it does not read
// exactly as encoding/json would: keys with escapes or non-ASCII bytes,
// more than maxMembers members, anything out of place.
type Object struct {
	data    []byte
	members []member
	arr     [16]member
	// top holds the members when they could not be listed (MapObject).
	top map[string]json.RawMessage
	// valid caches Valid: 0 not known, 1 valid, 2 not.
	valid int8
}

// MapObject is the Object of data whose top level encoding/json decoded
// into top: for an object ReadObject gives up on. It is valid.
func MapObject(data []byte, top map[string]json.RawMessage) *Object {
	return &Object{data: bytes.TrimSpace(data), top: top, valid: 1}
}

// Valid reports whether the object's JSON is valid UTF-8 and valid JSON,
// checked once: what a decision made from its keys alone needs first.
func (o *Object) Valid() bool {
	if o.valid == 0 {
		o.valid = 2
		if utf8.Valid(o.data) && json.Valid(o.data) {
			o.valid = 1
		}
	}
	return o.valid == 1
}

// member is one key and its value, as offsets into Object.data.
type member struct{ k0, k1, v0, v1 int32 }

// maxMembers bounds the members an Object lists; a larger object is read
// the general way.
const maxMembers = 64

// ReadObject lists the members of the JSON object data (surrounding white
// space allowed), or returns nil if data is not an object it reads exactly
// (see Object). It never decodes a value.
func ReadObject(data []byte) *Object {
	data = bytes.TrimSpace(data)
	if len(data) < 2 || data[0] != '{' || len(data) > MaxInput {
		return nil
	}
	o := &Object{data: data}
	o.members = o.arr[:0]
	i := skipSpace(data, 1)
	if i < len(data) && data[i] == '}' {
		if i != len(data)-1 {
			return nil
		}
		return o
	}
	for {
		if i >= len(data) || data[i] != '"' || len(o.members) == maxMembers {
			return nil
		}
		k0 := i + 1
		k1 := k0
		for k1 < len(data) && data[k1] != '"' {
			if c := data[k1]; c == '\\' || c < 0x20 || c >= 0x80 {
				return nil
			}
			k1++
		}
		if k1 >= len(data) {
			return nil
		}
		i = skipSpace(data, k1+1)
		if i >= len(data) || data[i] != ':' {
			return nil
		}
		v0 := skipSpace(data, i+1)
		v1 := skipValue(data, v0)
		if v1 <= v0 {
			return nil
		}
		o.members = append(o.members, member{int32(k0), int32(k1), int32(v0), int32(v1)})
		i = skipSpace(data, v1)
		if i >= len(data) {
			return nil
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			if i != len(data)-1 {
				return nil
			}
			return o
		default:
			return nil
		}
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipValue returns the end of the value that starts at i (strings,
// objects and lists by their brackets and quotes, anything else up to the
// next delimiter), or i if there is none. It does not check what it skips.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return i
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				e := skipString(data, j)
				if e == j {
					return i
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return i
	case ',', '}', ']', ':':
		return i
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r', '"', '{', '[', ':':
			return j
		}
		j++
	}
	return j
}

// skipString returns the end of the string literal at i (after its closing
// quote), or i if it does not end.
func skipString(data []byte, i int) int {
	for j := i + 1; j < len(data); {
		q := bytes.IndexByte(data[j:], '"')
		if q < 0 {
			return i
		}
		j += q
		// The quote is escaped if an odd number of backslashes precede it.
		b := j - 1
		for b > i && data[b] == '\\' {
			b--
		}
		if (j-1-b)%2 == 0 {
			return j + 1
		}
		j++
	}
	return i
}

// key returns member m's key.
func (o *Object) key(m member) []byte { return o.data[m.k0:m.k1] }

// Raw returns the value of the last member named exactly k (as a map
// decoded by encoding/json would hold it), or nil.
func (o *Object) Raw(k string) json.RawMessage {
	if o.top != nil {
		return o.top[k]
	}
	for i := len(o.members) - 1; i >= 0; i-- {
		if m := o.members[i]; string(o.key(m)) == k {
			return o.data[m.v0:m.v1]
		}
	}
	return nil
}

// Has reports whether the object has the key k, not null (see the
// function Has).
func (o *Object) Has(k string) bool {
	v := o.Raw(k)
	return v != nil && string(v) != "null"
}

// HasFold reports whether a key equals k under ASCII case folding: whether
// a struct field named k could take a value from this object.
func (o *Object) HasFold(k string) bool {
	if o.top != nil {
		// Its keys may fold beyond ASCII: say yes, and let the reader see.
		return true
	}
	for _, m := range o.members {
		if bytes.EqualFold(o.key(m), []byte(k)) {
			return true
		}
	}
	return false
}

// Unique reports whether exactly one key folds to k and it is k itself: a
// struct field named k then decodes the same value a map would hold.
func (o *Object) Unique(k string) bool {
	if o.top != nil {
		return false
	}
	n := 0
	for _, m := range o.members {
		if bytes.EqualFold(o.key(m), []byte(k)) {
			if string(o.key(m)) != k {
				return false
			}
			n++
		}
	}
	return n == 1
}

// String returns what a string struct field named k would hold after
// json.Unmarshal of the object: the last non-null member whose key folds
// to k, unquoted ("" when there is none); ok is false when one of those
// values is not a string or null, where json.Unmarshal would fail.
func (o *Object) String(k string) (s string, ok bool) {
	if o.top != nil {
		return structString(o.data, k)
	}
	for _, m := range o.members {
		if !bytes.EqualFold(o.key(m), []byte(k)) {
			continue
		}
		v := o.data[m.v0:m.v1]
		switch {
		case string(v) == "null":
		case len(v) == 0 || v[0] != '"':
			return "", false
		default:
			if err := json.Unmarshal(v, &s); err != nil {
				return "", false
			}
		}
	}
	return s, true
}

// Map returns the object as encoding/json decodes it into a map (the last
// of duplicate keys wins); the values share the input's bytes.
func (o *Object) Map() map[string]json.RawMessage {
	if o.top != nil {
		return o.top
	}
	top := make(map[string]json.RawMessage, len(o.members))
	for _, m := range o.members {
		top[string(o.key(m))] = o.data[m.v0:m.v1:m.v1]
	}
	return top
}

// structString is json.Unmarshal of data into a struct with one string
// field named k: what String answers for keys it cannot list.
func structString(data []byte, k string) (string, bool) {
	t := reflect.StructOf([]reflect.StructField{{Name: "V", Type: reflect.TypeFor[string](), Tag: reflect.StructTag(`json:"` + k + `"`)}})
	v := reflect.New(t)
	if json.Unmarshal(data, v.Interface()) != nil {
		return "", false
	}
	return v.Elem().Field(0).String(), true
}
