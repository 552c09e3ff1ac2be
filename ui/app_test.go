package ui

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// fakeSource is a state source whose snapshot the test sets.
type fakeSource struct {
	snap stack.Snapshot
	ch   chan struct{}
}

func (f *fakeSource) Snapshot() stack.Snapshot { return f.snap }
func (f *fakeSource) Changed() <-chan struct{} { return f.ch }
func (f *fakeSource) SetProject(p *stack.Project) {
	f.snap.Project = p
}

func demoSnapshot() stack.Snapshot {
	p := &stack.Project{Name: "demo", Profiles: []string{"serve", "train"}, ActiveProfiles: []string{"train"}}
	svc := func(name string, enabled, gpu bool, profiles ...string) stack.Service {
		return stack.Service{Name: name, Enabled: enabled, GPU: gpu, Profiles: profiles}
	}
	return stack.Snapshot{
		Project: p,
		Engine:  stack.EngineStatus{Reachable: true},
		Services: []stack.ServiceState{
			{Service: svc("api", true, false), State: stack.StateRunning, Health: "healthy", Running: 1, Total: 1},
			{Service: svc("inference", false, true, "serve"), State: stack.StateMissing},
			{Service: svc("trainer", true, false, "train"), State: stack.StateExited, ExitCode: 137, OOMKilled: true, Total: 1},
		},
	}
}

func TestServicesGroupedByProfile(t *testing.T) {
	src := &fakeSource{snap: demoSnapshot(), ch: make(chan struct{}, 1)}
	m := New(src, Options{Styles: themes.Build(themes.Default(), true, true)})
	next, _ := m.Update(tea.WindowSizeMsg{Width: 80, Height: 20})
	got := ansi.Strip(next.(Model).View().Content)
	wantOrder := []string{"always on", "api", "serve (off)", "inference", "train (on)", "trainer", "exit 137 OOM"}
	pos := 0
	for _, w := range wantOrder {
		i := strings.Index(got[pos:], w)
		if i < 0 {
			t.Fatalf("%q missing or out of order in:\n%s", w, got)
		}
		pos += i + len(w)
	}
	if !strings.Contains(got, "GPU") {
		t.Errorf("GPU marker missing:\n%s", got)
	}
}

func TestChangeReArmsAndTakesSnapshot(t *testing.T) {
	src := &fakeSource{snap: stack.Snapshot{Project: &stack.Project{Name: "demo"}}, ch: make(chan struct{}, 1)}
	m := New(src, Options{Styles: themes.Build(themes.Default(), true, true)})
	src.snap = demoSnapshot()
	next, cmd := m.Update(changedMsg{})
	if cmd == nil {
		t.Fatal("a change must re-arm the wait for the next one")
	}
	if n := len(next.(Model).snap.Services); n != 3 {
		t.Fatalf("snapshot not taken: %d services", n)
	}
	src.ch <- struct{}{}
	if _, ok := cmd().(changedMsg); !ok {
		t.Fatal("the re-armed command must deliver the next change")
	}
}

func TestQuitAndMove(t *testing.T) {
	src := &fakeSource{snap: demoSnapshot(), ch: make(chan struct{}, 1)}
	m := New(src, Options{Styles: themes.Build(themes.Default(), true, true)})
	// The cursor starts on the first service, under the "always on" header.
	if c := m.list.cursor; c != 1 {
		t.Fatalf("the cursor starts on row %d, want 1", c)
	}
	next, _ := m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	if c := next.(Model).list.cursor; c != 2 {
		t.Fatalf("j moved the cursor to %d, want 2", c)
	}
	_, cmd := next.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if cmd == nil {
		t.Fatal("q returned no command")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q must quit")
	}
}

func TestFileChangeReloads(t *testing.T) {
	src := &fakeSource{snap: demoSnapshot(), ch: make(chan struct{}, 1)}
	files := make(chan struct{}, 1)
	var next *stack.Project
	var nextErr error
	m := New(src, Options{
		Styles:       themes.Build(themes.Default(), true, true),
		FilesChanged: files,
		Reload:       func() (*stack.Project, error) { return next, nextErr },
	})
	// A change re-arms the watch and reloads off the UI goroutine.
	_, cmd := m.Update(filesChangedMsg{})
	if cmd == nil {
		t.Fatal("a file change must return commands")
	}
	m = asModel(m.Update(filesChangedMsg{}))
	// A failed reload keeps the old project and says why.
	nextErr = errors.New("compose.yaml:3: mapping values are not allowed")
	got, _ := m.Update(reloadedMsg{seq: 1, err: nextErr})
	if src.snap.Project.Name != "demo" {
		t.Fatal("a failed reload replaced the project")
	}
	got, _ = got.Update(tea.WindowSizeMsg{Width: 120, Height: 20})
	if v := ansi.Strip(got.(Model).View().Content); !strings.Contains(v, "compose.yaml:3") {
		t.Errorf("the reload error is not shown:\n%s", v)
	}
	// A good one replaces it and clears the error.
	got, _ = got.Update(reloadedMsg{seq: 1, project: &stack.Project{Name: "renamed"}})
	if src.snap.Project.Name != "renamed" || got.(Model).loadErr != nil {
		t.Errorf("reload not applied: project %q, err %v", src.snap.Project.Name, got.(Model).loadErr)
	}
	// A reload that finishes after a newer one started is dropped.
	got = asModel(got.Update(filesChangedMsg{}))
	got, _ = got.Update(reloadedMsg{seq: 1, project: &stack.Project{Name: "stale"}})
	if src.snap.Project.Name != "renamed" {
		t.Errorf("a stale reload won: project %q", src.snap.Project.Name)
	}
}

func asModel(m tea.Model, _ tea.Cmd) Model {
	return m.(Model)
}
