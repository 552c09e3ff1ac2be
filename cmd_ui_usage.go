package main

import (
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/stackui/stackui/probes/gpu"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// lateSampler is the TUI's resource source. Whether cgroups can be read
// depends on what the engine says about itself, and the first frame must
// not wait for the engine; so the sampler is made once Info answers, and
// until then this stands in for it, keeping what the UI told it.
type lateSampler struct {
	changed chan struct{}

	mu      sync.Mutex
	s       *resources.Sampler
	snap    stack.Snapshot
	visible []string
}

func newLateSampler() *lateSampler { return &lateSampler{changed: make(chan struct{}, 1)} }

// start asks the engine for its description, retrying while it does not
// answer, then runs the sampler until ctx ends.
func (l *lateSampler) start(ctx context.Context, cli *docker.Client) {
	go func() {
		var info stack.EngineInfo
		for wait := 250 * time.Millisecond; ; wait = min(wait*2, 5*time.Second) {
			var err error
			if info, err = cli.Info(ctx); err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
		local := resources.LocalEngine(info, runtime.GOOS)
		s := resources.NewSampler(resources.Options{
			Local:    local,
			Engine:   cli,
			GPU:      gpu.NewRunner(gpu.RunnerOptions{Local: local}),
			MemTotal: info.MemTotal,
		})
		l.mu.Lock()
		l.s = s
		s.Update(l.snap)
		s.SetVisible(l.visible...)
		l.mu.Unlock()
		go s.Run(ctx)
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.Changed():
				select {
				case l.changed <- struct{}{}:
				default:
				}
			}
		}
	}()
}

func (l *lateSampler) Changed() <-chan struct{} { return l.changed }

func (l *lateSampler) Snapshot() resources.Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.s == nil {
		return resources.Snapshot{}
	}
	return l.s.Snapshot()
}

func (l *lateSampler) Update(snap stack.Snapshot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.snap = snap
	if l.s != nil {
		l.s.Update(snap)
	}
}

func (l *lateSampler) SetVisible(ids ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.visible = append(l.visible[:0], ids...)
	if l.s != nil {
		l.s.SetVisible(ids...)
	}
}
