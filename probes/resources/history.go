package resources

import "time"

// DefaultHistory is five minutes of one sample a second.
const DefaultHistory = 300

// Point is one step of a container's history, for sparklines.
type Point struct {
	Time       time.Time `json:"time"`
	CPUPercent float64   `json:"cpu_percent"`
	MemUsed    uint64    `json:"mem_used_bytes"`
	MemLimit   uint64    `json:"mem_limit_bytes"`
	GPUMem     uint64    `json:"gpu_mem_bytes"`
}

// history keeps the last n points. Snapshots share its storage without
// copying: points are only ever appended past the end of every slice handed
// out, and when the array is full the last n points move to a new one, so a
// slice handed out is never written again. That costs one copy of n points
// every n appends instead of one per snapshot.
type history struct {
	n   int
	buf []Point
}

func newHistory(n int) history { return history{n: n} }

func (h *history) add(p Point) {
	if h.buf == nil {
		h.buf = make([]Point, 0, h.room())
	}
	if len(h.buf) == cap(h.buf) {
		nb := make([]Point, h.n-1, h.room())
		copy(nb, h.buf[len(h.buf)-(h.n-1):])
		h.buf = nb
	}
	h.buf = append(h.buf, p)
}

// room is the array's length: n and a quarter, at least one spare.
func (h *history) room() int { return h.n + max(h.n/4, 1) }

// points returns the last n points, oldest first. The caller must not
// modify them.
func (h *history) points() []Point {
	if len(h.buf) > h.n {
		return h.buf[len(h.buf)-h.n : len(h.buf) : len(h.buf)]
	}
	return h.buf[:len(h.buf):len(h.buf)]
}
