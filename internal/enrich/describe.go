package enrich

import (
	"time"
)

// Open reports whether the window is still open at now.
func (w *Window) Open(now time.Time) bool {
	return w != nil && !w.NoWindow && !w.Ended && !w.Deadline.IsZero() && now.Before(w.Deadline)
}

// Left is the time left at now, or 0 when the window is not open.
func (w *Window) Left(now time.Time) time.Duration {
	if !w.Open(now) {
		return 0
	}
	return w.Deadline.Sub(now)
}

// New is the replacement (GREEN) task set, or nil when none is labelled so.
func (s *Service) New() *TaskSet { return s.labelled("GREEN") }

// Old is the original (BLUE) task set, or nil when none is labelled so.
func (s *Service) Old() *TaskSet { return s.labelled("BLUE") }

func (s *Service) labelled(label string) *TaskSet {
	if s == nil {
		return nil
	}
	for i := range s.TaskSets {
		if s.TaskSets[i].Label == label {
			return &s.TaskSets[i]
		}
	}
	return nil
}

// Live is the task set that serves most production traffic: the highest
// known traffic weight, else the PRIMARY one; nil when it cannot be told.
func (s *Service) Live() *TaskSet {
	if s == nil {
		return nil
	}
	var best *TaskSet
	for i := range s.TaskSets {
		ts := &s.TaskSets[i]
		if ts.TrafficKnown && ts.TrafficWeight > 0 && (best == nil || ts.TrafficWeight > best.TrafficWeight) {
			best = ts
		}
	}
	if best != nil {
		return best
	}
	for i := range s.TaskSets {
		if s.TaskSets[i].Status == "PRIMARY" {
			return &s.TaskSets[i]
		}
	}
	return nil
}

// Images lists the task set's container images in container order, without
// duplicates.
func (ts *TaskSet) Images() []string {
	if ts == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, c := range ts.Containers {
		if c.Image != "" && !seen[c.Image] {
			seen[c.Image] = true
			out = append(out, c.Image)
		}
	}
	return out
}
