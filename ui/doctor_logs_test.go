package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/ui/logbuf"
)

// The doctor's L: from a finding to its service's logs at the moment it
// died.

// deathT0 is when trainer's lines start; it died 29.5 s later, after its
// 30th line, and was restarted (its lines go on).
var (
	deathT0 = time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	deathAt = deathT0.Add(29500 * time.Millisecond)
)

// deathFindings are docFindings with trainer quoting two log lines, one
// of them raw output with a title change the store drops.
func deathFindings() []doctor.Finding {
	fs := docFindings()
	fs[0].Evidence = append(fs[0].Evidence, "log: MemoryError: cannot allocate 8M")
	return fs
}

// deathSnapshot is docSnapshot with trainer's and db's containers dead at
// known times; api's restarting container never finished.
func deathSnapshot() stack.Snapshot {
	s := docSnapshot()
	for i := range s.Services {
		switch s.Services[i].Service.Name {
		case "trainer":
			s.Services[i].Containers[0].FinishedAt = deathAt
		case "db":
			s.Services[i].Containers[0].FinishedAt = deathT0.Add(time.Hour)
		}
	}
	return s
}

// trainerLines are what trainer wrote: steps, the two quoted lines, its
// last words at 29 s, then a restart's lines.
func trainerLines() []stack.LogLine {
	var out []stack.LogLine
	for i := range 60 {
		text := fmt.Sprintf("step %02d", i)
		switch {
		case i == 20:
			text = "\x1b]0;pwned\x07allocating 8M\x1b[2J more"
		case i == 28:
			text = "MemoryError: cannot allocate 8M"
		case i == 29:
			text = "exiting"
		case i >= 30:
			text = fmt.Sprintf("restarted %02d", i)
		}
		out = append(out, stack.LogLine{ContainerID: "trainer-1", Stream: stack.Stdout, Time: deathT0.Add(time.Duration(i) * time.Second), Text: text})
	}
	return out
}

// doctorFocused is a 100×24 model, diagnosed, with the doctor tab focused
// and service selected (its findings first, under the cursor).
func doctorFocused(t *testing.T, logs LogStreamer, service string) Model {
	t.Helper()
	fd := &fakeDoctor{findings: deathFindings()}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m := sized(t, &fakeSource{snap: deathSnapshot(), ch: make(chan struct{}, 1)}, Options{Doctor: fd, Logs: logs, Context: ctx})
	t.Cleanup(m.logs.Close)
	m = asModel(m.Update(m.doctor.Update(doctorKickMsg{})()))
	m = selectService(m, service)
	m = pressKeys(m, "]", "]")
	m.focus = focusRight
	if m.right() != m.doctor || len(m.doctor.Findings()) != 3 {
		t.Fatalf("not on the diagnosed doctor tab: %s, %d findings", m.right().Title(), len(m.doctor.Findings()))
	}
	return m
}

// rowOf is the index of the logs pane's first row containing s, -1 if none.
func rowOf(m *logsPane, s string) int {
	return slices.IndexFunc(logsLines(m), func(l string) bool { return strings.Contains(l, s) })
}

