// Package ui is stackui's terminal interface: Bubble Tea models for the
// root screen and its panes. It renders what stack's live state says and
// sends actions back as commands; it never polls.
package ui

import (
	"context"
	"fmt"
	"slices"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/probes/doctor"
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
	// Styles are used until the terminal reports its background; then
	// Light is used instead on a light background, when set.
	Styles themes.Styles
	Light  *themes.Styles
	// Keys overrides bindings by name (config.yaml's keys section).
	Keys map[string][]string
	// Notice is shown in the status line at start, e.g. a bad config file.
	Notice string
	// LoadErr is why the project could not be loaded at start (no compose
	// file, a broken one). The launch screen explains it, and the model
	// loads again when the files change or on r.
	LoadErr error
	// Loading, when the source has no project and there is no LoadErr,
	// names the files the model loads (with Reload) as its first command;
	// the launch screen says "loading <Loading>…" meanwhile, so the first
	// frame never waits for a slow load.
	Loading string
	// DetectCompose names the compose CLI in use for the status line. It
	// runs as a command after the first frame, since it execs the CLI.
	DetectCompose func() string
	// FilesChanged fires when the project's files change on disk; the
	// model then reloads them with Reload, off the UI goroutine. Watch, when
	// set, is told which files to watch after a load succeeded.
	FilesChanged <-chan struct{}
	Reload       func() (*stack.Project, error)
	Watch        func(files []string)
	// Ops runs the lifecycle actions; nil leaves the action keys inert
	// (tests of other panes). Context ends the actions' commands on quit.
	Ops     Ops
	Context context.Context
	// Logs follows container logs (*docker.Client); nil shows none.
	Logs LogStreamer
	// LogLines is the per-service log buffer, in lines (0: 10,000).
	LogLines int
	// LogBytes caps the per-service log buffer's text, in bytes (0: 8 MiB).
	LogBytes int64
	// LogTotal caps the log buffers of all services together, in bytes,
	// counting a fixed overhead per line (0: 8 MiB).
	LogTotal int64
	// Usage measures the containers (resources.Sampler); nil shows none.
	Usage Usage
	// EngineInfo describes the engine for the stats tab; it runs as a
	// command after the first frame, and again once the engine answers.
	EngineInfo func() (stack.EngineInfo, error)
	// Doctor diagnoses dead containers and applies fixes; nil: no doctor.
	Doctor Doctor
	// Inventory feeds the resources view (images, volumes, networks) and
	// Projects the projects view; nil: the view says there is no engine.
	Inventory Inventory
	Projects  ProjectOpener
}

// The right pane's tabs.
type tab int

const (
	tabLogs tab = iota
	tabStats
	tabDoctor
	tabConfig
	tabEnv
	tabTop
	tabPorts
	tabCount
)

// engineInfoMsg carries the engine's description.
type engineInfoMsg struct {
	info stack.EngineInfo
	err  error
}

// Focus is which pane takes keys.
type focus int

const (
	focusServices focus = iota
	focusRight
)

// Model is the root model: header, the services pane on the left, a tabbed
// pane on the right, the action drawer, the status line and the key hints.
// At most one overlay (help, command line, profile picker, confirmation)
// sits on top and takes the keys while it is open.
type Model struct {
	// frame keeps parts of the last frame that the next one is likely to
	// repeat (frameCache).
	frame *frameCache

	src Source
	// opts, st and help are pointers: Bubble Tea boxes the Model on every
	// message, and by value these three (the styles above all) made it
	// 34 KB, allocated again for each message.
	opts    *Options
	st      *themes.Styles
	snap    stack.Snapshot
	compose string
	// loadErr is the last load failure. With no project at all the launch
	// screen shows it; otherwise the previous project stays on screen.
	loadErr error
	// reloads counts loads started; only the latest one's result counts,
	// so a slow load cannot overwrite a newer one.
	reloads int
	note    statusMsg
	keys    *keyMap
	help    *help.Model
	list    *servicesPane
	listed  []string // the containers last given to Usage.SetListed
	focus   focus
	overlay component
	// cmdline is the `:` prompt while it is open; it takes the keys.
	cmdline *commandLine
	actions *actions
	confirm *confirm
	// The right pane's tabs, also by their own types for what only that
	// pane does (the stats pane's engine facts, the doctor's findings).
	tabs   [tabCount]tabPane
	logs   *logsPane
	stats  *statsPane
	doctor *doctorPane
	tab    tab
	// haveInfo says the engine has described itself; engineName is its
	// product and version then ("podman 4.3.1"), for the status line.
	haveInfo   bool
	engineName string
	width      int
	height     int
}

