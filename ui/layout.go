package ui

import (
	"cmp"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// The smallest terminal the layout is drawn for; below it the screen says
// so instead of garbling.
const (
	minWidth  = 60
	minHeight = 15
)

// Rows outside the body: header, status line, key hints.
const chromeRows = 3

func (m *Model) tooSmall() bool {
	return m.width > 0 && (m.width < minWidth || m.height < minHeight)
}

// Below this width the panes are stacked, services above logs, instead of
// side by side.
const sideBySide = 110

func (m *Model) stacked() bool { return m.width > 0 && m.width < sideBySide }

// leftWidth is the services pane's width: enough for the name, state and
// resource columns, never more than half the screen. Stacked, it is the
// whole width.
func (m *Model) leftWidth() int {
	if m.width <= 0 {
		return 60
	}
	if m.stacked() {
		return m.width
	}
	return min(max(m.width*2/5, 56), 64)
}

// listHeight is the services pane's height including its title row.
// Stacked, it takes what its rows need, up to half the body.
func (m *Model) listHeight() int {
	h := m.bodyHeight()
	if !m.stacked() {
		return h
	}
	return min(len(m.list.rows)+1, max(h/2, 4))
}

// rightBox is where the right (or, stacked, lower) pane sits: its screen
// offset and size, title row included.
func (m *Model) rightBox() (x, y, w, h int) {
	if m.stacked() {
		lh := m.listHeight()
		return 0, m.bodyTop() + lh, m.width, m.bodyHeight() - lh
	}
	lw := m.leftWidth()
	return lw + 1, m.bodyTop(), m.width - lw - 1, m.bodyHeight()
}

// inList says whether a screen position is over the services pane.
func (m *Model) inList(x, y int) bool {
	if m.stacked() {
		return y < m.bodyTop()+m.listHeight()
	}
	return x < m.leftWidth()
}

// bodyTop is the screen row the panes start on.
func (m *Model) bodyTop() int { return 1 }

func (m *Model) bodyHeight() int { return max(m.height-chromeRows-m.actions.Height(), 1) }

// layout hands every pane its size.
func (m *Model) layout() {
	if m.width <= 0 {
		return
	}
	m.help.SetWidth(m.width)
	h := m.bodyHeight()
	// One row for each pane's title.
	m.list.SetSize(m.leftWidth(), m.listHeight()-1)
	_, _, rw, rh := m.rightBox()
	for _, t := range m.tabs {
		t.SetSize(rw, rh-1)
	}
	if m.overlay != nil {
		m.overlay.SetSize(m.width, h)
	}
	m.actions.SetSize(m.width, m.actions.Height())
	m.confirm.SetSize(m.width, h)
}

// View renders the screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "stackui"
	if p := m.snap.Project; p != nil {
		v.WindowTitle = "stackui · " + p.Name
	}
	return v
}

func (m Model) render() string {
	if m.tooSmall() {
		return m.st.Warn.Render(ansi.Truncate("stackui: window too small", m.width, "…")) + "\n" +
			ansi.Truncate(sizeNote(m.width, m.height), m.width, "…")
	}
	var body string
	switch {
	case m.snap.Project == nil:
		body = m.launchScreen()
	case m.overlay != nil:
		body = m.overlay.View()
	default:
		body = m.panes()
	}
	body = fitBlock(body, m.width, m.bodyHeight())
	if box := m.confirm.View(); box != "" && m.width > 0 {
		// The question sits over the middle of the panes.
		x := max((m.width-lipgloss.Width(box))/2, 0)
		y := max((m.bodyHeight()-lipgloss.Height(box))/2, 0)
		body = lipgloss.NewCompositor(lipgloss.NewLayer(body), lipgloss.NewLayer(box).X(x).Y(y).Z(1)).Render()
	}
	parts := []string{m.header(), body}
	if m.actions.Height() > 0 {
		parts = append(parts, fitBlock(m.actions.View(), m.width, m.actions.Height()))
	}
	return strings.Join(append(parts, m.status(), m.footer()), "\n")
}

func sizeNote(w, h int) string {
	return "need at least " + itoa(minWidth) + "×" + itoa(minHeight) + ", have " + itoa(w) + "×" + itoa(h)
}

// panes lays out the services pane and the right pane: side by side, or
// stacked on a narrow screen.
func (m Model) panes() string {
	lw, lh := m.leftWidth(), m.listHeight()
	left := fitBlock(m.paneTitle("services", m.focus == focusServices, lw)+"\n"+m.list.View(), lw, lh)
	_, _, rw, rh := m.rightBox()
	right := fitBlock(m.tabsTitle(rw)+"\n"+m.right().View(), rw, rh)
	if m.stacked() {
		return left + "\n" + right
	}
	sep := strings.TrimSuffix(strings.Repeat(m.st.Dim.Render("│")+"\n", lh), "\n")
	return lipgloss.JoinHorizontal(lipgloss.Top, left, sep, right)
}

