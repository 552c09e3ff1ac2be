package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/internal/textsafe"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

func newTestServices(t *testing.T, w int) *servicesPane {
	t.Helper()
	keys := defaultKeys()
	p := newServicesPane(themes.Build(themes.Default(), true, false), &keys)
	p.setSnapshot(statsStack())
	p.setUsage(statsUsage(5))
	p.SetSize(w, 20)
	return p
}

// serviceRow is the plain text of the named service's row.
func serviceRow(t *testing.T, p *servicesPane, name string) string {
	t.Helper()
	for _, l := range strings.Split(ansi.Strip(p.View()), "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[1] == name {
			return l
		}
	}
	t.Fatalf("no row for %s in:\n%s", name, ansi.Strip(p.View()))
	return ""
}

func TestServiceRowUsageColumns(t *testing.T) {
	p := newTestServices(t, 60)
	p.move(-100) // off the trainer, so its row keeps its styles
	trainer := serviceRow(t, p, "trainer")
	if !strings.Contains(trainer, "running        98% 62M/64M   GPU 512M") {
		t.Errorf("trainer row: %q", trainer)
	}
	// Three replicas: CPU and memory summed.
	if api := serviceRow(t, p, "api"); !strings.Contains(api, "running 3/3     6% 120M      ") {
		t.Errorf("api row: %q", api)
	}
	// Not running: no columns, the exit code follows the state.
	if db := serviceRow(t, p, "db"); !strings.Contains(db, "exited       exit 137 OOM") {
		t.Errorf("db row: %q", db)
	}
	if cache := serviceRow(t, p, "cache"); strings.Contains(cache, "%") {
		t.Errorf("cache row has figures: %q", cache)
	}
}

func TestServiceRowMemoryNearLimit(t *testing.T) {
	for _, c := range []struct {
		used  uint64
		style func(themes.Styles) string
	}{
		{62 * statsMiB, func(st themes.Styles) string { return st.Bad.Render("62M/64M") }},
		{52 * statsMiB, func(st themes.Styles) string { return st.Warn.Render("52M/64M") }},
	} {
		p := newTestServices(t, 90)
		p.move(-100)
		u := statsUsage(5)
		u.Containers[0].Latest.MemUsed = c.used
		p.setUsage(u)
		if want := c.style(p.st); !strings.Contains(p.View(), want) {
			t.Errorf("memory %s of 64M: %q not in the trainer's row:\n%q", byteSize(c.used, sizeShort), want, p.View())
		}
	}
	// Far from the limit: no warning colour.
	p := newTestServices(t, 90)
	u := statsUsage(5)
	u.Containers[0].Latest.MemUsed = 10 * statsMiB
	p.setUsage(u)
	if v := p.View(); strings.Contains(v, p.st.Warn.Render("10M/64M")) || strings.Contains(v, p.st.Bad.Render("10M/64M")) {
		t.Error("10M of 64M is styled as a warning")
	}
}

func TestServiceRowColumnsFitTheWidth(t *testing.T) {
	snap := statsStack()
	// A name longer than the name column is cut, so it pushes nothing out
	// of line.
	snap.Services[1].Service.Name = "trainer-with-a-very-long-name"
	u := statsUsage(5)
	u.Containers[0].Service = snap.Services[1].Service.Name
	for _, w := range []int{30, 40, 50, 60, 64, 100} {
		keys := defaultKeys()
		p := newServicesPane(themes.Build(themes.Default(), true, true), &keys)
		p.setSnapshot(snap)
		p.setUsage(u)
		p.SetSize(w, 20)
		for i, l := range strings.Split(p.View(), "\n") {
			if lw := ansi.StringWidth(l); lw > w {
				t.Errorf("width %d: row %d is %d wide: %q", w, i, lw, ansi.Strip(l))
			}
		}
		cpu, mem := p.usageColumnsFor(&snap.Services[1])
		// Cut to the column, which narrows with the pane: 24 cells at
		// most, and what leaves the state column room on a narrow one.
		cut := ansi.Truncate("trainer-with-a-very-long-name", min(24, w-18), "…")
		row := serviceRow(t, p, cut)
		col := func(r string) int { return ansi.StringWidth(r[:strings.Index(r, "running")]) }
		if api := serviceRow(t, p, "api"); col(api) != col(row) {
			t.Errorf("width %d: the state columns are not aligned:\n%q\n%q", w, api, row)
		}
		// A column is either whole or absent, never cut.
		if mem != strings.Contains(row, "62M/64M") || (!mem && strings.Contains(row, "62M")) {
			t.Errorf("width %d: mem column %v in %q", w, mem, row)
		}
		if cpu != strings.Contains(row, "98%") {
			t.Errorf("width %d: cpu column %v in %q", w, cpu, row)
		}
		if (w == 100 && !(cpu && mem)) || (w <= 50 && mem) {
			t.Errorf("width %d: columns cpu %v, mem %v", w, cpu, mem)
		}
	}
}

func TestServiceRowBlankWhileNotMeasured(t *testing.T) {
	p := newTestServices(t, 90)
	u := statsUsage(0)
	u.Containers[0].Latest = resources.Sample{}
	p.setUsage(u)
	row := serviceRow(t, p, "trainer")
	if strings.Contains(row, "%") || !strings.Contains(row, "running"+strings.Repeat(" ", 6+cpuColWidth+1+memColWidth+1)+"GPU") {
		t.Errorf("unmeasured trainer: %q", row)
	}
	// Without any usage (no sampler) the rows are as before.
	p.setUsage(resources.Snapshot{})
	if row := serviceRow(t, p, "trainer"); !strings.Contains(row, "running      GPU") {
		t.Errorf("no usage: %q", row)
	}
}

