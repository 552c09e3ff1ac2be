package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// fakeDoctor is a scripted Doctor: it returns the findings it holds and
// records every call.
type fakeDoctor struct {
	mu        sync.Mutex
	findings  []doctor.Finding
	diagnoses int
	errs      []error // the composeErr of each diagnosis
	applied   []string
	undos     int
	project   *stack.Project // returned by Apply and Undo
	applyErr  error
}

func (f *fakeDoctor) Diagnose(_ context.Context, snap stack.Snapshot, composeErr error) ([]doctor.Finding, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.diagnoses++
	f.errs = append(f.errs, composeErr)
	return slices.Clone(f.findings), nil
}

func (f *fakeDoctor) Apply(_ context.Context, p *stack.Project, fd doctor.Finding, fix doctor.Fix, onLine func(string)) (*stack.Project, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.applied = append(f.applied, fd.ID+" "+fix.ID)
	onLine("Recreating " + p.Name + "_" + fix.Action.Service + "_1 ... done")
	return f.project, "did " + fix.ID, f.applyErr
}

func (f *fakeDoctor) Undo(_ context.Context, p *stack.Project) (*stack.Project, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.undos++
	return f.project, "undone: raise hog's memory limit", nil
}

func (f *fakeDoctor) calls() (diagnoses int, applied []string, undos int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.diagnoses, slices.Clone(f.applied), f.undos
}

// docFindings are three findings as the doctor would return them, most
// severe first.
func docFindings() []doctor.Finding {
	return []doctor.Finding{
		{
			ID: "trainer/oom", Service: "trainer", Kind: doctor.KindOOM, Severity: doctor.SeverityHigh,
			Summary: "trainer was killed for memory at its 32MiB limit (peak 32MiB)",
			Evidence: []string{
				"container demo_trainer_1: state exited, exit code 137, OOMKilled true",
				"event: oom at 10:00:01",
				// Container output: a title change and a screen clear must not reach the terminal.
				"log: \x1b]0;pwned\x07allocating 8M\x1b[2J more",
			},
			Explanation: "The kernel's OOM killer stopped the container because it used all the memory it may use.",
			Fixes: []doctor.Fix{
				{ID: "raise-memory", Title: "raise trainer's memory limit to 64MiB, then recreate it",
					Diff:   "--- compose.yaml\n+++ compose.yaml\n@@ -3,3 +3,3 @@\n   trainer:\n-    mem_limit: 32m\n+    mem_limit: 64m\n",
					Action: doctor.Action{Kind: doctor.ActSetMemLimit, Service: "trainer", Bytes: 64 << 20, Then: doctor.ThenRecreate}},
				{ID: "profile-off", Title: "turn profile gpu off",
					Action: doctor.Action{Kind: doctor.ActProfileOff, Service: "trainer", Profiles: []string{"gpu"}}},
			},
		},
		{
			ID: "api/crash-loop", Service: "api", Kind: doctor.KindCrashLoop, Severity: doctor.SeverityMedium,
			Summary:  "api keeps exiting with code 2 (restarted 4 times)",
			Evidence: []string{"container demo_api_1: state restarting, exit code 2, restarted 4 times"},
			Fixes: []doctor.Fix{{ID: "restart", Title: "restart api (at most 3 automatic restarts an hour, with backoff)",
				Action: doctor.Action{Kind: doctor.ActRestart, Service: "api"}, Auto: true}},
		},
		{
			ID: "db/error-exit", Service: "db", Kind: doctor.KindErrorExit, Severity: doctor.SeverityMedium,
			Summary:  "db exited with code 3: FATAL: data directory has wrong ownership",
			Evidence: []string{"container demo_db_1: state exited, exit code 3", "error: FATAL: data directory has wrong ownership"},
			Fixes: []doctor.Fix{{ID: "restart", Title: "restart db (never automatic: its image holds data, so stackui asks)",
				Action: doctor.Action{Kind: doctor.ActRestart, Service: "db"}}},
		},
	}
}

var docProject = &stack.Project{Name: "demo"}

func docSnapshot() stack.Snapshot {
	ctr := func(svc, state string, exit, restarts int) stack.Container {
		return stack.Container{ID: svc + "-1", Service: svc, Number: 1, State: state, ExitCode: exit, RestartCount: restarts}
	}
	return stack.Snapshot{
		Project: docProject,
		Engine:  stack.EngineStatus{Reachable: true},
		Services: []stack.ServiceState{
			{Service: stack.Service{Name: "api"}, Containers: []stack.Container{ctr("api", stack.StateRestarting, 2, 4)}, State: stack.StateRestarting},
			{Service: stack.Service{Name: "db", Image: "postgres:16"}, Containers: []stack.Container{ctr("db", stack.StateExited, 3, 0)}, State: stack.StateExited, ExitCode: 3},
			{Service: stack.Service{Name: "trainer"}, Containers: []stack.Container{ctr("trainer", stack.StateExited, 137, 0)}, State: stack.StateExited, ExitCode: 137},
		},
	}
}