// tabsTitle is the right pane's title row: its tabs, the current one
// marked, then what it shows.
func (m Model) tabsTitle(w int) string {
	var b strings.Builder
	focused := m.focus == focusRight
	for t := range tabCount {
		name := m.tabs[t].Title()
		switch {
		case t == m.tab && focused:
			b.WriteString(m.st.Title.Render("▌" + name))
		case t == m.tab:
			b.WriteString(m.st.Header.Render(" " + name))
		default:
			b.WriteString(m.st.Dim.Render(" " + name))
		}
		b.WriteString(" ")
	}
	what := m.selected()
	if m.tab == tabLogs && m.logs.all {
		what = "all services"
	}
	if m.tab == tabDoctor {
		what = "whole project"
	}
	if what != "" {
		b.WriteString(m.st.Muted.Render("· " + what))
	}
	return ansi.Truncate(b.String(), w, "…")
}

// tabAt is the tab under column x of the title row.
func (m Model) tabAt(x int) (tab, bool) {
	pos := 0
	for t := range tabCount {
		name := m.tabs[t].Title()
		w := ansi.StringWidth(name) + 2
		if x >= pos && x < pos+w {
			return t, true
		}
		pos += w
	}
	return 0, false
}

func (m Model) paneTitle(title string, focused bool, w int) string {
	if focused {
		return ansi.Truncate(m.st.Title.Render("▌"+title), w, "…")
	}
	return ansi.Truncate(m.st.Muted.Render(" "+title), w, "…")
}

func (m Model) header() string {
	st := m.st
	p := m.snap.Project
	if p == nil {
		return m.fit(st.Title.Render("stackui"))
	}
	prof := "none"
	if len(p.ActiveProfiles) > 0 {
		prof = strings.Join(p.ActiveProfiles, ", ")
	}
	line := st.Title.Render("stackui · "+p.Name) + st.Muted.Render("  profiles on: ") + st.HeaderOn.Render(prof)
	return m.fit(line)
}

// status is the line above the key hints: the last action's result or a
// note, then the engine and the compose CLI.
func (m Model) status() string {
	st := m.st
	if m.cmdline != nil {
		return m.fit(m.cmdline.View())
	}
	e := m.snap.Engine
	var engine string
	switch {
	case m.snap.Project == nil:
		engine = ""
	case e.Reachable:
		engine = st.StatusBar.Render("engine ok · " + cmp.Or(m.compose, "compose …"))
	case e.Err != nil:
		engine = st.StatusError.Render("engine: " + e.Err.Error() + " (retrying)")
	default:
		engine = st.StatusBar.Render("engine: connecting…")
	}
	var left string
	act := m.actions.Status()
	switch {
	case m.actions.Busy():
		left = act
	case m.loadErr != nil && m.snap.Project != nil:
		left = st.StatusError.Render(m.loadErr.Error() + " (showing the last version that loaded)")
	case m.note.text != "" && m.note.err:
		left = st.StatusError.Render(m.note.text)
	case m.note.text != "":
		left = st.StatusBar.Render(m.note.text)
	case ansi.Strip(act) != "":
		left = act
	}
	if left == "" || engine == "" {
		return m.fit(left + engine)
	}
	return m.fit(left + st.Dim.Render(" · ") + engine)
}

func (m Model) footer() string {
	if m.snap.Project == nil {
		return m.fit(m.st.Key.Render("r") + m.st.Muted.Render(" load again  ") + m.st.Key.Render("q") + m.st.Muted.Render(" quit"))
	}
	return m.fit(m.help.ShortHelpView(m.hintKeys(m.focusedPane().ShortHelp())))
}

// hintKeys are the footer's bindings. A disabled one stays, dimmed and
// with its reason, so the footer says why a key does nothing.
func (m Model) hintKeys(h hints) []key.Binding {
	out := make([]key.Binding, 0, len(h))
	for _, b := range h {
		kb := b.Binding
		if why := b.reason(); why != "" {
			kb.SetHelp(m.st.Dim.Render(kb.Help().Key), m.st.Dim.Render(kb.Help().Desc+" ("+why+")"))
		}
		out = append(out, kb)
	}
	return out
}

func (m Model) fit(s string) string {
	if m.width > 0 {
		return ansi.Truncate(s, m.width, "…")
	}
	return s
}

// fitBlock makes s exactly w cells wide and h lines tall: long lines are
// cut, short ones padded, missing lines added.
func fitBlock(s string, w, h int) string {
	if w <= 0 || h <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lw := ansi.StringWidth(l)
		switch {
		case lw > w:
			lines[i] = ansi.Truncate(l, w, "…")
		case lw < w:
			lines[i] = l + strings.Repeat(" ", w-lw)
		}
	}
	return strings.Join(lines, "\n")
}

// mouseAt shifts a mouse message into a pane's coordinates.
func mouseAt(msg tea.MouseMsg, x, y int) tea.Msg {
	switch msg := msg.(type) {
	case tea.MouseClickMsg:
		msg.X -= x
		msg.Y -= y
		return msg
	case tea.MouseWheelMsg:
		msg.X -= x
		msg.Y -= y
		return msg
	case tea.MouseReleaseMsg:
		msg.X -= x
		msg.Y -= y
		return msg
	case tea.MouseMotionMsg:
		msg.X -= x
		msg.Y -= y
		return msg
	}
	return msg
}
