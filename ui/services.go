package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// servicesPane lists the services grouped by profile: always-on services
// first, then each profile under a header that says whether it is on.
type servicesPane struct {
	st     themes.Styles
	rows   []row
	cursor int
	width  int
	height int
}

// row is either a profile header or a service.
type row struct {
	header  string // profile name, or "" for the always-on group
	on      bool
	service *stack.ServiceState
}

func newServicesPane(st themes.Styles) servicesPane { return servicesPane{st: st} }

func (p *servicesPane) setSize(w, h int) { p.width, p.height = w, h }

func (p *servicesPane) setSnapshot(s stack.Snapshot) {
	p.rows = groupRows(s)
	if p.cursor >= len(p.rows) {
		p.cursor = max(len(p.rows)-1, 0)
	}
}

// groupRows orders the services: always-on first, then one group per
// profile. A service with several profiles is listed under its first.
func groupRows(s stack.Snapshot) []row {
	var rows []row
	active := map[string]bool{}
	if s.Project != nil {
		for _, p := range s.Project.ActiveProfiles {
			active[p] = true
		}
	}
	groups := map[string][]int{}
	var order []string
	for i, svc := range s.Services {
		key := ""
		if len(svc.Service.Profiles) > 0 {
			key = svc.Service.Profiles[0]
		}
		if _, seen := groups[key]; !seen && key != "" {
			order = append(order, key)
		}
		groups[key] = append(groups[key], i)
	}
	add := func(key string) {
		rows = append(rows, row{header: key, on: key == "" || active[key]})
		for _, i := range groups[key] {
			rows = append(rows, row{service: &s.Services[i]})
		}
	}
	if len(groups[""]) > 0 {
		add("")
	}
	slices.Sort(order)
	for _, k := range order {
		add(k)
	}
	return rows
}

func (p *servicesPane) key(msg tea.KeyPressMsg, keys keyMap) {
	switch {
	case key.Matches(msg, keys.Down):
		if p.cursor < len(p.rows)-1 {
			p.cursor++
		}
	case key.Matches(msg, keys.Up):
		if p.cursor > 0 {
			p.cursor--
		}
	case key.Matches(msg, keys.Top):
		p.cursor = 0
	case key.Matches(msg, keys.Bottom):
		p.cursor = max(len(p.rows)-1, 0)
	}
}

func (p *servicesPane) view() string {
	lines := make([]string, 0, len(p.rows))
	for i, r := range p.rows {
		var l string
		if r.service == nil {
			l = p.headerLine(r)
		} else {
			l = p.serviceLine(r.service)
		}
		if i == p.cursor {
			l = p.st.Selected.Render(ansi.Strip(l))
		}
		lines = append(lines, l)
	}
	// Keep the cursor in view.
	if p.height > 0 && len(lines) > p.height {
		start := min(max(p.cursor-p.height+1, 0), len(lines)-p.height)
		lines = lines[start : start+p.height]
	}
	for i, l := range lines {
		if p.width > 0 {
			lines[i] = ansi.Truncate(l, p.width, "…")
		}
	}
	return strings.Join(lines, "\n")
}

func (p *servicesPane) headerLine(r row) string {
	if r.header == "" {
		return p.st.Header.Render("always on")
	}
	if r.on {
		return p.st.HeaderOn.Render("● " + r.header + " (on)")
	}
	return p.st.HeaderOff.Render("○ " + r.header + " (off)")
}

func (p *servicesPane) serviceLine(s *stack.ServiceState) string {
	glyph, style := stateGlyph(p.st, s)
	name := fmt.Sprintf("%-20s", s.Service.Name)
	state := s.State
	if s.Total > 1 {
		state = fmt.Sprintf("%s %d/%d", state, s.Running, s.Total)
	}
	var extra []string
	if s.Health != "" {
		extra = append(extra, s.Health)
	}
	if s.State == stack.StateExited || s.State == stack.StateDead {
		code := fmt.Sprintf("exit %d", s.ExitCode)
		if s.OOMKilled {
			code += " OOM"
		}
		if s.ExitCode != 0 {
			code = p.st.Bad.Render(code)
		}
		extra = append(extra, code)
	}
	if s.RestartCount > 0 {
		extra = append(extra, p.st.Warn.Render(plural(s.RestartCount, "restart")))
	}
	if s.Service.GPU {
		extra = append(extra, p.st.Warn.Render("GPU"))
	}
	line := "  " + style.Render(glyph) + " " + name + " " + style.Render(fmt.Sprintf("%-12s", state)) + " " + strings.Join(extra, " ")
	if !s.Service.Enabled {
		return p.st.Dim.Render(ansi.Strip(line))
	}
	return line
}

func stateGlyph(st themes.Styles, s *stack.ServiceState) (string, lipgloss.Style) {
	switch s.State {
	case stack.StateRunning:
		if s.Health == "unhealthy" {
			return "●", st.Bad
		}
		return "●", st.OK
	case stack.StateRestarting:
		return "↻", st.Warn
	case stack.StateExited, stack.StateDead:
		if s.ExitCode != 0 {
			return "✖", st.Bad
		}
		return "○", st.Muted
	case stack.StatePaused:
		return "‖", st.Warn
	case stack.StateUnknown:
		return "?", st.Muted
	default:
		return "·", st.Muted
	}
}
