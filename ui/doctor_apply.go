package ui

import (
	"context"
	"fmt"
	"math/bits"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
)

// doctorAppliedMsg is the result of a fix or an undo. The root hands a
// non-nil project to Source.SetProject: after an edit or an override it is
// the project as the files now say.
type doctorAppliedMsg struct {
	scope   string // the fix's service; "" for an undo
	what    string
	restart bool // a restart fix (scheduled or asked for)
	check   bool // the fix recreated or restarted scope: watch it
	project *stack.Project
	text    string
	err     error
}

func (doctorAppliedMsg) doctorMsg() {}
func (doctorRestartMsg) doctorMsg() {}
func (doctorOutputMsg) doctorMsg()  {}

// outputKeep is how many lines of a fix's output the pane shows.
const outputKeep = 6

// fixRunner carries out the fixes the user said yes to, the automatic
// restarts they allowed, and undo: one at a time per service, never beside
// an undo, all off the UI goroutine. It keeps the last outcome for the
// pane to show. What happens after a fix (a check that the service now
// stays up, a restart that follows) is its business too.
type fixRunner struct {
	ctx context.Context
	doc Doctor
	// budget limits automatic restarts; now and after are the clock and
	// the one-shot timer, which tests replace.
	budget *doctor.RestartBudget
	now    func() time.Time
	after  func(time.Duration, tea.Msg) tea.Cmd

	snap      stack.Snapshot
	applying  map[string]string // service ("" for undo) → what runs
	out       *applyOutput
	listening bool            // a wait on out is armed
	auto      map[string]bool // services whose automatic restarts the user allowed
	pending   map[string]bool // services with a restart scheduled or running
	note      string          // the last outcome, shown in the pane
	noteErr   bool
	// checking are the services being watched after their fix, with
	// when the watch began: the pane shows how long it has run.
	checking map[string]time.Time
	// lastFix is what the undo key would revert, as the last diagnosis
	// found; nil when the Doctor cannot tell.
	lastFix *undoInfo
}

func newFixRunner(ctx context.Context, d Doctor) *fixRunner {
	return &fixRunner{
		ctx: ctx, doc: d,
		budget: doctor.NewRestartBudget(),
		now:    time.Now,
		after: func(d time.Duration, msg tea.Msg) tea.Cmd {
			return tea.Tick(d, func(time.Time) tea.Msg { return msg })
		},
		applying: map[string]string{},
		out:      newApplyOutput(),
		auto:     map[string]bool{},
		pending:  map[string]bool{},
		checking: map[string]time.Time{},
	}
}

// applyOutput keeps the last lines the running fixes printed. The fixes'
// goroutines write here and signal; the pane reads on the UI goroutine.
type applyOutput struct {
	mu     sync.Mutex
	lines  []string
	signal chan struct{}
}

func newApplyOutput() *applyOutput { return &applyOutput{signal: make(chan struct{}, 1)} }

func (o *applyOutput) add(line string) {
	o.mu.Lock()
	o.lines = append(o.lines, line)
	if len(o.lines) > outputKeep {
		o.lines = append(o.lines[:0], o.lines[len(o.lines)-outputKeep:]...)
	}
	o.mu.Unlock()
	select {
	case o.signal <- struct{}{}:
	default: // one pending signal covers any number of lines
	}
}

func (o *applyOutput) last() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.lines...)
}

func (o *applyOutput) reset() {
	o.mu.Lock()
	o.lines = nil
	o.mu.Unlock()
}

// listen arms the wait for output unless one is armed: a self re-arming
// command on the channel, never a timer.
func (m *fixRunner) listen() tea.Cmd {
	if m.listening {
		return nil
	}
	m.listening = true
	ch := m.out.signal
	return func() tea.Msg {
		<-ch
		return doctorOutputMsg{}
	}
}

func (m *fixRunner) outputArrived() tea.Cmd {
	m.listening = false
	if len(m.applying) > 0 {
		return m.listen()
	}
	return nil
}

// confirm carries out the fix the user said yes to. A restart that may
// be automatic is scheduled with backoff, and the service keeps being
// restarted, within the budget, while it keeps failing; any other fix runs
// now.
func (m *fixRunner) confirm(f doctor.Finding, fix doctor.Fix) tea.Cmd {
	if fix.Action.Kind == doctor.ActRestart && fix.Auto {
		m.auto[fix.Action.Service] = true
		return m.scheduleRestart(f, fix)
	}
	return m.apply(f, fix, false)
}

// apply runs a fix off the UI goroutine: one at a time per service, and
// never beside an undo.
func (m *fixRunner) apply(f doctor.Finding, fix doctor.Fix, restart bool) tea.Cmd {
	p := m.snap.Project
	if m.doc == nil || p == nil {
		return nil
	}
	scope := fix.Action.Service
	if busy := m.busy(scope); busy != "" {
		return statusErr(busy + " is still running")
	}
	what := fix.ID + " (" + f.ID + ")"
	if len(m.applying) == 0 {
		m.out.reset()
	}
	m.applying[scope] = what
	d, ctx, out := m.doc, m.ctx, m.out
	run := func() tea.Msg {
		np, text, err := d.Apply(ctx, p, f, fix, out.add)
		return doctorAppliedMsg{scope: scope, what: what, restart: restart || fix.Action.Kind == doctor.ActRestart,
			check: fix.Action.Recreates(), project: np, text: text, err: err}
	}
	return tea.Batch(run, m.listen(), status("applying "+what+"…"))
}

// busy names what blocks an action on scope ("" for the whole project):
// an undo blocks everything, and a project-wide action waits for all.
func (m *fixRunner) busy(scope string) string {
	if what, ok := m.applying[""]; ok {
		return what
	}
	if scope == "" {
		for _, what := range m.applying {
			return what
		}
	}
	return m.applying[scope]
}