// An OOM kill the sampler saw in the trainer's memory cgroup badges its
// row at once, before the doctor has diagnosed anything, and asks the
// doctor for a diagnosis; the same count again asks nothing.
func TestServiceRowOOMSeenBadge(t *testing.T) {
	p := newTestServices(t, 90)
	p.move(-100)
	if row := serviceRow(t, p, "trainer"); strings.Contains(row, "OOM") {
		t.Fatalf("badge before any OOM: %q", row)
	}
	u := statsUsage(5)
	u.Containers[0].OOM = resources.OOMKill{Kills: 1, At: statsT0, Watch: "eventfd"}
	p.setUsage(u)
	if row := serviceRow(t, p, "trainer"); !strings.Contains(row, " OOM ") {
		t.Errorf("no OOM badge from the sampler: %q", row)
	}
	p.setBadges(map[string]string{"trainer": "DOCTOR"})
	if row := serviceRow(t, p, "trainer"); strings.Contains(row, " OOM ") || !strings.Contains(row, "DOCTOR") {
		t.Errorf("the doctor's badge must replace it: %q", row)
	}

	d := newDiagnoser(t.Context(), nil)
	d.snap = statsStack()
	if cmd := d.setUsage(u); !d.stale {
		t.Errorf("a new OOM kill did not ask for a diagnosis (cmd %v)", cmd != nil)
	}
	d.stale = false
	if d.setUsage(u); d.stale {
		t.Error("the same OOM count asked again")
	}
}

// A bidi override in a service's name is escaped before the name column's
// width is taken, so the row keeps its columns where the others have them
// (escaped only at the frame, the row came out wider than the column) and
// nothing of the override reaches the terminal.
func TestServiceRowEscapesBidiNameBeforeWidth(t *testing.T) {
	keys := defaultKeys()
	p := newServicesPane(themes.Build(themes.Default(), true, false), &keys)
	p.setSnapshot(stack.Snapshot{
		Project: &stack.Project{Name: "p"},
		Engine:  stack.EngineStatus{Reachable: true},
		Services: []stack.ServiceState{
			{Service: stack.Service{Name: "plain-name-x", Enabled: true}, State: stack.StateExited},
			{Service: stack.Service{Name: "evil\u202Etxt", Enabled: true}, State: stack.StateExited},
		},
	})
	p.SetSize(60, 10)
	p.move(100) // off the first row, which is compared styled as the other
	view := textsafe.Frame(p.View())
	if strings.ContainsRune(view, '\u202E') {
		t.Fatalf("the override reached the frame: %q", view)
	}
	col := map[string]int{}
	for _, l := range strings.Split(ansi.Strip(view), "\n") {
		for _, name := range []string{"plain-name-x", "evil<U+202E>txt"} {
			if strings.Contains(l, name) {
				col[name] = ansi.StringWidth(l[:strings.Index(l, "exited")])
			}
		}
	}
	if len(col) != 2 || col["plain-name-x"] != col["evil<U+202E>txt"] {
		t.Errorf("state column at %v, want the same cell in both rows:\n%s", col, ansi.Strip(view))
	}
}

// The sampler's OOM kill badges the row when it falls in the container's
// current run: after its start, or up to oomStartSkew before it (Podman
// records the start after the process runs; the kernel killed one that
// allocated at once 89 ms before its StartedAt), not an earlier run's.
func TestServiceRowOOMSeenInThisRun(t *testing.T) {
	start := statsT0.Add(time.Minute)
	for _, tc := range []struct {
		name     string
		started  time.Time
		finished time.Time // the earlier run's end, for a restarted container
		at       time.Time
		want     bool
	}{
		{"after the start", start, time.Time{}, start.Add(50 * time.Millisecond), true},
		{"before Podman's StartedAt", start, time.Time{}, start.Add(-89 * time.Millisecond), true},
		{"an earlier run's", start, time.Time{}, start.Add(-2 * time.Second), false},
		{"start not known yet", time.Time{}, time.Time{}, start, true},
		// Docker restarts an OOM-killed container ~100 ms after it exits:
		// that kill ended the earlier run, which ended before this start.
		{"the run before a quick restart", start, start.Add(-100 * time.Millisecond), start.Add(-150 * time.Millisecond), false},
		{"this run, after a restart", start, start.Add(-100 * time.Millisecond), start.Add(20 * time.Millisecond), true},
		{"the run before, reported late", start, start.Add(-100 * time.Millisecond), start.Add(-60 * time.Millisecond), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newTestServices(t, 90)
			p.move(-100)
			snap := statsStack()
			snap.Services[1].Containers[0].StartedAt = tc.started
			snap.Services[1].Containers[0].FinishedAt = tc.finished
			p.setSnapshot(snap)
			u := statsUsage(5)
			for i := range u.Containers {
				if u.Containers[i].ID == "t1" {
					u.Containers[i].OOM = resources.OOMKill{Kills: 1, At: tc.at, KernelLog: true}
				}
			}
			p.setUsage(u)
			if row := serviceRow(t, p, "trainer"); strings.Contains(row, " OOM ") != tc.want {
				t.Errorf("badge %v, want %v: %q", !tc.want, tc.want, row)
			}
		})
	}
}