// newTestDoctor makes an 80×24 doctor pane, monochrome, over a fake
// doctor, with the scheduled restarts recorded instead of waited for.
func newTestDoctor(t *testing.T, fd Doctor) (*doctorPane, *[]time.Duration) {
	t.Helper()
	keys := defaultKeys()
	m := newDoctorPane(context.Background(), fd, themes.Build(themes.Default(), true, true), &keys)
	m.SetSize(80, 24)
	m.fixes.now = func() time.Time { return time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC) }
	var waits []time.Duration
	m.fixes.after = func(d time.Duration, msg tea.Msg) tea.Cmd {
		waits = append(waits, d)
		return func() tea.Msg { return msg }
	}
	return m, &waits
}

// docPump runs commands and feeds the pane's messages back, as the root
// would, until none is left. It returns the status notes sent.
func docPump(t *testing.T, m *doctorPane, cmd tea.Cmd, see ...func(tea.Msg)) []statusMsg {
	t.Helper()
	var notes []statusMsg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		next := queue[0]
		queue = queue[1:]
		if next == nil {
			continue
		}
		got := make(chan tea.Msg, 1)
		go func() { got <- next() }()
		var msg tea.Msg
		select {
		case msg = <-got:
		case <-time.After(10 * time.Second):
			t.Fatal("a command blocked for 10s")
		}
		for _, f := range see {
			f(msg)
		}
		switch msg := msg.(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case statusMsg:
			notes = append(notes, msg)
		case doctorMsg:
			queue = append(queue, m.Update(msg))
		}
	}
	return notes
}

func docKey(s string) tea.KeyPressMsg { return actKey(s) }

// diagnosedPane is a pane that has received docFindings.
func diagnosedPane(t *testing.T) (*doctorPane, *fakeDoctor, *[]time.Duration) {
	t.Helper()
	fd := &fakeDoctor{findings: docFindings()}
	m, waits := newTestDoctor(t, fd)
	docPump(t, m, m.SetSnapshot(docSnapshot()))
	if n, _, _ := fd.calls(); n != 1 || len(m.Findings()) != 3 {
		t.Fatalf("%d diagnoses, %d findings; want 1 and 3", n, len(m.Findings()))
	}
	return m, fd, waits
}

func plainView(m *doctorPane) string { return ansi.Strip(m.View()) }

func TestDoctorListPutsTheSelectedServiceFirst(t *testing.T) {
	m, _, _ := diagnosedPane(t)
	view := plainView(m)
	for _, want := range []string{"3 findings", "✖ trainer oom ", "▲ api     crash-loop ", "▲ db      error-exit "} {
		if !strings.Contains(view, want) {
			t.Errorf("list lacks %q:\n%s", want, view)
		}
	}
	m.SetService("db")
	if ids := findingIDs(m.Findings()); !slices.Equal(ids, []string{"db/error-exit", "trainer/oom", "api/crash-loop"}) {
		t.Errorf("order %v; want db's finding first, then the doctor's order", ids)
	}
	if m.highlighted() != "db/error-exit" {
		t.Errorf("cursor on %q; want db's finding", m.highlighted())
	}
	if !strings.Contains(plainView(m), "1 for db") {
		t.Errorf("the head does not count db's findings:\n%s", plainView(m))
	}
	m.Update(docKey("j"))
	if m.highlighted() != "trainer/oom" {
		t.Errorf("j moved to %q", m.highlighted())
	}
	if f, ok := m.For("trainer"); !ok || f.Kind != doctor.KindOOM {
		t.Errorf("For(trainer) = %v, %v", f.ID, ok)
	}
	if _, ok := m.For("web"); ok {
		t.Error("For(web) found a finding for a service without one")
	}
}

func findingIDs(fs []doctor.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}

