package ui

import (
	"context"
	"errors"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/probes/resources"
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

// doctorPane is the right pane's "doctor" tab: the project's findings, the
// diagnosis of one with its evidence and fixes, a fix's preview, and the
// fixes being applied. It is the view and its keys; it hands the question
// of when to diagnose to a diagnoser and the fixes, restarts and undo to a
// fixRunner. A key on a finding that leads elsewhere (its service's logs
// at the moment it died) belongs in doctor_keys.go beside the others.
type doctorPane struct {
	st    themes.Styles
	keys  *keyMap
	dk    doctorKeys
	diag  *diagnoser
	fixes *fixRunner

	service  string           // selected in the services pane
	findings []doctor.Finding // in view order: the selected service's first

	mode    doctorMode
	askFrom doctorMode     // where the undo question returns to
	cursor  int            // in the list
	open    doctor.Finding // the finding shown in detail and preview
	gone    bool           // the open finding is no longer found
	fix     int            // the highlighted fix of open
	offset  int            // scroll of detail and preview

	width, height int
}

// newDoctorPane makes the doctor tab. d may be nil: the tab then says the
// doctor is not available. ctx ends diagnoses and fixes on quit.
func newDoctorPane(ctx context.Context, d Doctor, st themes.Styles, keys *keyMap) *doctorPane {
	if ctx == nil {
		ctx = context.Background()
	}
	return &doctorPane{
		st: st, keys: keys,
		dk: doctorKeys{
			open: key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→", "open")),
			back: key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←", "back")),
			yes:  key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		},
		diag:  newDiagnoser(ctx, d),
		fixes: newFixRunner(ctx, d),
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
func (m *doctorPane) Init() tea.Cmd { return m.diag.kick() }

// Title is the tab's name with the number of findings.
func (m *doctorPane) Title() string {
	if n := len(m.findings); n > 0 {
		return "doctor (" + itoa(n) + ")"
	}
	return "doctor"
}

// ShortHelp is the footer's hints while the tab has the focus.
func (m *doctorPane) ShortHelp() hints {
	k := m.keys
	return hints{k.Open, k.Fix, k.DeathLogs, k.Undo, k.Back, k.NextTab, k.NextPane, k.Help, k.Quit}
}

// Bindings are the keys that can be disabled here.
func (m *doctorPane) Bindings() []*Binding {
	return []*Binding{&m.keys.Fix, &m.keys.Undo, &m.keys.DeathLogs}
}

// Findings are the current findings, the selected service's first.
func (m *doctorPane) Findings() []doctor.Finding { return m.findings }

// For returns the most severe finding for a service, for its row's badge.
func (m *doctorPane) For(service string) (doctor.Finding, bool) {
	var best doctor.Finding
	found := false
	for _, f := range m.findings {
		if f.Service == service && (!found || f.Severity.Rank() > best.Severity.Rank()) {
			best, found = f, true
		}
	}
	return best, found
}

// SetSnapshot takes the live state. It returns a command that starts a
// diagnosis when something that can change one changed, else nil.
func (m *doctorPane) SetSnapshot(s stack.Snapshot) tea.Cmd {
	if was := m.fixes.snap.Project; was != nil && s.Project != nil && was.Name != s.Project.Name {
		m.fixes.forgetProject()
	}
	m.fixes.snap = s
	cmd := m.diag.setSnapshot(s)
	if s.Project == nil {
		m.findings = nil
		m.mode, m.cursor = doctorList, 0
	}
	return cmd
}

// SetUsage takes the sampler's figures; an OOM kill it saw asks for a
// diagnosis.
func (m *doctorPane) SetUsage(u resources.Snapshot) tea.Cmd { return m.diag.setUsage(u) }

// SetComposeError takes the result of the last compose call (nil for a
// success); a change asks for a diagnosis.
func (m *doctorPane) SetComposeError(err error) tea.Cmd { return m.diag.setComposeError(err) }

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

// Update dispatches the pane's messages and keys.
func (m *doctorPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case doctorKickMsg:
		return m.diag.kick()
	case doctorResultMsg:
		return m.diagnosed(msg)
	case doctorAppliedMsg:
		return m.applied(msg)
	case doctorRestartMsg:
		return m.fixes.restartDue(msg)
	case doctorOutputMsg:
		return m.fixes.outputArrived()
	case doctorVerifiedMsg:
		return m.verified(msg)
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
		v := doctorView{m}
		if i := v.listTop(v.listRows()) + msg.Y - 1; m.mode == doctorList && msg.Y >= 1 && i < len(m.findings) {
			m.cursor = i
		}
	}
	return nil
}

// diagnosed takes a diagnosis's result, runs the next one if things
// changed meanwhile, and restarts what the user allowed to restart.
func (m *doctorPane) diagnosed(msg doctorResultMsg) tea.Cmd {
	if !m.diag.result(msg) {
		return nil
	}
	if msg.undo != nil {
		m.fixes.lastFix = msg.undo
	}
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
	cmds := []tea.Cmd{m.diag.kick()}
	cmds = append(cmds, m.fixes.autoRestarts(m.findings)...)
	return tea.Batch(cmds...)
}

// applied takes a fix's or an undo's result and diagnoses again: the fix
// changed the evidence. A failed recreate's output is evidence, like any
// compose failure.
func (m *doctorPane) applied(msg doctorAppliedMsg) tea.Cmd {
	note := m.fixes.applied(msg)
	if ce := (*stack.ComposeError)(nil); errors.As(msg.err, &ce) {
		m.diag.composeErr = msg.err
	}
	if m.diag.snap.Project == nil {
		return note
	}
	return tea.Batch(note, m.diag.markStale())
}

// verified takes what watching a service after its fix found. When it
// failed again the evidence changed: diagnose again, so the new finding
// is listed.
func (m *doctorPane) verified(msg doctorVerifiedMsg) tea.Cmd {
	note := m.fixes.verified(msg)
	if msg.ok || m.diag.snap.Project == nil {
		return note
	}
	return tea.Batch(note, m.diag.markStale())
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
