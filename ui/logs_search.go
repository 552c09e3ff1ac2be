package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/ui/logbuf"
)

// The logs pane's search and its steps between matches and marks.

// jump moves to the next (dir > 0, newer) or previous matching line and
// pauses there, so the match stays put while lines keep coming.
func (m *logsPane) jump(dir int) {
	if m.query.Empty() && m.death.marks != nil {
		m.jumpMark(dir)
		return
	}
	if m.query.Empty() {
		m.note = "no search: / to search"
		return
	}
	m.step(dir, m.store.Match, "no more matches", "no newer matches")
}

// step moves to the next (dir > 0, newer) or previous line that next finds
// (a search match, an evidence mark) and pauses there; from the followed
// end it goes back. none and noNewer say why it did not move.
func (m *logsPane) step(dir int, next func(logbuf.View, int64, int) (int64, bool), none, noNewer string) {
	from := m.current
	if from < 0 {
		from, dir = logbuf.Newest, -1
	}
	a, ok := next(m.view(), from, dir)
	if !ok {
		m.note = none
		if dir > 0 {
			m.note = noNewer
		}
		return
	}
	m.moved()
	m.current = a
	m.pos = m.store.Reveal(m.view(), m.pos, a)
}

func (m *logsPane) openSearch() tea.Cmd {
	m.searching = true
	m.before = m.query
	m.input.SetValue(m.query.String())
	m.input.CursorEnd()
	return m.input.Focus()
}

// searchKey edits the query; matches highlight as it is typed. Enter keeps
// it and jumps to the newest match; esc restores the previous query.
func (m *logsPane) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter":
		m.closeSearch()
		m.current = -1
		if m.query.Empty() {
			m.filter = false
			return nil
		}
		if m.filter {
			m.reset()
		}
		m.jump(-1)
		if m.current < 0 {
			m.note = "no match for " + m.query.String()
		}
		return nil
	case "esc":
		m.closeSearch()
		m.query = m.before
		if m.query.Empty() {
			m.filter = false
		}
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	m.query = logbuf.NewQuery(m.input.Value())
	return cmd
}

func (m *logsPane) closeSearch() {
	m.searching = false
	m.input.Blur()
}
