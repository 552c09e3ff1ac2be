package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// The first frame does not wait for the project: with none yet, the model
// says what it loads, loads it as a command, and q quits meanwhile.
func TestFirstLoadIsACommand(t *testing.T) {
	loads := make(chan struct{}, 1)
	release := make(chan struct{})
	p := &stack.Project{Name: "slow", Services: []stack.Service{{Name: "web", Enabled: true}}}
	src := &fakeSource{ch: make(chan struct{}, 1)}
	m := New(src, Options{Styles: themes.Build(themes.Default(), true, false), Loading: "compose.yaml",
		Reload: func() (*stack.Project, error) {
			loads <- struct{}{}
			<-release
			return p, nil
		}})
	m = asModel(m.Update(tea.WindowSizeMsg{Width: 100, Height: 30}))
	if v := ansi.Strip(m.View().Content); !strings.Contains(v, "loading compose.yaml…") {
		t.Fatalf("first frame:\n%s", v)
	}
	select {
	case <-loads:
		t.Fatal("New or the first frame loaded the project")
	default:
	}
	// Init's commands include the load; run them until it is under way.
	done := make(chan tea.Msg, 8)
	for _, c := range flatten(m.Init()) {
		go func() { done <- c() }()
	}
	<-loads
	if cmd := asCmd(m.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})); cmd == nil {
		t.Fatal("q while loading returned no command")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("q while loading does not quit")
	}
	close(release)
	for msg := range done {
		if r, ok := msg.(reloadedMsg); ok {
			m = asModel(m.Update(r))
			break
		}
	}
	if m.snap.Project == nil || m.snap.Project.Name != "slow" {
		t.Errorf("after the load the model shows %+v", m.snap.Project)
	}
}

func flatten(cmd tea.Cmd) []tea.Cmd {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Cmd
		for _, c := range b {
			if c != nil {
				out = append(out, c)
			}
		}
		return out
	}
	return []tea.Cmd{func() tea.Msg { return msg }}
}

func asCmd(_ tea.Model, cmd tea.Cmd) tea.Cmd { return cmd }

// The frame the TUI draws before Bubble Tea starts is the one View draws
// at that size, so Bubble Tea's first frame replaces it without a flicker;
// LaunchFrame leaves the model as it was for Bubble Tea's own size.
func TestLaunchFrameIsTheFirstView(t *testing.T) {
	src := &fakeSource{ch: make(chan struct{}, 1)}
	opts := Options{Styles: themes.Build(themes.Default(), true, false), Loading: "dev.yaml, \x1b]2;t\x07x.yaml"}
	got := New(src, opts).LaunchFrame(90, 20)
	want := asModel(New(src, opts).Update(tea.WindowSizeMsg{Width: 90, Height: 20})).View().Content
	if got != want {
		t.Fatalf("launch frame:\n%s\nfirst view:\n%s", got, want)
	}
	if plain := ansi.Strip(got); !strings.Contains(plain, "loading dev.yaml, ") || strings.Count(plain, "\n") != 19 {
		t.Errorf("launch frame is not a 20-line loading screen:\n%s", plain)
	}
	if strings.Contains(got, "\x1b]") {
		t.Errorf("launch frame passes an OSC sequence from a file name: %q", got)
	}
}