// New makes the root model over a state source.
func New(src Source, opts Options) Model {
	keys := defaultKeys()
	st, hm := opts.Styles, help.New()
	m := Model{frame: &frameCache{}, src: src, opts: &opts, st: &st, snap: src.Snapshot(), keys: &keys, help: &hm, loadErr: opts.LoadErr}
	if err := keys.apply(opts.Keys); err != nil {
		m.note = statusMsg{text: err.Error(), err: true}
	}
	if opts.Notice != "" {
		m.note = statusMsg{text: opts.Notice, err: true}
	}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	m.actions = newActions(ctx, opts.Ops, *m.st, m.keys)
	m.confirm = newConfirm(*m.st, m.keys)
	m.list = newServicesPane(*m.st, m.keys)
	m.logs = newLogsPane(*m.st, m.keys, LogsOptions{Streamer: opts.Logs, Capacity: opts.LogLines, ByteBudget: opts.LogBytes, TotalBytes: opts.LogTotal})
	m.stats = newStatsPane(*m.st, m.keys)
	m.doctor = newDoctorPane(ctx, opts.Doctor, *m.st, m.keys)
	it := newInspectTab(ctx, inspectorOf(opts.Ops), *m.st, m.keys)
	env, ports := newEnvPane(it), newPortsPane(it)
	m.tabs = [tabCount]tabPane{tabLogs: m.logs, tabStats: m.stats, tabDoctor: m.doctor,
		tabConfig: newConfigPane(it), tabEnv: env, tabTop: newTopPane(it), tabPorts: ports}
	for _, p := range m.allPanes() {
		_ = p.SetSnapshot(m.snap) // the doctor's Init starts the first diagnosis
	}
	wireReasons(m.keys, m.list)
	m.keys.Fix.Disabled = m.doctor.fixReason
	m.keys.Undo.Disabled = m.doctor.fixes.undoReason
	m.keys.DeathLogs.Disabled = m.doctor.logsReason
	m.keys.Copy.Disabled = env.copyReason
	m.keys.OpenURL.Disabled = ports.openReason
	m.selectionChanged()
	m.help.Styles.ShortKey = m.st.Key
	m.help.Styles.ShortDesc = m.st.Muted
	m.help.Styles.ShortSeparator = m.st.Dim
	return m
}

// Init starts listening for state changes.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{waitForChange(m.src.Changed()), tea.RequestBackgroundColor, engineInfo(m.opts.EngineInfo)}
	for _, p := range m.allPanes() {
		cmds = append(cmds, p.Init())
	}
	if m.opts.Usage != nil {
		cmds = append(cmds, waitForUsage(m.opts.Usage.Changed()))
	}
	if m.opts.DetectCompose != nil {
		cmds = append(cmds, func() tea.Msg { return composeMsg(m.opts.DetectCompose()) })
	}
	if m.opts.FilesChanged != nil && m.opts.Reload != nil {
		cmds = append(cmds, waitForFiles(m.opts.FilesChanged))
	}
	if m.snap.Project == nil && m.loadErr == nil && m.opts.Reload != nil {
		// Init cannot count a load (its receiver is a copy): the first one
		// is seq 0, which a reload started meanwhile (r) supersedes.
		reload := m.opts.Reload
		cmds = append(cmds, func() tea.Msg {
			p, err := reload()
			return reloadedMsg{seq: 0, project: p, err: err}
		})
	}
	return tea.Batch(cmds...)
}

