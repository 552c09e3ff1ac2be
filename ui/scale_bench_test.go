package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
	"github.com/stackui/stackui/ui/logbuf"
)

// benchUsage is a Usage whose snapshot the benchmark replaces each
// "second", as the sampler does.
type benchUsage struct {
	snap resources.Snapshot
	ch   chan struct{}
}

func (u *benchUsage) Snapshot() resources.Snapshot { return u.snap }
func (u *benchUsage) Changed() <-chan struct{}     { return u.ch }
func (u *benchUsage) Update(stack.Snapshot)        {}
func (u *benchUsage) SetVisible(...string)         {}
func (u *benchUsage) SetListed(...string)          {}

// BenchmarkIdleSecond100 is the UI's work in one idle second of a project
// with 100 running containers, each logging a line every 5 s, with the
// merged logs of all of them showing (issue 11, item 12): the sampler's
// new figures reach both panes, 20 log lines arrive, and the frame is
// rendered as waitLogs reports them: once per logFrameInterval (twice).
// One op is one second's work.
func BenchmarkIdleSecond100(b *testing.B) { benchIdleSecond100(b, logFrameInterval) }

// BenchmarkIdleSecond100EachLine is the same second drawn once per line,
// as before logFrameInterval: what the interval saves.
func BenchmarkIdleSecond100EachLine(b *testing.B) { benchIdleSecond100(b, 0) }

// benchIdleSecond100 draws a frame when a line arrives at least interval
// after the last frame (every line when 0).
func benchIdleSecond100(b *testing.B, interval time.Duration) {
	const n = 100
	p := &stack.Project{Name: "scale"}
	var svcs []stack.ServiceState
	ids := make([]string, n)
	for i := range n {
		svc := stack.Service{Name: fmt.Sprintf("svc%03d", i+1), Enabled: true}
		p.Services = append(p.Services, svc)
		ids[i] = fmt.Sprintf("%064x", i+1)
		c := stack.Container{ID: ids[i], Name: "scale-" + svc.Name + "-1", Service: svc.Name, Number: 1, State: stack.StateRunning}
		svcs = append(svcs, stack.ServiceState{Service: svc, State: stack.StateRunning, Running: 1, Total: 1, Containers: []stack.Container{c}})
	}
	src := &fakeSource{snap: stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: true}, Services: svcs}, ch: make(chan struct{}, 1)}
	u := &benchUsage{ch: make(chan struct{}, 1)}
	m := New(src, Options{Styles: themes.Build(themes.Default(), true, false), Usage: u})
	m = asModel(m.Update(tea.WindowSizeMsg{Width: 120, Height: 36}))
	m = asModel(m.Update(changedMsg{}))
	m = asModel(m.Update(tea.KeyPressMsg{Code: tea.KeyTab}))
	m = asModel(m.Update(tea.KeyPressMsg{Code: 'a', Text: "a"}))
	srcs := make([]logbuf.SourceID, n)
	for i := range n {
		srcs[i] = m.logs.store.Source(svcs[i].Service.Name, 1, i)
	}
	history := make([]resources.Point, resources.DefaultHistory)
	at := time.Unix(1_700_000_000, 0)
	b.ReportAllocs()
	b.ResetTimer()
	for sec := range b.N {
		now := at.Add(time.Duration(sec) * time.Second)
		cs := make([]resources.ContainerUsage, n)
		for i := range n {
			cs[i] = resources.ContainerUsage{
				ID: ids[i], Name: "scale-" + svcs[i].Service.Name + "-1", Service: svcs[i].Service.Name, Number: 1,
				Running: true, Source: resources.SourceCgroup, History: history,
				Latest: resources.Sample{Time: now, CPUPercent: float64(i % 7), MemUsed: uint64(5<<20 + i), MemLimit: 1 << 34},
			}
		}
		u.snap = resources.Snapshot{Containers: cs}
		m = asModel(m.Update(usageChangedMsg{}))
		_ = m.View()
		var next time.Duration // when the next frame may come, in this second
		for l := range 20 {
			i := (sec*20 + l) % n
			step := time.Duration(l) * 50 * time.Millisecond
			m.logs.store.Append(srcs[i], now.Add(step), logbuf.StreamStdout,
				fmt.Sprintf("line %06d abcdefghijklmnopqrstuvwxyz0123456789", sec))
			if step >= next {
				m = asModel(m.Update(logsChangedMsg{at: now.Add(step)}))
				_ = m.View()
				next = step + interval
			}
		}
	}
}
