package backend

import (
	"context"
	"runtime"
	"sync"

	"github.com/stackui/stackui/probes/gpu"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
)

// projectPrefetch is what StartProject asked of the engine about one
// project before the project had loaded: its containers and, when asked
// to measure, a sampler already reading the running ones. A one-shot
// command's CPU figure needs two cgroup reads an interval apart; taking
// the first while the compose files load keeps that interval off the
// command's time (`ps --json` at 300 services: the load is ~150 ms).
type projectPrefetch struct {
	name       string
	listed     chan struct{} // closed when containers and err are set
	containers []stack.Container
	err        error

	started chan struct{} // closed when measure is set, or will stay nil
	mu      sync.Mutex
	measure *measurement // nil when not asked for, or already handed over
	taken   bool         // Measure asked: a sampler started later is stopped
}

// measurement is one sampler run over a project's running containers.
type measurement struct {
	local  bool // it reads cgroups
	s      *resources.Sampler
	runner *gpu.Runner
	cancel context.CancelFunc
	done   chan struct{} // closed when Run returned
}

// StartProject begins, in the background, listing the containers of the
// project that will probably be called name, and with measure, sampling
// those that run. Observe and Measure use what it found when the loaded
// project has that name, and ask again when not (a `name:` in the files,
// or COMPOSE_PROJECT_NAME in .env, can rename it). Once per process.
func (b *Backend) StartProject(name string, measure bool) {
	if name == "" {
		return
	}
	b.projOnce.Do(func() {
		b.StartObserve()
		pf := &projectPrefetch{name: name, listed: make(chan struct{}), started: make(chan struct{})}
		b.proj = pf
		b.guard.Go(func() {
			defer close(pf.started)
			eng, err := b.Engine()
			if err != nil {
				pf.err = err
				close(pf.listed)
				return
			}
			ectx, cancel := context.WithTimeout(b.ctx, engineTimeout)
			pf.containers, pf.err = eng.ProjectContainers(ectx, name)
			cancel()
			close(pf.listed)
			if pf.err != nil || !measure || len(running(pf.containers)) == 0 {
				return
			}
			// An engine on a local socket of this Linux host runs its
			// containers here: the sampler starts without waiting for
			// /info (100 ms and more at 100 containers, seconds on
			// Podman); Measure checks that against /info's answer.
			info := stack.EngineInfo{Local: true, OS: "linux"}
			if !eng.Local() || runtime.GOOS != "linux" {
				var err error
				if info, err = b.obs.wait(b.ctx); err != nil {
					return
				}
			}
			// It may run while the files load (up to their deadline);
			// Measure's own wait starts when it takes the sampler over.
			m := startMeasurement(b.ctx, eng, info, stack.SnapshotOf(nil, stack.EngineStatus{Reachable: true}, pf.containers),
				stack.DefaultLoadTimeout+measureTimeout)
			m.local = resources.LocalEngine(info, runtime.GOOS)
			pf.mu.Lock()
			if pf.taken {
				m.cancel() // Measure went on without it
			} else {
				pf.measure = m
			}
			pf.mu.Unlock()
		})
	})
}

// prefetched returns StartProject's containers when it listed the
// project named name: ok false when it did not, or ctx ended first.
func (b *Backend) prefetched(ctx context.Context, name string) (cs []stack.Container, ok bool, err error) {
	pf := b.proj
	if pf == nil || pf.name != name {
		return nil, false, nil
	}
	select {
	case <-pf.listed:
		return pf.containers, true, pf.err
	case <-ctx.Done():
		return nil, false, nil
	}
}

// prefetchedMeasurement hands over StartProject's sampler when it
// measures the project named name; nil when there is none. A sampler of
// another project (the guess was wrong) is stopped, now or when it starts.
func (b *Backend) prefetchedMeasurement(ctx context.Context, name string) *measurement {
	pf := b.proj
	if pf == nil {
		return nil
	}
	if pf.name == name {
		select {
		case <-pf.started:
		case <-ctx.Done():
		}
	}
	pf.mu.Lock()
	defer pf.mu.Unlock()
	m := pf.measure
	pf.measure, pf.taken = nil, true
	if m != nil && pf.name != name {
		m.cancel()
		return nil
	}
	return m
}

func running(cs []stack.Container) []string {
	var ids []string
	for _, c := range cs {
		if c.State == stack.StateRunning {
			ids = append(ids, c.ID)
		}
	}
	return ids
}
