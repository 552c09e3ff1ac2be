package ui

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/themes"
)

// listView is what the full-screen views (resources, projects) share: a
// table of rows with a cursor that stays in view, cut to the width so the
// columns stay aligned, and a line that says how many rows are off screen.
type listView struct {
	cursor, top int
}

// column is one column of a listView table: its heading and the widest
// it may grow (0: whatever is left, for the last column).
type column struct {
	title string
	max   int
}

// move moves the cursor by n within rows rows.
func (l *listView) move(n, rows int) {
	l.cursor = min(max(l.cursor+n, 0), max(rows-1, 0))
}

// moveKey is how far the move keys move a cursor among n rows, page rows
// a page: the one table of them for every list. ok is false for any other
// key.
func moveKey(msg tea.KeyPressMsg, k *keyMap, page, n int) (delta int, ok bool) {
	switch {
	case on(msg, k.Down):
		return 1, true
	case on(msg, k.Up):
		return -1, true
	case on(msg, k.PageDown):
		return page, true
	case on(msg, k.PageUp):
		return -page, true
	case on(msg, k.Top):
		return -n, true
	case on(msg, k.Bottom):
		return n, true
	}
	return 0, false
}

// keepInView is the first row shown so that cursor stays within room rows
// of n, from top: the one rule the services list, the tabs' lists and the
// full-screen views scroll by.
func keepInView(cursor, top, room, n int) int {
	if cursor < top {
		top = cursor
	}
	if room > 0 && cursor >= top+room {
		top = cursor - room + 1
	}
	return max(min(top, n-room), 0)
}

// columnWidths are the widths of cols over their titles and rows (cleaned
// cells), each capped at its column's max when it has one.
func columnWidths(cols []column, rows [][]string) []int {
	widths := make([]int, len(cols))
	for i, c := range cols {
		widths[i] = ansi.StringWidth(c.title)
		for _, r := range rows {
			if i < len(r) {
				widths[i] = max(widths[i], ansi.StringWidth(r[i]))
			}
		}
		if c.max > 0 {
			widths[i] = min(widths[i], c.max)
		}
	}
	return widths
}

// tableLine lays cells out in columns of widths, two spaces apart, each cut
// with … to its width but the last, which takes what is left.
func tableLine(cells []string, widths []int) string {
	var b strings.Builder
	for i := range widths {
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		if i == len(widths)-1 {
			b.WriteString(cell)
			break
		}
		cell = ansi.Truncate(cell, widths[i], "…")
		b.WriteString(cell + strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+2))
	}
	return b.String()
}

// render lays rows out under their headings in w×h cells: the heading,
// then the rows that fit around the cursor, then, when some do not fit,
// a line saying how many are above and below. Cells are cut with …, never
// wrapped, so every row keeps its columns at any width. Cells hold what the
// engine says (names, labels, paths): they are cleaned here, before their
// widths are taken, so an escaped character counts the cells it will show
// in (see displayName).
func (l *listView) render(st themes.Styles, cols []column, rows [][]string, w, h int) []string {
	rows = cleanCells(rows)
	widths := columnWidths(cols, rows)
	line := func(cells []string) string { return ansi.Truncate(tableLine(cells, widths), w, "…") }
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	out := []string{st.Header.Render(line(titles))}
	room := h - 1
	if len(rows) > room {
		room-- // the "more" line
	}
	room = max(room, 1)
	l.cursor = min(max(l.cursor, 0), max(len(rows)-1, 0))
	l.top = keepInView(l.cursor, l.top, room, len(rows))
	end := min(l.top+room, len(rows))
	for i := l.top; i < end; i++ {
		s := line(rows[i])
		if i == l.cursor {
			s = st.Selected.Render(s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0)))
		}
		out = append(out, s)
	}
	if more := moreLine(l.top, len(rows)-end); more != "" {
		out = append(out, st.Muted.Render(more))
	}
	return out
}

// cleanCells is rows with every cell made safe for one line; the styles'
// own SGR colours pass.
func cleanCells(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = make([]string, len(r))
		for j, c := range r {
			out[i][j] = clean(c)
		}
	}
	return out
}

// moreLine says how many rows are scrolled off above and below, or "".
func moreLine(above, below int) string {
	var parts []string
	if above > 0 {
		parts = append(parts, "↑ "+strconv.Itoa(above)+" more above")
	}
	if below > 0 {
		parts = append(parts, "↓ "+strconv.Itoa(below)+" more below")
	}
	return strings.Join(parts, " · ")
}
