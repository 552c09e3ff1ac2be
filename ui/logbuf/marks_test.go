package logbuf

import (
	"strings"
	"testing"
)

// Marked lines render in the mark style, found by the text a finding quotes
// (raw output, before sanitizing); a query's matches inside a marked line
// resume the mark after them.
func TestMarksRenderAndStep(t *testing.T) {
	s := NewStore(Options{})
	id := s.Source("trainer", 1, 0)
	for i, l := range []string{
		"loading data",
		"Traceback (most recent call last):",
		"\x1b[31mKeyError: 'DATABASE_URL'\x1b[m",
		"shutting down",
		"Traceback (most recent call last):",
	} {
		s.Append(id, at(i), StreamStdout, l)
	}
	// The doctor quotes the raw text, with a title change the store drops.
	mk := s.NewMarks([]string{"\x1b]0;pwned\x07KeyError: 'DATABASE_URL'", "Traceback (most recent call last): ", "not in the logs"})
	if mk.Len() != 3 {
		t.Fatalf("marks = %d, want 3", mk.Len())
	}
	v := View{Service: "trainer", Width: 40, Rows: 10, Marks: mk}
	d := &Decor{Mark: Span{"{", "}"}, Match: Span{"<", ">"}}
	rows, info := s.Render(v, Pos{Follow: true}, 2, d, nil)
	want := []string{"loading data", "{Traceback (most recent call last):}", "{KeyError: 'DATABASE_URL'}", "shutting down", "{Traceback (most recent call last):}"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("rows =\n%q\nwant\n%q", rows, want)
	}
	if info.Marked != 3 || info.Mark != 2 {
		t.Errorf("info = %+v, want 3 marked, the current one second", info)
	}
	v.Query = NewQuery("error")
	rows, info = s.Render(v, Pos{Follow: true}, -1, d, nil)
	if rows[2] != "{Key<Error>{: 'DATABASE_URL'}" || info.Matches != 1 {
		t.Errorf("a match in a marked line = %q (%d matches)", rows[2], info.Matches)
	}
	// Without a mark style the line keeps its own colours.
	rows, _ = s.Render(View{Service: "trainer", Width: 40, Rows: 10, Marks: mk}, Pos{Follow: true}, -1, &Decor{}, nil)
	if !strings.Contains(rows[2], "\x1b[31m") {
		t.Errorf("unmarked rendering lost the line's colour: %q", rows[2])
	}

	a, ok := s.NextMark(v, Newest, -1)
	if !ok || a != 4 {
		t.Errorf("newest mark = %d %v, want 4", a, ok)
	}
	if a, ok = s.NextMark(v, a, -1); !ok || a != 2 {
		t.Errorf("previous mark = %d %v, want 2", a, ok)
	}
	if a, ok = s.NextMark(v, 4, 1); ok {
		t.Errorf("a mark after the newest: %d", a)
	}
	// New lines extend the cached marks.
	s.Append(id, at(9), StreamStderr, "KeyError: 'DATABASE_URL'")
	if _, info = s.Render(v, Pos{Follow: true}, -1, d, nil); info.Marked != 4 {
		t.Errorf("after a new marked line: %d marked, want 4", info.Marked)
	}
	if s.NewMarks([]string{"\x1b[2J", "  "}) != nil {
		t.Error("marks of nothing printable are not nil")
	}
}

// LineAt finds the last line before a death; Place puts it at a chosen row.
func TestLineAtAndPlace(t *testing.T) {
	s := NewStore(Options{})
	id := s.Source("api", 1, 0)
	v := View{Service: "api", Width: 20, Rows: 6}
	if _, ok, later := s.LineAt(v, at(5)); ok || later {
		t.Errorf("empty store: ok %v later %v", ok, later)
	}
	for i := range 20 {
		s.Append(id, at(i*10), StreamStdout, "line")
	}
	cases := []struct {
		ms          int
		a           int64
		ok, later   bool
		description string
	}{
		{-5, 0, false, true, "before every line"},
		{55, 5, true, true, "between lines"},
		{60, 6, true, true, "at a line's time"},
		{500, 19, true, false, "after the last"},
	}
	for _, c := range cases {
		a, ok, later := s.LineAt(v, at(c.ms))
		if ok != c.ok || later != c.later || (ok && a != c.a) {
			t.Errorf("%s: LineAt = %d %v %v, want %d %v %v", c.description, a, ok, later, c.a, c.ok, c.later)
		}
	}
	for _, c := range []struct {
		a, above, top int64
	}{{10, 4, 6}, {2, 4, 0}, {19, 4, 14}} {
		p := s.Place(v, c.a, int(c.above))
		if p.Follow || p.Top != c.top {
			t.Errorf("Place(%d, %d) = %+v, want top %d, paused", c.a, c.above, p, c.top)
		}
	}
}
