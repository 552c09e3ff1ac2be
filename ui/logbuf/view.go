package logbuf

import (
	"math"
	"sort"
	"strings"

	"github.com/stackui/stackui/internal/textsafe"
)

// View says which lines the pane shows and how they are laid out.
type View struct {
	Service string // the selected service, unless All
	All     bool   // every service, merged in time order
	Query   Query
	Filter  bool // only the lines that match Query (all lines if it is empty)
	Width   int
	Rows    int
	Wrap    bool
	// Timestamps shows each line's time, in UTC as docker logs -t does.
	Timestamps bool
	// Marks picks out lines (a finding's evidence) with Decor.Mark; nil
	// marks none.
	Marks *Marks
}

// Pos is where a view is scrolled to: following the end, or paused with
// the line at absolute index Top first.
type Pos struct {
	Top    int64
	Follow bool
}

// Newest is a Match "from" that means: after every line.
const Newest = math.MaxInt64

// seq is the sequence of lines a view shows: a ring's lines, or only the
// matching ones.
type seq struct {
	r *Ring
	m []int64
	// filtered: m lists the shown lines
	filtered bool
}

// ring is the ring v reads. Callers hold mu.
func (s *Store) ring(v View) *Ring {
	if v.All {
		return s.all
	}
	if sv := s.services[v.Service]; sv != nil {
		return sv.ring
	}
	return newRing(1, 0)
}

// seq settles v's ring and lists what v shows. Callers hold mu.
func (s *Store) seq(v View) seq {
	r := s.ring(v)
	r.settle()
	q := seq{r: r}
	if v.Filter && !v.Query.Empty() {
		q.m = r.matches(v.Query, &s.scratch)
		q.filtered = true
	}
	return q
}

func (q seq) n() int {
	if q.filtered {
		return len(q.m)
	}
	return q.r.Len()
}

// abs is the absolute index of the i-th shown line; i may equal n.
func (q seq) abs(i int) int64 {
	if q.filtered {
		if i >= len(q.m) {
			return q.r.End()
		}
		return q.m[i]
	}
	return q.r.Start() + int64(i)
}

// pos is the position of the first shown line at or after absolute index a.
func (q seq) pos(a int64) int {
	if q.filtered {
		return sort.Search(len(q.m), func(i int) bool { return q.m[i] >= a })
	}
	return int(min(max(a-q.r.Start(), 0), int64(q.r.Len())))
}

func (q seq) line(i int) *Line { return q.r.At(q.abs(i)) }

// layout is the column arithmetic of one view. Callers hold mu.
type layout struct {
	v       View
	s       *Store
	prefix  bool
	nameW   int // width of the name column
	tsW     int
	bodyW   int
	scratch *[]byte
}

const (
	prefixSep   = "  | "
	tsLayout    = "2006-01-02T15:04:05.000Z"
	minBodyCols = 8
)

func (s *Store) layout(v View) layout {
	lay := layout{v: v, s: s, scratch: &s.scratch}
	if v.All {
		lay.prefix = true
		for _, sv := range s.services {
			lay.nameW = max(lay.nameW, sv.width)
		}
	} else if sv := s.services[v.Service]; sv != nil && sv.replicas > 1 {
		lay.prefix, lay.nameW = true, sv.width
	}
	if v.Timestamps {
		lay.tsW = len(tsLayout) + 1
	}
	lay.bodyW = v.Width - lay.prefixW() - lay.tsW
	if lay.bodyW < minBodyCols { // too narrow: the text matters most
		lay.tsW = 0
		lay.bodyW = v.Width - lay.prefixW()
	}
	if lay.bodyW < minBodyCols {
		lay.prefix = false
		lay.bodyW = v.Width
	}
	lay.bodyW = max(lay.bodyW, 1)
	return lay
}

func (lay *layout) prefixW() int {
	if !lay.prefix {
		return 0
	}
	return lay.nameW + len(prefixSep)
}

// rowsOf is how many screen rows a line takes.
func (lay *layout) rowsOf(l *Line) int {
	if !lay.v.Wrap {
		return 1
	}
	if l.Flags&textsafe.Plain != 0 {
		return max(1, (len(l.Text)+lay.bodyW-1)/lay.bodyW)
	}
	return len(wrapText(l.Text, lay.bodyW, false))
}

// endTop is where following shows from: the position of the first line of
// the last page, and how many of its rows are above the pane.
func (lay *layout) endTop(q seq) (pos, skip int) {
	rows := 0
	for i := q.n() - 1; i >= 0; i-- {
		rows += lay.rowsOf(q.line(i))
		if rows >= lay.v.Rows {
			return i, rows - lay.v.Rows
		}
	}
	return 0, 0
}

// start resolves a Pos to the first shown line and the rows of it to skip.
func (lay *layout) start(q seq, p Pos) (pos, skip int, atEnd bool) {
	end, skip := lay.endTop(q)
	if p.Follow {
		return end, skip, true
	}
	if i := q.pos(p.Top); i < end {
		return i, 0, false
	}
	return end, skip, true
}

// Scroll moves p by delta lines (negative: up). Moving up pauses following;
// reaching the last page resumes it.
func (s *Store) Scroll(v View, p Pos, delta int) Pos {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, lay := s.seq(v), s.layout(v)
	cur, _, _ := lay.start(q, p)
	end, _ := lay.endTop(q)
	i := min(max(cur+delta, 0), end)
	if i >= end {
		return Pos{Follow: true}
	}
	return Pos{Top: q.abs(i)}
}

// Reveal returns a paused position that shows the line at absolute index
// a: p itself when a is on screen already, else one with a a third of the
// way down.
func (s *Store) Reveal(v View, p Pos, a int64) Pos {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, lay := s.seq(v), s.layout(v)
	cur, skip, _ := lay.start(q, p)
	target := q.pos(a)
	rows := -skip
	for i := cur; i < q.n() && rows < v.Rows; i++ {
		if i == target {
			return Pos{Top: q.abs(cur)}
		}
		rows += lay.rowsOf(q.line(i))
	}
	return Pos{Top: q.abs(lay.topAbove(q, target, v.Rows/3))}
}

// Match finds the next line matching v.Query after absolute index from
// (dir > 0) or the previous one before it (dir < 0); Newest with dir < 0
// finds the newest match. ok is false when there is none that way.
func (s *Store) Match(v View, from int64, dir int) (a int64, ok bool) {
	if v.Query.Empty() {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return step(s.ring(v).matches(v.Query, &s.scratch), from, dir)
}

// Export is what v shows as plain text, one line per stored line (no
// wrapping or cutting, no colours), for saving to a file.
func (s *Store) Export(v View) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	wide := v
	wide.Width = math.MaxInt32 // no cutting
	q, lay := s.seq(v), s.layout(wide)
	var b strings.Builder
	for i := 0; i < q.n(); i++ {
		l := q.line(i)
		lay.lead(&b, l, true, nil)
		b.WriteString(searchText(l, lay.scratch))
		b.WriteByte('\n')
	}
	return b.String()
}
