package ui

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
)

// The doctor pane's fixes: preview and apply, undo, failures, automatic
// restarts (fixRunner).

func TestDoctorOpenPreviewApply(t *testing.T) {
	m, fd, _ := diagnosedPane(t)
	newProject := &stack.Project{Name: "demo"}
	fd.project = newProject
	m.Update(docKey("enter"))
	if m.mode != doctorDetail || m.open.ID != "trainer/oom" {
		t.Fatalf("enter: mode %d, open %q", m.mode, m.open.ID)
	}
	view := plainView(m)
	for _, want := range []string{"trainer · oom · high", "at its 32MiB limit", "│ event: oom", "allocating 8M more",
		"OOM killer", "› raise-memory", "profile-off"} {
		if !strings.Contains(view, want) {
			t.Errorf("diagnosis lacks %q:\n%s", want, view)
		}
	}
	if strings.ContainsAny(m.View(), "\x07") || strings.Contains(m.View(), "\x1b]") || strings.Contains(m.View(), "\x1b[2J") {
		t.Errorf("container output reached the terminal unsanitised: %q", m.View())
	}
	m.Update(docKey("j"))
	if m.fix != 1 {
		t.Fatalf("j: fix %d, want 1", m.fix)
	}
	m.Update(docKey("k"))
	m.Update(docKey("f"))
	if m.mode != doctorPreview || !m.Capturing() {
		t.Fatalf("f: mode %d, capturing %v", m.mode, m.Capturing())
	}
	view = plainView(m)
	for _, want := range []string{"fix raise-memory · trainer/oom", "-    mem_limit: 32m", "+    mem_limit: 64m",
		"Then: recreate trainer", "Apply this fix? y yes  n no (default)"} {
		if !strings.Contains(view, want) {
			t.Errorf("preview lacks %q:\n%s", want, view)
		}
	}
	// n is the default answer: nothing runs.
	if cmd := m.Update(docKey("n")); cmd != nil || m.mode != doctorDetail {
		t.Fatalf("n: mode %d, cmd %v", m.mode, cmd)
	}
	m.Update(docKey("f"))
	m.Update(docKey("enter"))
	if _, applied, _ := fd.calls(); len(applied) != 0 || m.mode != doctorDetail {
		t.Fatalf("enter applied %v (mode %d); it must cancel", applied, m.mode)
	}
	m.Update(docKey("f"))
	cmd := m.Update(docKey("y"))
	if m.fixes.busy("trainer") == "" {
		t.Error("no fix marked as running after y")
	}
	var applied doctorAppliedMsg
	notes := docPump(t, m, cmd, func(msg tea.Msg) {
		if a, ok := msg.(doctorAppliedMsg); ok {
			applied = a
		}
	})
	if _, got, _ := fd.calls(); !slices.Equal(got, []string{"trainer/oom raise-memory"}) {
		t.Errorf("applied %v", got)
	}
	if applied.project != newProject {
		t.Error("the applied message does not carry the reloaded project for the root")
	}
	if len(notes) < 2 || !strings.Contains(notes[0].text, "applying raise-memory") || !strings.Contains(notes[len(notes)-1].text, "did raise-memory") {
		t.Errorf("status notes %+v", notes)
	}
	if n, _, _ := fd.calls(); n != 2 {
		t.Errorf("%d diagnoses; a fix must diagnose again once", n)
	}
	if m.fixes.busy("trainer") != "" || !strings.Contains(plainView(m), "✓ did raise-memory") {
		t.Errorf("after the fix: busy %q\n%s", m.fixes.busy("trainer"), plainView(m))
	}
}

func TestDoctorUndoAsksFirst(t *testing.T) {
	m, fd, _ := diagnosedPane(t)
	m.Update(docKey("u"))
	if m.mode != doctorAskUndo || !m.Capturing() {
		t.Fatalf("u: mode %d", m.mode)
	}
	if !strings.Contains(plainView(m), "Undo the last fix's file edit") {
		t.Errorf("no question:\n%s", plainView(m))
	}
	if cmd := m.Update(docKey("n")); cmd != nil {
		t.Error("n returned a command")
	}
	if _, _, undos := fd.calls(); undos != 0 || m.mode != doctorList {
		t.Fatalf("n: %d undos, mode %d", undos, m.mode)
	}
	// From the diagnosis, the question returns to it.
	m.Update(docKey("enter"))
	m.Update(docKey("u"))
	if !strings.Contains(plainView(m), "trainer · oom") {
		t.Errorf("the question hides the diagnosis it was asked from:\n%s", plainView(m))
	}
	fd.project = &stack.Project{Name: "demo"}
	var got doctorAppliedMsg
	notes := docPump(t, m, m.Update(docKey("y")), func(msg tea.Msg) {
		if a, ok := msg.(doctorAppliedMsg); ok {
			got = a
		}
	})
	if _, _, undos := fd.calls(); undos != 1 {
		t.Fatalf("%d undos after y", undos)
	}
	if got.project != fd.project || m.mode != doctorDetail {
		t.Errorf("undo result: project %p, mode %d", got.project, m.mode)
	}
	if last := notes[len(notes)-1]; last.err || !strings.Contains(last.text, "undone: raise hog's memory limit") {
		t.Errorf("last note %+v", last)
	}
}

