package webhook

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cutover-dev/cutover/internal/message/messagetest"
)

// schemaPath is the published JSON Schema of the document.
const schemaPath = "../../../docs/webhook.schema.json"

var (
	schemaOnce sync.Once
	schemaDoc  map[string]any
	schemaErr  error
)

// loadSchema reads docs/webhook.schema.json once.
func loadSchema(t testing.TB) map[string]any {
	t.Helper()
	schemaOnce.Do(func() {
		raw, err := os.ReadFile(schemaPath)
		if err != nil {
			schemaErr = err
			return
		}
		schemaErr = json.Unmarshal(raw, &schemaDoc)
	})
	if schemaErr != nil {
		t.Fatalf("schema: %v", schemaErr)
	}
	return schemaDoc
}

// validate checks body against the schema, for the subset of JSON Schema
// 2020-12 the schema uses ($ref to $defs, type, const, enum, pattern,
// required, properties, items, format date-time and uri), strictly: a
// property the schema does not declare is an error too, so the schema
// cannot fall behind the document.
func validate(t testing.TB, body []byte) []string {
	t.Helper()
	root := loadSchema(t)
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	v := &validator{root: root}
	v.check("$", root, doc)
	return v.errs
}

type validator struct {
	root map[string]any
	errs []string
}

func (v *validator) fail(path, format string, args ...any) {
	v.errs = append(v.errs, path+": "+fmt.Sprintf(format, args...))
}

func (v *validator) resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		name, ok := strings.CutPrefix(ref, "#/$defs/")
		def, _ := v.root["$defs"].(map[string]any)[name].(map[string]any)
		if !ok || def == nil {
			v.fail("schema", "unresolved $ref %q", ref)
			return map[string]any{}
		}
		// Keywords beside $ref apply too: merge, the sibling winning.
		merged := map[string]any{}
		for k, x := range def {
			merged[k] = x
		}
		for k, x := range s {
			if k != "$ref" {
				merged[k] = x
			}
		}
		s = merged
	}
}

func (v *validator) check(path string, schema map[string]any, x any) {
	s := v.resolve(schema)
	if c, ok := s["const"]; ok && c != x {
		v.fail(path, "want %v, got %v", c, x)
	}
	if e, ok := s["enum"].([]any); ok && !slices.Contains(e, x) {
		v.fail(path, "%v not in %v", x, e)
	}
	if typ, ok := s["type"].(string); ok && !hasType(typ, x) {
		v.fail(path, "want %s, got %T", typ, x)
		return
	}
	switch x := x.(type) {
	case string:
		if p, ok := s["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(x) {
			v.fail(path, "%q does not match %s", x, p)
		}
		switch s["format"] {
		case "date-time":
			if _, err := time.Parse(time.RFC3339Nano, x); err != nil {
				v.fail(path, "not a date-time: %q", x)
			}
		case "uri":
			if u, err := url.Parse(x); err != nil || !u.IsAbs() {
				v.fail(path, "not an absolute URI: %q", x)
			}
		}
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		req, _ := s["required"].([]any)
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				v.fail(path, "missing required %q", r)
			}
		}
		for k, val := range x {
			ps, ok := props[k].(map[string]any)
			if !ok {
				v.fail(path, "property %q not in the schema", k)
				continue
			}
			v.check(path+"."+k, ps, val)
		}
	case []any:
		if items, ok := s["items"].(map[string]any); ok {
			for i, it := range x {
				v.check(fmt.Sprintf("%s[%d]", path, i), items, it)
			}
		}
	}
}

func hasType(typ string, x any) bool {
	switch typ {
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "string":
		_, ok := x.(string)
		return ok
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "integer":
		f, ok := x.(float64)
		return ok && f == float64(int64(f))
	case "number":
		_, ok := x.(float64)
		return ok
	}
	return false
}

// TestSchemaValidatorRejects makes sure the validator is not vacuous.
func TestSchemaValidatorRejects(t *testing.T) {
	body, err := Render(messagetest.GoNotices()["traffic-switched-actions"])
	if err != nil {
		t.Fatal(err)
	}
	if errs := validate(t, body); len(errs) > 0 {
		t.Fatalf("valid body rejected: %v", errs)
	}
	var doc map[string]any
	_ = json.Unmarshal(body, &doc)
	for name, mutate := range map[string]func(d map[string]any){
		"wrong version":   func(d map[string]any) { d["version"] = "2" },
		"missing event":   func(d map[string]any) { delete(d, "event") },
		"unknown field":   func(d map[string]any) { d["extra"] = 1 },
		"bad id":          func(d map[string]any) { d["delivery"].(map[string]any)["id"] = "x" },
		"bad severity":    func(d map[string]any) { d["message"].(map[string]any)["severity"] = "loud" },
		"bad time":        func(d map[string]any) { d["time"] = "yesterday" },
		"actions object":  func(d map[string]any) { d["actions"] = map[string]any{} },
		"outcome missing": func(d map[string]any) { delete(d["actions"].([]any)[0].(map[string]any), "outcome") },
	} {
		var c map[string]any
		_ = json.Unmarshal(body, &c)
		mutate(c)
		raw, _ := json.Marshal(c)
		if errs := validate(t, raw); len(errs) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}
