package logbuf

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// t0 is a fixed time so rendered timestamps are stable.
var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func texts(r *Ring) []string {
	var out []string
	for a := r.Start(); a < r.End(); a++ {
		out = append(out, r.At(a).Text)
	}
	return out
}

func TestRingBoundedAndAbsolute(t *testing.T) {
	r := newRing(3, 0)
	for i := range 5 {
		r.add(Line{Text: fmt.Sprint(i), Time: int64(i)})
	}
	if r.Len() != 3 || r.Start() != 2 || r.End() != 5 {
		t.Fatalf("len %d start %d end %d, want 3 2 5", r.Len(), r.Start(), r.End())
	}
	if got := strings.Join(texts(r), ","); got != "2,3,4" {
		t.Errorf("lines = %s, want 2,3,4", got)
	}
	r.clear()
	if r.Len() != 0 || r.Start() != 5 {
		t.Errorf("after clear: len %d start %d, want 0 5", r.Len(), r.Start())
	}
	r.add(Line{Text: "x", Time: 9})
	if r.Start() != 5 || r.At(5).Text != "x" {
		t.Errorf("indices restart after clear: start %d", r.Start())
	}
}

func TestRingLateLinesMergeInTimeOrder(t *testing.T) {
	r := newRing(4, 0)
	for _, tm := range []int64{10, 20, 30} {
		r.add(Line{Text: fmt.Sprint(tm), Time: tm})
	}
	// A second replica's backlog arrives after the first one's lines.
	r.add(Line{Text: "15", Time: 15})
	r.add(Line{Text: "5", Time: 5})
	r.add(Line{Text: "40", Time: 40})
	r.settle()
	// Six lines, room for four: the two oldest go.
	if got := strings.Join(texts(r), ","); got != "15,20,30,40" {
		t.Errorf("lines = %s, want 15,20,30,40", got)
	}
	if r.Start() != 2 {
		t.Errorf("start = %d, want 2 (two lines dropped)", r.Start())
	}
	// A full batch of late lines settles on its own, bounding memory.
	for i := range 4 {
		r.add(Line{Time: int64(i)})
	}
	if len(r.late) != 0 || r.Len() != 4 {
		t.Errorf("late %d len %d: a full late batch must settle", len(r.late), r.Len())
	}
}

func TestStoreMemoryIsBounded(t *testing.T) {
	s := NewStore(Options{Capacity: 100})
	api := s.Source("api", 1, 0)
	db := s.Source("db", 1, 1)
	for i := range 10000 {
		s.Append(api, at(i), StreamStdout, "api line")
		s.Append(db, at(i), StreamStderr, "db line")
	}
	for _, v := range []View{{Service: "api"}, {Service: "db"}, {All: true}} {
		if n := s.Len(v); n != 100 {
			t.Errorf("%+v holds %d lines, want the capacity 100", v, n)
		}
	}
	if n := s.Len(View{Service: "nope"}); n != 0 {
		t.Errorf("unknown service shows %d lines", n)
	}
}

func TestStoreSanitizesOnIngest(t *testing.T) {
	s := NewStore(Options{MaxCells: 20, Now: func() time.Time { return t0 }})
	id := s.Source("api", 1, 0)
	s.Append(id, time.Time{}, StreamStdout, "\x1b]0;title\x07hi\x1b[2J "+strings.Repeat("x", 50))
	rows, _ := s.Render(View{Service: "api", Width: 80, Rows: 5, Timestamps: true}, Pos{Follow: true}, -1, nil, nil)
	want := "2024-05-01T10:00:00.000Z hi " + strings.Repeat("x", 16) + "…"
	if len(rows) != 1 || rows[0] != want {
		t.Errorf("rows = %q, want %q", rows, want)
	}
	select {
	case <-s.Changed():
	default:
		t.Error("Append did not signal Changed")
	}
}

// fill adds n numbered lines to one service, 1 ms apart.
func fill(s *Store, id SourceID, from, n int) {
	for i := from; i < from+n; i++ {
		s.Append(id, at(i), StreamStdout, fmt.Sprintf("line %d", i))
	}
}

