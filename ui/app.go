// Package ui is stackui's terminal interface: Bubble Tea models for the
// root screen and its panes. It renders what stack's live state says and
// sends actions back as commands; it never polls.
package ui

import (
	"cmp"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// Source is where the UI gets its state: stack.Live in the program, a fake
// in tests.
type Source interface {
	Snapshot() stack.Snapshot
	Changed() <-chan struct{}
	SetProject(*stack.Project)
}

// Options configure the root model.
type Options struct {
	Styles themes.Styles
	// DetectCompose names the compose CLI in use for the status line. It
	// runs as a command after the first frame, since it execs the CLI.
	DetectCompose func() string
	// FilesChanged fires when the project's files change on disk; the
	// model then reloads them with Reload, off the UI goroutine.
	FilesChanged <-chan struct{}
	Reload       func() (*stack.Project, error)
}

// Model is the root model.
type Model struct {
	src     Source
	opts    Options
	snap    stack.Snapshot
	compose string
	loadErr error // the last reload failed; the previous project stays shown
	// reloads counts reloads started; only the latest one's result counts,
	// so a slow reload cannot overwrite a newer one.
	reloads int
	keys    keyMap
	help    help.Model
	list    servicesPane
	width   int
	height  int
}

// New makes the root model over a state source.
func New(src Source, opts Options) Model {
	m := Model{src: src, opts: opts, snap: src.Snapshot(), keys: defaultKeys(), help: help.New()}
	m.list = newServicesPane(opts.Styles)
	m.list.setSnapshot(m.snap)
	return m
}

// changedMsg says the live state changed; the model takes a new snapshot.
type changedMsg struct{}

// waitForChange is the self re-arming command that carries live-state
// changes into Update: it blocks on the channel, not on a timer.
func waitForChange(ch <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		return changedMsg{}
	}
}

// filesChangedMsg says the compose files changed on disk.
type filesChangedMsg struct{}

// reloadedMsg carries the result of reloading the compose files.
type reloadedMsg struct {
	seq     int
	project *stack.Project
	err     error
}

func waitForFiles(ch <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		return filesChangedMsg{}
	}
}

// composeMsg carries the name of the compose CLI once detected.
type composeMsg string

// Init starts listening for state changes.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{waitForChange(m.src.Changed())}
	if m.opts.DetectCompose != nil {
		cmds = append(cmds, func() tea.Msg { return composeMsg(m.opts.DetectCompose()) })
	}
	if m.opts.FilesChanged != nil && m.opts.Reload != nil {
		cmds = append(cmds, waitForFiles(m.opts.FilesChanged))
	}
	return tea.Batch(cmds...)
}

// Update dispatches messages.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		m.list.setSize(msg.Width, max(msg.Height-4, 1))
	case filesChangedMsg:
		m.reloads++
		reload, seq := m.opts.Reload, m.reloads
		return m, tea.Batch(waitForFiles(m.opts.FilesChanged), func() tea.Msg {
			p, err := reload()
			return reloadedMsg{seq: seq, project: p, err: err}
		})
	case reloadedMsg:
		if msg.seq != m.reloads {
			break
		}
		m.loadErr = msg.err
		if msg.err == nil {
			m.src.SetProject(msg.project)
		}
	case composeMsg:
		m.compose = string(msg)
	case changedMsg:
		m.snap = m.src.Snapshot()
		m.list.setSnapshot(m.snap)
		return m, waitForChange(m.src.Changed())
	case tea.KeyPressMsg:
		if key.Matches(msg, m.keys.Quit) {
			return m, tea.Quit
		}
		m.list.key(msg, m.keys)
	}
	return m, nil
}

// View renders the screen.
func (m Model) View() tea.View {
	var b strings.Builder
	b.WriteString(m.header())
	b.WriteByte('\n')
	b.WriteString(m.list.view())
	b.WriteByte('\n')
	b.WriteString(m.status())
	b.WriteByte('\n')
	b.WriteString(m.help.View(m.keys))
	v := tea.NewView(b.String())
	v.AltScreen = true
	v.WindowTitle = "stackui"
	return v
}

func (m Model) header() string {
	st := m.opts.Styles
	p := m.snap.Project
	if p == nil {
		return st.Title.Render("stackui")
	}
	prof := "none"
	if len(p.ActiveProfiles) > 0 {
		prof = strings.Join(p.ActiveProfiles, ", ")
	}
	line := st.Title.Render("stackui · "+p.Name) + st.Muted.Render("  profiles on: "+prof)
	return m.fit(line)
}

func (m Model) status() string {
	st := m.opts.Styles
	e := m.snap.Engine
	var s string
	switch {
	case m.loadErr != nil:
		s = st.StatusError.Render(m.loadErr.Error() + " (showing the last version that loaded)")
	case e.Reachable:
		s = st.StatusBar.Render("engine: connected · compose: " + cmp.Or(m.compose, "…"))
	case e.Err != nil:
		s = st.StatusError.Render("engine: " + e.Err.Error() + " (retrying)")
	default:
		s = st.StatusBar.Render("engine: connecting…")
	}
	return m.fit(s)
}

func (m Model) fit(s string) string {
	if m.width > 0 {
		return ansi.Truncate(s, m.width, "…")
	}
	return s
}

// plural is a tiny helper for "1 container" / "2 containers".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
