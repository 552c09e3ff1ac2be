package logbuf

import (
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/internal/textsafe"
)

// Span is a style as the escape sequences that open and close it.
type Span struct{ Open, Close string }

// Decor styles a page. The pane renders its Lip Gloss styles into these
// strings once, so drawing a page never goes through a styling library.
type Decor struct {
	Prefixes []Span // service name prefixes, by Source.Color modulo len
	Time     Span
	Note     Span // stackui's own lines
	Match    Span // every match of the query
	Current  Span // the matches on the current match's line
	Mark     Span // the whole of a marked line (View.Marks)
}

// PageInfo describes a rendered page.
type PageInfo struct {
	Top     int64 // absolute index of the first line shown
	AtEnd   bool  // the page is the last one
	Lines   int   // lines the view has (after its filter)
	Matches int   // lines of the buffer that match the query
	Match   int   // 1-based rank of the current match among them; 0: none
	Marked  int   // lines of the buffer that View.Marks marks
	Mark    int   // 1-based rank of the current line among them; 0: none
}

// Render lays out the page of v at p into rows (reusing its storage): at
// most v.Rows rows, none wider than v.Width. Only the lines on the page are
// touched. current is the absolute index of the current match's line
// (-1 for none).
func (s *Store) Render(v View, p Pos, current int64, d *Decor, rows []string) ([]string, PageInfo) {
	if d == nil {
		d = &Decor{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, lay := s.seq(v), s.layout(v)
	i, skip, atEnd := lay.start(q, p)
	info := PageInfo{Top: q.abs(i), AtEnd: atEnd, Lines: q.n()}
	if !v.Query.Empty() {
		m := q.m
		if !q.filtered {
			m = q.r.matches(v.Query, &s.scratch)
		}
		info.Matches, info.Match = len(m), rank(m, current)
	}
	if v.Marks != nil {
		m := q.r.marked(v.Marks, &s.scratch)
		info.Marked, info.Mark = len(m), rank(m, current)
	}
	rows = rows[:0]
	for ; i < q.n() && len(rows) < v.Rows; i++ {
		a := q.abs(i)
		rows = lay.appendRows(rows, q.r.At(a), a == current, d, skip, v.Rows-len(rows))
		skip = 0
	}
	return rows, info
}

// rank is the 1-based position of a in m, 0 when it is not there.
func rank(m []int64, a int64) int {
	if k := sort.Search(len(m), func(i int) bool { return m[i] >= a }); k < len(m) && m[k] == a {
		return k + 1
	}
	return 0
}

// appendRows renders one line: one row, or its wrapped rows from skip on,
// at most room of them.
func (lay *layout) appendRows(rows []string, l *Line, current bool, d *Decor, skip, room int) []string {
	body, plain := lay.highlight(l, current, d)
	var pieces []string
	if lay.v.Wrap {
		pieces = wrapText(body, lay.bodyW, plain)
	} else {
		pieces = []string{fit(body, lay.bodyW, plain)}
	}
	for k := skip; k < len(pieces) && room > 0; k++ {
		var b strings.Builder
		b.Grow(lay.v.Width + 160) // room for the prefix, time and match escapes
		lay.lead(&b, l, k == 0, d)
		b.WriteString(pieces[k])
		rows = append(rows, b.String())
		room--
	}
	return rows
}

// highlight marks the query's matches in a line, and the whole line when
// it is marked. A matched or marked line with colours is shown without
// them: what it is picked out for matters more. plain says the result is
// still printable ASCII without escapes.
func (lay *layout) highlight(l *Line, current bool, d *Decor) (string, bool) {
	text, plain := l.Text, l.Flags&textsafe.Plain != 0
	var outer Span // the line's own style, resumed after each match
	if lay.v.Marks.has(l, lay.scratch) && d.Mark.Open != "" {
		outer = d.Mark
		text, plain = searchText(l, lay.scratch), false
	}
	if q := lay.v.Query; !q.Empty() {
		hay := searchText(l, lay.scratch)
		sp := d.Match
		if current {
			sp = d.Current
		}
		var b strings.Builder
		last := 0
		q.spans(hay, func(a, e int) {
			b.WriteString(hay[last:a])
			b.WriteString(sp.Open)
			b.WriteString(hay[a:e])
			b.WriteString(sp.Close)
			b.WriteString(outer.Open)
			last = e
		})
		if b.Len() > 0 {
			b.WriteString(hay[last:])
			text, plain = b.String(), false
		}
	}
	switch {
	case outer.Open != "":
		text = outer.Open + text + outer.Close
	case l.Stream == StreamNote && d.Note.Open != "":
		text, plain = d.Note.Open+text+d.Note.Close, false
	}
	return text, plain
}

// fit cuts a line to w cells, marking the cut with textsafe.Ellipsis.
func fit(s string, w int, plain bool) string {
	if plain {
		if len(s) <= w {
			return s
		}
		return s[:w-1] + textsafe.Ellipsis
	}
	return ansi.Truncate(s, w, textsafe.Ellipsis)
}

// wrapText breaks a line into rows of at most w cells. Each row of a line
// with escapes ends with a reset, so no style runs into the next row's
// prefix.
func wrapText(s string, w int, plain bool) []string {
	if plain {
		if len(s) <= w {
			return []string{s}
		}
		rows := make([]string, 0, (len(s)+w-1)/w)
		for len(s) > w {
			rows = append(rows, s[:w])
			s = s[w:]
		}
		return append(rows, s)
	}
	rows := strings.Split(ansi.Hardwrap(s, w, true), "\n")
	if strings.IndexByte(s, 0x1b) >= 0 {
		for i := range rows {
			rows[i] += textsafe.SGRReset
		}
	}
	return rows
}

const spaces = "                                                                "

func pad(b *strings.Builder, n int) {
	for n > 0 {
		k := min(n, len(spaces))
		b.WriteString(spaces[:k])
		n -= k
	}
}

// lead writes what comes before a line's text: the service prefix and the
// timestamp, or blanks of their width on a wrapped line's later rows.
func (lay *layout) lead(b *strings.Builder, l *Line, first bool, d *Decor) {
	if lay.prefix {
		src := &lay.s.sources[l.Src]
		var sp Span
		if d != nil && len(d.Prefixes) > 0 {
			sp = d.Prefixes[max(src.Color, 0)%len(d.Prefixes)]
		}
		b.WriteString(sp.Open)
		if first {
			b.WriteString(src.Name)
			pad(b, lay.nameW-src.width)
		} else {
			pad(b, lay.nameW)
		}
		b.WriteString(prefixSep)
		b.WriteString(sp.Close)
	}
	if lay.tsW > 0 {
		if !first {
			pad(b, lay.tsW)
			return
		}
		var buf [40]byte
		if d != nil {
			b.WriteString(d.Time.Open)
		}
		b.Write(time.Unix(0, l.Time).UTC().AppendFormat(buf[:0], tsLayout))
		if d != nil {
			b.WriteString(d.Time.Close)
		}
		b.WriteByte(' ')
	}
}