// undo reverts the last fix's file edit.
func (m *fixRunner) undo() tea.Cmd {
	p := m.snap.Project
	if m.doc == nil || p == nil {
		return nil
	}
	if busy := m.busy(""); busy != "" {
		return statusErr("undo waits: " + busy + " is still running")
	}
	m.applying[""] = "undo"
	d, ctx := m.doc, m.ctx
	return tea.Batch(func() tea.Msg {
		np, text, err := d.Undo(ctx, p)
		return doctorAppliedMsg{what: "undo", project: np, text: text, err: err}
	}, status("undoing the last fix…"))
}

// applied records a fix's result and returns the status note. The pane
// then diagnoses again: the fix changed the evidence.
func (m *fixRunner) applied(msg doctorAppliedMsg) tea.Cmd {
	delete(m.applying, msg.scope)
	if msg.restart {
		delete(m.pending, msg.scope)
	}
	if msg.err != nil {
		m.note, m.noteErr = "✗ "+msg.what+": "+actionErrorText(msg.err), true
		return statusErr(m.note)
	}
	m.note, m.noteErr = "✓ "+actionText(msg.text), false
	if cmd := m.verify(msg); cmd != nil {
		return tea.Batch(status(m.note+"; checking "+msg.scope+"…"), cmd)
	}
	return status(m.note)
}

// undoReason is why the undo key does nothing now, or "".
func (m *fixRunner) undoReason() string {
	switch {
	case m.doc == nil:
		return "the doctor is not available here"
	case m.snap.Project == nil:
		return "no project loaded"
	case m.lastFix != nil && !m.lastFix.ok:
		return "nothing to undo"
	}
	if busy := m.busy(""); busy != "" {
		return busy + " is still running"
	}
	return ""
}

// scheduleRestart books an automatic restart in the budget and starts its
// backoff: one one-shot timer per restart.
func (m *fixRunner) scheduleRestart(f doctor.Finding, fix doctor.Fix) tea.Cmd {
	svc := fix.Action.Service
	if m.pending[svc] {
		return status("a restart of " + svc + " is already on its way")
	}
	wait, ok := m.budget.Take(svc, m.now())
	if !ok {
		m.auto[svc] = false
		return statusErr(fmt.Sprintf("%s: no automatic restart left (%d in the last %s); stackui stops restarting it; the cause needs a look (r restarts it by hand)",
			svc, m.budget.Max, doctorWindow(m.budget.Window)))
	}
	m.pending[svc] = true
	left := m.budget.Max - restartsUsed(m.budget, wait)
	return tea.Batch(m.after(wait, doctorRestartMsg{finding: f, fix: fix}),
		status(fmt.Sprintf("restarting %s in %s (%s left this %s)", svc, wait, plural(left, "automatic restart"), doctorWindow(m.budget.Window))))
}

// restartsUsed is how many restarts the budget has booked for the service
// in its window, read from the backoff it gave, which doubles with each
// (RestartBudget.Take).
func restartsUsed(b *doctor.RestartBudget, wait time.Duration) int {
	if b.Backoff <= 0 || wait < b.Backoff {
		return 1
	}
	return bits.Len64(uint64(wait / b.Backoff))
}

func doctorWindow(d time.Duration) string {
	if d == time.Hour {
		return "hour"
	}
	return d.String()
}

// forgetProject drops what the user allowed for the services of the
// project the session had (another was opened, :projects): automatic
// restarts are allowed per service name, and the new project's api is not
// the one the user meant. A restart already scheduled is no longer
// pending, so it does not run when its timer fires.
func (m *fixRunner) forgetProject() {
	m.auto, m.pending = map[string]bool{}, map[string]bool{}
	m.checking = map[string]time.Time{}
	m.budget = doctor.NewRestartBudget()
}

// restartDue runs a scheduled restart, unless the service no longer needs
// one (it recovered during the backoff), the project is gone, or another
// project was opened since it was scheduled.
func (m *fixRunner) restartDue(msg doctorRestartMsg) tea.Cmd {
	svc := msg.fix.Action.Service
	if !m.pending[svc] {
		return nil
	}
	if m.snap.Project == nil {
		delete(m.pending, svc)
		return nil
	}
	if !m.needsRestart(svc) {
		delete(m.pending, svc)
		return status(svc + " recovered during the backoff; no restart needed")
	}
	if busy := m.busy(svc); busy != "" {
		// Something else acts on the service; that stands in for the
		// restart, which stays booked in the budget.
		delete(m.pending, svc)
		return statusErr("automatic restart of " + svc + " skipped: " + busy + " is running")
	}
	return m.apply(msg.finding, msg.fix, true)
}

// needsRestart says whether a service is down or unhealthy, so that a
// finding that outlives its restart in the evidence (past events) does
// not restart a service that runs fine.
func (m *fixRunner) needsRestart(svc string) bool {
	ss, ok := m.snap.Service(svc)
	if !ok {
		return false
	}
	return ss.State != stack.StateRunning || ss.Health == "unhealthy"
}

// autoRestarts schedules the restarts the user allowed for services that
// failed again.
func (m *fixRunner) autoRestarts(findings []doctor.Finding) []tea.Cmd {
	var cmds []tea.Cmd
	for _, f := range findings {
		svc := f.Service
		if !m.auto[svc] || m.pending[svc] || !m.needsRestart(svc) {
			continue
		}
		for _, fix := range f.Fixes {
			if fix.Action.Kind == doctor.ActRestart && fix.Auto {
				cmds = append(cmds, m.scheduleRestart(f, fix))
				break
			}
		}
	}
	return cmds
}
