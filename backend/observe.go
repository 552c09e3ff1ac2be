package backend

import (
	"context"
	"runtime"
	"time"

	"github.com/stackui/stackui/probes"
	"github.com/stackui/stackui/probes/gpu"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// engineTimeout bounds how long a one-shot command waits for the engine
// before it reports it unreachable.
const engineTimeout = 3 * time.Second

// infoTimeout bounds the engine's description once it has answered.
const infoTimeout = 10 * time.Second

// oneShotInterval is the cgroup sampling interval of a one-shot
// measurement: its CPU figure is the use over that much time, and ps and
// top wait for it (a second made `ps --json` slow; at 300 services and 100
// running, 200 ms took it to 0.30-0.39 s, 150 ms to 0.26-0.32 s: the
// first read waits for the engine's list, 60-110 ms). On a slower machine
// 100 ms took it to 0.29-0.31 s against 0.36-0.37 s at 150 ms (hyperfine,
// 2 sets of 20 runs). cgroup CPU time is counted in nanoseconds, so a
// tenth of a second still gives a true figure for that tenth.
const oneShotInterval = 100 * time.Millisecond

// measureTimeout bounds a one-shot measurement: a cgroup sample takes one
// interval after the first read, an Engine API stream two samples.
const measureTimeout = 5 * time.Second

// Observation is one look at the project and the engine (ps, top).
type Observation struct {
	Snap    stack.Snapshot
	Info    stack.EngineInfo
	Host    probes.Host
	Compose string // the compose CLI with its version; "" when none works
	InfoErr error  // the engine listed containers but did not describe itself
	// Usage holds the running containers' figures when Measured is true.
	Usage    resources.Snapshot
	Measured bool
}

// Observe lists the project's containers once. A missing engine is not an
// error here: the services are still there, with state "unknown". The
// compose CLI is detected meanwhile (StartCompose), not after.
func (b *Backend) Observe(ctx context.Context, p *stack.Project) Observation {
	b.StartCompose()
	var o Observation
	b.StartObserve()
	ectx, cancel := context.WithTimeout(ctx, engineTimeout)
	defer cancel()
	status := stack.EngineStatus{}
	var containers []stack.Container
	eng, err := b.Engine()
	if err == nil {
		o.Info.Host = eng.Host()
		var ok bool
		if containers, ok, err = b.prefetched(ectx, p.Name); !ok {
			containers, err = eng.ProjectContainers(ectx, p.Name)
		}
	}
	if err == nil {
		status.Reachable = true
		// The engine answered: its description, asked for meanwhile, is
		// worth waiting for.
		info, ierr := b.obs.wait(ctx)
		if ierr == nil {
			o.Info = info
		} else {
			o.InfoErr = ierr
		}
	} else {
		status.Err = err
	}
	o.Host = b.obs.host(ctx) // zero figures say "unknown"
	o.Snap = stack.SnapshotOf(p, status, containers)
	if cli, err := b.Compose(ctx); err == nil {
		o.Compose = cli.String()
	}
	return o
}

// prefetch is what Observe asks of the machine and the engine that does
// not depend on the project, so it can be asked while the project loads.
type prefetch struct {
	infoDone, hostDone chan struct{} // closed when info and err, machine are set
	machine            probes.Host
	info               stack.EngineInfo
	err                error
}

// StartObserve asks the engine to describe itself and reads the host's
// figures in the background, once per process: ps and top call it before
// loading the project (300 services take a while), and Observe collects
// the answers. The engine's description gets the list's budget and one of
// its own, since Podman takes seconds for it when busy.
func (b *Backend) StartObserve() {
	b.obsOnce.Do(func() {
		pf := &prefetch{infoDone: make(chan struct{}), hostDone: make(chan struct{})}
		b.obs = pf
		b.guard.Go(func() {
			defer close(pf.hostDone)
			pf.machine, _ = probes.ReadHost(b.ctx)
		})
		b.guard.Go(func() {
			defer close(pf.infoDone)
			eng, err := b.Engine()
			if err != nil {
				pf.err = err
				return
			}
			ictx, cancel := context.WithTimeout(b.ctx, engineTimeout+infoTimeout)
			defer cancel()
			pf.info, pf.err = eng.Info(ictx)
		})
	})
}

// wait returns the engine's description once it came.
func (pf *prefetch) wait(ctx context.Context) (stack.EngineInfo, error) {
	select {
	case <-pf.infoDone:
		return pf.info, pf.err
	case <-ctx.Done():
		return stack.EngineInfo{}, ctx.Err()
	}
}

// host returns the host's figures; zero ones when ctx ends first.
func (pf *prefetch) host(ctx context.Context) probes.Host {
	select {
	case <-pf.hostDone:
		return pf.machine
	case <-ctx.Done():
		return probes.Host{}
	}
}

// AnyRunning says whether a container of the snapshot runs.
func AnyRunning(s stack.Snapshot) bool {
	for _, c := range allContainers(s) {
		if c.State == stack.StateRunning {
			return true
		}
	}
	return false
}

// AnyConfigHash says whether a container of the snapshot carries the
// compose CLI's configuration hash, without which drift stays unknown.
func AnyConfigHash(s stack.Snapshot) bool {
	for _, c := range allContainers(s) {
		if _, ok := c.Labels[stack.LabelConfigHash]; ok {
			return true
		}
	}
	return false
}

// SetProject joins the observed containers to p instead (the same
// project with its config hashes, for drift).
func (o *Observation) SetProject(p *stack.Project) {
	o.Snap = stack.SnapshotOf(p, o.Snap.Engine, allContainers(o.Snap))
}

func allContainers(s stack.Snapshot) []stack.Container {
	var cs []stack.Container
	for _, st := range s.Services {
		cs = append(cs, st.Containers...)
	}
	cs = append(cs, s.Orphans...)
	return append(cs, s.Oneoffs...)
}

// Measure fills o.Usage: it samples the running containers of o.Snap
// once, the way the TUI's sampler does (cgroups when the engine is local,
// else Engine API streams), and reads the GPUs. It returns when every
// running container has a figure or measureTimeout has passed.
func (b *Backend) Measure(ctx context.Context, o *Observation) {
	eng, err := b.Engine()
	if err != nil {
		return
	}
	var m *measurement
	if o.Snap.Project != nil {
		m = b.prefetchedMeasurement(ctx, o.Snap.Project.Name)
	}
	if m != nil && m.local != resources.LocalEngine(o.Info, runtime.GOOS) {
		// Taken to be local and it is not (Docker Desktop's VM): again,
		// the way /info says.
		m.cancel()
		<-m.done
		m = nil
	}
	if m == nil {
		m = startMeasurement(b.ctx, eng, o.Info, o.Snap, measureTimeout)
	} else {
		m.s.Update(o.Snap) // the same containers, now joined to their services
	}
	defer func() { m.cancel(); <-m.done }()
	ctx, cancel := context.WithTimeout(ctx, measureTimeout)
	defer cancel()
	ids := running(allContainers(o.Snap))
	m.s.SetVisible(ids...)
wait:
	for !complete(m.s.Snapshot(), ids) {
		select {
		case <-m.s.Changed():
		case <-ctx.Done():
			break wait
		case <-m.done:
			break wait
		}
	}
	o.Usage, o.Measured = m.s.Snapshot(), true
	if o.Usage.GPU.Status == "" {
		// Nothing runs, so the sampler did not ask; the GPUs are still
		// worth showing.
		o.Usage.GPU = m.runner.Query(context.Background())
	}
}

// startMeasurement starts sampling snap's running containers, for at
// most limit.
func startMeasurement(ctx context.Context, eng *docker.Client, info stack.EngineInfo, snap stack.Snapshot, limit time.Duration) *measurement {
	s, runner := newSampler(eng, info, oneShotInterval)
	ctx, cancel := context.WithTimeout(ctx, limit)
	m := &measurement{s: s, runner: runner, cancel: cancel, done: make(chan struct{})}
	go func() { defer close(m.done); s.Run(ctx) }()
	s.Update(snap)
	s.SetVisible(running(allContainers(snap))...)
	return m
}

func complete(s resources.Snapshot, running []string) bool {
	for _, id := range running {
		c, ok := s.Container(id)
		if !ok || (c.Latest.Time.IsZero() && c.Err == "") {
			return false
		}
	}
	return len(running) == 0 || s.GPU.Status != ""
}

// newSampler is the resource sampler for eng, which described itself as
// info: cgroups are read only when the engine runs on this Linux host.
// The one-shot commands and the TUI measure alike through it.
func newSampler(eng *docker.Client, info stack.EngineInfo, interval time.Duration) (*resources.Sampler, *gpu.Runner) {
	local := resources.LocalEngine(info, runtime.GOOS)
	runner := gpu.NewRunner(gpu.RunnerOptions{Local: local})
	return resources.NewSampler(resources.Options{
		Local:    local,
		Engine:   eng,
		GPU:      runner,
		MemTotal: info.MemTotal,
		Interval: interval,
	}), runner
}