func TestScrollFollowAndPause(t *testing.T) {
	s := NewStore(Options{})
	id := s.Source("api", 1, 0)
	fill(s, id, 0, 100)
	v := View{Service: "api", Width: 40, Rows: 10}
	rows, info := s.Render(v, Pos{Follow: true}, -1, nil, nil)
	if rows[0] != "line 90" || rows[9] != "line 99" || !info.AtEnd || info.Lines != 100 {
		t.Fatalf("follow page = %q %+v", rows, info)
	}
	p := s.Scroll(v, Pos{Follow: true}, -1)
	if p.Follow || p.Top != 89 {
		t.Fatalf("scrolling up = %+v, want paused at 89", p)
	}
	// New lines do not move a paused view.
	fill(s, id, 100, 5)
	if rows, info = s.Render(v, p, -1, nil, nil); rows[0] != "line 89" || info.AtEnd {
		t.Errorf("paused page moved: %q %+v", rows[0], info)
	}
	// Down to the last page resumes following.
	p = s.Scroll(v, p, 5)
	if p.Follow {
		t.Fatalf("one line short of the end already follows: %+v", p)
	}
	if p = s.Scroll(v, p, 1); !p.Follow {
		t.Errorf("reaching the end did not resume following: %+v", p)
	}
	if p = s.Scroll(v, p, -1000); p.Follow || p.Top != 0 {
		t.Errorf("top = %+v, want paused at 0", p)
	}
	// Eviction: a paused view keeps its absolute line while it exists.
	small := NewStore(Options{Capacity: 20})
	sid := small.Source("api", 1, 0)
	fill(small, sid, 0, 20)
	p = Pos{Top: 5}
	fill(small, sid, 20, 3)
	if rows, _ = small.Render(v, p, -1, nil, nil); rows[0] != "line 5" {
		t.Errorf("after eviction the paused page starts at %q, want line 5", rows[0])
	}
	fill(small, sid, 23, 10)
	if rows, _ = small.Render(v, p, -1, nil, nil); rows[0] != "line 13" {
		t.Errorf("once its line is evicted the page starts at %q, want the oldest, line 13", rows[0])
	}
}

func TestWrap(t *testing.T) {
	s := NewStore(Options{})
	id := s.Source("api", 1, 0)
	s.Append(id, at(0), StreamStdout, "short")
	s.Append(id, at(1), StreamStdout, strings.Repeat("a", 25))
	s.Append(id, at(2), StreamStdout, "日本語のログ行です")
	v := View{Service: "api", Width: 10, Rows: 4, Wrap: true}
	rows, _ := s.Render(v, Pos{Follow: true}, -1, nil, nil)
	// The 25-byte line takes 3 rows, the wide one 2: the page starts in
	// the middle of the long line.
	want := []string{"aaaaaaaaaa", "aaaaa", "日本語のロ", "グ行です"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("wrapped follow page = %q, want %q", rows, want)
	}
	v.Wrap = false
	rows, _ = s.Render(v, Pos{Follow: true}, -1, nil, nil)
	if strings.Join(rows, "|") != "short|aaaaaaaaa…|日本語の…" {
		t.Errorf("cut page = %q", rows)
	}
}

