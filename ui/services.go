package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/internal/textsafe"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// servicesPane lists the services grouped by profile: always-on services
// first, then each profile under a header that says whether it is on.
type servicesPane struct {
	st     themes.Styles
	keys   *keyMap
	rows   []row
	cursor int
	// top is the first row shown; it follows the cursor.
	top int
	// nameWidth is the name column's width: the longest name, capped.
	nameWidth int
	width     int
	height    int
	// usage are the resource figures for the CPU and MEM columns; without
	// any container in it (no sampler) the columns are left out.
	usage resources.Snapshot
	// badges mark services the doctor has a finding for.
	badges map[string]string
	// longest is the widest service name; nameWidth is it capped, and cut
	// further when the pane is narrow, so the columns after it line up.
	longest int
	// counts are the title's running / exited / not created figures.
	counts serviceCounts
	// titleOut is the last title made, from titleFor.
	titleOut string
	titleFor servicesTitleKey
	// gen counts changes to what the rows show; view caches View's output
	// for it and the cursor, scroll and size: the root draws a frame for
	// every burst of log lines, and drawing 100 rows each time was most of
	// the UI's idle cost at 100 containers.
	gen     int
	viewFor servicesViewKey
	view    string
}

// servicesViewKey is what a rendered list was rendered for.
type servicesViewKey struct {
	gen, cursor, top, width, height int
	ok                              bool
}

func newServicesPane(st themes.Styles, keys *keyMap) *servicesPane {
	return &servicesPane{st: st, keys: keys}
}

// SetSize gives the pane its size.
func (p *servicesPane) SetSize(w, h int) {
	p.width, p.height = w, h
	p.fitNames()
	p.scroll()
}

// nameColumn is the widest the name column gets on a wide pane.
const nameColumn = 24

// fitNames sizes the name column: the longest name up to nameColumn, and
// narrower when the pane is, so the state column always starts at the
// same place and stays on screen.
func (p *servicesPane) fitNames() {
	p.nameWidth = min(max(p.longest, 8), nameColumn)
	if p.width > 0 {
		// "  ● " + name + " " + state (12) + " "
		p.nameWidth = min(p.nameWidth, max(p.width-4-1-12-1, 4))
	}
}

// viewRows is how many rows fit: all of the height, less the line that
// says how many more there are when they do not all fit.
func (p *servicesPane) viewRows() int {
	if p.height <= 0 || len(p.rows) <= p.height {
		return p.height
	}
	return max(p.height-1, 1)
}

// selectedRow is the row under the cursor; ok is false with no rows.
func (p *servicesPane) selectedRow() (row, bool) {
	if p.cursor < 0 || p.cursor >= len(p.rows) {
		return row{}, false
	}
	return p.rows[p.cursor], true
}

// onScreen are the containers of the rows shown, for Usage.SetListed.
func (p *servicesPane) onScreen() []string {
	var ids []string
	for i := p.top; i < min(p.top+max(p.viewRows(), 0), len(p.rows)); i++ {
		if s := p.rows[i].service; s != nil {
			for _, c := range s.Containers {
				ids = append(ids, c.ID)
			}
		}
	}
	return ids
}

// selectedService is the service under the cursor, or nil on a header.
func (p *servicesPane) selectedService() *stack.ServiceState {
	r, ok := p.selectedRow()
	if !ok {
		return nil
	}
	return r.service
}

// Init starts nothing: the list has no streams of its own.
func (p *servicesPane) Init() tea.Cmd { return nil }

// SetStyles switches the styles, once the terminal's background is known.
func (p *servicesPane) SetStyles(st themes.Styles) { p.st = st; p.gen++ }

// Capturing is false: the list never takes every key.
func (p *servicesPane) Capturing() bool { return false }

