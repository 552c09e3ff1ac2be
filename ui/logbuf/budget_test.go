package logbuf

import (
	"fmt"
	"strings"
	"testing"
)

// recount is what the services' rings cost, line by line, and checks each
// ring's own byte count on the way.
func recount(t *testing.T, s *Store) int64 {
	t.Helper()
	var total int64
	for name, sv := range s.services {
		var bytes int64
		for _, l := range append(sv.ring.linear(), sv.ring.late...) {
			bytes += int64(len(l.Text))
		}
		if bytes != sv.ring.Bytes() {
			t.Errorf("%s counts %d bytes, holds %d", name, sv.ring.Bytes(), bytes)
		}
		total += bytes + LineOverhead*int64(sv.ring.Len()+len(sv.ring.late))
	}
	return total
}

// TestStoreTotalBudget: whatever the spread of lines over services, the
// rings together stay within the budget, and the running total is exact.
func TestStoreTotalBudget(t *testing.T) {
	const budget = 256 << 10
	zalgo := strings.Repeat("z\u0301\u0302\u0303\u0304\u0305\u0306\u0307", 1000) // ~15 KB
	for _, c := range []struct {
		name     string
		services int
		lines    int
		text     func(svc, i int) string
		pick     func(i int) int // which service writes line i
	}{
		{"100 even", 100, 20000, func(_, i int) string { return fmt.Sprintf("line %d of a hundred services", i) }, func(i int) int { return i % 100 }},
		{"one chatty", 30, 20000, func(_, i int) string { return fmt.Sprintf("line %d", i) }, func(i int) int {
			if i%50 == 0 {
				return 1 + i/50%29
			}
			return 0
		}},
		{"huge lines", 10, 300, func(_, i int) string { return fmt.Sprintf("%06d %s", i, zalgo) }, func(i int) int { return i % 10 }},
		{"replica backlogs", 5, 20000, func(_, i int) string { return fmt.Sprintf("line %d", i) }, func(i int) int { return i % 5 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := NewStore(Options{TotalBytes: budget})
			ids := make([]SourceID, c.services)
			late := make([]SourceID, c.services)
			for i := range ids {
				ids[i] = s.Source(fmt.Sprintf("svc%02d", i), 1, i)
				late[i] = s.Source(fmt.Sprintf("svc%02d", i), 2, i)
			}
			for i := range c.lines {
				svc := c.pick(i)
				ms := i
				id := ids[svc]
				if c.name == "replica backlogs" && i%3 == 0 {
					id, ms = late[svc], i/2 // a second replica's older lines
				}
				s.Append(id, at(ms), StreamStdout, c.text(svc, i))
				if i%997 == 0 {
					s.Len(View{Service: fmt.Sprintf("svc%02d", svc)}) // a read settles late lines
				}
				if s.total > budget {
					t.Fatalf("after line %d the rings cost %d, over the %d budget", i, s.total, budget)
				}
			}
			if got := recount(t, s); got != s.total {
				t.Errorf("total %d, recounted %d", s.total, got)
			}
			if s.total < budget/2 {
				t.Errorf("total %d: trimmed far below the %d budget", s.total, budget)
			}
			s.Clear(View{All: true})
			if s.total != 0 {
				t.Errorf("after clearing all: total %d", s.total)
			}
		})
	}
}

