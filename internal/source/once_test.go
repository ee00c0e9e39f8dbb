package source_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/source"
	"github.com/cutover-dev/cutover/internal/source/codedeploy"
	"github.com/cutover-dev/cutover/internal/source/ecsnative"
)

// registry is the registry app builds, with both sources.
var registry = source.New(codedeploy.Decoder{}, ecsnative.Decoder{})

// corpus is every input fixture of the sources and of inbound.
func corpus(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	for _, pattern := range []string{"codedeploy/testdata/*/*.json", "ecsnative/testdata/*/*.json", "../inbound/testdata/*.json", "../e2e/testdata/hostile/*"} {
		files, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			if strings.Contains(f, "/decoded/") {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				tb.Fatal(err)
			}
			out[f] = data
		}
	}
	if len(out) < 40 {
		tb.Fatalf("only %d fixtures", len(out))
	}
	return out
}

// sameAsLayered checks that the one-pass path, when it takes data, decodes
// exactly what the layer-by-layer path does.
func sameAsLayered(t *testing.T, data []byte) bool {
	t.Helper()
	once, ok := registry.DecodeOnce(data)
	if !ok {
		return false
	}
	layered, err := registry.DecodeLayered(data)
	if err != nil {
		t.Fatalf("one pass decoded %d events where the layered path says %v", len(once), err)
	}
	if !reflect.DeepEqual(once, layered) {
		t.Fatalf("one pass decoded\n%+v\nlayered\n%+v", once, layered)
	}
	return true
}

// TestDecodeOnceFixtures: every fixture that decodes, hostile ones
// included, is decoded in one pass, to the same events; only failure
// records (rare: a replay) and records events with \u escapes (which a
// struct may read differently from a map; recordsOnce says why) are left
// to the layered path.
func TestDecodeOnceFixtures(t *testing.T) {
	for name, data := range corpus(t) {
		_, err := registry.DecodeLayered(data)
		ok := sameAsLayered(t, data)
		escaped := bytes.Contains(data, []byte(`\u`)) && bytes.Contains(data, []byte(`"Records"`))
		if err == nil && !ok && !strings.Contains(name, "/destination/") && !escaped {
			t.Errorf("%s: decodes, but not in one pass", name)
		}
	}
}

// TestDecodeOnceLeavesOddInputs: inputs that a struct would read
// differently from a map (keys in another case, escaped keys, a second
// Sns object in a record) are left to the layered path, which decides.
func TestDecodeOnceLeavesOddInputs(t *testing.T) {
	msg, _ := json.Marshal(`{"deploymentId":"d-1","status":"Succeeded","region":"us-east-1"}`)
	for _, in := range []string{
		`{"records":[{"Sns":{"Message":` + string(msg) + `}}],"Records":[{"body":"{}"}]}`,
		`{"Records":[{"Sns":{"Message":` + string(msg) + `}}],"RECORDS":[]}`,
		`{"Records":[{"Sns":{"Message":` + string(msg) + `},"sns":{"Subject":"x"}}]}`,
		`{"Records":[{"Sns":{"Message":` + string(msg) + `},"\u0053ns":{"Subject":"x"}}]}`,
		`{"\u0052ecords":[{"Sns":{"Message":` + string(msg) + `}}]}`,
		`{"Records":[{"Sns":{"Message":` + string(msg) + `}}]} x`,
	} {
		if _, ok := registry.DecodeOnce([]byte(in)); ok {
			t.Errorf("%s: taken in one pass", in)
		}
		once, errOnce := registry.Decode([]byte(in))
		layered, err := registry.DecodeLayered([]byte(in))
		if !reflect.DeepEqual(once, layered) || (err == nil) != (errOnce == nil) || (err != nil && err.Error() != errOnce.Error()) {
			t.Errorf("%s: Decode %v %v, layered %v %v", in, once, errOnce, layered, err)
		}
	}
}

// FuzzDecodeOnce: whatever the one-pass path takes, it decodes exactly as
// the layer-by-layer path does; and Decode (one pass, else layered) always
// answers as the layered path does.
func FuzzDecodeOnce(f *testing.F) {
	for _, data := range corpus(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsLayered(t, data)
		evs, err := registry.Decode(data)
		layered, lerr := registry.DecodeLayered(data)
		if (err == nil) != (lerr == nil) || (err != nil && err.Error() != lerr.Error()) || !reflect.DeepEqual(evs, layered) {
			t.Fatalf("Decode %v %v, layered %v %v", evs, err, layered, lerr)
		}
	})
}

// FuzzReadObject: what ReadObject lists is what encoding/json decodes
// into a map, and Object.String is what a struct field reads, whenever the
// input is valid JSON.
func FuzzReadObject(f *testing.F) {
	for _, data := range corpus(f) {
		f.Add(data)
	}
	f.Add([]byte(`{"source":"aws.ecs","Source":null,"detail-type":5}`))
	f.Add([]byte(` {"a" : [1,{"b":"}"}], "c":"\"", "d":-1.5e3,"a":null} `))
	f.Fuzz(func(t *testing.T, data []byte) {
		o := source.ReadObject(data)
		if o == nil || !json.Valid(data) {
			return
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			t.Fatalf("listed members of what does not decode as an object: %v", err)
		}
		got := o.Map()
		if len(got) != len(top) {
			t.Fatalf("members %v, map %v", got, top)
		}
		for k, v := range top {
			if string(got[k]) != string(v) || string(o.Raw(k)) != string(v) {
				t.Fatalf("member %q: %s / %s, map %s", k, got[k], o.Raw(k), v)
			}
			if o.Has(k) != source.Has(top, k) {
				t.Fatalf("Has(%q) %v", k, o.Has(k))
			}
		}
		for _, k := range []string{"source", "detail-type", "Type"} {
			var st struct {
				Source     string `json:"source"`
				DetailType string `json:"detail-type"`
				Type       string `json:"Type"`
			}
			err := json.Unmarshal(data, &st)
			want := map[string]string{"source": st.Source, "detail-type": st.DetailType, "Type": st.Type}[k]
			s, ok := o.String(k)
			if ok && err == nil && s != want {
				t.Fatalf("String(%q) = %q, json %q", k, s, want)
			}
			if err == nil && !ok {
				t.Fatalf("String(%q) not ok where json decodes", k)
			}
		}
	})
}

// TestReadObjectGivesUp: what ReadObject cannot list exactly as
// encoding/json reads it is not listed.
func TestReadObjectGivesUp(t *testing.T) {
	many := `{` + strings.Repeat(`"k":1,`, 64) + `"k":2}`
	for _, in := range []string{``, `[]`, `"x"`, `{"\u0061":1}`, `{"é":1}`, `{"a":1`, `{"a":1}}`, `{"a" 1}`, `{"a":}`, `{"a":1,}`, many} {
		if o := source.ReadObject([]byte(in)); o != nil {
			t.Errorf("%s: listed", in)
		}
	}
	o := source.ReadObject([]byte(` {"a":{"b":"}\"{"},"a":null,"c":[1,"]"],"Source":"x","source":"y"} `))
	if o == nil {
		t.Fatal("not listed")
	}
	if o.Has("a") || string(o.Raw("c")) != `[1,"]"]` || !o.HasFold("SOURCE") || o.Unique("source") {
		t.Errorf("members read wrong: %v", o.Map())
	}
	if s, ok := o.String("source"); !ok || s != "y" {
		t.Errorf("String(source) = %q, %v", s, ok)
	}
}