func TestDoctorApplyFailureIsShown(t *testing.T) {
	m, fd, _ := diagnosedPane(t)
	fd.applyErr = &stack.ComposeError{Command: []string{"docker-compose", "up"}, ExitCode: 1,
		Output: []string{"ERROR: for trainer  Cannot start service trainer: port is already allocated"}, Err: errors.New("exit status 1")}
	m.Update(docKey("f"))
	notes := docPump(t, m, m.Update(docKey("y")))
	last := notes[len(notes)-1]
	if !last.err || !strings.Contains(last.text, "port is already allocated") {
		t.Errorf("last note %+v", last)
	}
	// The failed compose call is evidence for the next diagnosis.
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if len(fd.errs) != 2 || fd.errs[1] == nil {
		t.Errorf("diagnoses' compose errors %v; the second must carry the failure", fd.errs)
	}
}

// A restart that may be automatic is scheduled with the budget's backoff
// and repeated while the service keeps failing, three times an hour at
// most; a data service's restart is asked for and runs once.
func TestDoctorAutomaticRestarts(t *testing.T) {
	m, fd, waits := diagnosedPane(t)
	m.SetService("api")
	m.Update(docKey("f"))
	view := plainView(m)
	if !strings.Contains(view, "No file changes") || !strings.Contains(view, "at most 3 times in an hour") {
		t.Errorf("the restart preview does not say what it does:\n%s", view)
	}
	notes := docPump(t, m, m.Update(docKey("y")))
	if !strings.Contains(notes[0].text, "restarting api in 5s (2 automatic restarts left this hour)") {
		t.Errorf("first note %+v", notes[0])
	}
	// Each restart diagnoses again; api still fails, so it is restarted
	// again, with a longer backoff, until the budget is spent.
	if _, applied, _ := fd.calls(); len(applied) != 3 || slices.ContainsFunc(applied, func(s string) bool { return s != "api/crash-loop restart" }) {
		t.Errorf("applied %v; want three restarts of api", applied)
	}
	if !slices.Equal(*waits, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second}) {
		t.Errorf("waits %v", *waits)
	}
	if !slices.ContainsFunc(notes, func(n statusMsg) bool { return n.err && strings.Contains(n.text, "api: no automatic restart left") }) {
		t.Errorf("no note says the budget is spent: %+v", notes)
	}
	if m.fixes.auto["api"] || m.fixes.pending["api"] {
		t.Errorf("api still restarts by itself: auto %v, pending %v", m.fixes.auto["api"], m.fixes.pending["api"])
	}

	// db's image holds data: y restarts it once, now, and never again by
	// itself.
	m.Update(docKey("esc"))
	m.SetService("db")
	m.Update(docKey("f"))
	if !strings.Contains(plainView(m), "never restarts it by itself") {
		t.Errorf("the data service's preview:\n%s", plainView(m))
	}
	before := len(*waits)
	docPump(t, m, m.Update(docKey("y")))
	docPump(t, m, m.SetSnapshot(withExit(docSnapshot(), "db", 4)))
	if _, applied, _ := fd.calls(); len(applied) != 4 || applied[3] != "db/error-exit restart" || len(*waits) != before {
		t.Errorf("applied %v, waits %v; want one immediate restart of db", applied, *waits)
	}
}

// A scheduled restart whose service recovered during the backoff does
// not run.
func TestDoctorRestartSkippedWhenRecovered(t *testing.T) {
	m, fd, _ := diagnosedPane(t)
	m.fixes.after = func(time.Duration, tea.Msg) tea.Cmd { return nil } // the tick has not fired yet
	m.SetService("api")
	m.Update(docKey("f"))
	docPump(t, m, m.Update(docKey("y")))
	snap := docSnapshot()
	snap.Services[0].State = stack.StateRunning
	m.SetSnapshot(snap)
	cmd := m.Update(doctorRestartMsg{finding: m.Findings()[0], fix: m.Findings()[0].Fixes[0]})
	notes := docPump(t, m, cmd)
	if _, applied, _ := fd.calls(); len(applied) != 0 || m.fixes.pending["api"] {
		t.Errorf("applied %v, pending %v; a running service is not restarted", applied, m.fixes.pending["api"])
	}
	if len(notes) != 1 || !strings.Contains(notes[0].text, "api recovered") {
		t.Errorf("notes %+v; want one saying api recovered", notes)
	}
}

func withExit(s stack.Snapshot, service string, code int) stack.Snapshot {
	s.Services = slices.Clone(s.Services)
	for i := range s.Services {
		if s.Services[i].Service.Name == service {
			cs := slices.Clone(s.Services[i].Containers)
			cs[0].ExitCode = code
			s.Services[i].Containers = cs
		}
	}
	return s
}

