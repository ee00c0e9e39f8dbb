package check

import "testing"

func TestReportFailed(t *testing.T) {
	if (Report{}).Failed() {
		t.Error("no checks cannot fail")
	}
	if (Report{Results: []Result{{Name: "a", Passed: true}}}).Failed() {
		t.Error("all passed")
	}
	if !(Report{Results: []Result{{Name: "a", Passed: true}, {Name: "b", Error: "no listener"}}}).Failed() {
		t.Error("a check that could not run fails the report")
	}
}
