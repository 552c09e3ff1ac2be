package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// profilePicker lists the project's profiles; space or enter turns the one
// under the cursor on or off.
type profilePicker struct {
	st       themes.Styles
	keys     *keyMap
	profiles []string
	active   map[string]bool
	services map[string][]string
	cursor   int
	width    int
	height   int
	closed   bool
}

func (p *profilePicker) done() bool { return p.closed }

// toggleProfileMsg asks the root to turn a profile on or off.
type toggleProfileMsg struct {
	profile string
	on      bool
}

func newProfilePicker(st themes.Styles, keys *keyMap, p *stack.Project) *profilePicker {
	pp := &profilePicker{st: st, keys: keys, profiles: p.Profiles, active: map[string]bool{}, services: map[string][]string{}}
	for _, a := range p.ActiveProfiles {
		pp.active[a] = true
	}
	// compose matches the empty profile "" when no profile is chosen.
	pp.active[""] = len(p.ActiveProfiles) == 0
	for _, s := range p.Services {
		for _, pr := range s.Profiles {
			pp.services[pr] = append(pp.services[pr], s.Name)
		}
	}
	return pp
}

func (p *profilePicker) SetSize(w, h int) { p.width, p.height = w, h }

func (p *profilePicker) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case on(msg, p.keys.Back), on(msg, p.keys.Profiles), on(msg, p.keys.Quit):
			return closeOverlay
		case on(msg, p.keys.Down):
			p.cursor = min(p.cursor+1, max(len(p.profiles)-1, 0))
		case on(msg, p.keys.Up):
			p.cursor = max(p.cursor-1, 0)
		case on(msg, p.keys.Toggle):
			if p.cursor < len(p.profiles) {
				name := p.profiles[p.cursor]
				p.closed = true
				return func() tea.Msg { return toggleProfileMsg{profile: name, on: !p.active[name]} }
			}
		}
	case tea.MouseClickMsg:
		// Row 0 is the title.
		if i := msg.Y - 1; i >= 0 && i < len(p.profiles) {
			p.cursor = i
		}
	}
	return nil
}

func (p *profilePicker) View() string {
	lines := []string{p.st.Title.Render("profiles") + p.st.Muted.Render("  (space/enter toggles, esc closes)")}
	if len(p.profiles) == 0 {
		lines = append(lines, p.st.Muted.Render("  this project has no profiles"))
	}
	for i, name := range p.profiles {
		mark, st := "○ ", p.st.HeaderOff
		if p.active[name] {
			mark, st = "● ", p.st.HeaderOn
		}
		l := st.Render(mark+profileLabel(name)) + p.st.Muted.Render("  "+strings.Join(p.services[name], ", "))
		if i == p.cursor {
			l = p.st.Selected.Render(ansi.Strip(l))
		}
		lines = append(lines, l)
	}
	return strings.Join(lines, "\n")
}