func TestDoctorLJumpsToTheLogsAtDeath(t *testing.T) {
	m := doctorFocused(t, nil, "trainer")
	for _, l := range trainerLines() {
		m.logs.store.Append(m.logs.store.Source("trainer", 1, 0), l.Time, logbuf.StreamStdout, l.Text)
	}
	_, cmd := m.Update(actKey("L"))
	if cmd == nil {
		t.Fatal("L on trainer/oom returned no command")
	}
	msg, ok := cmd().(logsJumpMsg)
	if !ok || msg.service != "trainer" || !msg.at.Equal(deathAt) || len(msg.evidence) != 2 {
		t.Fatalf("L: %+v, want trainer's jump at %s with 2 evidence lines", msg, deathAt)
	}
	m = asModel(m.Update(msg))
	lp := m.logs
	if m.right() != lp || m.focus != focusRight || lp.service != "trainer" || lp.pos.Follow {
		t.Fatalf("after the jump: tab %s, focus %d, service %q, follow %v", m.right().Title(), m.focus, lp.service, lp.pos.Follow)
	}
	rows := lp.view().Rows
	if got := rowOf(lp, "exiting"); got != deathRow(rows) {
		t.Errorf("the death line is on row %d of %d, want %d:\n%s", got, rows, deathRow(rows), logsPlain(lp))
	}
	if rowOf(lp, "restarted 30") < 0 || rowOf(lp, "allocating 8M more") < 0 {
		t.Errorf("the page lacks the evidence above or the restart below:\n%s", logsPlain(lp))
	}
	screenGolden(t, "logs-at-death", m)
	for _, want := range []string{"trainer's logs at its death (10:00:29 UTC)", "2 evidence lines marked (n/N)", "G follows"} {
		if !strings.Contains(plainScreen(m), want) {
			t.Errorf("the screen lacks %q", want)
		}
	}
	// The marked lines, and only they, carry the mark style.
	mark := lp.decor.Mark.Open
	if mark == "" || mark == lp.decor.Match.Open || mark == lp.decor.Current.Open {
		t.Fatalf("mark style %q: empty or the same as a search match's", mark)
	}
	raw := strings.Split(lp.View(), "\n")
	for _, c := range []struct {
		text   string
		marked bool
	}{{"MemoryError", true}, {"allocating 8M more", true}, {"exiting", false}, {"step 27", false}} {
		row := raw[rowOf(lp, c.text)]
		if strings.Contains(row, mark) != c.marked {
			t.Errorf("%s: marked %v, want %v: %q", c.text, !c.marked, c.marked, row)
		}
	}
	if strings.Contains(lp.View(), "pwned") {
		t.Error("the title change reached the screen")
	}

	// N and n step through the evidence from the death line.
	m = pressKeys(m, "N")
	if lp.current != 28 || !strings.Contains(plainScreen(m), "evidence 2/2") {
		t.Errorf("N: current %d, want 28 (MemoryError) and 2/2:\n%s", lp.current, plainScreen(m))
	}
	m = pressKeys(m, "N")
	if lp.current != 20 {
		t.Errorf("N again: current %d, want 20", lp.current)
	}
	m = pressKeys(m, "N")
	if lp.current != 20 || !strings.Contains(plainScreen(m), "no older evidence lines") {
		t.Errorf("N past the first: current %d\n%s", lp.current, plainScreen(m))
	}
	m = pressKeys(m, "n")
	if lp.current != 28 {
		t.Errorf("n: current %d, want 28", lp.current)
	}
	// G follows again; the evidence stays marked until esc.
	m = pressKeys(m, "G")
	if !lp.pos.Follow || strings.Contains(plainScreen(m), "at its death") || !strings.Contains(plainScreen(m), "evidence 2/2") {
		t.Errorf("G: follow %v\n%s", lp.pos.Follow, plainScreen(m))
	}
	m = pressKeys(m, "esc")
	if lp.death.marks != nil || strings.Contains(plainScreen(m), "evidence") {
		t.Errorf("esc kept the marks:\n%s", plainScreen(m))
	}
}

// A user's search survives the jump, and n/N keep moving between its
// matches, not the evidence.
func TestDoctorLKeepsASearch(t *testing.T) {
	m := doctorFocused(t, nil, "trainer")
	for _, l := range trainerLines() {
		m.logs.store.Append(m.logs.store.Source("trainer", 1, 0), l.Time, logbuf.StreamStdout, l.Text)
	}
	m.logs.query, m.logs.filter = logbuf.NewQuery("restarted"), true
	m = asModel(m.Update(m.doctor.logsAtDeath()()))
	lp := m.logs
	if lp.query.String() != "restarted" || lp.filter {
		t.Errorf("the jump left query %q, filter %v; want the query kept, the filter off", lp.query.String(), lp.filter)
	}
	m = pressKeys(m, "n")
	if lp.current != 30 {
		t.Errorf("n after the jump: current %d, want 30 (the first match after the death)", lp.current)
	}
}

