package ui

import (
	"strconv"
	"strings"

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

// render lays rows out under their headings in w×h cells: the heading,
// then the rows that fit around the cursor, then, when some do not fit,
// a line saying how many are above and below. Cells are cut with …, never
// wrapped, so every row keeps its columns at any width. Cells hold what the
// engine says (names, labels, paths): they are cleaned here, before their
// widths are taken, so an escaped character counts the cells it will show
// in (see displayName).
func (l *listView) render(st themes.Styles, cols []column, rows [][]string, w, h int) []string {
	rows = cleanCells(rows)
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
	line := func(cells []string) string {
		var b strings.Builder
		for i := range cols {
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			if i == len(cols)-1 {
				b.WriteString(cell)
				break
			}
			cell = ansi.Truncate(cell, widths[i], "…")
			b.WriteString(cell + strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+2))
		}
		return ansi.Truncate(b.String(), w, "…")
	}
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
	if l.cursor < l.top {
		l.top = l.cursor
	}
	if l.cursor >= l.top+room {
		l.top = l.cursor - room + 1
	}
	l.top = max(min(l.top, len(rows)-room), 0)
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
