package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
	"github.com/stackui/stackui/ui/logbuf"
)

// BenchmarkFrame50 renders one whole frame: a 50-service list grouped by
// profile beside a full page of logs, at 200×50 with colours. The issue's
// goal is at most 2 ms a frame.
func BenchmarkFrame50(b *testing.B) {
	p := &stack.Project{Name: "bench", Profiles: []string{"serve", "train"}, ActiveProfiles: []string{"train"}}
	var svcs []stack.ServiceState
	for i := range 50 {
		svc := stack.Service{Name: fmt.Sprintf("service-%02d", i), Enabled: true}
		switch i % 3 {
		case 1:
			svc.Profiles, svc.Enabled = []string{"serve"}, false
		case 2:
			svc.Profiles = []string{"train"}
		}
		p.Services = append(p.Services, svc)
		st := stack.ServiceState{Service: svc, State: stack.StateRunning, Health: "healthy", Running: 1, Total: 1}
		if i%7 == 0 {
			st.State, st.ExitCode, st.OOMKilled, st.Running = stack.StateExited, 137, true, 0
		}
		svcs = append(svcs, st)
	}
	src := &fakeSource{snap: stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: true}, Services: svcs}, ch: make(chan struct{}, 1)}
	m := New(src, Options{Styles: themes.Build(themes.Default(), true, false)})
	m = asModel(m.Update(tea.WindowSizeMsg{Width: 200, Height: 50}))
	id := m.logs.store.Source("service-00", 1, 0)
	at := time.Unix(1_700_000_000, 0)
	for i := range 10_000 {
		m.logs.store.Append(id, at.Add(time.Duration(i)*time.Millisecond), logbuf.StreamStdout,
			fmt.Sprintf("\x1b[32mINFO\x1b[0m request %d served in %dms path=/api/v1/items/%d", i, i%300, i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = m.View()
	}
}
