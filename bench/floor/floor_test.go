package main

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

const fixture = "../../internal/source/codedeploy/testdata/sns-lambda/instance-success.json"

// TestRender checks that the floor builds the Slack body cutover's
// benchmark fixture calls for, so that its cost is a fair reference.
func TestRender(t *testing.T) {
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	out, err := render(data)
	if err != nil {
		t.Fatal(err)
	}
	var b body
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatalf("floor body is not JSON: %v", err)
	}
	for _, want := range []string{"d-7XQ2K9ABC", "web-frontend-prod", "prod-cluster:web-frontend", "2022-10-13 15:5"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("floor body lacks %q:\n%s", want, out)
		}
	}
	if _, err := render([]byte(`{"Records":[]}`)); err == nil {
		t.Error("an event without records rendered")
	}
}

// BenchmarkFloorDecodeRender is the floor's warm decode + render of the
// fixture cutover's BenchmarkDecodeRender uses: the reference for that
// goal, measured by bench/run.sh in the same run.
func BenchmarkFloorDecodeRender(b *testing.B) {
	data, err := os.ReadFile(fixture)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render(data); err != nil {
			b.Fatal(err)
		}
	}
}
