package logbuf

import (
	"sort"
	"strings"
	"time"

	"github.com/stackui/stackui/internal/textsafe"
)

// Marks pick out whole lines by their text: the log lines a doctor's
// finding quotes as evidence. A line is marked when its text, without
// colours and surrounding blanks, equals one of the texts after the same
// sanitizing Append does, so a quote of raw container output finds the
// stored line. A nil *Marks marks nothing.
type Marks struct {
	set map[string]struct{}
}

// NewMarks makes marks for texts as the program wrote them; nil when none
// of them has anything printable left.
func (s *Store) NewMarks(texts []string) *Marks {
	mk := &Marks{set: make(map[string]struct{}, len(texts))}
	for _, t := range texts {
		clean, _ := textsafe.Sanitize(t, s.opts.MaxCells)
		if k := strings.TrimSpace(string(stripSGR(nil, clean))); k != "" {
			mk.set[k] = struct{}{}
		}
	}
	if len(mk.set) == 0 {
		return nil
	}
	return mk
}

// Len is the number of distinct texts marked.
func (mk *Marks) Len() int {
	if mk == nil {
		return 0
	}
	return len(mk.set)
}

// has reports whether a stored line is marked.
func (mk *Marks) has(l *Line, scratch *[]byte) bool {
	if mk == nil {
		return false
	}
	_, ok := mk.set[strings.TrimSpace(searchText(l, scratch))]
	return ok
}

// marked returns the ring's marked lines, oldest first, from a cache that
// is extended as lines arrive, as matches does for a query.
func (r *Ring) marked(mk *Marks, scratch *[]byte) []int64 {
	return r.scan(&r.mark, cacheKey{marks: mk}, func(l *Line) bool { return mk.has(l, scratch) })
}

// NextMark finds the next marked line after absolute index from (dir > 0)
// or the previous one before it (dir < 0); Newest with dir < 0 finds the
// newest. ok is false when there is none that way.
func (s *Store) NextMark(v View, from int64, dir int) (a int64, ok bool) {
	if v.Marks == nil {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return step(s.ring(v).marked(v.Marks, &s.scratch), from, dir)
}

// step is the next index in m after from (dir > 0) or the previous one
// before it.
func step(m []int64, from int64, dir int) (int64, bool) {
	if dir > 0 {
		k := sort.Search(len(m), func(i int) bool { return m[i] > from })
		if k == len(m) {
			return 0, false
		}
		return m[k], true
	}
	k := sort.Search(len(m), func(i int) bool { return m[i] >= from }) - 1
	if k < 0 {
		return 0, false
	}
	return m[k], true
}

// LineAt finds the newest line v shows that is not after t: the last line
// a container wrote before it died at t. ok is false when every line is
// newer (or there are none); later says v holds a line newer than t, so no
// line up to t is still to arrive from a stream that sends in time order.
func (s *Store) LineAt(v View, t time.Time) (a int64, ok, later bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.seq(v)
	ns := t.UnixNano()
	i := sort.Search(q.n(), func(i int) bool { return q.line(i).Time > ns })
	later = i < q.n()
	if i == 0 {
		return 0, false, later
	}
	return q.abs(i - 1), true, later
}

// Place returns a paused position that shows the line at absolute index a
// with about above rows of older lines over it (fewer near the start; a
// on the last page when the end is near).
func (s *Store) Place(v View, a int64, above int) Pos {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, lay := s.seq(v), s.layout(v)
	return Pos{Top: q.abs(lay.topAbove(q, q.pos(a), above))}
}

// topAbove is the position to show from so that about above rows come
// before the line at position target, but not past the last page's top.
func (lay *layout) topAbove(q seq, target, above int) int {
	i := target
	for rows := 0; i > 0; i-- {
		rows += lay.rowsOf(q.line(i - 1))
		if rows > above {
			break
		}
	}
	end, _ := lay.endTop(q)
	return min(i, end)
}
