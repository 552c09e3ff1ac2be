package ui

import (
	"cmp"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/internal/textsafe"

	"github.com/stackui/stackui/themes"
)

// The smallest terminal the layout is drawn for; below it the screen says
// so instead of garbling.
const (
	minWidth  = 60
	minHeight = 15
)

// Rows outside the body: header, status line, key hints.
const chromeRows = 3

// geometry is where the panes sit on a screen of the model's size. It is
// computed from the model whenever it is needed, so it is never stale.
type geometry struct {
	width, height int
	drawer        int // rows the action drawer takes
	rows          int // rows the services list has
}

func (m *Model) geo() geometry {
	return geometry{width: m.width, height: m.height, drawer: m.actions.Height(), rows: len(m.list.rows)}
}

func (g geometry) tooSmall() bool {
	return g.width > 0 && (g.width < minWidth || g.height < minHeight)
}

// Below this width the panes are stacked, services above logs, instead of
// side by side.
const sideBySide = 110

func (g geometry) stacked() bool { return g.width > 0 && g.width < sideBySide }

// leftWidth is the services pane's width: enough for the name, state and
// resource columns, never more than half the screen. Stacked, it is the
// whole width.
func (g geometry) leftWidth() int {
	if g.width <= 0 {
		return 60
	}
	if g.stacked() {
		return g.width
	}
	return min(max(g.width*2/5, 56), 64)
}

// listHeight is the services pane's height including its title row.
// Stacked, it takes what its rows need, up to half the body.
func (g geometry) listHeight() int {
	h := g.bodyHeight()
	if !g.stacked() {
		return h
	}
	return min(g.rows+1, max(h/2, 4))
}

// rightBox is where the right (or, stacked, lower) pane sits: its screen
// offset and size, title row included.
func (g geometry) rightBox() (x, y, w, h int) {
	if g.stacked() {
		lh := g.listHeight()
		return 0, g.bodyTop() + lh, g.width, g.bodyHeight() - lh
	}
	lw := g.leftWidth()
	return lw + 1, g.bodyTop(), g.width - lw - 1, g.bodyHeight()
}

// inList says whether a screen position is over the services pane.
func (g geometry) inList(x, y int) bool {
	if g.stacked() {
		return y < g.bodyTop()+g.listHeight()
	}
	return x < g.leftWidth()
}

// bodyTop is the screen row the panes start on.
func (g geometry) bodyTop() int { return 1 }

func (g geometry) bodyHeight() int { return max(g.height-chromeRows-g.drawer, 1) }

// layout hands every pane its size.
func (m *Model) layout() {
	if m.width <= 0 {
		return
	}
	m.help.SetWidth(m.width)
	h := m.geo().bodyHeight()
	// One row for each pane's title.
	m.list.SetSize(m.geo().leftWidth(), m.geo().listHeight()-1)
	_, _, rw, rh := m.geo().rightBox()
	for _, t := range m.tabs {
		t.SetSize(rw, rh-1)
	}
	if m.overlay != nil {
		m.overlay.SetSize(m.width, h)
	}
	m.actions.SetSize(m.width, m.actions.Height())
	m.confirm.SetSize(m.width, h)
	syncListed(m) // the list's height may have changed (a window, the drawer)
}

// View renders the screen.
func (m Model) View() tea.View {
	v := tea.NewView(m.screen())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "stackui"
	if p := m.snap.Project; p != nil {
		v.WindowTitle = "stackui · " + textsafe.Line(p.Name)
	}
	return v
}

// LaunchFrame is the frame View draws at w×h before anything has
// arrived: the launch screen that says what is loading. The TUI puts it on
// the terminal itself before Bubble Tea starts (commands' launchFrame), so
// the first frame does not wait for Bubble Tea's start and its renderer's
// first tick; Bubble Tea's own first frame, the same text, replaces it.
func (m Model) LaunchFrame(w, h int) string {
	m.width, m.height = w, h
	m.layout()
	return m.screen()
}

// screen is the frame's text, View's and LaunchFrame's. The frame is where
// every pane's text meets the terminal: cleaning it here, once, means no
// pane can let a name, a log line or an engine message send more than SGR
// colours (a hyperlink in a profile name, a bidi override in an image).
// The panes' own lipgloss output is SGR only.
func (m Model) screen() string { return textsafe.Frame(m.render()) }

