package ui

import (
	"context"
	"fmt"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
)

// Verifier is an optional Doctor operation, found by type assertion:
// watching a service that a fix just recreated or restarted (for about
// 30s; it blocks meanwhile). It returns the outcome in one line, ok when
// the finding is gone (the service stays up or exited 0), and the new
// finding when the service failed again and the doctor names a cause.
// Without it the pane says what the fix did and diagnoses again.
type Verifier interface {
	Verify(ctx context.Context, p *stack.Project, service string) (outcome string, ok bool, newFinding *doctor.Finding, err error)
}

// doctorVerifiedMsg is the outcome of watching a service after its fix.
type doctorVerifiedMsg struct {
	service string
	since   time.Time // when the watch began
	outcome string
	ok      bool
	finding *doctor.Finding
	err     error
}

// doctorRestartMsg says a scheduled automatic restart is due.
type doctorRestartMsg struct {
	finding doctor.Finding
	fix     doctor.Fix
}

// doctorOutputMsg says a fix printed output (the compose CLI's).
type doctorOutputMsg struct{}

func (doctorVerifiedMsg) doctorMsg() {}

// verify starts watching the service a fix recreated or restarted, off
// the UI goroutine, when the Doctor can (Verifier). The pane shows
// "checking …" with the time watched, redrawn with whatever redraws it
// (stats arrive each second while the service runs); no timer of its own.
func (m *fixRunner) verify(msg doctorAppliedMsg) tea.Cmd {
	v, ok := m.doc.(Verifier)
	p := msg.project
	if p == nil {
		p = m.snap.Project
	}
	if !ok || !msg.check || msg.scope == "" || p == nil {
		return nil
	}
	svc, ctx, since := msg.scope, m.ctx, m.now()
	m.checking[svc] = since
	return func() tea.Msg {
		outcome, ok, nf, err := v.Verify(ctx, p, svc)
		return doctorVerifiedMsg{service: svc, since: since, outcome: outcome, ok: ok, finding: nf, err: err}
	}
}

// verified records what watching a service after its fix found, in the
// pane and the status line.
func (m *fixRunner) verified(msg doctorVerifiedMsg) tea.Cmd {
	// A later fix of the service started a watch of its own: that one
	// still runs.
	if m.checking[msg.service].Equal(msg.since) {
		delete(m.checking, msg.service)
	}
	switch {
	case msg.err != nil:
		m.note, m.noteErr = "✗ checking "+msg.service+" after the fix: "+actionErrorText(msg.err), true
	case msg.ok:
		m.note, m.noteErr = "✓ "+actionText(msg.outcome), false
		return status(m.note)
	default:
		m.note, m.noteErr = "✗ "+actionText(msg.outcome), true
		if msg.finding != nil {
			m.note += " — new finding " + actionText(msg.finding.ID)
		}
	}
	return statusErr(m.note)
}

// checkingLines say which services are being watched after their fix,
// and for how long so far.
func (m *fixRunner) checkingLines() []string {
	var out []string
	for svc, since := range m.checking {
		out = append(out, fmt.Sprintf("checking %s… %s", svc, m.now().Sub(since).Truncate(time.Second)))
	}
	slices.Sort(out)
	return out
}
