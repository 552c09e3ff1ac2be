package resources

import (
	"math"
	"testing"
	"time"
)

func TestMemTrend(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	series := func(mibs ...uint64) []Point {
		ps := make([]Point, len(mibs))
		for i, m := range mibs {
			ps[i] = Point{Time: t0.Add(time.Duration(i) * time.Second), MemUsed: m << 20}
		}
		return ps
	}
	long := make([]uint64, 60)
	for i := range long {
		long[i] = uint64(10 * i)
	}
	cases := []struct {
		name   string
		points []Point
		peak   uint64 // MiB
		growth float64
	}{
		{"none", nil, 0, 0},
		{"one point", series(100), 100, 0},
		{"flat", series(50, 50, 50), 50, 0},
		{"steady climb to a kill", series(20, 40, 60, 80), 80, 20 << 20},
		{"climb after a dip", series(90, 10, 30, 50, 70, 128), 128, (128 - 10) << 20 / 4.0},
		{"peak then fall", series(10, 60, 110, 20), 110, 50 << 20},
		{"only the last 30s count", series(long...), 590, 300 << 20 / 30.0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			peak, growth := MemTrend(tc.points)
			if peak != tc.peak<<20 || math.Abs(growth-tc.growth) > 1 {
				t.Errorf("MemTrend = %d MiB, %.0f B/s; want %d MiB, %.0f B/s", peak>>20, growth, tc.peak, tc.growth)
			}
		})
	}
}
