package ui

import (
	"context"
	"maps"
	"reflect"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// Doctor diagnoses the project and carries out fixes: main's adapter over
// probes/doctor in the program, a fake in tests. Every call blocks; the
// doctor pane makes them off the UI goroutine.
type Doctor interface {
	// Diagnose gathers the evidence about the snapshot's project and
	// returns its findings with their fixes planned (diffs set).
	// composeErr is the last failed compose call, or nil.
	Diagnose(ctx context.Context, snap stack.Snapshot, composeErr error) ([]doctor.Finding, error)
	// Apply carries out one fix of f on p, streaming the compose CLI's
	// output to onLine. It returns the project as it stands afterwards
	// (reloaded after an edit or an override; nil when unchanged), also
	// with an error when an edit was written but its follow-up failed, and
	// one line saying what was done.
	Apply(ctx context.Context, p *stack.Project, f doctor.Finding, fix doctor.Fix, onLine func(string)) (*stack.Project, string, error)
	// Undo reverts the file edit of the last fix applied to p's project and
	// returns the project reloaded, with one line saying what was undone.
	Undo(ctx context.Context, p *stack.Project) (*stack.Project, string, error)
}

// doctorMsg marks the doctor pane's own messages, so the root forwards
// them all with one case.
type doctorMsg interface{ doctorMsg() }

// doctorKickMsg asks the pane to start a diagnosis if one is due. Going
// through a message, rather than starting it in SetSnapshot, means a
// dropped command can never leave a diagnosis marked as running.
type doctorKickMsg struct{}

// doctorResultMsg carries a finished diagnosis.
type doctorResultMsg struct {
	seq      int
	findings []doctor.Finding
	err      error
}

func (doctorKickMsg) doctorMsg()   {}
func (doctorResultMsg) doctorMsg() {}

type doctorMode int

const (
	doctorList    doctorMode = iota // the project's findings
	doctorDetail                    // one finding: evidence, explanation, fixes
	doctorPreview                   // one fix's diff, asking y/N
	doctorAskUndo                   // asking y/N before undoing the last fix
)

// doctorKeys are the pane's own fixed keys: arrows into and out of a
// diagnosis, and the answers to its questions, which must not move.
type doctorKeys struct {
	open, back, yes key.Binding
}

// containerMark is what about a container can change a diagnosis.
type containerMark struct {
	state, health string
	exit          int
	oom           bool
	restarts      int
}

// doctorPane is the right pane's "doctor" tab: the project's findings, the
// diagnosis of one with its evidence and fixes, a fix's preview, and the
// fixes being applied. It diagnoses again, asynchronously, only when
// something that can change a diagnosis changed.
type doctorPane struct {
	ctx  context.Context
	doc  Doctor
	st   themes.Styles
	keys *keyMap
	dk   doctorKeys
	// budget limits automatic restarts; now and after are the clock and
	// the one-shot timer, which tests replace.
	budget *doctor.RestartBudget
	now    func() time.Time
	after  func(time.Duration, tea.Msg) tea.Cmd

	snap       stack.Snapshot
	service    string // selected in the services pane
	composeErr error
	marks      map[string]containerMark
	reachable  bool

	// stale: something relevant changed since the last diagnosis started;
	// running: one is in flight. At most one runs; a stale pane runs
	// again when it finishes.
	stale, running bool
	seq            int
	findings       []doctor.Finding // in view order: the selected service's first
	diagErr        error
	diagnosedOnce  bool
	results        int // diagnoses received

	mode    doctorMode
	askFrom doctorMode     // where the undo question returns to
	cursor  int            // in the list
	open    doctor.Finding // the finding shown in detail and preview
	gone    bool           // the open finding is no longer found
	fix     int            // the highlighted fix of open
	offset  int            // scroll of detail and preview

	applying  map[string]string // service ("" for undo) → what runs
	out       *applyOutput
	listening bool            // a wait on out is armed
	auto      map[string]bool // services whose automatic restarts the user allowed
	pending   map[string]bool // services with a restart scheduled or running
	note      string          // the last result, shown in the pane
	noteErr   bool

	width, height int
}

// newDoctorPane makes the doctor tab. d may be nil: the tab then says the
// doctor is not available. ctx ends diagnoses and fixes on quit.
func newDoctorPane(ctx context.Context, d Doctor, st themes.Styles, keys *keyMap) *doctorPane {
	if ctx == nil {
		ctx = context.Background()
	}
	return &doctorPane{
		ctx: ctx, doc: d, st: st, keys: keys,
		dk: doctorKeys{
			open: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "open")),
			back: key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", "back")),
			yes:  key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		},
		budget: doctor.NewRestartBudget(),
		now:    time.Now,
		after: func(d time.Duration, msg tea.Msg) tea.Cmd {
			return tea.Tick(d, func(time.Time) tea.Msg { return msg })
		},
		applying: map[string]string{},
		out:      newApplyOutput(),
		auto:     map[string]bool{},
		pending:  map[string]bool{},
	}
}