func TestDoctorLSaysWhyItIsDisabled(t *testing.T) {
	m := doctorFocused(t, nil, "api")
	// api's finding quotes no logs and its container never finished.
	const why = "no log lines in its evidence, and api has not died"
	if got := m.doctor.logsReason(); got != why {
		t.Fatalf("reason = %q, want %q", got, why)
	}
	next, cmd := m.Update(actKey("L"))
	m = next.(Model)
	if cmd != nil || m.right() != m.doctor || !strings.Contains(plainScreen(m), why) {
		t.Errorf("L on api: cmd %v, tab %s; want the status to say why:\n%s", cmd != nil, m.right().Title(), plainScreen(m))
	}
	// The help and the footer ask the binding, wired by the root.
	if got := m.keys.DeathLogs.reason(); got != why {
		t.Errorf("the binding's reason = %q, want %q", got, why)
	}

	// db quotes no logs either, but died at a known time: L still goes
	// there, and says there is nothing to mark.
	m = selectService(m, "db")
	if got := m.doctor.logsReason(); got != "" {
		t.Fatalf("db: reason %q, want none", got)
	}
	m = asModel(m.Update(m.doctor.logsAtDeath()()))
	if m.right() != m.logs || m.logs.service != "db" || !strings.Contains(plainScreen(m), "no log lines in its evidence") {
		t.Errorf("L on db:\n%s", plainScreen(m))
	}

	// A project-wide finding, and none at all.
	d := m.doctor
	d.findings = []doctor.Finding{{ID: "port-taken", Kind: "port-taken"}}
	d.mode, d.cursor = doctorList, 0
	if got := d.logsReason(); !strings.Contains(got, "about the project") {
		t.Errorf("project finding: reason %q", got)
	}
	d.findings = nil
	if got := d.logsReason(); got != "no finding selected" {
		t.Errorf("no findings: reason %q", got)
	}
}

// gatedLogs holds trainer's history back until released, as a slow
// engine would; other containers stream nothing until cancelled.
type gatedLogs struct {
	release chan struct{}
	lines   []stack.LogLine
}

func (g *gatedLogs) Logs(ctx context.Context, id string, _ stack.LogOptions, fn func(stack.LogLine) error) error {
	if id != "trainer-1" {
		<-ctx.Done()
		return ctx.Err()
	}
	select {
	case <-g.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	for _, l := range g.lines {
		if err := fn(l); err != nil {
			return err
		}
	}
	return nil // an exited container's history ends the stream
}

// A service that was never streamed: the jump attaches, says it is
// loading, and places the page once the history is in: when lines after
// the death arrive (it was restarted), or when the stream of a container
// that stayed dead ends.
func TestDoctorLWaitsForTheHistory(t *testing.T) {
	for _, c := range []struct {
		name  string
		lines []stack.LogLine
		// row is where the death line goes: a third from the bottom, or
		// the last row when it was the last line.
		row func(rows int) int
	}{
		{"restarted", trainerLines(), deathRow},
		{"stayed dead", trainerLines()[:30], func(rows int) int { return rows - 1 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := &gatedLogs{release: make(chan struct{}), lines: c.lines}
			m := doctorFocused(t, g, "api")
			m = selectService(m, "trainer")
			m = asModel(m.Update(m.doctor.logsAtDeath()()))
			lp := m.logs
			if !lp.death.pending || !strings.Contains(plainScreen(m), "loading trainer's logs…") || !strings.Contains(plainScreen(m), "loading…") {
				t.Fatalf("before the history: pending %v\n%s", lp.death.pending, plainScreen(m))
			}
			close(g.release)
			rows := lp.view().Rows
			eventually(t, "the page placed at the death", func() bool {
				m = asModel(m.Update(logsChangedMsg{}))
				return !lp.death.pending && rowOf(lp, "exiting") == c.row(rows)
			})
			if lp.pos.Follow || !strings.Contains(plainScreen(m), "2 evidence lines marked") || strings.Contains(plainScreen(m), "loading") {
				t.Errorf("after the history: follow %v\n%s", lp.pos.Follow, plainScreen(m))
			}
		})
	}
}

// Without a time of death (a container that never exited), the newest
// evidence line stands for it.
func TestLogsJumpWithoutATimeOfDeath(t *testing.T) {
	m := newTestLogs(t, LogsOptions{})
	m.SetService("trainer")
	for _, l := range trainerLines() {
		m.store.Append(m.store.Source("trainer", 1, 0), l.Time, logbuf.StreamStdout, l.Text)
	}
	m.jumpTo(time.Time{}, []string{"MemoryError: cannot allocate 8M", "step 05"})
	rows := m.view().Rows
	if m.pos.Follow || m.death.pending || m.current != 28 || rowOf(m, "MemoryError") != deathRow(rows) {
		t.Errorf("follow %v, pending %v, current %d, MemoryError on row %d (want 28 on %d):\n%s",
			m.pos.Follow, m.death.pending, m.current, rowOf(m, "MemoryError"), deathRow(rows), logsPlain(m))
	}
	if !strings.Contains(logsPlain(m), "trainer's logs at its death (its last evidence line)") {
		t.Errorf("status:\n%s", logsPlain(m))
	}
}
