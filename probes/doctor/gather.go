package doctor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/stackui/stackui/stack"
)

// Source is what gathering needs from the engine; *docker.Client has all of
// it. EventHistory and PortLister are optional, found by type assertion.
type Source interface {
	ProjectContainers(ctx context.Context, project string) ([]stack.Container, error)
	Info(ctx context.Context) (stack.EngineInfo, error)
	ImagePlatform(ctx context.Context, ref string) (string, error)
	Logs(ctx context.Context, id string, opts stack.LogOptions, fn func(stack.LogLine) error) error
}

// EventHistory replays the project's past container events.
type EventHistory interface {
	PastEvents(ctx context.Context, project string, since, until time.Time) ([]stack.Event, error)
}

// PortLister says which containers publish a host port.
type PortLister interface {
	PortHolders(ctx context.Context, port int) ([]PortHolder, error)
}

// Options say what to gather.
type Options struct {
	Project *stack.Project
	// Source is the engine; nil when it is unreachable.
	Source Source
	// ComposeErr is the failure of the compose call just made, if any; a
	// *stack.ComposeError's output is evidence.
	ComposeErr error
	// ComposeCLI is stack.ComposeCLI.String() of the CLI that will apply
	// fixes; "" when unknown.
	ComposeCLI string
	// LogTail is how many last log lines to read per service; 0 means 50.
	LogTail int
	// History is how far back past events are read; 0 means an hour.
	History time.Duration
	// Events are events the caller kept (the TUI's live state), added to
	// those replayed.
	Events []stack.Event
	// PeakMem is the highest memory use seen per service, if the caller
	// watched stats.
	PeakMem map[string]uint64
	// MemGrowth is how fast each service's memory grew before its peak
	// (resources.MemTrend), if the caller watched stats.
	MemGrowth map[string]float64
	// GPUUsers are who holds GPU memory, if the caller sampled the GPU.
	GPUUsers []GPUUser
	// OOMSeen and LastMem are what the caller's sampler saw in the
	// containers' memory cgroups (AddUsage fills them).
	OOMSeen []OOMSeen
	LastMem []MemSample
	Logf    Logf
}

// Gather collects the evidence for Diagnose, running its checks in
// parallel. What cannot be gathered is logged and listed in Evidence.Gaps;
// gathering itself does not fail.
func Gather(ctx context.Context, o Options) Evidence {
	p := o.Project
	ev := Evidence{Project: p.Name, ComposeCLI: o.ComposeCLI}
	var ce *stack.ComposeError
	if errors.As(o.ComposeErr, &ce) {
		ev.ComposeFailure = slices.Clone(ce.Output)
	} else if o.ComposeErr != nil {
		ev.ComposeFailure = []string{o.ComposeErr.Error()}
	}
	for _, s := range p.Services {
		se := ServiceEvidence{Model: ModelOf(s), PeakMem: o.PeakMem[s.Name], MemGrowth: o.MemGrowth[s.Name]}
		for _, x := range o.OOMSeen {
			if x.Service == s.Name {
				se.OOMSeen = append(se.OOMSeen, x)
			}
		}
		for _, x := range o.LastMem {
			if x.Service == s.Name {
				se.LastMem = append(se.LastMem, x)
			}
		}
		ev.Services = append(ev.Services, se)
	}
	gatherLocal(&ev, o)
	if o.Source == nil {
		ev.Gaps = append(ev.Gaps, "engine: not reachable")
		return ev
	}
	g := &gatherer{o: o, ev: &ev}
	history := o.History
	if history <= 0 {
		history = time.Hour
	}
	now := time.Now()
	ev.GatheredAt = now
	errs := RunChecks(ctx, o.Logf,
		CheckFunc("engine", g.engine),
		CheckFunc("containers", g.containers),
		CheckFunc("images", g.images),
		CheckFunc("events", func(ctx context.Context, logf Logf) error { return g.events(ctx, now.Add(-history), now) }),
	)
	errs = append(errs, RunChecks(ctx, o.Logf, append(g.secondPass(), g.netChecks()...)...)...)
	for _, err := range errs {
		ev.Gaps = append(ev.Gaps, err.Error())
	}
	for _, e := range o.Events {
		if s := ev.Service(e.Service); s != nil && !slices.ContainsFunc(s.Events, func(x stack.Event) bool { return sameEvent(x, e) }) {
			s.Events = append(s.Events, e)
		}
	}
	for i := range ev.Services {
		slices.SortStableFunc(ev.Services[i].Events, func(a, b stack.Event) int { return a.Time.Compare(b.Time) })
	}
	return ev
}

func sameEvent(a, b stack.Event) bool {
	return a.Time.Equal(b.Time) && a.Action == b.Action && a.ContainerID == b.ContainerID
}