// SetStyles switches the styles, once the terminal's background is known.
func (m *doctorPane) SetStyles(st themes.Styles) { m.st = st }

// SetSize gives the pane its size.
func (m *doctorPane) SetSize(w, h int) { m.width, m.height = w, h }

// Capturing reports whether the pane asks a y/N question; while it does,
// the root sends it every key.
func (m *doctorPane) Capturing() bool { return m.mode == doctorPreview || m.mode == doctorAskUndo }

// Init starts the first diagnosis if SetSnapshot asked for one before the
// program ran.
func (m *doctorPane) Init() tea.Cmd { return m.kick() }

// Findings are the current findings, the selected service's first.
func (m *doctorPane) Findings() []doctor.Finding { return m.findings }

// For returns the most severe finding for a service, for its row's badge.
func (m *doctorPane) For(service string) (doctor.Finding, bool) {
	var best doctor.Finding
	found := false
	for _, f := range m.findings {
		if f.Service == service && (!found || findingRank(f.Severity) > findingRank(best.Severity)) {
			best, found = f, true
		}
	}
	return best, found
}

func findingRank(s doctor.Severity) int {
	switch s {
	case doctor.SeverityHigh:
		return 3
	case doctor.SeverityMedium:
		return 2
	case doctor.SeverityLow:
		return 1
	}
	return 0
}

// SetSnapshot takes the live state. It returns a command that starts a
// diagnosis when something that can change one changed (a container's
// state, exit code, OOM kill, restart count or health; containers coming
// or going; the project or the engine's reachability), else nil.
func (m *doctorPane) SetSnapshot(s stack.Snapshot) tea.Cmd {
	prev, prevMarks, prevReach := m.snap.Project, m.marks, m.reachable
	m.snap = s
	m.marks = snapshotMarks(s)
	m.reachable = s.Engine.Reachable
	if s.Project == nil {
		m.findings, m.diagErr, m.stale = nil, nil, false
		m.mode, m.cursor = doctorList, 0
		return nil
	}
	if m.diagnosedOnce && s.Project == prev && prevReach == m.reachable && maps.Equal(prevMarks, m.marks) {
		return nil
	}
	return m.markStale()
}

func snapshotMarks(s stack.Snapshot) map[string]containerMark {
	marks := map[string]containerMark{}
	for _, ss := range s.Services {
		for _, c := range ss.Containers {
			marks[c.ID] = containerMark{state: c.State, health: c.Health, exit: c.ExitCode, oom: c.OOMKilled, restarts: c.RestartCount}
		}
	}
	return marks
}

// SetComposeError takes the result of the last compose call (nil for a
// success). A new failure, or a failure cleared, asks for a diagnosis:
// some failures never create a container, so only their output tells.
func (m *doctorPane) SetComposeError(err error) tea.Cmd {
	if sameError(err, m.composeErr) {
		return nil
	}
	m.composeErr = err
	if m.snap.Project == nil {
		return nil
	}
	return m.markStale()
}

// SetService says which service the services pane has selected; its
// findings move to the top of the list, under the cursor.
func (m *doctorPane) SetService(name string) {
	if name == m.service {
		return
	}
	m.service = name
	m.order()
	if i := slices.IndexFunc(m.findings, func(f doctor.Finding) bool { return f.Service == name }); i >= 0 {
		m.cursor = i
	}
}