// Update dispatches messages, then tells the tabs that read only while on
// screen what is on screen now.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := m.update(msg)
	nm := next.(Model)
	return nm, tea.Batch(cmd, nm.showTabs())
}

// update dispatches messages; the work happens in the methods it calls.
func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tabMsg:
		return m, m.tabs[msg.forTab()].Update(msg)
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.layout()
	case tea.BackgroundColorMsg:
		if !msg.IsDark() && m.opts.Light != nil {
			m.setStyles(*m.opts.Light)
		}
	case filesChangedMsg:
		return m, tea.Batch(waitForFiles(m.opts.FilesChanged), m.reload())
	case reloadedMsg:
		return m, m.reloaded(msg)
	case composeMsg:
		m.compose = string(msg)
	case statusMsg:
		m.note = msg
	case logsSavedMsg:
		m.note = statusMsg{text: msg.String(), err: msg.Err != nil}
	case logsChangedMsg:
		return m, m.logs.Update(msg)
	case changedMsg:
		cmd := m.takeSnapshot()
		if m.snap.Engine.Reachable && !m.haveInfo {
			cmd = tea.Batch(cmd, engineInfo(m.opts.EngineInfo))
		}
		return m, tea.Batch(cmd, waitForChange(m.src.Changed()))
	case engineInfoMsg:
		if msg.err == nil {
			m.haveInfo = true
			m.engineName = msg.info.Name()
			m.stats.SetEngine(msg.info)
		}
	case usageChangedMsg:
		u := m.opts.Usage.Snapshot()
		m.list.setUsage(u)
		m.stats.SetUsage(u)
		return m, tea.Batch(m.doctor.SetUsage(u), waitForUsage(m.opts.Usage.Changed()))
	case doctorMsg:
		var cmd tea.Cmd
		if a, ok := msg.(doctorAppliedMsg); ok && a.project != nil {
			m.src.SetProject(a.project)
			cmd = m.takeSnapshot()
		}
		cmd = tea.Batch(cmd, m.doctor.Update(msg))
		m.list.setBadges(badges(*m.st, m.doctor.Findings()))
		return m, cmd
	case logsJumpMsg:
		return m, m.jumpToLogs(msg)
	case projectOpenedMsg:
		return m, m.projectOpened(msg)

	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.MouseMsg:
		return m, m.mouse(msg)
	case closeOverlayMsg:
		m.overlay, m.cmdline = nil, nil
	case toggleProfileMsg:
		return m, m.toggleProfile(msg.profile, msg.on)
	case confirmRequestMsg:
		cmd := m.confirm.Update(msg)
		m.layout()
		return m, cmd
	case actionDoneMsg:
		cmd := m.actions.Update(msg)
		if msg.project != nil {
			m.src.SetProject(msg.project)
			cmd = tea.Batch(cmd, m.takeSnapshot())
		}
		// A compose failure is evidence (no GPU runtime, a taken port, a
		// missing image); a success clears the last one.
		cmd = tea.Batch(cmd, m.doctor.SetComposeError(msg.err), m.viewActionDone(msg))
		m.layout()
		return m, cmd
	case actionOutputMsg, spinTickMsg, confirmedMsg, execDoneMsg:
		cmd := m.actions.Update(msg)
		m.layout()
		return m, cmd
	default:
		if m.overlay != nil {
			return m, m.overlay.Update(msg)
		}
	}
	return m, nil
}

// allPanes are the services list and every tab, for what the root does
// to all of them alike.
func (m *Model) allPanes() []pane {
	out := make([]pane, 0, 1+len(m.tabs))
	out = append(out, m.list)
	for _, t := range m.tabs {
		out = append(out, t)
	}
	return out
}

// focusedPane is the pane that takes keys: the list or the current tab.
func (m *Model) focusedPane() pane {
	if m.focus == focusServices {
		return m.list
	}
	return m.right()
}

