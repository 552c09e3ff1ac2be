package ui

import (
	"context"
	"maps"
	"reflect"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
)

// doctorKickMsg asks the pane to start a diagnosis if one is due. Going
// through a message, rather than starting it in SetSnapshot, means a
// dropped command can never leave a diagnosis marked as running.
type doctorKickMsg struct{}

// doctorResultMsg carries a finished diagnosis, and what the undo key
// would revert when the Doctor can say (undoInspector).
type doctorResultMsg struct {
	seq      int
	findings []doctor.Finding
	err      error
	undo     *undoInfo
}

func (doctorKickMsg) doctorMsg()   {}
func (doctorResultMsg) doctorMsg() {}

// undoInspector is an optional Doctor operation, found by type assertion:
// the title of the fix the undo key would revert, so the key can say
// "nothing to undo" before it is pressed. Without it the key is always
// offered and Undo itself says so.
type undoInspector interface {
	LastFix(ctx context.Context, p *stack.Project) (title string, ok bool, err error)
}

// undoInfo is what the last diagnosis learnt about undo.
type undoInfo struct {
	title string
	ok    bool
}

// containerMark is what about a container can change a diagnosis.
type containerMark struct {
	state, health string
	exit          int
	oom           bool
	restarts      int
}

// diagnoser decides when to diagnose again and runs the diagnoses, one at
// a time, off the UI goroutine. It diagnoses only when something that can
// change a diagnosis changed: a container's state, exit code, OOM kill,
// restart count or health; containers coming or going; the project; the
// engine's reachability; the last compose failure.
type diagnoser struct {
	ctx context.Context
	doc Doctor

	snap       stack.Snapshot
	composeErr error
	marks      map[string]containerMark
	reachable  bool
	// ooms are the OOM kills the sampler saw per container: evidence the
	// engine may not give (Podman), which arrives apart from the state.
	ooms map[string]uint64

	// stale: something relevant changed since the last diagnosis started;
	// running: one is in flight. A stale diagnoser runs again when the
	// one in flight finishes.
	stale, running bool
	seq            int
	diagnosedOnce  bool
	results        int   // diagnoses received
	err            error // the last diagnosis's failure
}

func newDiagnoser(ctx context.Context, d Doctor) *diagnoser {
	return &diagnoser{ctx: ctx, doc: d}
}

// setSnapshot takes the live state and returns a command that starts a
// diagnosis when something relevant changed, else nil.
func (d *diagnoser) setSnapshot(s stack.Snapshot) tea.Cmd {
	prev, prevMarks, prevReach := d.snap.Project, d.marks, d.reachable
	d.snap = s
	d.marks = snapshotMarks(s)
	d.reachable = s.Engine.Reachable
	if s.Project == nil {
		d.err, d.stale = nil, false
		return nil
	}
	if d.diagnosedOnce && s.Project == prev && prevReach == d.reachable && maps.Equal(prevMarks, d.marks) {
		return nil
	}
	return d.markStale()
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

// setUsage takes the sampler's figures; a new OOM kill it saw in a
// container's memory cgroup asks for a diagnosis.
func (d *diagnoser) setUsage(u resources.Snapshot) tea.Cmd {
	ooms := map[string]uint64{}
	for _, c := range u.Containers {
		if c.OOM.Kills > 0 {
			ooms[c.ID] = c.OOM.Kills
		}
	}
	if maps.Equal(ooms, d.ooms) {
		return nil
	}
	d.ooms = ooms
	if d.snap.Project == nil {
		return nil
	}
	return d.markStale()
}

// setComposeError takes the result of the last compose call (nil for a
// success). A new failure, or a failure cleared, asks for a diagnosis:
// some failures never create a container, so only their output tells.
func (d *diagnoser) setComposeError(err error) tea.Cmd {
	if sameError(err, d.composeErr) {
		return nil
	}
	d.composeErr = err
	if d.snap.Project == nil {
		return nil
	}
	return d.markStale()
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

// markStale says the evidence changed; the command kicks a diagnosis
// unless one runs (it runs again when that one ends).
func (d *diagnoser) markStale() tea.Cmd {
	d.stale = true
	d.diagnosedOnce = true
	if d.running || d.doc == nil {
		return nil
	}
	return func() tea.Msg { return doctorKickMsg{} }
}

// kick starts a diagnosis if one is due and none runs.
func (d *diagnoser) kick() tea.Cmd {
	if !d.stale || d.running || d.doc == nil || d.snap.Project == nil {
		return nil
	}
	d.stale, d.running = false, true
	d.seq++
	doc, ctx, snap, cerr, seq := d.doc, d.ctx, d.snap, d.composeErr, d.seq
	return func() tea.Msg {
		fs, err := doc.Diagnose(ctx, snap, cerr)
		msg := doctorResultMsg{seq: seq, findings: fs, err: err}
		// Only fixes and undos change the journal, and each is followed
		// by a diagnosis, so this is current enough for the undo key.
		if ui, ok := doc.(undoInspector); ok {
			if title, ok, err := ui.LastFix(ctx, snap.Project); err == nil {
				msg.undo = &undoInfo{title: title, ok: ok}
			}
		}
		return msg
	}
}

// result takes a finished diagnosis; false when it is outdated (a newer
// one was started) or the project is gone, and the pane should ignore it.
func (d *diagnoser) result(msg doctorResultMsg) bool {
	if msg.seq != d.seq {
		return false
	}
	d.running = false
	if d.snap.Project == nil {
		return false
	}
	d.err = msg.err
	d.results++
	return true
}

// haveResult says a diagnosis has come back since the program started.
func (d *diagnoser) haveResult() bool { return d.results > 0 }