// ShortHelp is the footer's hints: the actions on the selected service, or
// the profile keys on a profile header.
func (p *servicesPane) ShortHelp() hints {
	k := p.keys
	first := hints{k.UpSvc, k.Stop, k.Restart, k.Exec, k.Profiles}
	if p.selectedService() == nil {
		first = hints{k.Toggle, k.Profiles, k.UpAll}
	}
	return append(first, k.NextPane, k.NextTab, k.Command, k.Help, k.Quit)
}

// Bindings are the action keys, which act on the selected row.
func (p *servicesPane) Bindings() []*Binding { return verbBindings(p.keys) }

// SetSnapshot takes new state, keeping the cursor on the same service or
// header when it is still there.
func (p *servicesPane) SetSnapshot(s stack.Snapshot) tea.Cmd {
	p.setSnapshot(s)
	return nil
}

func (p *servicesPane) setSnapshot(s stack.Snapshot) {
	p.gen++
	var was row
	had := false
	if r, ok := p.selectedRow(); ok {
		was, had = r, true
	}
	p.rows = groupRows(s)
	p.counts = countServices(s)
	p.longest = 0
	for _, st := range s.Services {
		p.longest = max(p.longest, ansi.StringWidth(displayName(st.Service.Name)))
	}
	p.fitNames()
	if had {
		p.cursor = p.findRow(was)
	}
	if p.cursor >= len(p.rows) {
		p.cursor = max(len(p.rows)-1, 0)
	}
	// Start on the first service rather than on a header.
	if !had && len(p.rows) > 1 && p.rows[0].service == nil {
		p.cursor = 1
	}
	p.scroll()
}

// Update moves the cursor on keys, clicks and the wheel. Actions on the
// selected service are the root's business.
func (p *servicesPane) Update(msg tea.Msg) tea.Cmd {
	keys := p.keys
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if d, ok := moveKey(msg, keys, max(p.viewRows()-1, 1), len(p.rows)); ok {
			p.move(d)
		}
	case tea.MouseClickMsg:
		if i := p.top + msg.Y; msg.Y >= 0 && msg.Y < p.viewRows() && i < len(p.rows) {
			p.cursor = i
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelDown:
			p.move(1)
		case tea.MouseWheelUp:
			p.move(-1)
		}
	}
	return nil
}

func (p *servicesPane) move(n int) {
	p.cursor = min(max(p.cursor+n, 0), max(len(p.rows)-1, 0))
	p.scroll()
}

// scroll keeps the cursor in view.
func (p *servicesPane) scroll() {
	n := p.viewRows()
	if n <= 0 {
		return
	}
	p.top = keepInView(p.cursor, p.top, n, len(p.rows))
}

// View renders the visible rows, and under them how many more there are
// above and below when they do not all fit, again only when something
// they show changed.
func (p *servicesPane) View() string {
	key := servicesViewKey{gen: p.gen, cursor: p.cursor, top: p.top, width: p.width, height: p.height, ok: true}
	if key != p.viewFor {
		p.view, p.viewFor = p.render(), key
	}
	return p.view
}

func (p *servicesPane) render() string {
	end := len(p.rows)
	if p.height > 0 {
		end = min(p.top+p.viewRows(), len(p.rows))
	}
	lines := make([]string, 0, end-p.top)
	for i := p.top; i < end; i++ {
		r := p.rows[i]
		var l string
		if r.service == nil {
			l = p.headerLine(r)
		} else {
			l = p.serviceLine(r.service)
		}
		if p.width > 0 {
			l = ansi.Truncate(l, p.width, "…")
		}
		if i == p.cursor {
			plain := ansi.Strip(l)
			if w := ansi.StringWidth(plain); w < p.width {
				plain += strings.Repeat(" ", p.width-w)
			}
			l = p.st.Selected.Render(plain)
		}
		lines = append(lines, l)
	}
	if more := moreLine(p.top, len(p.rows)-end); more != "" && p.height > 0 {
		lines = append(lines, p.st.Muted.Render(ansi.Truncate(more, p.width, "…")))
	}
	return strings.Join(lines, "\n")
}