// verifyDoctor can watch a service after its fix (Verifier), with a
// scripted outcome.
type verifyDoctor struct {
	fakeDoctor
	outcome  string
	ok       bool
	finding  *doctor.Finding
	verified []string // the services watched
}

func (d *verifyDoctor) Verify(_ context.Context, p *stack.Project, service string) (string, bool, *doctor.Finding, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.verified = append(d.verified, p.Name+"/"+service)
	return d.outcome, d.ok, d.finding, nil
}

// After a fix that recreates its service, the pane watches it through the
// Verifier, off the UI goroutine: "checking trainer… 12s" meanwhile, then
// the outcome in the pane and the status line. Failing again diagnoses
// again and names the new finding.
func TestDoctorChecksTheServiceAfterTheFix(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ok      bool
		outcome string
		finding *doctor.Finding
		note    string
		isErr   bool
	}{
		{"stays up", true, "trainer stays up: running for 30s", nil, "✓ trainer stays up: running for 30s", false},
		{"failed again", false, "trainer failed again (oom): killed at 64MiB",
			&doctor.Finding{ID: "trainer/oom"}, "✗ trainer failed again (oom): killed at 64MiB — new finding trainer/oom", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd := &verifyDoctor{fakeDoctor: fakeDoctor{findings: docFindings()}, ok: tc.ok, outcome: tc.outcome, finding: tc.finding}
			m, _ := newTestDoctor(t, fd)
			docPump(t, m, m.SetSnapshot(docSnapshot()))
			fd.project = &stack.Project{Name: "demo2"}
			m.Update(docKey("enter"))
			m.Update(docKey("f"))
			start := m.fixes.now()
			var during string
			notes := docPump(t, m, m.Update(docKey("y")), func(msg tea.Msg) {
				if _, ok := msg.(doctorVerifiedMsg); ok {
					m.fixes.now = func() time.Time { return start.Add(12*time.Second + 300*time.Millisecond) }
					during = plainView(m)
				}
			})
			if !slices.Equal(fd.verified, []string{"demo2/trainer"}) {
				t.Fatalf("verified %v; want trainer of the reloaded project once", fd.verified)
			}
			if !strings.Contains(during, "checking trainer… 12s") || !strings.Contains(during, "✓ did raise-memory") {
				t.Errorf("while checking:\n%s", during)
			}
			view := plainView(m)
			if !strings.Contains(view, tc.note) || strings.Contains(view, "checking trainer") {
				t.Errorf("after the check, the pane lacks %q:\n%s", tc.note, view)
			}
			last := notes[len(notes)-1]
			if last.text != tc.note || last.err != tc.isErr {
				t.Errorf("last status %+v; want %q (error %v)", last, tc.note, tc.isErr)
			}
			want := 2
			if !tc.ok {
				want = 3 // failing again diagnoses again
			}
			if n, _, _ := fd.calls(); n != want {
				t.Errorf("%d diagnoses, want %d", n, want)
			}
		})
	}
}

// A fix that recreates nothing (profile-off) is not watched.
func TestDoctorDoesNotCheckWhatNoFixRecreated(t *testing.T) {
	fd := &verifyDoctor{fakeDoctor: fakeDoctor{findings: docFindings()}, ok: true}
	m, _ := newTestDoctor(t, fd)
	docPump(t, m, m.SetSnapshot(docSnapshot()))
	m.Update(docKey("enter"))
	m.Update(docKey("j"))
	m.Update(docKey("f"))
	docPump(t, m, m.Update(docKey("y")))
	if _, applied, _ := fd.calls(); !slices.Equal(applied, []string{"trainer/oom profile-off"}) {
		t.Fatalf("applied %v", applied)
	}
	if len(fd.verified) != 0 || len(m.fixes.checking) != 0 {
		t.Errorf("profile-off was watched: %v", fd.verified)
	}
}

// Automatic restarts are allowed per service name: opening another project
// (:projects) with a service of the same name must not restart it, neither
// at a timer scheduled before nor when it fails later.
func TestDoctorRestartsStayWithTheirProject(t *testing.T) {
	m, fd, _ := diagnosedPane(t)
	m.fixes.after = func(time.Duration, tea.Msg) tea.Cmd { return nil } // the tick has not fired yet
	m.SetService("api")
	m.Update(docKey("f"))
	docPump(t, m, m.Update(docKey("y")))
	f := m.Findings()[0]
	other := docSnapshot()
	p := *other.Project
	p.Name = "shop"
	other.Project = &p
	docPump(t, m, m.SetSnapshot(other))
	docPump(t, m, m.Update(doctorRestartMsg{finding: f, fix: f.Fixes[0]}))
	if m.fixes.auto["api"] {
		t.Error("shop's api may restart by itself: the allowance was for demo's")
	}
	if _, applied, _ := fd.calls(); len(applied) != 0 {
		t.Errorf("applied %v in the other project; want nothing", applied)
	}
}
