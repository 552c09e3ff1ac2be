package resources

import "time"

// growthWindow bounds how far back from the peak the growth rate looks: the
// rise that ends in a kill, not the warm-up of an hour ago.
const growthWindow = 30 * time.Second

// MemTrend reads a container's memory history (oldest first) for the
// doctor: the peak memory use, and how fast it grew before it, in bytes a
// second, over the climb that ends at the peak (back to the last dip, at
// most growthWindow). growth is 0 when the history is too short, or memory
// did not rise to its peak.
func MemTrend(points []Point) (peak uint64, growth float64) {
	if len(points) == 0 {
		return 0, 0
	}
	top := 0
	for i, p := range points {
		if p.MemUsed >= points[top].MemUsed {
			top = i
		}
	}
	peak = points[top].MemUsed
	start := top
	for start > 0 && points[start-1].MemUsed <= points[start].MemUsed &&
		points[top].Time.Sub(points[start-1].Time) <= growthWindow {
		start--
	}
	dt := points[top].Time.Sub(points[start].Time).Seconds()
	if dt <= 0 || points[top].MemUsed <= points[start].MemUsed {
		return peak, 0
	}
	return peak, float64(points[top].MemUsed-points[start].MemUsed) / dt
}
