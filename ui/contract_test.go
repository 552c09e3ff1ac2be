package ui

import (
	"context"
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// spyPane records what the root asks of a tab, passing everything on.
type spyPane struct {
	tabPane
	snaps, sizes, styles int
	services             []string
	capture              bool
	keys                 []string
}

func (s *spyPane) SetSnapshot(x stack.Snapshot) tea.Cmd { s.snaps++; return s.tabPane.SetSnapshot(x) }
func (s *spyPane) SetSize(w, h int)                     { s.sizes++; s.tabPane.SetSize(w, h) }
func (s *spyPane) SetStyles(st themes.Styles)           { s.styles++; s.tabPane.SetStyles(st) }
func (s *spyPane) SetService(n string)                  { s.services = append(s.services, n); s.tabPane.SetService(n) }
func (s *spyPane) Capturing() bool                      { return s.capture || s.tabPane.Capturing() }
func (s *spyPane) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		s.keys = append(s.keys, k.String())
	}
	return s.tabPane.Update(msg)
}

// The root reaches every tab through the pane contract: snapshots,
// selection, sizes, styles and captured keys, with no tab named.
func TestRootLoopsOverEveryPane(t *testing.T) {
	light := themes.Build(themes.Default(), false, true)
	src := &fakeSource{snap: demoSnapshot(), ch: make(chan struct{}, 1)}
	m := sized(t, src, Options{Light: &light})
	spies := make([]*spyPane, tabCount)
	for i := range m.tabs {
		spies[i] = &spyPane{tabPane: m.tabs[i]}
		m.tabs[i] = spies[i]
	}
	m = asModel(m.Update(changedMsg{}))
	m = asModel(m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}))
	m = asModel(m.Update(tea.WindowSizeMsg{Width: 120, Height: 30}))
	m = asModel(m.Update(tea.BackgroundColorMsg{Color: color.White}))
	for i, s := range spies {
		name := m.tabs[i].Title()
		if s.snaps != 1 || s.sizes == 0 || s.styles != 1 {
			t.Errorf("%s: %d snapshots, %d sizes, %d styles; want 1, some, 1", name, s.snaps, s.sizes, s.styles)
		}
		if len(s.services) == 0 || s.services[len(s.services)-1] != m.selected() {
			t.Errorf("%s: told services %q; want the last to be %q", name, s.services, m.selected())
		}
		if !strings.Contains(plainScreen(m), strings.Fields(name)[0]) {
			t.Errorf("%s: its title is not in the tab row", name)
		}
	}
	// A capturing tab takes q before the root can quit.
	spies[tabStats].capture = true
	_, cmd := m.Update(tea.KeyPressMsg{Code: 'q', Text: "q"})
	if cmd != nil || !slices.Equal(spies[tabStats].keys, []string{"q"}) {
		t.Errorf("a capturing pane's q: cmd %v, keys it got %q", cmd != nil, spies[tabStats].keys)
	}
	// Every pane draws within its size, and has footer hints.
	for _, p := range m.allPanes() {
		p.SetSize(40, 8)
		lines := strings.Split(p.View(), "\n")
		if len(lines) > 8 {
			t.Errorf("%T: %d lines in 8", p, len(lines))
		}
		if h := p.ShortHelp(); len(h) == 0 || h[len(h)-1].Name != "global.quit" {
			t.Errorf("%T: footer hints %v do not end with quit", p, h)
		}
	}
}

// opsModel is a 100×24 model with scripted ops over demoSnapshot: api
// runs, inference has no containers, trainer exited.
func opsModel(t *testing.T, script map[string]scripted) (Model, *scriptedOps) {
	t.Helper()
	ops := newScriptedOps(t, script)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m := sized(t, &fakeSource{snap: demoSnapshot(), ch: make(chan struct{}, 1)}, Options{Ops: ops, Context: ctx})
	m.actions.tick = func() tea.Cmd { return nil }
	return m, ops
}

func selectService(m Model, name string) Model {
	m.list.selectName(name)
	m.selectionChanged()
	return m
}

func pressKeys(m Model, keys ...string) Model {
	for _, k := range keys {
		m = asModel(m.Update(actKey(k)))
	}
	return m
}

