// Package resources measures the project's running containers: CPU,
// memory against its limit, network and block I/O, and GPU memory, with
// five minutes of history per container for sparklines. On a local Linux
// engine it reads each container's cgroup files directly, as cAdvisor
// does, which costs the engine nothing; elsewhere it falls back to Engine
// API stats streams, and then only for the containers the UI shows. It
// follows container lifecycle from stack snapshots (kept current by
// stack.Live from engine events) and never polls inspect.
package resources

import (
	"time"

	"github.com/stackui/stackui/stack"
)

// Source says where a container's figures come from.
type Source string

const (
	SourceNone   Source = ""       // not measured (not running, or not visible with a remote engine)
	SourceCgroup Source = "cgroup" // this host's cgroup files
	SourceEngine Source = "engine" // an Engine API stats stream
)

// Sample is one measurement of a running container, in `docker stats`'
// terms.
type Sample struct {
	Time time.Time `json:"time"`
	// CPUPercent is percent of one CPU: 200 is two cores busy.
	CPUPercent float64 `json:"cpu_percent"`
	// MemUsed is usage without the inactive page cache, as docker stats
	// counts it; MemLimit is the container's limit, or the engine's memory
	// when it has none.
	MemUsed  uint64 `json:"mem_used_bytes"`
	MemLimit uint64 `json:"mem_limit_bytes"`
	// Cumulative counters since the container started.
	NetRx    uint64 `json:"net_rx_bytes"`
	NetTx    uint64 `json:"net_tx_bytes"`
	BlkRead  uint64 `json:"blk_read_bytes"`
	BlkWrite uint64 `json:"blk_write_bytes"`
	Pids     uint64 `json:"pids"`
}

// MemPercent is MemUsed against MemLimit; 0 without a limit.
func (s Sample) MemPercent() float64 {
	if s.MemLimit == 0 {
		return 0
	}
	return float64(s.MemUsed) / float64(s.MemLimit) * 100
}

// FromStats turns one Engine API stats sample (which carries the engine's
// previous one) into a Sample. ok is false for a sample that cannot give a
// CPU figure: the first of a stream, or one of a stopped container.
func FromStats(s stack.Stats) (Sample, bool) {
	if s.Read.IsZero() || s.Read.Year() <= 1 || s.PreSystemCPU == 0 || s.SystemCPU <= s.PreSystemCPU {
		return Sample{}, false
	}
	return Sample{
		Time:       s.Read,
		CPUPercent: s.CPUPercent(),
		MemUsed:    s.MemUsed(),
		MemLimit:   s.MemLimit,
		NetRx:      s.NetRx,
		NetTx:      s.NetTx,
		BlkRead:    s.BlkRead,
		BlkWrite:   s.BlkWrite,
		Pids:       s.Pids,
	}, true
}

// Counters are one read of a container's cgroup: cumulative CPU time and
// I/O, and memory at that moment.
type Counters struct {
	Time        time.Time // when read; carries the monotonic clock
	CPUNanos    uint64    // cpuacct.usage (v1), cpu.stat usage_usec × 1000 (v2)
	MemUsage    uint64    // memory.usage_in_bytes (v1), memory.current (v2)
	MemInactive uint64    // total_inactive_file (v1), inactive_file (v2)
	MemLimit    uint64    // 0: unlimited
	NetRx       uint64
	NetTx       uint64
	BlkRead     uint64
	BlkWrite    uint64
	Pids        uint64
}

// SampleBetween turns two reads of the same cgroup into a Sample. The
// Engine API divides the container's CPU time by the whole machine's and
// multiplies by the number of CPUs; the machine's CPU time over an interval
// is the wall time times the number of CPUs, so that is the container's CPU
// time over the wall time. machineMem stands in for "no limit", as the
// engine reports it.
func SampleBetween(prev, cur Counters, machineMem uint64) Sample {
	s := Sample{
		Time:     cur.Time,
		MemUsed:  cur.MemUsage,
		MemLimit: cur.MemLimit,
		NetRx:    cur.NetRx,
		NetTx:    cur.NetTx,
		BlkRead:  cur.BlkRead,
		BlkWrite: cur.BlkWrite,
		Pids:     cur.Pids,
	}
	if cur.MemInactive < cur.MemUsage {
		s.MemUsed = cur.MemUsage - cur.MemInactive
	}
	if machineMem > 0 && (s.MemLimit == 0 || s.MemLimit > machineMem) {
		s.MemLimit = machineMem
	}
	wall := cur.Time.Sub(prev.Time)
	if wall > 0 && cur.CPUNanos > prev.CPUNanos {
		s.CPUPercent = float64(cur.CPUNanos-prev.CPUNanos) / float64(wall.Nanoseconds()) * 100
	}
	return s
}