// gatherer fills one Evidence from parallel checks.
type gatherer struct {
	o  Options
	mu sync.Mutex
	ev *Evidence
}

func (g *gatherer) engine(ctx context.Context, _ Logf) error {
	info, err := g.o.Source.Info(ctx)
	if err != nil {
		return err
	}
	g.mu.Lock()
	g.ev.Engine = info
	g.mu.Unlock()
	return nil
}

func (g *gatherer) containers(ctx context.Context, _ Logf) error {
	cs, err := g.o.Source.ProjectContainers(ctx, g.ev.Project)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.ev.EngineReachable = true
	for _, c := range cs {
		if s := g.ev.Service(c.Service); s != nil {
			s.Containers = append(s.Containers, c)
		}
	}
	return nil
}

// images reads the platform of each service's image. An image that is not
// there is no failure: the platform stays "".
func (g *gatherer) images(ctx context.Context, logf Logf) error {
	for i := range g.ev.Services {
		ref := g.ev.Services[i].Model.Image
		if ref == "" {
			continue
		}
		plat, err := g.o.Source.ImagePlatform(ctx, ref)
		if err != nil {
			if errors.Is(err, stack.ErrEngineUnavailable) || ctx.Err() != nil {
				return err
			}
			logf("%s: %v", ref, err)
			continue
		}
		g.mu.Lock()
		g.ev.Services[i].ImagePlatform = plat
		g.mu.Unlock()
	}
	return nil
}

func (g *gatherer) events(ctx context.Context, since, until time.Time) error {
	h, ok := g.o.Source.(EventHistory)
	if !ok {
		return nil
	}
	evs, err := h.PastEvents(ctx, g.ev.Project, since, until)
	if err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, e := range evs {
		if s := g.ev.Service(e.Service); s != nil {
			s.Events = append(s.Events, e)
		}
	}
	return nil
}

// secondPass reads what depends on the containers: the logs of those in
// trouble and who holds the host ports a conflict names.
func (g *gatherer) secondPass() []Check {
	var checks []Check
	tail := g.o.LogTail
	if tail <= 0 {
		tail = 50
	}
	for i := range g.ev.Services {
		c := latest(g.ev.Services[i].Containers)
		if c == nil || c.State == stack.StateCreated && c.StartedAt.IsZero() ||
			c.State == stack.StateRunning && c.Health != "unhealthy" && c.RestartCount == 0 {
			continue
		}
		id, idx := c.ID, i
		checks = append(checks, CheckFunc("logs "+g.ev.Services[i].Model.Name, func(ctx context.Context, _ Logf) error {
			var lines []LogLine
			err := g.o.Source.Logs(ctx, id, stack.LogOptions{Tail: tail, Timestamps: true}, func(l stack.LogLine) error {
				lines = append(lines, LogLine{Time: l.Time, Stderr: l.Stream == stack.Stderr, Text: l.Text})
				return nil
			})
			g.mu.Lock()
			g.ev.Services[idx].Logs = lines
			g.mu.Unlock()
			return err
		}))
	}
	if ids := g.unexplainedKills(); len(ids) > 0 {
		checks = append(checks, CheckFunc("kernel log", func(ctx context.Context, _ Logf) error {
			return g.kernelOOMs(ids)
		}))
	}
	for _, port := range g.conflictPorts() {
		checks = append(checks, CheckFunc(fmt.Sprintf("port %d", port), func(ctx context.Context, logf Logf) error {
			return g.portHolders(ctx, logf, port)
		}))
	}
	return checks
}

// conflictPorts are the host ports that conflict messages name.
func (g *gatherer) conflictPorts() []int {
	var texts []string
	texts = append(texts, g.ev.ComposeFailure...)
	for _, s := range g.ev.Services {
		for _, c := range s.Containers {
			texts = append(texts, c.Error)
		}
	}
	var ports []int
	for _, t := range texts {
		if k, ok := classify(t, false); ok && k == KindPortConflict {
			if p := conflictPort(t); p != 0 && !slices.Contains(ports, p) {
				ports = append(ports, p)
			}
		}
	}
	return ports
}

func (g *gatherer) portHolders(ctx context.Context, logf Logf, port int) error {
	var holders []PortHolder
	if pl, ok := g.o.Source.(PortLister); ok {
		hs, err := pl.PortHolders(ctx, port)
		if err != nil {
			return err
		}
		holders = hs
	}
	// A port no container publishes may be held by a program on this host;
	// that can only be seen when the engine runs here.
	g.mu.Lock()
	local := g.ev.Engine.Local
	g.mu.Unlock()
	if len(holders) == 0 && local {
		hs, err := hostPortHolders(port)
		if err != nil {
			logf("host processes: %v", err)
		}
		holders = hs
	}
	g.mu.Lock()
	g.ev.PortHolders = append(g.ev.PortHolders, holders...)
	g.mu.Unlock()
	return nil
}