// TestStoreBudgetTakesFromTheBusiest: a chatty service pays for the budget
// with its oldest lines; a quiet one keeps every line, and absolute indices
// and a paused view stay right.
func TestStoreBudgetTakesFromTheBusiest(t *testing.T) {
	s := NewStore(Options{TotalBytes: 128 << 10})
	quiet := s.Source("quiet", 1, 0)
	chatty := s.Source("chatty", 1, 1)
	for i := range 20000 {
		if i%400 == 0 {
			s.Append(quiet, at(i), StreamStdout, fmt.Sprintf("quiet %d", i))
		}
		s.Append(chatty, at(i), StreamStdout, fmt.Sprintf("line %d", i))
	}
	if n := s.Len(View{Service: "quiet"}); n != 50 {
		t.Errorf("the quiet service keeps %d lines, want all 50", n)
	}
	s.mu.Lock()
	r := s.services["chatty"].ring
	start, end, n := r.Start(), r.End(), r.Len()
	first, last := r.At(start).Text, r.At(end-1).Text
	s.mu.Unlock()
	if end != 20000 || start == 0 || int64(n) != end-start {
		t.Fatalf("chatty: start %d end %d len %d, want end 20000, lines dropped", start, end, n)
	}
	if first != fmt.Sprintf("line %d", start) || last != "line 19999" {
		t.Errorf("chatty's oldest %q at %d, newest %q", first, start, last)
	}
	if n > 128<<10/LineOverhead || n < 1000 {
		t.Errorf("chatty keeps %d lines", n)
	}
	v := View{Service: "chatty", Width: 40, Rows: 5}
	p := Pos{Top: start + 10}
	if rows, _ := s.Render(v, p, -1, nil, nil); rows[0] != fmt.Sprintf("line %d", start+10) {
		t.Errorf("paused page starts at %q, want line %d", rows[0], start+10)
	}
	// More lines: the store trims again; the paused line goes, and the page
	// starts at the oldest kept.
	for i := 20000; i < 30000; i++ {
		s.Append(chatty, at(i), StreamStdout, fmt.Sprintf("line %d", i))
	}
	s.mu.Lock()
	newStart := r.Start()
	s.mu.Unlock()
	if newStart <= start+10 {
		t.Fatalf("start %d: the paused line %d was not trimmed", newStart, start+10)
	}
	if rows, _ := s.Render(v, p, -1, nil, nil); rows[0] != fmt.Sprintf("line %d", newStart) {
		t.Errorf("after the trim the paused page starts at %q, want line %d", rows[0], newStart)
	}
	if n := s.Len(View{Service: "quiet"}); n != 50 {
		t.Errorf("the quiet service keeps %d lines, want all 50", n)
	}
}

// TestTrimGivesMemoryBack: a ring trimmed to a small part of its array
// moves to a right-sized one, wrapped or not.
func TestTrimGivesMemoryBack(t *testing.T) {
	for _, extra := range []int{0, 2500} { // full, and wrapped
		r := newRing(10000, 0)
		for i := range 10000 + extra {
			r.add(Line{Text: fmt.Sprintf("%05d", i), Time: int64(i)})
		}
		big := cap(r.buf)
		r.trim(100*(5+LineOverhead), LineOverhead)
		if r.Len() != 100 || r.Start() != int64(9900+extra) || r.End() != int64(10000+extra) {
			t.Fatalf("extra %d: len %d start %d end %d", extra, r.Len(), r.Start(), r.End())
		}
		if c := cap(r.buf); c >= big/4 {
			t.Errorf("extra %d: array of %d lines kept for 100 (was %d)", extra, c, big)
		}
		if got := r.At(r.Start()).Text; got != fmt.Sprintf("%05d", 9900+extra) {
			t.Errorf("extra %d: oldest %q", extra, got)
		}
		// It grows again as lines come.
		r.add(Line{Text: "new", Time: 1 << 40})
		if r.At(r.End()-1).Text != "new" || r.Len() != 101 {
			t.Errorf("extra %d: after the shrink, adding gives len %d", extra, r.Len())
		}
	}
}

// TestSettleGivesBacklogMemoryBack: a big batch of late lines (a second
// replica's backlog) does not keep its array once merged in.
func TestSettleGivesBacklogMemoryBack(t *testing.T) {
	r := newRing(10000, 0)
	r.add(Line{Text: "newest", Time: 1 << 40})
	for i := range 2000 {
		r.add(Line{Text: "old", Time: int64(i)})
	}
	if cap(r.late) < 2000 {
		t.Fatalf("late holds %d lines of room", cap(r.late))
	}
	r.settle()
	if r.late != nil || r.Len() != 2001 || r.At(r.End()-1).Text != "newest" {
		t.Errorf("after settling: late cap %d, len %d", cap(r.late), r.Len())
	}
}

func TestAttachTail(t *testing.T) {
	s := NewStore(Options{})
	for _, c := range []struct{ streams, want int }{
		{0, DefaultCapacity}, {1, DefaultCapacity}, {5, DefaultCapacity},
		{100, DefaultTotalBytes / (typicalLineBytes + LineOverhead) / 100}, // 566
		{10000, minAttachTail},
	} {
		if got := s.AttachTail(c.streams); got != c.want {
			t.Errorf("AttachTail(%d) = %d, want %d", c.streams, got, c.want)
		}
	}
	if got := NewStore(Options{TotalBytes: -1}).AttachTail(100); got != DefaultCapacity {
		t.Errorf("with no budget AttachTail(100) = %d, want the capacity", got)
	}
	if got := NewStore(Options{Capacity: 150}).AttachTail(10000); got != 150 {
		t.Errorf("AttachTail is %d, over a capacity of 150", got)
	}
}
