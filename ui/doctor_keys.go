package ui

import (
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/probes/doctor"
)

// The doctor pane's keys: moving in the list and the diagnosis, opening,
// previewing and confirming a fix, undo, and why a key does nothing now.

// key handles a key in the current mode.
func (m *doctorPane) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch m.mode {
	case doctorPreview:
		switch {
		case key.Matches(msg, m.dk.yes):
			m.mode = doctorDetail
			m.offset = 0
			return m.fixes.confirm(m.open, m.open.Fixes[m.fix])
		case on(msg, k.Up), on(msg, k.PageUp):
			m.offset = max(m.offset-m.step(msg), 0)
		case on(msg, k.Down), on(msg, k.PageDown):
			m.offset = min(m.offset+m.step(msg), doctorView{m}.maxOffset())
		default:
			// n, esc, enter and anything else: the safe answer.
			m.mode, m.offset = doctorDetail, 0
			m.refreshOpen()
		}
		return nil
	case doctorAskUndo:
		m.mode = m.askFrom
		if key.Matches(msg, m.dk.yes) {
			return m.fixes.undo()
		}
		return nil
	}
	switch {
	case on(msg, k.Undo):
		if m.fixes.undoReason() != "" {
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
			m.offset = min(max(m.offset+m.step(msg)*doctorSign(on(msg, k.PageDown)), 0), doctorView{m}.maxOffset())
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
	case on(msg, k.DeathLogs):
		return m.logsAtDeath()
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
		doctorView{m}.scrollToFix()
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
	if what, busy := m.fixes.applying[m.open.Service]; busy {
		return statusErr(what + " is still running")
	}
	m.mode, m.offset = doctorPreview, 0
	return nil
}

// fixReason is why the fix key does nothing now, or "".
func (m *doctorPane) fixReason() string {
	switch {
	case m.fixes.doc == nil:
		return "the doctor is not available here"
	case m.mode == doctorList && m.cursor >= len(m.findings):
		return "no finding selected"
	case m.mode == doctorDetail && len(m.open.Fixes) == 0:
		return "stackui has no fix for " + m.open.ID
	case m.mode == doctorDetail && m.gone:
		return m.open.ID + " is no longer found"
	}
	return ""
}
