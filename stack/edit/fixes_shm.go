package edit

import (
	"fmt"

	"github.com/stackui/stackui/stack"
	"gopkg.in/yaml.v3"
)

// defaultShmSize is the engine's /dev/shm size when shm_size is unset.
const defaultShmSize = 64 << 20

// SetShmSize sets the service's shm_size, the size of its /dev/shm.
func SetShmSize(p *stack.Project, service string, bytes int64) (_ Plan, err error) {
	defer recoverFix(&err)
	if bytes <= 0 {
		return Plan{}, fmt.Errorf("set %s's shm_size: %d bytes is not a size", service, bytes)
	}
	b, ls, err := newBuilder(p, service)
	if err != nil {
		return Plan{}, fmt.Errorf("set %s's shm_size: %w", service, err)
	}
	if err := b.set(ls, []string{"shm_size"}, func(old *yaml.Node) string { return formatSize(bytes, old) }, false); err != nil {
		return Plan{}, fmt.Errorf("set %s's shm_size: %w", service, err)
	}
	old := int64(defaultShmSize)
	if s, ok := p.Service(service); ok && s.Config.ShmSize > 0 {
		old = int64(s.Config.ShmSize)
	}
	plan, err := b.plan(fmt.Sprintf("raise %s's shm_size (/dev/shm) from %s to %s", service, humanBytes(old), humanBytes(bytes)))
	if err == nil {
		plan.Setting = &Setting{Service: service, Key: "shm_size", From: old, To: bytes}
	}
	return plan, err
}

// SetIPC sets the service's ipc mode; "host" shares the host's /dev/shm,
// which has no 64 MiB limit.
func SetIPC(p *stack.Project, service, mode string) (_ Plan, err error) {
	defer recoverFix(&err)
	if mode != "host" && mode != "shareable" && mode != "private" {
		return Plan{}, fmt.Errorf("set %s's ipc: %q is not host, shareable or private", service, mode)
	}
	b, ls, err := newBuilder(p, service)
	if err != nil {
		return Plan{}, fmt.Errorf("set %s's ipc: %w", service, err)
	}
	if err := b.set(ls, []string{"ipc"}, func(*yaml.Node) string { return mode }, true); err != nil {
		return Plan{}, fmt.Errorf("set %s's ipc: %w", service, err)
	}
	return b.plan(fmt.Sprintf("set %s's ipc to %s", service, mode))
}
