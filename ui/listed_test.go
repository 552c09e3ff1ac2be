package ui

import (
	"fmt"
	"slices"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// listedUsage records what the UI says is listed on screen.
type listedUsage struct {
	benchUsage
	listed [][]string
}

func (u *listedUsage) SetListed(ids ...string) { u.listed = append(u.listed, slices.Clone(ids)) }

// The sampler is told which containers' rows the services list shows (it
// reads those every second, the others every fifth): the rows in view,
// again when the list scrolls or the window grows, and not again while
// they stay the same.
func TestUsageToldTheListedRows(t *testing.T) {
	const n = 60
	p := &stack.Project{Name: "scale"}
	var svcs []stack.ServiceState
	for i := range n {
		svc := stack.Service{Name: fmt.Sprintf("svc%03d", i+1), Enabled: true}
		p.Services = append(p.Services, svc)
		c := stack.Container{ID: fmt.Sprintf("id%03d", i+1), Name: "scale-" + svc.Name + "-1", Service: svc.Name, Number: 1, State: stack.StateRunning}
		svcs = append(svcs, stack.ServiceState{Service: svc, State: stack.StateRunning, Running: 1, Total: 1, Containers: []stack.Container{c}})
	}
	src := &fakeSource{snap: stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: true}, Services: svcs}, ch: make(chan struct{}, 1)}
	u := &listedUsage{benchUsage: benchUsage{ch: make(chan struct{}, 1)}}
	m := New(src, Options{Styles: themes.Build(themes.Default(), true, false), Usage: u})
	m = asModel(m.Update(tea.WindowSizeMsg{Width: 120, Height: 20}))
	m = asModel(m.Update(changedMsg{}))
	if len(u.listed) == 0 {
		t.Fatal("never told which rows are listed")
	}
	first := u.listed[len(u.listed)-1]
	if len(first) == 0 || len(first) >= n || first[0] != "id001" {
		t.Fatalf("listed %v; want the first rows only", first)
	}
	calls := len(u.listed)
	m = asModel(m.Update(changedMsg{})) // the same rows
	if len(u.listed) != calls {
		t.Errorf("told again with nothing changed: %v", u.listed[calls:])
	}
	for range n {
		m = asModel(m.Update(tea.KeyPressMsg{Code: tea.KeyDown}))
	}
	last := u.listed[len(u.listed)-1]
	if !slices.Contains(last, fmt.Sprintf("id%03d", n)) || slices.Contains(last, "id001") {
		t.Errorf("after scrolling to the end, listed %v", last)
	}
	m = asModel(m.Update(tea.WindowSizeMsg{Width: 120, Height: 40}))
	grown := u.listed[len(u.listed)-1]
	if len(grown) <= len(last) {
		t.Errorf("a taller window lists %d rows, before %d", len(grown), len(last))
	}
	_ = m
}
