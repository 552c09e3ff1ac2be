package ui

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/internal/textsafe"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// What the config, env, top and ports tabs share: the reads they make, how
// the root tells them they are on screen, and the scrolling list they draw.

// Inspector reads what the config, env, top and ports tabs show. The
// backend's Ops has these methods; the root finds them on Options.Ops by
// type assertion, so Ops without them leaves the tabs saying so.
type Inspector interface {
	// ContainerDetails is one inspect call: environment and published ports.
	ContainerDetails(ctx context.Context, id string) (stack.ContainerDetails, error)
	// ContainerTop is the Engine API's container top.
	ContainerTop(ctx context.Context, id string) (stack.Processes, error)
	// ServiceConfig is the effective config with the file:line of each key.
	ServiceConfig(service string) (stack.ServiceConfigView, error)
}

// shownTab is a tab that reads the engine only while it is on screen.
// After every Update the root tells each such tab whether it is the
// current one and what is selected; a tab that became visible, or whose
// service or container changed, answers with its read. Hidden, it drops
// late answers and re-arms nothing, so nothing polls.
type shownTab interface {
	Show(visible bool, service string) tea.Cmd
}

// tabMsg is a message for one tab (the answer to its read); the root hands
// it to that tab whether it is on screen or not.
type tabMsg interface{ forTab() tab }

// showTabs tells the shown tabs what is on screen; it runs after every
// Update.
func (m *Model) showTabs() tea.Cmd {
	var cmds []tea.Cmd
	on := m.snap.Project != nil && m.overlay == nil
	sel := m.selected()
	for t, p := range m.tabs {
		if s, ok := p.(shownTab); ok {
			cmds = append(cmds, s.Show(on && tab(t) == m.tab, sel))
		}
	}
	return tea.Batch(cmds...)
}

// inspectorOf finds the optional reads on the actions' Ops.
func inspectorOf(ops Ops) Inspector {
	if i, ok := ops.(Inspector); ok {
		return i
	}
	return nil
}

// shown is what a tab last showed: whether it was visible, and for which
// service and container. gen counts changes; an answer or a tick carries
// the gen it was made for, and one from an earlier gen is dropped.
type shown struct {
	visible     bool
	service, id string
	gen         int
}

// change records the new state and reports whether the tab needs a new
// read: it is visible and something it reads changed.
func (s *shown) change(visible bool, service, id string) bool {
	if s.visible == visible && s.service == service && s.id == id {
		return false
	}
	s.visible, s.service, s.id = visible, service, id
	s.gen++
	return visible
}

// shownContainer is the service's container the tabs read: its first running
// one, else its first; false when it has none.
func shownContainer(snap stack.Snapshot, service string) (stack.Container, bool) {
	svc, ok := snap.Service(service)
	if !ok || len(svc.Containers) == 0 {
		return stack.Container{}, false
	}
	for _, c := range svc.Containers {
		if c.State == stack.StateRunning {
			return c, true
		}
	}
	return svc.Containers[0], true
}

// scrollList is a list of lines with a cursor (or, for text, only a top
// line), kept in view: what the config, env, top and ports tabs draw.
type scrollList struct {
	lines          []string
	cursor, offset int
	height         int
	// cursorless: the list scrolls as text, without a selected line.
	cursorless bool
}

func (l *scrollList) set(lines []string) {
	l.lines = lines
	l.move(0)
}

func (l *scrollList) move(d int) {
	if l.cursorless {
		l.offset = max(min(l.offset+d, len(l.lines)-l.height), 0)
		return
	}
	l.cursor = max(min(l.cursor+d, len(l.lines)-1), 0)
	l.offset = keepInView(l.cursor, l.offset, l.height, len(l.lines))
}

// key moves the list on the move keys, and reports whether it did.
func (l *scrollList) key(msg tea.Msg, k *keyMap) bool {
	page := max(l.height-1, 1)
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		d, ok := moveKey(msg, k, page, len(l.lines))
		if !ok {
			return false
		}
		l.move(d)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelDown:
			l.move(3)
		case tea.MouseWheelUp:
			l.move(-3)
		}
	case tea.MouseClickMsg:
		if !l.cursorless && msg.Y >= 0 && l.offset+msg.Y < len(l.lines) {
			l.cursor = l.offset + msg.Y
		}
	default:
		return false
	}
	return true
}

// view draws head (lines that stay put) then the visible lines, the
// cursor's marked, each cut to w.
func (l *scrollList) view(st themes.Styles, head []string, w, h int) string {
	l.height = max(h-len(head), 1)
	l.move(0)
	var b strings.Builder
	for _, s := range head {
		b.WriteString(ansi.Truncate(s, w, "…"))
		b.WriteByte('\n')
	}
	end := min(l.offset+l.height, len(l.lines))
	for i := l.offset; i < end; i++ {
		s := ansi.Truncate(l.lines[i], w, "…")
		if !l.cursorless && i == l.cursor {
			s = st.Selected.Render(ansi.Strip(s) + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0)))
		}
		b.WriteString(s)
		if i < end-1 {
			b.WriteByte('\n')
		}
	}
	return fitBlock(strings.TrimSuffix(b.String(), "\n"), w, h)
}

// clean is untrusted text (compose strings, container output) made safe
// for one line of the terminal.
func clean(s string) string { return textsafe.Line(s) }

// inspectTab is what the four tabs share: styles, size, the live state,
// the selected service, what they last showed, and the list they draw.
type inspectTab struct {
	st            themes.Styles
	keys          *keyMap
	insp          Inspector
	ctx           context.Context
	width, height int
	snap          stack.Snapshot
	service       string
	shown         shown
	list          scrollList
	// note is what the tab says instead of its lines: loading, an error,
	// why there is nothing to show.
	note string
}

func newInspectTab(ctx context.Context, insp Inspector, st themes.Styles, keys *keyMap) inspectTab {
	if ctx == nil {
		ctx = context.Background()
	}
	return inspectTab{st: st, keys: keys, insp: insp, ctx: ctx}
}

func (t *inspectTab) SetStyles(st themes.Styles)           { t.st = st }
func (t *inspectTab) SetSize(w, h int)                     { t.width, t.height = w, h }
func (t *inspectTab) SetSnapshot(s stack.Snapshot) tea.Cmd { t.snap = s; return nil }
func (t *inspectTab) Init() tea.Cmd                        { return nil }
func (t *inspectTab) Capturing() bool                      { return false }
func (t *inspectTab) SetService(name string)               { t.service = name }

// containerID is the ID of the container the tab reads, or "".
func (t *inspectTab) containerID(service string) string {
	if c, ok := shownContainer(t.snap, service); ok {
		return c.ID
	}
	return ""
}

// body draws the note, or head and the list.
func (t *inspectTab) body(head ...string) string {
	if t.note != "" {
		return fitBlock(t.st.Muted.Render(ansi.Truncate(t.note, t.width, "…")), t.width, t.height)
	}
	return t.list.view(t.st, head, t.width, t.height)
}
