package messagetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/cutover-dev/cutover/internal/deploy"
	"github.com/cutover-dev/cutover/internal/enrich"
	"github.com/cutover-dev/cutover/internal/message"
	"github.com/cutover-dev/cutover/internal/source/ecsnative"
)

// ECSNativeSwitchExecution is the hook execution of the traffic-switched
// notice "ecs-native-switched".
const ECSNativeSwitchExecution = "f4fcae0f-9bec-41c6-ba87-0eaa0cef8af5"

// ecsNativeDir is the directory of the ECS-native source's fixtures, and
// enrichDir that of the ECS-native enricher's golden details (what the
// enricher found for those fixtures in the fake ECS API).
func ecsNativeDirs(t testing.TB) (fixtures, details string) {
	t.Helper()
	_, self, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("messagetest: cannot locate the ECS-native fixtures")
	}
	internal := filepath.Join(filepath.Dir(self), "..", "..")
	return filepath.Join(internal, "source", "ecsnative", "testdata"), filepath.Join(internal, "enrich", "ecsnative", "testdata")
}

// ECSNativeEvent decodes the ECS-native fixture name, e.g.
// "deployment/in-progress.json".
func ECSNativeEvent(t testing.TB, name string) deploy.Event {
	t.Helper()
	dir, _ := ecsNativeDirs(t)
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	evs, err := ecsnative.Decode(data)
	if err != nil || len(evs) != 1 {
		t.Fatalf("messagetest: %s: %v", name, err)
	}
	return evs[0]
}

// ECSNativeDetails are the details the ECS-native enricher found for the
// fixture name (its golden file), e.g. "deployment/in-progress.json".
func ECSNativeDetails(t testing.TB, name string) *enrich.Details {
	t.Helper()
	_, dir := ecsNativeDirs(t)
	data, err := os.ReadFile(filepath.Join(dir, strings.ReplaceAll(strings.TrimSuffix(name, ".json"), "/", "__")+".golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d enrich.Details
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// ECSNativeNotices are the ECS-native notices with details, by name: a
// deployment in bake time ("ecs-native-bake-time"), the traffic switch a
// lifecycle hook reports ("ecs-native-switched"), a circuit-breaker
// rollback ("ecs-native-rolling-back") and a pause hook waiting
// ("ecs-native-hook-awaiting").
func ECSNativeNotices(t testing.TB) map[string]*message.Notice {
	t.Helper()
	with := func(fixture string) *message.Notice {
		return &message.Notice{Event: ECSNativeEvent(t, fixture), Details: ECSNativeDetails(t, fixture), Now: Now}
	}
	switched := with("hook/in-progress.json")
	ev := &switched.Event
	ev.Name, ev.Phase, ev.Source, ev.Status, ev.RawStatus = "POST_PRODUCTION_TRAFFIC_SHIFT", deploy.TrafficSwitched, "ecs-hook", "", ""
	ev.Execution, ev.Error, ev.ID = ECSNativeSwitchExecution, nil, ""
	return map[string]*message.Notice{
		"ecs-native-bake-time":     with("deployment/in-progress.json"),
		"ecs-native-switched":      switched,
		"ecs-native-rolling-back":  with("deployment/rolling-back.json"),
		"ecs-native-hook-awaiting": with("hook/awaiting-action.json"),
	}
}

// ecsNativeCases are ECSNativeNotices under "go__<name>" and every
// ECS-native fixture decoded, under "ecsnative-<dir>__<file>".
func ecsNativeCases(t testing.TB, cases map[string]*message.Notice) {
	t.Helper()
	for name, n := range ECSNativeNotices(t) {
		cases["go__"+name] = n
	}
	dir, _ := ecsNativeDirs(t)
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("messagetest: no ECS-native fixture in %s: %v", dir, err)
	}
	for _, p := range paths {
		sub := filepath.Base(filepath.Dir(p))
		if sub == "decoded" {
			continue
		}
		name := sub + "/" + filepath.Base(p)
		cases["ecsnative-"+sub+"__"+strings.TrimSuffix(filepath.Base(p), ".json")] = &message.Notice{Event: ECSNativeEvent(t, name), Now: Now}
	}
}