// sameError compares errors by identity without the panic that == on
// two values of an uncomparable error type would cause.
func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ta := reflect.TypeOf(a)
	return ta == reflect.TypeOf(b) && ta.Comparable() && a == b
}

func (m *doctorPane) markStale() tea.Cmd {
	m.stale = true
	m.diagnosedOnce = true
	if m.running || m.doc == nil {
		return nil
	}
	return func() tea.Msg { return doctorKickMsg{} }
}

// kick starts a diagnosis if one is due and none runs.
func (m *doctorPane) kick() tea.Cmd {
	if !m.stale || m.running || m.doc == nil || m.snap.Project == nil {
		return nil
	}
	m.stale, m.running = false, true
	m.seq++
	d, ctx, snap, cerr, seq := m.doc, m.ctx, m.snap, m.composeErr, m.seq
	return func() tea.Msg {
		fs, err := d.Diagnose(ctx, snap, cerr)
		return doctorResultMsg{seq: seq, findings: fs, err: err}
	}
}

// Update dispatches the pane's messages and keys.
func (m *doctorPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case doctorKickMsg:
		return m.kick()
	case doctorResultMsg:
		return m.diagnosed(msg)
	case doctorAppliedMsg:
		return m.applied(msg)
	case doctorRestartMsg:
		return m.restartDue(msg)
	case doctorOutputMsg:
		return m.outputArrived()
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.move(-1)
		case tea.MouseWheelDown:
			m.move(1)
		}
	case tea.MouseClickMsg:
		// Rows start under the pane's summary line.
		if i := m.listTop(m.listRows()) + msg.Y - 1; m.mode == doctorList && msg.Y >= 1 && i < len(m.findings) {
			m.cursor = i
		}
	}
	return nil
}

// diagnosed takes a diagnosis's result, runs the next one if things
// changed meanwhile, and restarts what the user allowed to restart.
func (m *doctorPane) diagnosed(msg doctorResultMsg) tea.Cmd {
	if msg.seq != m.seq {
		return nil
	}
	m.running = false
	if m.snap.Project == nil {
		return nil
	}
	m.diagErr = msg.err
	m.results++
	if msg.err == nil {
		cur := m.highlighted()
		m.findings = slices.Clone(msg.findings)
		m.order()
		m.cursor = 0
		if i := slices.IndexFunc(m.findings, func(f doctor.Finding) bool { return f.ID == cur }); i >= 0 {
			m.cursor = i
		}
		m.refreshOpen()
	}
	cmds := []tea.Cmd{m.kick()}
	cmds = append(cmds, m.autoRestarts()...)
	return tea.Batch(cmds...)
}

// order puts the selected service's findings first, keeping the doctor's
// order (most severe first) otherwise.
func (m *doctorPane) order() {
	cur := m.highlighted()
	slices.SortStableFunc(m.findings, func(a, b doctor.Finding) int {
		ai, bi := a.Service == m.service && m.service != "", b.Service == m.service && m.service != ""
		switch {
		case ai && !bi:
			return -1
		case bi && !ai:
			return 1
		}
		return 0
	})
	if i := slices.IndexFunc(m.findings, func(f doctor.Finding) bool { return f.ID == cur }); i >= 0 {
		m.cursor = i
	}
}

func (m *doctorPane) highlighted() string {
	if m.cursor >= 0 && m.cursor < len(m.findings) {
		return m.findings[m.cursor].ID
	}
	return ""
}

// refreshOpen updates the finding shown in detail to its new version, or
// marks it gone. A preview keeps the version the user is looking at: that
// is the change they answer for.
func (m *doctorPane) refreshOpen() {
	if m.mode != doctorDetail && m.mode != doctorPreview {
		return
	}
	i := slices.IndexFunc(m.findings, func(f doctor.Finding) bool { return f.ID == m.open.ID })
	m.gone = i < 0
	if m.gone || m.mode == doctorPreview {
		return
	}
	fixID := ""
	if m.fix < len(m.open.Fixes) {
		fixID = m.open.Fixes[m.fix].ID
	}
	m.open = m.findings[i]
	m.fix = max(slices.IndexFunc(m.open.Fixes, func(x doctor.Fix) bool { return x.ID == fixID }), 0)
}

