package stack

import (
	"errors"
	"fmt"
	"testing"
)

func TestStatsArithmetic(t *testing.T) {
	cases := []struct {
		name    string
		s       Stats
		cpu     float64
		memUsed uint64
	}{
		{"two CPUs, half of one busy", Stats{CPUTotal: 1_500, PreCPUTotal: 1_000, SystemCPU: 4_000, PreSystemCPU: 2_000, OnlineCPUs: 2, MemUsage: 100, MemInactive: 30}, 50, 70},
		{"no previous sample", Stats{CPUTotal: 1_500, SystemCPU: 4_000, PreSystemCPU: 4_000, OnlineCPUs: 2}, 0, 0},
		{"online CPUs unknown counts one", Stats{CPUTotal: 200, PreCPUTotal: 100, SystemCPU: 1_100, PreSystemCPU: 100}, 10, 0},
		{"inactive file above usage is not subtracted", Stats{MemUsage: 10, MemInactive: 50}, 0, 10},
	}
	for _, c := range cases {
		if got := c.s.CPUPercent(); got != c.cpu {
			t.Errorf("%s: CPUPercent %v, want %v", c.name, got, c.cpu)
		}
		if got := c.s.MemUsed(); got != c.memUsed {
			t.Errorf("%s: MemUsed %d, want %d", c.name, got, c.memUsed)
		}
	}
}

func TestGPUCapable(t *testing.T) {
	cases := []struct {
		info EngineInfo
		want bool
	}{
		{EngineInfo{Runtimes: []string{"io.containerd.runc.v2", "runc"}}, false},
		{EngineInfo{Runtimes: []string{"nvidia", "runc"}}, true},
		{EngineInfo{CDIDevices: []string{"nvidia.com/gpu=0"}}, true},
		{EngineInfo{CDIDevices: []string{"vendor.example/nvidia.com"}}, false},
	}
	for _, c := range cases {
		if got := c.info.GPUCapable(); got != c.want {
			t.Errorf("%+v: GPUCapable %v, want %v", c.info, got, c.want)
		}
	}
}

func TestEngineErrorIsUnavailable(t *testing.T) {
	cause := errors.New("connection refused")
	err := fmt.Errorf("list: %w", &EngineError{Host: "unix:///x.sock", Err: cause})
	if !errors.Is(err, ErrEngineUnavailable) || !errors.Is(err, cause) {
		t.Errorf("%v: must match ErrEngineUnavailable and its cause", err)
	}
	if errors.Is(cause, ErrEngineUnavailable) {
		t.Error("a bare error must not match ErrEngineUnavailable")
	}
}
