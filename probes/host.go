package probes

import (
	"context"
	"fmt"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"
)

// Host is the machine stackui runs on. With a local engine on Linux it is
// the machine the containers run on too; with Docker Desktop or a remote
// engine, the engine's own memory (stack.EngineInfo.MemTotal) is what limits
// containers.
type Host struct {
	CPUs         int    `json:"cpus"`
	MemTotal     uint64 `json:"mem_total_bytes"`
	MemAvailable uint64 `json:"mem_available_bytes"`
}

// ReadHost reads the host's CPU count and memory.
func ReadHost(ctx context.Context) (Host, error) {
	vm, err := mem.VirtualMemoryWithContext(ctx)
	if err != nil {
		return Host{}, fmt.Errorf("read host memory: %w", err)
	}
	n, err := cpu.CountsWithContext(ctx, true)
	if err != nil {
		return Host{}, fmt.Errorf("count host CPUs: %w", err)
	}
	return Host{CPUs: n, MemTotal: vm.Total, MemAvailable: vm.Available}, nil
}