func TestSearchFilterAndMatches(t *testing.T) {
	s := NewStore(Options{})
	id := s.Source("api", 1, 0)
	for i, l := range []string{"GET /health 200", "error: db down", "GET /users 500", "\x1b[31mERROR\x1b[m colour", "ok"} {
		s.Append(id, at(i), StreamStdout, l)
	}
	v := View{Service: "api", Width: 40, Rows: 10, Query: NewQuery("error")}
	d := &Decor{Match: Span{"<", ">"}, Current: Span{"[", "]"}}
	rows, info := s.Render(v, Pos{Follow: true}, 3, d, nil)
	if info.Matches != 2 || info.Match != 2 {
		t.Errorf("info = %+v, want 2 matches, the current one second", info)
	}
	if rows[1] != "<error>: db down" || rows[3] != "[ERROR] colour" || rows[0] != "GET /health 200" {
		t.Errorf("highlighted rows = %q", rows)
	}
	// Smart case: an upper-case letter makes the query exact.
	v.Query = NewQuery("ERROR")
	if _, info = s.Render(v, Pos{Follow: true}, -1, d, nil); info.Matches != 1 {
		t.Errorf("case-sensitive ERROR matches %d lines, want 1", info.Matches)
	}
	// Filter: only matching lines.
	v.Query, v.Filter = NewQuery("get"), true
	rows, info = s.Render(v, Pos{Follow: true}, -1, nil, nil)
	if strings.Join(rows, "|") != "GET /health 200|GET /users 500" || info.Lines != 2 {
		t.Errorf("filtered rows = %q %+v", rows, info)
	}
	// n/N: next and previous matching lines.
	v.Filter = false
	a, ok := s.Match(v, Newest, -1)
	if !ok || a != 2 {
		t.Errorf("newest match = %d %v, want 2", a, ok)
	}
	if a, ok = s.Match(v, a, -1); !ok || a != 0 {
		t.Errorf("previous match = %d %v, want 0", a, ok)
	}
	if _, ok = s.Match(v, a, -1); ok {
		t.Error("a match before the first")
	}
	if a, ok = s.Match(v, 0, 1); !ok || a != 2 {
		t.Errorf("next match = %d %v, want 2", a, ok)
	}
	// New lines extend the cached matches.
	s.Append(id, at(9), StreamStdout, "GET /again")
	if _, info = s.Render(v, Pos{Follow: true}, -1, nil, nil); info.Matches != 3 {
		t.Errorf("after a new matching line: %d matches, want 3", info.Matches)
	}
}

func TestMergedViewPrefixesAndExport(t *testing.T) {
	s := NewStore(Options{})
	api1 := s.Source("api", 1, 0)
	api2 := s.Source("api", 2, 0)
	worker := s.Source("worker", 1, 1)
	s.Append(api1, at(0), StreamStdout, "a1")
	s.Append(worker, at(2), StreamStdout, "w1")
	s.Append(api2, at(1), StreamStdout, "\x1b[32ma2\x1b[m") // arrives late: merged in time order
	d := &Decor{Prefixes: []Span{{"{", "}"}, {"(", ")"}}}
	rows, _ := s.Render(View{All: true, Width: 40, Rows: 5}, Pos{Follow: true}, -1, d, nil)
	want := []string{"{api-1     | }a1", "{api-2     | }\x1b[32ma2\x1b[m\x1b[m", "(worker-1  | )w1"}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Errorf("merged rows:\n%q\nwant\n%q", rows, want)
	}
	// One service with two replicas keeps its prefixes; one without doesn't.
	if rows, _ = s.Render(View{Service: "api", Width: 40, Rows: 5}, Pos{Follow: true}, -1, nil, nil); rows[0] != "api-1  | a1" {
		t.Errorf("replicated service row = %q", rows[0])
	}
	if rows, _ = s.Render(View{Service: "worker", Width: 40, Rows: 5}, Pos{Follow: true}, -1, nil, nil); rows[0] != "w1" {
		t.Errorf("single replica row = %q", rows[0])
	}
	got := s.Export(View{All: true, Timestamps: true, Width: 5})
	wantExport := "api-1     | 2024-05-01T10:00:00.000Z a1\n" +
		"api-2     | 2024-05-01T10:00:00.001Z a2\n" +
		"worker-1  | 2024-05-01T10:00:00.002Z w1\n"
	if got != wantExport {
		t.Errorf("export:\n%s\nwant\n%s", got, wantExport)
	}
	s.Clear(View{Service: "api"})
	if s.Len(View{Service: "api"}) != 0 || s.Len(View{All: true}) != 3 {
		t.Error("clearing a service must empty it and leave the merged view")
	}
	s.Clear(View{All: true})
	if s.Len(View{All: true}) != 0 || s.Len(View{Service: "worker"}) != 0 {
		t.Error("clearing the merged view must empty every ring")
	}
}