func (p *servicesPane) serviceLine(s *stack.ServiceState) string {
	glyph, style := stateGlyph(p.st, s)
	// A name past the column is cut, not allowed to push the columns
	// after it out of line; the selected service's full name is in the
	// right pane's title.
	name := ansi.Truncate(displayName(s.Service.Name), p.nameWidth, "…")
	name += strings.Repeat(" ", max(p.nameWidth-ansi.StringWidth(name), 0))
	state := stateText(s)
	var extra []string
	if b := p.badges[s.Service.Name]; b != "" {
		// The doctor has a finding: enter opens it.
		extra = append(extra, b)
	} else if p.oomSeen(s) {
		// The sampler saw the kernel kill it for memory, milliseconds
		// ago: the badge goes up now, the doctor's finding follows.
		extra = append(extra, p.st.Badge.Render(" OOM "))
	}
	if s.Health != "" {
		extra = append(extra, s.Health)
	}
	if s.State == stack.StateExited || s.State == stack.StateDead {
		code := fmt.Sprintf("exit %d", s.ExitCode)
		if s.OOMKilled && p.badges[s.Service.Name] == "" {
			code += " OOM"
		}
		if s.ExitCode != 0 {
			code = p.st.Bad.Render(code)
		}
		extra = append(extra, code)
	}
	if s.Drift != nil && *s.Drift {
		// dry's SYNC column: up would recreate it; R does.
		extra = append(extra, p.st.Warn.Render(driftMark))
	}
	if s.RestartCount > 0 {
		extra = append(extra, p.st.Warn.Render(plural(s.RestartCount, "restart")))
	}
	var cells string
	if s.Running > 0 {
		cells = p.usageCells(s)
	}
	switch u := p.usage.Service(s.Service.Name); {
	case s.Running > 0 && u.GPUMem > 0:
		extra = append(extra, p.st.Warn.Render("GPU "+byteSize(u.GPUMem, sizeShort)))
	case s.Service.GPU && p.badges[s.Service.Name] == "":
		// With a badge, the doctor already says what is wrong with it.
		extra = append(extra, p.st.Warn.Render("GPU"))
	}
	line := "  " + style.Render(glyph) + " " + name + " " + style.Render(fmt.Sprintf("%-12s", state)) + " " + cells + strings.Join(extra, " ")
	if !s.Service.Enabled {
		return p.st.Dim.Render(ansi.Strip(line))
	}
	return line
}

// oomStartSkew is how long before the start the engine reports a kill
// may be and still belong to this run: Podman records a container's start
// after its process runs, and the kernel killed one that allocated at
// once 89 ms before that StartedAt.
const oomStartSkew = time.Second

// oomSeen says whether the sampler saw an OOM kill in the memory cgroup
// of the service's container, in its current run.
func (p *servicesPane) oomSeen(s *stack.ServiceState) bool {
	for _, c := range s.Containers {
		if u, ok := p.usage.Container(c.ID); ok && u.OOM.Kills > 0 && inThisRun(c, u.OOM.At) {
			return true
		}
	}
	return false
}

// inThisRun says whether a kill at `at` belongs to c's current run: not
// before its start less oomStartSkew, and, for a container that ran
// before (its FinishedAt comes before its StartedAt), not before this
// start at all: Docker restarts one killed for memory within ~100 ms,
// inside the skew, and the watch reports the kill a few milliseconds
// late, so the earlier run's end is no sure line.
func inThisRun(c stack.Container, at time.Time) bool {
	if c.StartedAt.IsZero() {
		return true
	}
	if !c.FinishedAt.IsZero() && c.FinishedAt.Before(c.StartedAt) {
		return !at.Before(c.StartedAt)
	}
	return !at.Before(c.StartedAt.Add(-oomStartSkew))
}

// setBadges takes the doctor's badges, by service.
func (p *servicesPane) setBadges(b map[string]string) { p.badges = b; p.gen++ }

