package probes

import (
	"fmt"

	"github.com/docker/go-units"

	"github.com/stackui/stackui/stack"
)

// MemoryBound says which memory the containers share: this host's, or the
// engine's own when that is another machine (a remote engine) or a VM
// (Docker Desktop) with less memory than the host.
type MemoryBound struct {
	Bytes uint64 `json:"bytes"`
	// By is "host" or "engine".
	By string `json:"by"`
	// Note explains a bound by the engine, naming both figures; empty
	// when the host's memory is what counts.
	Note string `json:"note,omitempty"`
}

// ContainerMemory tells which memory limits the engine's containers. The
// engine's MemTotal (docker info) is the machine its containers run on; on
// the same host it matches /proc/meminfo to the byte, so any gap beyond
// rounding means a VM.
func ContainerMemory(h Host, e stack.EngineInfo) MemoryBound {
	switch {
	case e.MemTotal == 0:
		return MemoryBound{Bytes: h.MemTotal, By: "host"}
	case !e.Local:
		return MemoryBound{Bytes: e.MemTotal, By: "engine", Note: fmt.Sprintf(
			"the engine at %s has %s; containers are limited by its memory, not this machine's", e.Host, Bytes(e.MemTotal))}
	case h.MemTotal == 0 || !differ(h.MemTotal, e.MemTotal):
		return MemoryBound{Bytes: e.MemTotal, By: "host"}
	}
	what := "the engine's VM"
	if e.OperatingSystem == "Docker Desktop" {
		what = "the Docker Desktop VM"
	}
	return MemoryBound{Bytes: e.MemTotal, By: "engine", Note: fmt.Sprintf(
		"%s has %s of this machine's %s; containers are limited by the VM's memory", what, Bytes(e.MemTotal), Bytes(h.MemTotal))}
}

// differ allows 2% for how kernels round and reserve memory.
func differ(a, b uint64) bool {
	d := max(a, b) - min(a, b)
	return d > max(a, b)/50
}

// Bytes writes a byte count as docker stats writes memory (58.23MiB): the
// one byte formatter of the CLI and the TUI.
func Bytes(b uint64) string { return units.BytesSize(float64(b)) }
