package ui

import (
	"fmt"
	"time"

	"github.com/stackui/stackui/ui/logbuf"
)

// The logs pane's view of a service at the moment it died, which the
// doctor's `L` opens: paused at the container's last line before it exited,
// with the log lines the finding quotes as evidence marked.

// deathView is what a jump from a finding set up. The marks stay until esc
// or another service; the rest until the view follows again.
type deathView struct {
	active bool      // the page shows the moment of death
	at     time.Time // the container's FinishedAt; zero: unknown, the newest evidence line stands for it
	marks  *logbuf.Marks
	// pending says the history may still be arriving (a stream that was
	// just attached): the page is placed again as lines come, until the
	// user moves or the lines after the death are in.
	pending bool
}

// deathRow is where the line at the moment of death goes: at the top of
// the page's bottom third, so what led to it is above and what followed
// (a restart's first lines) below.
func deathRow(rows int) int { return rows * 2 / 3 }

// jumpTo shows the selected service's logs at time at (zero: at the
// newest evidence line), paused, with the evidence lines (the texts a
// finding quotes, as the container wrote them) marked. A filter would
// hide what surrounds the death, so it goes; a search stays, and n/N keep
// moving between its matches.
func (m *logsPane) jumpTo(at time.Time, evidence []string) {
	m.filter, m.current, m.note = false, -1, ""
	m.death = deathView{active: true, at: at, marks: m.store.NewMarks(evidence), pending: true}
	m.place()
}

// place puts the line at the moment of death on the page, if the store
// holds it yet.
func (m *logsPane) place() {
	d := &m.death
	v := m.view()
	loading := m.streams != nil && m.streams.streaming(m.service)
	if d.at.IsZero() {
		if a, ok := m.store.NextMark(v, logbuf.Newest, -1); ok {
			m.current = a
			m.pos = m.store.Place(v, a, deathRow(v.Rows))
		}
		// Without a time of death the newest evidence line stands for it;
		// the first found is kept, so the page does not move under the
		// user as a live container logs on.
		d.pending = loading && m.current < 0
		return
	}
	a, ok, later := m.store.LineAt(v, d.at)
	switch {
	case ok:
		// n and N go on from the death line: to the evidence (or the
		// search's matches) before and after it.
		m.current = a
		m.pos = m.store.Place(v, a, deathRow(v.Rows))
	case later:
		// Every line held is newer: the death fell out of the buffer.
		m.pos = m.store.Scroll(v, logbuf.Pos{Follow: true}, -1<<30)
		m.note = "its death is older than the lines kept"
	}
	if later || !loading {
		d.pending = false
	}
}

// linesArrived places the page again while a jump waits for the history.
func (m *logsPane) linesArrived() {
	if m.death.pending {
		m.place()
	}
}

// moved says the user moved the page: a jump stops placing it.
func (m *logsPane) moved() { m.death.pending = false }

// follow goes back to the end; the evidence stays marked.
func (m *logsPane) follow() {
	m.pos = logbuf.Pos{Follow: true}
	m.death.active, m.death.pending = false, false
}

// jumpMark moves to the next (dir > 0) or previous evidence line.
func (m *logsPane) jumpMark(dir int) {
	m.step(dir, m.store.NextMark, "no older evidence lines", "no newer evidence lines")
}

// deathStatus is what the status line says about a jump: "trainer's logs
// at its death (15:04:05 UTC)", how many evidence lines are marked, or
// that they are loading. head is "" when the page is not at the death.
func (m *logsPane) deathStatus(info logbuf.PageInfo) (head, marks string) {
	d := m.death
	if d.active && !m.pos.Follow {
		head = m.service + "'s logs at its death"
		if !d.at.IsZero() {
			// UTC, as the t toggle shows the lines' times.
			head += " (" + d.at.UTC().Format("15:04:05") + " UTC)"
		} else {
			head += " (its last evidence line)"
		}
	}
	switch {
	case d.marks == nil && d.active:
		marks = "no log lines in its evidence"
	case d.marks == nil:
	case info.Marked == 0 && d.pending:
		marks = "loading…"
	case info.Marked == 0:
		marks = "its evidence lines are not in the logs kept"
	default:
		marks = plural(info.Marked, "evidence line") + " marked"
		if m.query.Empty() {
			marks += " (n/N)"
			if info.Mark > 0 {
				marks = fmt.Sprintf("evidence %d/%d", info.Mark, info.Marked)
			}
		}
	}
	return head, marks
}
