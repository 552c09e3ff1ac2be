package ui

import (
	"context"
	"errors"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// ProjectOpener lists the compose projects the engine has containers of
// and loads one from the files its containers were made from (the
// backend). The projects view asks only while it is open.
type ProjectOpener interface {
	Projects(ctx context.Context) ([]stack.ProjectSummary, error)
	OpenProject(ctx context.Context, s stack.ProjectSummary) (*stack.Project, error)
}

// errNoEngineView answers a view that needs the engine in a session
// without one.
var errNoEngineView = errors.New("no engine in this session")

// projectsMsg carries the engine's compose projects.
type projectsMsg struct {
	list []stack.ProjectSummary
	err  error
}

// projectOpenedMsg is a project loaded from another project's files; the
// root makes it the session's project.
type projectOpenedMsg struct {
	name    string
	project *stack.Project
	err     error
}

// projectsView lists the compose projects on the engine (`:projects`):
// name, working directory and how many containers are in each state.
// enter opens one in place of the current project.
type projectsView struct {
	st      themes.Styles
	keys    *keyMap
	ctx     context.Context
	opener  ProjectOpener
	current string

	list    listView
	data    []stack.ProjectSummary
	loaded  bool
	opening string
	err     error
	closed  bool

	width, height int
}

func newProjectsView(ctx context.Context, st themes.Styles, keys *keyMap, o ProjectOpener, current string) *projectsView {
	return &projectsView{ctx: ctx, st: st, keys: keys, opener: o, current: current}
}

// fetch lists the projects off the UI goroutine.
func (v *projectsView) fetch() tea.Cmd {
	if v.opener == nil {
		v.err = errNoEngineView
		return nil
	}
	o, ctx := v.opener, v.ctx
	return func() tea.Msg {
		list, err := o.Projects(ctx)
		return projectsMsg{list: list, err: err}
	}
}

func (v *projectsView) SetSize(w, h int) { v.width, v.height = w, h }

func (v *projectsView) done() bool { return v.closed }

// Update takes the list, the result of opening one, and the keys.
func (v *projectsView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case projectsMsg:
		v.err = msg.err
		if msg.err == nil {
			v.data, v.loaded = msg.list, true
			// Start on the project shown now.
			if i := slices.IndexFunc(v.data, func(s stack.ProjectSummary) bool { return s.Name == v.current }); i >= 0 && v.list.cursor == 0 {
				v.list.cursor = i
			}
		}
	case projectOpenedMsg:
		v.opening = ""
		v.err = msg.err
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return nil
}

func (v *projectsView) key(msg tea.KeyPressMsg) tea.Cmd {
	k := v.keys
	n := len(v.data)
	if on(msg, k.Back) || on(msg, k.Quit) || on(msg, k.Projects) {
		v.closed = true
		return nil
	}
	if d, ok := moveKey(msg, k, max(v.height-4, 1), n); ok {
		v.list.move(d, n)
		return nil
	}
	switch {
	case on(msg, k.Reload):
		return v.fetch()
	case on(msg, k.Open):
		return v.open()
	}
	return nil
}

// open loads the selected project from its files, off the UI goroutine.
func (v *projectsView) open() tea.Cmd {
	c := v.list.cursor
	if c < 0 || c >= len(v.data) || v.opener == nil {
		return nil
	}
	s := v.data[c]
	if s.Name == v.current {
		v.closed = true
		return nil
	}
	v.opening, v.err = s.Name, nil
	o, ctx := v.opener, v.ctx
	return func() tea.Msg {
		p, err := o.OpenProject(ctx, s)
		return projectOpenedMsg{name: s.Name, project: p, err: err}
	}
}

// ShortHelp is the footer's hints while the view is open.
func (v *projectsView) ShortHelp() hints {
	k := v.keys
	return hints{k.Down, withHelp(k.Open, "open this project"), withHelp(k.Reload, "refresh"), withHelp(k.Back, "back")}
}

// View renders the projects as a table.
func (v *projectsView) View() string {
	st, w := v.st, v.width
	title := st.Title.Render("projects") + st.Muted.Render(" on the engine, from their containers' labels")
	lines := []string{ansi.Truncate(title, w, "…")}
	status := ""
	switch {
	case v.opening != "":
		status = st.Muted.Render("loading " + clean(v.opening) + " from its compose files…")
	case v.err != nil:
		status = st.Bad.Render(clean(v.err.Error()))
	case !v.loaded:
		status = st.Muted.Render("asking the engine…")
	default:
		status = st.Muted.Render(plural(len(v.data), "project") + " · enter opens one in place of " + clean(v.current))
	}
	lines = append(lines, ansi.Truncate(status, w, "…"))
	cols := []column{{"PROJECT", 48}, {"CONTAINERS", 36}, {"WORKING DIR", 0}}
	rows := make([][]string, 0, len(v.data))
	for _, s := range v.data {
		name := s.Name
		if s.Name == v.current {
			name = "● " + name
		} else {
			name = "  " + name
		}
		rows = append(rows, []string{name, stateCounts(s.States), dashIf(s.WorkingDir)})
	}
	body := max(v.height-len(lines)-1, 2)
	lines = append(lines, v.list.render(st, cols, rows, w, body)...)
	for len(lines) < v.height-1 {
		lines = append(lines, "")
	}
	detail := ""
	if c := v.list.cursor; c >= 0 && c < len(v.data) {
		detail = "files: " + dashIf(strings.Join(v.data[c].Files, ", "))
	}
	lines = append(lines, ansi.Truncate(st.Muted.Render(clean(detail)), w, "…"))
	return strings.Join(lines, "\n")
}

// stateCounts says how many containers are in each state, running first.
func stateCounts(states map[string]int) string {
	order := []string{stack.StateRunning, stack.StateRestarting, stack.StatePaused, stack.StateExited, stack.StateCreated, stack.StateDead}
	var parts []string
	for _, s := range order {
		if n := states[s]; n > 0 {
			parts = append(parts, itoa(n)+" "+s)
		}
	}
	var rest []string
	for s, n := range states {
		if !slices.Contains(order, s) && n > 0 {
			rest = append(rest, itoa(n)+" "+s)
		}
	}
	slices.Sort(rest)
	return strings.Join(append(parts, rest...), " · ")
}