// setUsage takes the latest resource figures for the rows' columns.
func (p *servicesPane) setUsage(u resources.Snapshot) { p.usage = u; p.gen++ }

// displayName is a name as the rows show it: cleaned before its width is
// taken, so a control or bidi character (shown escaped, as <U+202E>) is
// counted as the cells it will take, not escaped later at the frame, which
// pushed the columns after it out of line.
func displayName(name string) string { return textsafe.Line(name) }

// Widths of the resource columns: "1600%" and "999M/1.5G".
const (
	cpuColWidth = 5
	memColWidth = 9
)

// usageColumnsFor says which resource columns fit beside the name and the
// state. Memory goes first, since it says how close the OOM killer is; a
// column that does not fit is left out rather than cut.
//
// It decides per row: a long state ("restarting 1/3") pushes the columns
// right, and then fewer fit.
func (p *servicesPane) usageColumnsFor(s *stack.ServiceState) (cpu, mem bool) {
	if len(p.usage.Containers) == 0 {
		return false, false
	}
	if p.width <= 0 {
		return true, true
	}
	name, state := p.nameWidth, 12
	if s != nil {
		state = max(state, ansi.StringWidth(stateText(s)))
	}
	room := p.width - (4 + name + 1 + state + 1)
	return room >= cpuColWidth+1+memColWidth+1, room >= memColWidth+1
}

// usageCells are a running service's CPU and MEM cells, blank while it is
// not measured yet, so the columns stay aligned.
func (p *servicesPane) usageCells(s *stack.ServiceState) string {
	showCPU, showMem := p.usageColumnsFor(s)
	if !showMem {
		return ""
	}
	u := p.usage.Service(s.Service.Name)
	cpu, mem := strings.Repeat(" ", cpuColWidth), strings.Repeat(" ", memColWidth)
	if u.Measured > 0 {
		cpu = fmt.Sprintf("%*s", cpuColWidth, fmt.Sprintf("%.0f%%", u.CPUPercent))
		m := byteSize(u.MemUsed, sizeShort)
		// Without a limit docker stats' limit is the machine's memory,
		// which says nothing about this service (and sums to nonsense
		// over replicas).
		if s.Service.MemLimit > 0 {
			m += "/" + byteSize(u.MemLimit, sizeShort)
		}
		mem = memStyle(p.st, p.worstMemPercent(s.Service.Name)).Render(m) + strings.Repeat(" ", max(memColWidth-len(m), 0))
	}
	if showCPU {
		return cpu + " " + mem + " "
	}
	return mem + " "
}

// worstMemPercent is the highest memory use against its limit among a
// service's running containers: one replica about to be OOM-killed must
// show even when the others are idle.
func (p *servicesPane) worstMemPercent(service string) float64 {
	worst := 0.0
	for _, c := range p.usage.Containers {
		if c.Service == service && c.Running && !c.Latest.Time.IsZero() {
			worst = max(worst, c.Latest.MemPercent())
		}
	}
	return worst
}

// stateText is the state column: the state, and for replicas how many run.
func stateText(s *stack.ServiceState) string {
	if s.Total > 1 {
		return fmt.Sprintf("%s %d/%d", s.State, s.Running, s.Total)
	}
	return s.State
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

// findRow is where row was now: the same row, else the same service under
// another group (its profiles changed), else the cursor as it is.
func (p *servicesPane) findRow(was row) int {
	for i, r := range p.rows {
		if sameRow(r, was) {
			return i
		}
	}
	for i, r := range p.rows {
		if was.service != nil && r.service != nil && r.service.Service.Name == was.service.Service.Name {
			return i
		}
	}
	return p.cursor
}

// selectName moves the cursor to the named service.
func (p *servicesPane) selectName(name string) {
	for i, r := range p.rows {
		if r.service != nil && r.service.Service.Name == name {
			p.cursor = i
			p.scroll()
			return
		}
	}
}