func TestDisabledKeySaysWhyAndDoesNothing(t *testing.T) {
	m, ops := opsModel(t, nil)
	m = selectService(m, "trainer")
	footer := strings.Split(strings.TrimRight(plainScreen(m), "\n"), "\n")
	if last := footer[len(footer)-1]; !strings.Contains(last, "s stop (trainer is not running)") {
		t.Errorf("the footer does not dim stop with its reason: %q", last)
	}
	next, cmd := m.Update(actKey("s"))
	m = next.(Model)
	if cmd != nil {
		t.Error("s on a stopped service returned a command")
	}
	if st := plainScreen(m); !strings.Contains(st, "trainer is not running") {
		t.Errorf("the status line does not say why:\n%s", st)
	}
	for _, k := range []string{"r", "x", "e"} {
		if _, cmd := m.Update(actKey(k)); cmd != nil {
			t.Errorf("%s on a stopped service returned a command", k)
		}
	}
	m = selectService(m, "api")
	if _, cmd := m.Update(actKey("S")); cmd != nil || !strings.Contains(m.actions.note, "api is already running") {
		t.Errorf("S on a running service: cmd %v, note %q", cmd != nil, m.actions.note)
	}
	if got := ops.called(); len(got) != 0 {
		t.Errorf("disabled keys called %q", got)
	}
	// The help overlay lists the reasons against the same state.
	m = selectService(m, "trainer")
	m = pressKeys(m, "?")
	help := plainScreen(m)
	for _, want := range []string{"stop (trainer is not running)", "restart (trainer is not running)"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
}

// undoDoctor can say what undo would revert (undoInspector).
type undoDoctor struct {
	fakeDoctor
	lastFix string
}

func (d *undoDoctor) LastFix(context.Context, *stack.Project) (string, bool, error) {
	return d.lastFix, d.lastFix != "", nil
}

func TestDoctorKeysSayWhyTheyAreDisabled(t *testing.T) {
	fd := &undoDoctor{}
	m := sized(t, &fakeSource{snap: docSnapshot(), ch: make(chan struct{}, 1)}, Options{Doctor: fd})
	m = asModel(m.Update(m.doctor.Update(doctorKickMsg{})()))
	m = pressKeys(m, "]", "]")
	m = asModel(m.Update(tea.KeyPressMsg{Code: tea.KeyTab}))
	if m.right() != m.doctor || m.focus != focusRight {
		t.Fatal("the doctor tab does not have the focus")
	}
	for key, why := range map[string]string{"u": "nothing to undo", "f": "no finding selected"} {
		next, cmd := m.Update(actKey(key))
		m = next.(Model)
		if cmd != nil || m.doctor.mode != doctorList || !strings.Contains(plainScreen(m), why) {
			t.Errorf("%s: cmd %v, mode %d; want the status to say %q:\n%s", key, cmd != nil, m.doctor.mode, why, plainScreen(m))
		}
	}
	// With something to undo, u asks.
	fd.lastFix = "raise trainer's memory limit"
	// A new compose failure is news: the diagnosis it asks for learns it.
	_, diagnose := m.Update(m.doctor.SetComposeError(context.Canceled)())
	m = asModel(m.Update(diagnose()))
	m = pressKeys(m, "u")
	if m.doctor.mode != doctorAskUndo {
		t.Errorf("u with a fix to undo: mode %d, want the question", m.doctor.mode)
	}
}

// typeCommand enters a line at the `:` prompt, as the user would.
func typeCommand(m Model, line string) (Model, tea.Cmd) {
	m = asModel(m.Update(actKey(":")))
	for _, r := range line {
		m = asModel(m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
	next, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	return next.(Model), cmd
}

// A key and its command-line word run the same verb: the same action, or
// the same question first.
func TestKeyAndCommandRunTheSameVerb(t *testing.T) {
	script := map[string]scripted{"stop api": {}, "restart api": {}, "up api": {}, "up all": {}, "kill api": {}}
	for _, c := range []struct{ key, line string }{
		{"s", "stop api"}, {"r", "restart"}, {"u", "up api"}, {"U", "up"}, {"x", "kill api"},
		{"d", "rm api"}, {"D", "down"},
	} {
		byKey, _ := opsModel(t, script)
		byKey, keyCmd := func() (Model, tea.Cmd) { n, cmd := byKey.Update(actKey(c.key)); return n.(Model), cmd }()
		byLine, _ := opsModel(t, script)
		byLine, lineCmd := typeCommand(byLine, c.line)
		if keyCmd == nil || lineCmd == nil {
			t.Errorf("%s / :%s: commands %v, %v", c.key, c.line, keyCmd != nil, lineCmd != nil)
			continue
		}
		if asks := byKey.actions.running[1] == nil; asks {
			got, want := lineCmd(), keyCmd()
			if req, ok := want.(confirmRequestMsg); !ok || got != want {
				t.Errorf("%s asks %+v, :%s asks %+v", c.key, want, c.line, got)
			} else if req.prompt == "" || req.act.kind != verbNamed(strings.Fields(c.line)[0], true).kind {
				t.Errorf("%s: question %+v", c.key, req)
			}
			continue
		}
		k, l := byKey.actions.running[1], byLine.actions.running[1]
		if l == nil || k.act != l.act {
			t.Errorf("%s runs %v, :%s runs %v", c.key, k.act, c.line, l)
		}
	}
	// :stop on a stopped service is refused for the key's reason.
	m, _ := opsModel(t, nil)
	m, cmd := typeCommand(m, "stop trainer")
	if msg, ok := cmd().(statusMsg); !ok || msg.text != "trainer is not running" {
		t.Errorf(":stop trainer: %+v", msg)
	}
}

// Space on a profile header and :profile both toggle through
// Model.toggleProfile.
func TestToggleProfileFromTheModel(t *testing.T) {
	m, ops := opsModel(t, map[string]scripted{"profile train off": {}, "profile serve on": {}})
	for i, r := range m.list.rows {
		if r.service == nil && r.header == "train" {
			m.list.cursor = i
		}
	}
	m = pressKeys(m, " ")
	waitCalls(t, ops, 1)
	m.actions.running = map[int]*runningAction{} // the first is done as far as this test goes
	typeCommand(m, "profile serve")
	waitCalls(t, ops, 2)
	if got := ops.called(); !slices.Equal(got, []string{"profile train off", "profile serve on"}) {
		t.Errorf("calls %q", got)
	}
	if _, cmd := typeCommand(m, "profile gpu"); cmd == nil || !strings.Contains(cmd().(statusMsg).text, "no profile gpu") {
		t.Error(":profile of an unknown profile is not refused")
	}
}

// waitCalls waits for the actions' goroutines to reach the ops.
func waitCalls(t *testing.T, ops *scriptedOps, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(ops.called()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("calls %q; want %d", ops.called(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
