package check

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// Percentile returns the p-th percentile (0 < p <= 100) of samples by the
// nearest-rank method: the smallest sample such that at least p percent of
// the samples are less than or equal to it, i.e. the value at rank
// ceil(p/100 × n) of the samples sorted in ascending order. It is always
// one of the samples (no interpolation): with 20 samples, p95 is the 19th
// smallest and p99 the 20th. It returns 0 for no samples.
func Percentile(samples []time.Duration, p float64) time.Duration {
	if len(samples) == 0 || p <= 0 {
		return 0
	}
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// FormatDuration shows a latency the way summaries do: whole milliseconds
// below a second ("41 ms"), seconds with one decimal from there ("2.4 s").
func FormatDuration(d time.Duration) string {
	if r := d.Round(time.Millisecond); r < time.Second {
		return strconv.FormatInt(r.Milliseconds(), 10) + " ms"
	}
	return strconv.FormatFloat(math.Round(d.Seconds()*10)/10, 'f', 1, 64) + " s"
}
