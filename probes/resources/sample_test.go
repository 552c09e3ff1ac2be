package resources

import (
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

func recordedStats(t testing.TB, name string) stack.Stats {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "engine", name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := docker.DecodeStats(b)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The Engine API path: recorded payloads from both cgroup versions give
// docker stats' own figures.
func TestFromStatsRecorded(t *testing.T) {
	tests := []struct {
		file     string
		cpu      float64 // docker stats' CPU %, to 0.01
		memUsed  uint64
		memLimit uint64
		memPct   float64
		net      [2]uint64
		blk      [2]uint64
	}{
		// 24489595 ns of container CPU in 1990000000 ns of the machine's
		// two CPUs: 1.2306% of the machine, 2.46% of one CPU.
		{"stats-cgroupv1.json", 2.46, 69218304 - 10817536, 268435456, 21.75, [2]uint64{806, 0}, [2]uint64{0, 0}},
		// 495269000 ns in 8040000000 ns over 8 CPUs: 49.28%.
		{"stats-cgroupv2.json", 49.28, 536870912 - 83886080, 2147483648, 21.09, [2]uint64{1048576 + 4096, 262144 + 2048}, [2]uint64{10403840 + 4096, 2281472}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			s, ok := FromStats(recordedStats(t, tt.file))
			if !ok {
				t.Fatal("no sample")
			}
			if math.Abs(s.CPUPercent-tt.cpu) > 0.01 {
				t.Errorf("CPU %.3f%%, want %.2f%%", s.CPUPercent, tt.cpu)
			}
			if s.MemUsed != tt.memUsed || s.MemLimit != tt.memLimit {
				t.Errorf("memory %d / %d, want %d / %d", s.MemUsed, s.MemLimit, tt.memUsed, tt.memLimit)
			}
			if math.Abs(s.MemPercent()-tt.memPct) > 0.01 {
				t.Errorf("memory %.3f%%, want %.2f%%", s.MemPercent(), tt.memPct)
			}
			if s.NetRx != tt.net[0] || s.NetTx != tt.net[1] || s.BlkRead != tt.blk[0] || s.BlkWrite != tt.blk[1] {
				t.Errorf("net %d/%d blk %d/%d", s.NetRx, s.NetTx, s.BlkRead, s.BlkWrite)
			}
		})
	}
}

func TestFromStatsWithoutPrevious(t *testing.T) {
	first := recordedStats(t, "stats-cgroupv2.json")
	first.PreCPUTotal, first.PreSystemCPU = 0, 0
	if _, ok := FromStats(first); ok {
		t.Error("the first sample of a stream has no previous one: no CPU figure can be made")
	}
	if _, ok := FromStats(stack.Stats{}); ok {
		t.Error("a stopped container's all-zero sample made a Sample")
	}
	stale := recordedStats(t, "stats-cgroupv1.json")
	stale.PreSystemCPU = stale.SystemCPU
	if _, ok := FromStats(stale); ok {
		t.Error("no system time passed: no Sample")
	}
}

// The cgroup path: two reads make docker stats' figures.
func TestSampleBetween(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const gib = 1 << 30
	tests := []struct {
		name        string
		prev, cur   Counters
		machine     uint64
		cpu         float64
		used, limit uint64
	}{
		{
			name:    "half a core over a second, v1 page cache left out",
			prev:    Counters{Time: t0, CPUNanos: 1e9},
			cur:     Counters{Time: t0.Add(time.Second), CPUNanos: 1.5e9, MemUsage: 100 << 20, MemInactive: 30 << 20, MemLimit: 256 << 20},
			machine: 8 * gib, cpu: 50, used: 70 << 20, limit: 256 << 20,
		},
		{
			name:    "two cores over two seconds",
			prev:    Counters{Time: t0, CPUNanos: 0},
			cur:     Counters{Time: t0.Add(2 * time.Second), CPUNanos: 4e9, MemUsage: 10},
			machine: 8 * gib, cpu: 200, used: 10, limit: 8 * gib, // no limit: the machine's memory
		},
		{
			name: "a limit above the machine's memory is the machine's",
			prev: Counters{Time: t0}, cur: Counters{Time: t0.Add(time.Second), MemLimit: 64 * gib},
			machine: 8 * gib, limit: 8 * gib,
		},
		{
			name: "machine memory unknown: the limit as is",
			prev: Counters{Time: t0}, cur: Counters{Time: t0.Add(time.Second), MemLimit: 64 << 20},
			limit: 64 << 20,
		},
		{
			name:    "counter went back (restarted): no CPU, no wrap-around",
			prev:    Counters{Time: t0, CPUNanos: 5e9},
			cur:     Counters{Time: t0.Add(time.Second), CPUNanos: 1e6},
			machine: gib, limit: gib,
		},
		{
			name:    "no time passed: no division by zero",
			prev:    Counters{Time: t0, CPUNanos: 1},
			cur:     Counters{Time: t0, CPUNanos: 2},
			machine: gib, limit: gib,
		},
		{
			name: "inactive above usage (racy read): usage as is",
			prev: Counters{Time: t0}, cur: Counters{Time: t0.Add(time.Second), MemUsage: 5, MemInactive: 9},
			machine: gib, used: 5, limit: gib,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := SampleBetween(tt.prev, tt.cur, tt.machine)
			if math.Abs(s.CPUPercent-tt.cpu) > 1e-9 || s.MemUsed != tt.used || s.MemLimit != tt.limit {
				t.Errorf("cpu %.3f used %d limit %d; want %.3f %d %d", s.CPUPercent, s.MemUsed, s.MemLimit, tt.cpu, tt.used, tt.limit)
			}
			if !s.Time.Equal(tt.cur.Time) {
				t.Errorf("time %v", s.Time)
			}
		})
	}
}

// The two formulas agree: the Engine API's system CPU time is wall time
// times the number of CPUs, so Δcontainer/Δsystem × CPUs equals
// Δcontainer/Δwall.
func TestFormulasAgree(t *testing.T) {
	const cpus = 4
	wall := 1500 * time.Millisecond
	used := uint64(900 * time.Millisecond)
	eng := stack.Stats{Read: time.Now(), CPUTotal: 10e9 + used, PreCPUTotal: 10e9,
		SystemCPU: 1e12 + uint64(wall)*cpus, PreSystemCPU: 1e12, OnlineCPUs: cpus}
	t0 := time.Now()
	cg := SampleBetween(Counters{Time: t0, CPUNanos: 10e9}, Counters{Time: t0.Add(wall), CPUNanos: 10e9 + used}, 0)
	if math.Abs(eng.CPUPercent()-cg.CPUPercent) > 1e-9 || math.Abs(cg.CPUPercent-60) > 1e-9 {
		t.Errorf("engine %.4f%%, cgroup %.4f%%, want 60%%", eng.CPUPercent(), cg.CPUPercent)
	}
}