func TestDoctorRediagnosesOnlyOnRelevantChange(t *testing.T) {
	m, fd, _ := diagnosedPane(t)
	irrelevant := docSnapshot()
	irrelevant.Engine.Connecting = true
	irrelevant.Services[0].Containers[0].Pid = 42
	irrelevant.Services[0].Containers[0].Name = "renamed"
	irrelevant.Services[0].Running = 1
	if cmd := m.SetSnapshot(irrelevant); cmd != nil {
		t.Error("an irrelevant change asked for a diagnosis")
	}
	cases := map[string]func(*stack.Snapshot){
		"exit code": func(s *stack.Snapshot) { s.Services[2].Containers[0].ExitCode = 1 },
		"oom":       func(s *stack.Snapshot) { s.Services[2].Containers[0].OOMKilled = true },
		"restarts":  func(s *stack.Snapshot) { s.Services[0].Containers[0].RestartCount = 5 },
		"health":    func(s *stack.Snapshot) { s.Services[0].Containers[0].Health = "unhealthy" },
		"state":     func(s *stack.Snapshot) { s.Services[0].Containers[0].State = stack.StateRunning },
		"new container": func(s *stack.Snapshot) {
			s.Services[1].Containers = append(s.Services[1].Containers, stack.Container{ID: "db-2", State: stack.StateRunning})
		},
		"engine back": func(s *stack.Snapshot) { s.Engine.Reachable = false },
		"project":     func(s *stack.Snapshot) { s.Project = &stack.Project{Name: "demo"} },
	}
	for name, change := range cases {
		snap := docSnapshot()
		change(&snap)
		docPump(t, m, m.SetSnapshot(irrelevant)) // back to the baseline
		n0, _, _ := fd.calls()
		cmd := m.SetSnapshot(snap)
		if cmd == nil {
			t.Errorf("%s: no diagnosis asked for", name)
			continue
		}
		docPump(t, m, cmd)
		if n, _, _ := fd.calls(); n != n0+1 {
			t.Errorf("%s: %d diagnoses, want %d", name, n, n0+1)
		}
	}

	// Changes while a diagnosis runs: at most one in flight, and one more
	// after it for all the changes that came meanwhile.
	docPump(t, m, m.SetSnapshot(irrelevant))
	n0, _, _ := fd.calls()
	kick := m.SetSnapshot(withExit(docSnapshot(), "trainer", 1))
	diag := m.Update(kick())
	if !m.diag.running || diag == nil {
		t.Fatal("the kick did not start a diagnosis")
	}
	if cmd := m.SetSnapshot(withExit(docSnapshot(), "trainer", 2)); cmd != nil {
		t.Error("a second diagnosis was asked for while one runs")
	}
	m.SetSnapshot(withExit(docSnapshot(), "trainer", 3))
	if cmd := m.SetComposeError(errors.New("compose failed")); cmd != nil {
		t.Error("a compose error started a diagnosis while one runs")
	}
	docPump(t, m, diag)
	if n, _, _ := fd.calls(); n != n0+2 {
		t.Errorf("%d diagnoses for changes during one; want exactly one more (%d)", n-n0, 2)
	}
	if m.diag.running || m.diag.stale {
		t.Errorf("running %v, stale %v after all ran", m.diag.running, m.diag.stale)
	}

	// The same compose error again is no news; a new one and a cleared one are.
	err := errors.New("up failed")
	if cmd := m.SetComposeError(err); cmd == nil {
		t.Error("a new compose error asked for no diagnosis")
	} else {
		docPump(t, m, cmd)
	}
	if cmd := m.SetComposeError(err); cmd != nil {
		t.Error("the same compose error asked for a diagnosis")
	}
	if cmd := m.SetComposeError(nil); cmd == nil {
		t.Error("a cleared compose error asked for no diagnosis")
	}
	fd.mu.Lock()
	last := fd.errs[len(fd.errs)-1]
	fd.mu.Unlock()
	if last != err {
		t.Errorf("the diagnosis got compose error %v, want %v", last, err)
	}
}

// A dropped kick (the root's New cannot run commands) leaves nothing
// stuck: Init starts the diagnosis.
func TestDoctorInitStartsADroppedDiagnosis(t *testing.T) {
	fd := &fakeDoctor{findings: docFindings()}
	m, _ := newTestDoctor(t, fd)
	_ = m.SetSnapshot(docSnapshot())
	if !strings.Contains(plainView(m), "diagnosing…") {
		t.Errorf("before the first result:\n%s", plainView(m))
	}
	docPump(t, m, m.Init())
	if n, _, _ := fd.calls(); n != 1 || len(m.Findings()) != 3 {
		t.Errorf("%d diagnoses, %d findings", n, len(m.Findings()))
	}
}

