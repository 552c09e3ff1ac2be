package resources

import (
	"testing"
	"time"
)

func TestHistory(t *testing.T) {
	h := newHistory(5)
	if len(h.points()) != 0 {
		t.Fatal("new history not empty")
	}
	var kept [][]Point
	for i := range 23 {
		h.add(Point{CPUPercent: float64(i)})
		kept = append(kept, h.points())
	}
	got := h.points()
	if len(got) != 5 || got[0].CPUPercent != 18 || got[4].CPUPercent != 22 {
		t.Errorf("last five: %v", got)
	}
	// Every slice handed out still holds what it held: later appends never
	// write where a reader looks.
	for i, p := range kept {
		n := min(i+1, 5)
		if len(p) != n || p[n-1].CPUPercent != float64(i) || p[0].CPUPercent != float64(i+1-n) {
			t.Fatalf("slice %d changed: %v", i, p)
		}
	}
	// A reader that appends gets its own array.
	p := h.points()
	_ = append(p, Point{CPUPercent: -1})
	h.add(Point{CPUPercent: 23})
	if q := h.points(); q[len(q)-1].CPUPercent != 23 {
		t.Errorf("reader's append leaked: %v", q)
	}
}

func BenchmarkHistoryAdd(b *testing.B) {
	h := newHistory(DefaultHistory)
	now := time.Now()
	b.ReportAllocs()
	for i := range b.N {
		h.add(Point{Time: now, CPUPercent: float64(i)})
		_ = h.points()
	}
}