// key handles a key in the current mode.
func (m *doctorPane) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch m.mode {
	case doctorPreview:
		switch {
		case key.Matches(msg, m.dk.yes):
			m.mode = doctorDetail
			m.offset = 0
			return m.confirmFix(m.open, m.open.Fixes[m.fix])
		case on(msg, k.Up), on(msg, k.PageUp):
			m.offset = max(m.offset-m.step(msg), 0)
		case on(msg, k.Down), on(msg, k.PageDown):
			m.offset = min(m.offset+m.step(msg), m.maxOffset())
		default:
			// n, esc, enter and anything else: the safe answer.
			m.mode, m.offset = doctorDetail, 0
			m.refreshOpen()
		}
		return nil
	case doctorAskUndo:
		m.mode = m.askFrom
		if key.Matches(msg, m.dk.yes) {
			return m.undo()
		}
		return nil
	}
	switch {
	case on(msg, k.Undo):
		if m.doc == nil || m.snap.Project == nil {
			return nil
		}
		m.askFrom, m.mode = m.mode, doctorAskUndo
		return nil
	case on(msg, k.Up):
		m.move(-1)
	case on(msg, k.Down):
		m.move(1)
	case on(msg, k.PageUp), on(msg, k.PageDown):
		if m.mode == doctorDetail {
			m.offset = min(max(m.offset+m.step(msg)*doctorSign(on(msg, k.PageDown)), 0), m.maxOffset())
		} else {
			m.move(m.step(msg) * doctorSign(on(msg, k.PageDown)))
		}
	case on(msg, k.Top):
		m.move(-1 << 20)
	case on(msg, k.Bottom):
		m.move(1 << 20)
	case m.mode == doctorList && (on(msg, k.Open) || key.Matches(msg, m.dk.open)):
		m.openHighlighted()
	case m.mode == doctorDetail && (on(msg, k.Back) || key.Matches(msg, m.dk.back)):
		m.mode, m.offset = doctorList, 0
	case on(msg, k.Fix):
		return m.preview()
	}
	return nil
}

func doctorSign(pos bool) int {
	if pos {
		return 1
	}
	return -1
}

// step is how far a key scrolls: a line, or a page.
func (m *doctorPane) step(msg tea.KeyPressMsg) int {
	if on(msg, m.keys.PageUp) || on(msg, m.keys.PageDown) {
		return max(m.height-2, 1)
	}
	return 1
}

// move moves the cursor in the list, or between the fixes in detail.
func (m *doctorPane) move(n int) {
	switch m.mode {
	case doctorList:
		m.cursor = doctorClamp(m.cursor+n, len(m.findings))
	case doctorDetail:
		m.fix = doctorClamp(m.fix+n, len(m.open.Fixes))
		m.scrollToFix()
	}
}

func doctorClamp(i, n int) int { return max(min(i, n-1), 0) }

// OpenFor opens the diagnosis of a service's finding, for enter on a
// badged service row; false when the service has none.
func (m *doctorPane) OpenFor(service string) bool {
	f, ok := m.For(service)
	if !ok {
		return false
	}
	m.cursor = slices.IndexFunc(m.findings, func(x doctor.Finding) bool { return x.ID == f.ID })
	m.openHighlighted()
	return true
}

func (m *doctorPane) openHighlighted() {
	if m.cursor >= len(m.findings) {
		return
	}
	m.open, m.gone, m.fix, m.offset = m.findings[m.cursor], false, 0, 0
	m.mode = doctorDetail
}

// preview shows the highlighted fix's change and asks; in the list, that
// is the highlighted finding's first fix.
func (m *doctorPane) preview() tea.Cmd {
	if m.mode == doctorList {
		if m.cursor >= len(m.findings) {
			return nil
		}
		m.openHighlighted()
	}
	if len(m.open.Fixes) == 0 {
		return statusErr(m.open.ID + ": stackui has no fix to apply; the explanation says what to do")
	}
	if m.gone {
		return statusErr(m.open.ID + " is no longer found; nothing to fix")
	}
	if what, busy := m.applying[m.open.Service]; busy {
		return statusErr(what + " is still running")
	}
	m.mode, m.offset = doctorPreview, 0
	return nil
}
