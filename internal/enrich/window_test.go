package enrich

import (
	"testing"
	"time"
)

func TestWindowOpenLeft(t *testing.T) {
	now := time.Date(2026, time.March, 10, 13, 54, 0, 0, time.UTC)
	deadline := time.Date(2026, time.March, 10, 14, 52, 0, 0, time.UTC)
	w := &Window{Kind: WindowRollback, Start: deadline.Add(-time.Hour), Wait: time.Hour, Deadline: deadline, Action: "TERMINATE"}
	if !w.Open(now) || w.Left(now) != 58*time.Minute || w.Open(deadline) || w.Left(deadline) != 0 {
		t.Errorf("Open/Left wrong for %+v", w)
	}
}
