package ui

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
)

// From a finding to its service's logs at the moment it died (the doctor
// tab's L): the doctor pane says where to go, the root switches to the
// logs tab, and the logs pane places the page (logs_jump.go).

// logsJumpMsg asks the root to show a service's logs at the moment it
// died, with the log lines a finding quotes marked.
type logsJumpMsg struct {
	service string
	// at is the container's FinishedAt; zero when unknown.
	at time.Time
	// evidence are the quoted log lines, as the container wrote them.
	evidence []string
}

// logEvidencePrefix starts the evidence lines that quote the logs.
const logEvidencePrefix = "log: "

// evidenceLogs are the log lines a finding quotes.
func evidenceLogs(f doctor.Finding) []string {
	var out []string
	for _, e := range f.Evidence {
		if l, ok := strings.CutPrefix(e, logEvidencePrefix); ok {
			out = append(out, l)
		}
	}
	return out
}

// deathTime is when the service's container last died: the newest
// FinishedAt among its containers (a restarted one keeps its last death's),
// zero when none has finished.
func deathTime(snap stack.Snapshot, service string) time.Time {
	var at time.Time
	ss, _ := snap.Service(service)
	for _, c := range ss.Containers {
		if c.FinishedAt.After(at) {
			at = c.FinishedAt
		}
	}
	return at
}

// target is the finding L acts on: the open one in the diagnosis, the
// highlighted one in the list.
func (m *doctorPane) target() (doctor.Finding, bool) {
	switch {
	case m.mode != doctorList:
		return m.open, true
	case m.cursor < len(m.findings):
		return m.findings[m.cursor], true
	}
	return doctor.Finding{}, false
}

// logsReason is why L does nothing now, or "". A finding with no log
// lines in its evidence still leads to the logs when its container's death
// time is known.
func (m *doctorPane) logsReason() string {
	f, ok := m.target()
	switch {
	case !ok:
		return "no finding selected"
	case f.Service == "":
		return f.ID + " is about the project, not one service's logs"
	}
	if _, ok := m.diag.snap.Service(f.Service); !ok {
		return f.Service + " is no longer in the project"
	}
	if len(evidenceLogs(f)) == 0 && deathTime(m.diag.snap, f.Service).IsZero() {
		return "no log lines in its evidence, and " + f.Service + " has not died"
	}
	return ""
}

// logsAtDeath is L: the jump to the target's logs, for the root.
func (m *doctorPane) logsAtDeath() tea.Cmd {
	if why := m.logsReason(); why != "" {
		return statusErr(why)
	}
	f, _ := m.target()
	msg := logsJumpMsg{service: f.Service, at: deathTime(m.diag.snap, f.Service), evidence: evidenceLogs(f)}
	return func() tea.Msg { return msg }
}

// jumpToLogs shows a service's logs at the moment it died, focused.
func (m *Model) jumpToLogs(msg logsJumpMsg) tea.Cmd {
	if cmd := m.showLogs(msg.service); cmd != nil {
		return cmd
	}
	m.focus = focusRight
	m.logs.jumpTo(msg.at, msg.evidence)
	return nil
}