func TestFindingBadge(t *testing.T) {
	st := themes.Build(themes.Default(), true, true)
	cases := map[string]doctor.Finding{
		" OOM ":       {Kind: doctor.KindOOM},
		" ARCH ":      {Kind: doctor.KindArchMismatch},
		" PORT ":      {Kind: doctor.KindPortConflict},
		" GPU ":       {Kind: doctor.KindGPUUnavailable},
		" LOOP ":      {Kind: doctor.KindCrashLoop},
		" UNHEALTHY ": {Kind: doctor.KindUnhealthy},
		" EXIT 2 ":    {Kind: doctor.KindErrorExit, Evidence: []string{"container x: state exited, exit code 2"}},
		" EXIT ":      {Kind: doctor.KindErrorExit},
		" KILLED ":    {Kind: doctor.KindSigkill},
		" KILLED? ":   {Kind: doctor.KindKilled},
	}
	for want, f := range cases {
		if got := ansi.Strip(findingBadge(st, f)); got != want {
			t.Errorf("%s: badge %q, want %q", f.Kind, got, want)
		}
	}
}

// Every mode renders within the pane's size, down to a small pane.
func TestDoctorViewFitsItsSize(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {40, 8}, {30, 3}} {
		m, _, _ := diagnosedPane(t)
		m.SetSize(size[0], size[1])
		check := func(what string) {
			lines := strings.Split(m.View(), "\n")
			if len(lines) > size[1] {
				t.Errorf("%dx%d %s: %d lines", size[0], size[1], what, len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%dx%d %s: line of %d cells: %q", size[0], size[1], what, w, ansi.Strip(l))
				}
			}
		}
		check("list")
		m.Update(docKey("enter"))
		for range 5 {
			m.Update(tea.KeyPressMsg{Code: tea.KeyPgDown})
		}
		check("diagnosis")
		m.Update(docKey("f"))
		check("preview")
		m.Update(docKey("n"))
		m.Update(docKey("u"))
		check("undo question")
		if !strings.Contains(ansi.Strip(m.View()), "Undo") {
			t.Errorf("%dx%d: the question does not show:\n%s", size[0], size[1], plainView(m))
		}
	}
}

func TestDoctorGoldens(t *testing.T) {
	m, _, _ := diagnosedPane(t)
	m.SetService("api")
	docGolden(t, "list", m)
	m.Update(docKey("j"))
	m.Update(docKey("enter"))
	docGolden(t, "diagnosis", m)
	m.Update(docKey("f"))
	docGolden(t, "preview", m)
}

func docGolden(t *testing.T, name string, m *doctorPane) {
	t.Helper()
	lines := strings.Split(plainView(m), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	golden(t, "doctor", name, strings.Join(lines, "\n")+"\n")
}

func BenchmarkDoctorDiagnosisView(b *testing.B) {
	keys := defaultKeys()
	m := newDoctorPane(context.Background(), &fakeDoctor{}, themes.Build(themes.Default(), true, false), &keys)
	m.SetSize(100, 40)
	m.SetSnapshot(docSnapshot())
	m.findings = docFindings()
	m.Update(docKey("enter"))
	b.ReportAllocs()
	for b.Loop() {
		_ = m.View()
	}
}

// uncomparableErr is an error type == would panic on.
type uncomparableErr struct{ lines []string }

func (e uncomparableErr) Error() string { return strings.Join(e.lines, "; ") }

func TestDoctorComposeErrorOfAnUncomparableType(t *testing.T) {
	m, fd, _ := diagnosedPane(t)
	first := m.SetComposeError(uncomparableErr{lines: []string{"a"}})
	// Must not panic; a second error before the first kick ran shares
	// its diagnosis.
	second := m.SetComposeError(uncomparableErr{lines: []string{"b"}})
	if first == nil {
		t.Fatal("a new compose error asked for no diagnosis")
	}
	docPump(t, m, tea.Batch(first, second))
	if n, _, _ := fd.calls(); n != 2 {
		t.Errorf("%d diagnoses; want one more for both errors", n)
	}
}

func TestDoctorOpenForAService(t *testing.T) {
	m, _, _ := diagnosedPane(t)
	if m.OpenFor("web") || m.mode != doctorList {
		t.Error("OpenFor opened something for a service without a finding")
	}
	if !m.OpenFor("db") || m.mode != doctorDetail || m.open.ID != "db/error-exit" {
		t.Errorf("OpenFor(db): mode %d, open %q", m.mode, m.open.ID)
	}
	m.Update(docKey("esc"))
	if m.mode != doctorList || m.highlighted() != "db/error-exit" {
		t.Errorf("esc: mode %d, cursor on %q", m.mode, m.highlighted())
	}
}
