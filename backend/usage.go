package backend

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/stackui/stackui/internal/crash"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// Usage is the TUI's resource source (ui.Usage). Whether cgroups can be
// read depends on what the engine says about itself, and the first frame
// must not wait for the engine; this stands in for the sampler until it
// is made, keeping what the UI told it.
type Usage struct {
	changed chan struct{}

	mu      sync.Mutex
	s       *resources.Sampler
	snap    stack.Snapshot
	visible []string
	listed  []string
}

// Usage measures the engine's containers from when start is closed (nil:
// at once; the TUI starts it after its first frame) until ctx ends; nil
// when the engine's configuration is broken (nothing to measure).
func (b *Backend) Usage(ctx context.Context, start <-chan struct{}) *Usage {
	eng, err := b.Engine()
	if err != nil {
		return nil
	}
	u := &Usage{changed: make(chan struct{}, 1)}
	b.guard.Go(func() {
		if start != nil {
			select {
			case <-start:
			case <-ctx.Done():
				return
			}
		}
		u.run(ctx, eng, &b.guard)
	})
	return u
}

// run runs the sampler until ctx ends. For an engine on a local socket of
// this Linux host it starts at once, taking the engine's containers to be
// this host's: Podman answers Info seconds late while compose starts
// containers (4.5 s measured), and a container killed for memory in that
// time went unwatched. Info's answer then confirms that, or (Docker
// Desktop's VM) the sampler is made again from it. Any other engine's
// sampler waits for Info.
func (u *Usage) run(ctx context.Context, eng *docker.Client, guard *crash.Guard) {
	infos := make(chan stack.EngineInfo, 1)
	guard.Go(func() {
		if info, ok := engineInfo(ctx, eng); ok {
			infos <- info
		}
	})
	var s *resources.Sampler
	stop := func() {}
	defer func() { stop() }()
	if eng.Local() && runtime.GOOS == "linux" {
		s, stop = u.start(ctx, eng, stack.EngineInfo{Local: true, OS: "linux"}, guard)
	}
	for {
		var changed <-chan struct{}
		if s != nil {
			changed = s.Changed()
		}
		select {
		case <-ctx.Done():
			return
		case info := <-infos:
			infos = nil
			if s != nil && resources.LocalEngine(info, runtime.GOOS) {
				continue // as taken
			}
			stop()
			s, stop = u.start(ctx, eng, info, guard)
		case <-changed:
			select {
			case u.changed <- struct{}{}:
			default:
			}
		}
	}
}

// engineInfo asks the engine for its description, retrying while it does
// not answer; false when ctx ended first.
func engineInfo(ctx context.Context, eng *docker.Client) (stack.EngineInfo, bool) {
	backoff := stack.Backoff{Max: stack.MaxBackoffFor(eng.Host())}
	for {
		info, err := eng.Info(ctx)
		if err == nil {
			return info, true
		}
		select {
		case <-ctx.Done():
			return stack.EngineInfo{}, false
		case <-time.After(backoff.Next()):
		}
	}
}

// start makes the sampler for an engine described as info, hands it what
// the UI said so far, and runs it; stop ends it and waits for it.
func (u *Usage) start(ctx context.Context, eng *docker.Client, info stack.EngineInfo, guard *crash.Guard) (*resources.Sampler, func()) {
	s, _ := newSampler(eng, info, 0) // one a second
	u.mu.Lock()
	u.s = s
	s.Update(u.snap)
	s.SetVisible(u.visible...)
	s.SetListed(u.listed...)
	u.mu.Unlock()
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	guard.Go(func() {
		defer close(done)
		s.Run(sctx)
	})
	return s, func() {
		cancel()
		<-done
	}
}

// Changed fires (coalesced) when the figures changed.
func (u *Usage) Changed() <-chan struct{} { return u.changed }

// Snapshot is the latest figures; none before the engine answered.
func (u *Usage) Snapshot() resources.Snapshot {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.s == nil {
		return resources.Snapshot{}
	}
	return u.s.Snapshot()
}

// Update hands over the project's state, kept for the sampler to come.
func (u *Usage) Update(snap stack.Snapshot) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.snap = snap
	if u.s != nil {
		u.s.Update(snap)
	}
}

// SetVisible says which containers are on screen, kept for the sampler to
// come.
func (u *Usage) SetVisible(ids ...string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.visible = append(u.visible[:0], ids...)
	if u.s != nil {
		u.s.SetVisible(ids...)
	}
}

// SetListed says which containers' rows are on screen, kept for the
// sampler to come.
func (u *Usage) SetListed(ids ...string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.listed = append(u.listed[:0], ids...)
	if u.s != nil {
		u.s.SetListed(ids...)
	}
}
