package backend

import (
	"context"
	"sync"
	"time"

	"github.com/stackui/stackui/internal/crash"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// Usage is the TUI's resource source (ui.Usage). Whether cgroups can be
// read depends on what the engine says about itself, and the first frame
// must not wait for the engine; so the sampler is made once Info answers,
// and until then this stands in for it, keeping what the UI told it.
type Usage struct {
	changed chan struct{}

	mu      sync.Mutex
	s       *resources.Sampler
	snap    stack.Snapshot
	visible []string
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

// run asks the engine for its description, retrying while it does not
// answer, then runs the sampler until ctx ends.
func (u *Usage) run(ctx context.Context, eng *docker.Client, guard *crash.Guard) {
	var info stack.EngineInfo
	backoff := stack.Backoff{Max: stack.MaxBackoffFor(eng.Host())}
	for {
		var err error
		if info, err = eng.Info(ctx); err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff.Next()):
		}
	}
	s, _ := newSampler(eng, info, 0) // one a second
	u.mu.Lock()
	u.s = s
	s.Update(u.snap)
	s.SetVisible(u.visible...)
	u.mu.Unlock()
	guard.Go(func() { s.Run(ctx) })
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.Changed():
			select {
			case u.changed <- struct{}{}:
			default:
			}
		}
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