func TestRevealPausesOnTheLine(t *testing.T) {
	s := NewStore(Options{})
	id := s.Source("api", 1, 0)
	fill(s, id, 0, 100)
	v := View{Service: "api", Width: 40, Rows: 9}
	if p := s.Reveal(v, Pos{Follow: true}, 95); p.Follow || p.Top != 91 {
		t.Errorf("revealing a line on the follow page = %+v, want paused at 91", p)
	}
	p := s.Reveal(v, Pos{Follow: true}, 40)
	if p.Follow || p.Top > 40 || p.Top+9 <= 40 {
		t.Errorf("reveal 40 = %+v, not on the page", p)
	}
}

func TestConcurrentAppendAndRender(t *testing.T) {
	s := NewStore(Options{Capacity: 500})
	var wg sync.WaitGroup
	for r := range 4 {
		id := s.Source("svc", r+1, r)
		wg.Go(func() { fill(s, id, 0, 2000) })
	}
	v := View{All: true, Width: 60, Rows: 20, Query: NewQuery("line 1"), Wrap: true}
	for range 200 {
		rows, _ := s.Render(v, Pos{Follow: true}, -1, nil, nil)
		if len(rows) > 20 {
			t.Fatalf("%d rows", len(rows))
		}
		s.Scroll(v, Pos{Follow: true}, -3)
	}
	wg.Wait()
	if n := s.Len(v); n != 500 {
		t.Errorf("merged ring holds %d, want 500", n)
	}
}

// TestStoreByteBudget: lines of combining marks are short in cells but long
// in bytes; the budget bounds what a service and the merged ring hold,
// whatever the line count, and the newest lines are the ones kept.
func TestStoreByteBudget(t *testing.T) {
	const budget = 1 << 20
	s := NewStore(Options{ByteBudget: budget})
	id := s.Source("zalgo", 1, 0)
	other := s.Source("quiet", 1, 0)
	zalgo := strings.Repeat("z\u0301\u0302\u0303\u0304\u0305\u0306\u0307", 1000) // ~15 KB, 1,000 cells
	for i := 0; i < 2000; i++ {
		s.Append(id, at(i), StreamStdout, fmt.Sprintf("%06d %s", i, zalgo))
		if i%100 == 0 {
			s.Append(other, at(i), StreamStdout, fmt.Sprintf("quiet %d", i))
		}
	}
	s.mu.Lock()
	svc, all := s.services["zalgo"].ring, s.all
	s.mu.Unlock()
	for name, r := range map[string]*Ring{"service": svc, "merged": all} {
		if r.Bytes() > budget {
			t.Errorf("%s ring holds %d bytes, over the %d budget", name, r.Bytes(), budget)
		}
		var sum int64
		for i := r.Start(); i < r.End(); i++ {
			sum += int64(len(r.At(i).Text))
		}
		if sum != r.Bytes() {
			t.Errorf("%s ring counts %d bytes, holds %d", name, r.Bytes(), sum)
		}
		if r.Len() < 10 || r.Len() > 100 {
			t.Errorf("%s ring keeps %d lines of ~15 KB under a 1 MiB budget", name, r.Len())
		}
	}
	if got := svc.At(svc.End() - 1).Text; !strings.HasPrefix(got, "001999 ") {
		t.Errorf("newest line = %.10q, want line 1999", got)
	}
	if n := s.Len(View{Service: "quiet"}); n != 20 {
		t.Errorf("the quiet service lost lines to the other's budget: %d, want 20", n)
	}
	// Clearing gives the budget back.
	s.Clear(View{All: true})
	if svc.Bytes() != 0 || all.Bytes() != 0 {
		t.Errorf("after clear: %d and %d bytes", svc.Bytes(), all.Bytes())
	}
}