// takeSnapshot reads the live state and hands it to the panes. The
// command it returns is what the panes asked for (a new diagnosis, when
// something relevant changed).
func (m *Model) takeSnapshot() tea.Cmd {
	m.snap = m.src.Snapshot()
	if m.opts.Usage != nil {
		m.opts.Usage.Update(m.snap)
	}
	var cmds []tea.Cmd
	for _, p := range m.allPanes() {
		cmds = append(cmds, p.SetSnapshot(m.snap))
	}
	m.selectionChanged()
	return tea.Batch(cmds...)
}

// selectionChanged tells the tabs which service is selected.
func (m *Model) selectionChanged() {
	name := m.selected()
	for _, t := range m.tabs {
		t.SetService(name)
	}
	if m.opts.Usage != nil {
		// Where cgroups cannot be read, only what is on screen is
		// streamed from the engine.
		m.opts.Usage.SetVisible(m.stats.VisibleIDs()...)
	}
	syncListed(m)
}

// syncListed tells Usage which containers' rows the services list shows,
// when that changed: after a selection, a scroll, a new snapshot, and a
// layout (a window resized, the actions drawer opened or closed).
func syncListed(m *Model) {
	if m.opts.Usage == nil {
		return
	}
	if ids := m.list.onScreen(); !slices.Equal(ids, m.listed) {
		m.listed = ids
		m.opts.Usage.SetListed(ids...)
	}
}

// engineInfo asks the engine to describe itself, off the UI goroutine.
func engineInfo(f func() (stack.EngineInfo, error)) tea.Cmd {
	if f == nil {
		return nil
	}
	return func() tea.Msg {
		info, err := f()
		return engineInfoMsg{info: info, err: err}
	}
}

// badges are the doctor's findings as row badges, by service.
func badges(st themes.Styles, findings []doctor.Finding) map[string]string {
	out := map[string]string{}
	for _, f := range findings {
		if _, ok := out[f.Service]; !ok && f.Service != "" {
			out[f.Service] = findingBadge(st, f)
		}
	}
	return out
}

// setStyles swaps every style at once, after the terminal said its
// background is light.
func (m *Model) setStyles(st themes.Styles) {
	m.st = &st
	if m.frame != nil {
		*m.frame = frameCache{} // made with the old styles
	}
	for _, p := range m.allPanes() {
		p.SetStyles(st)
	}
	m.actions.SetStyles(st)
	m.confirm.SetStyles(st)
	m.list.setBadges(badges(*m.st, m.doctor.Findings()))
	m.help.Styles.ShortKey = st.Key
	m.help.Styles.ShortDesc = st.Muted
	m.help.Styles.ShortSeparator = st.Dim
}

// reload loads the files again, off the UI goroutine.
func (m *Model) reload() tea.Cmd {
	if m.opts.Reload == nil {
		return nil
	}
	m.reloads++
	reload, seq := m.opts.Reload, m.reloads
	return func() tea.Msg {
		p, err := reload()
		return reloadedMsg{seq: seq, project: p, err: err}
	}
}

func (m *Model) reloaded(msg reloadedMsg) tea.Cmd {
	if msg.seq != m.reloads {
		return nil
	}
	m.loadErr = msg.err
	if msg.err != nil {
		return nil
	}
	m.src.SetProject(msg.project)
	cmd := m.takeSnapshot()
	if m.opts.Watch != nil {
		m.opts.Watch(append(append([]string{}, msg.project.Files...), msg.project.EnvFiles...))
	}
	return cmd
}

// openOverlay shows an overlay at the body's size.
func (m *Model) openOverlay(o component) {
	m.overlay = o
	m.layout()
}

// closeOverlayMsg closes the open overlay.
type closeOverlayMsg struct{}

func closeOverlay() tea.Msg { return closeOverlayMsg{} }

// selected is the service under the cursor, or "".
func (m *Model) selected() string {
	if s := m.list.selectedService(); s != nil {
		return s.Service.Name
	}
	return ""
}

// plural is a tiny helper for "1 container" / "2 containers".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