func (m Model) render() string {
	if m.geo().tooSmall() {
		return m.st.Warn.Render(ansi.Truncate("stackui: window too small", m.width, "…")) + "\n" +
			ansi.Truncate(sizeNote(m.width, m.height), m.width, "…")
	}
	var body string
	fitted := false
	switch {
	case m.snap.Project == nil:
		body = m.launchScreen()
	case m.overlay != nil:
		body = m.overlay.View()
	default:
		body, fitted = m.panes()
	}
	if !fitted {
		body = fitBlock(body, m.width, m.geo().bodyHeight())
	}
	if box := m.confirm.View(); box != "" && m.width > 0 {
		// The question sits over the middle of the panes.
		x := max((m.width-lipgloss.Width(box))/2, 0)
		y := max((m.geo().bodyHeight()-lipgloss.Height(box))/2, 0)
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
// stacked on a narrow screen. fitted says the body is already exactly the
// screen's width and the body's height, as fitBlock would make it: both
// panes were fitted to sizes that add up to it. Measuring the whole body
// again every frame was a fifth of a frame's cost with the merged logs of
// 100 containers showing.
func (m Model) panes() (body string, fitted bool) {
	lw, lh := m.geo().leftWidth(), m.geo().listHeight()
	left := m.frame.left.fit(m.list.title(m.focus == focusServices)+"\n"+m.list.View(), lw, lh)
	_, _, rw, rh := m.geo().rightBox()
	right := fitBlock(m.tabsTitle(rw)+"\n"+m.right().View(), rw, rh)
	fitted = m.width > 0 && lh > 0 && rw > 0 && rh > 0
	if m.geo().stacked() {
		return left + "\n" + right, fitted
	}
	return joinFitted(left, lw, m.st.Dim.Render("│"), right, rw), fitted
}

// tabsTitle is the right pane's title row: its tabs, the current one
// marked, then what it shows.
func (m Model) tabsTitle(w int) string {
	focused := m.focus == focusRight
	what := m.selected()
	if m.tab == tabLogs && m.logs.all {
		what = "all services"
	}
	if m.tab == tabDoctor {
		what = "whole project"
	}
	var key strings.Builder
	key.WriteString(itoa(w) + "\x00" + itoa(int(m.tab)) + "\x00" + what)
	if focused {
		key.WriteString("\x00f")
	}
	for t := range tabCount {
		key.WriteString("\x00" + m.tabs[t].Title())
	}
	if m.frame == nil {
		return tabsRow(&m, w, focused, what)
	}
	return m.frame.tabs.get(key.String(), func() string { return tabsRow(&m, w, focused, what) })
}

// tabsRow renders tabsTitle's row.
func tabsRow(m *Model, w int, focused bool, what string) string {
	var b strings.Builder
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

func paneTitle(st themes.Styles, title string, focused bool, w int) string {
	if focused {
		return ansi.Truncate(st.Title.Render("▌"+title), w, "…")
	}
	return ansi.Truncate(st.Muted.Render(" "+title), w, "…")
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
		// "podman 4.3.1 ok" once the engine has described itself: which
		// engine answers matters (Podman reports OOM kills differently).
		engine = st.StatusBar.Render(cmp.Or(m.engineName, "engine") + " ok · " + cmp.Or(m.compose, "compose …"))
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
	h := m.focusedPane().ShortHelp()
	if o, ok := m.overlay.(interface{ ShortHelp() hints }); ok {
		h = o.ShortHelp()
	}
	// The key is everything the help bubble shows of the bindings.
	reasons := make([]string, len(h))
	var key strings.Builder
	key.WriteString(itoa(m.width) + "\x00" + itoa(m.help.Width()))
	for i := range h {
		reasons[i] = h[i].reason()
		hp := h[i].Help()
		key.WriteString("\x00" + hp.Key + "\x01" + hp.Desc + "\x01" + reasons[i])
		if !h[i].Enabled() {
			key.WriteString("\x01off")
		}
	}
	draw := func() string { return m.fit(m.help.ShortHelpView(hintKeys(*m.st, h, reasons))) }
	if m.frame == nil {
		return draw()
	}
	return m.frame.footer.get(key.String(), draw)
}

// hintKeys are the footer's bindings. A disabled one stays, dimmed and
// with its reason, so the footer says why a key does nothing.
// reasons[i] is h[i]'s, asked once per frame.
func hintKeys(st themes.Styles, h hints, reasons []string) []key.Binding {
	out := make([]key.Binding, 0, len(h))
	for i, b := range h {
		kb := b.Binding
		if why := reasons[i]; why != "" {
			kb.SetHelp(st.Dim.Render(kb.Help().Key), st.Dim.Render(kb.Help().Desc+" ("+why+")"))
		}
		out = append(out, kb)
	}
	return out
}

// fit cuts a line to the width. It is cleaned first: it quotes engine errors and
// paths, and an escaped character (<U+202E>) must count the cells it
// shows in, or the frame's cleaning makes the line wrap.
func (m Model) fit(s string) string {
	s = clean(s)
	if m.width > 0 {
		return ansi.Truncate(s, m.width, "…")
	}
	return s
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
