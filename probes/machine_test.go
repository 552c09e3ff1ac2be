package probes

import (
	"strings"
	"testing"

	"github.com/stackui/stackui/stack"
)

func TestContainerMemory(t *testing.T) {
	const gib = 1 << 30
	host := Host{CPUs: 8, MemTotal: 32 * gib}
	tests := []struct {
		name string
		eng  stack.EngineInfo
		want MemoryBound
		note []string
	}{
		{"local engine on this host", stack.EngineInfo{Local: true, MemTotal: 32 * gib}, MemoryBound{Bytes: 32 * gib, By: "host"}, nil},
		{"engine did not say", stack.EngineInfo{Local: true}, MemoryBound{Bytes: 32 * gib, By: "host"}, nil},
		{"rounding is no VM", stack.EngineInfo{Local: true, MemTotal: 32*gib - 100<<20}, MemoryBound{Bytes: 32*gib - 100<<20, By: "host"}, nil},
		{"Docker Desktop", stack.EngineInfo{Local: true, MemTotal: 8 * gib, OperatingSystem: "Docker Desktop"},
			MemoryBound{Bytes: 8 * gib, By: "engine"}, []string{"Docker Desktop VM", "8GiB", "32GiB"}},
		{"another VM", stack.EngineInfo{Local: true, MemTotal: 4 * gib, OperatingSystem: "Ubuntu"},
			MemoryBound{Bytes: 4 * gib, By: "engine"}, []string{"engine's VM", "4GiB"}},
		{"remote engine", stack.EngineInfo{Host: "ssh://gpu-box", MemTotal: 256 * gib},
			MemoryBound{Bytes: 256 * gib, By: "engine"}, []string{"ssh://gpu-box", "256GiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ContainerMemory(host, tt.eng)
			if got.Bytes != tt.want.Bytes || got.By != tt.want.By {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if (got.Note == "") != (tt.note == nil) {
				t.Errorf("note %q", got.Note)
			}
			for _, w := range tt.note {
				if !strings.Contains(got.Note, w) {
					t.Errorf("note %q lacks %q", got.Note, w)
				}
			}
		})
	}
}
