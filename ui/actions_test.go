package ui

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

func newTestActions(t *testing.T, ops Ops) *actions {
	keys := defaultKeys()
	a := newActions(context.Background(), ops, themes.Build(themes.Default(), true, true), &keys)
	// No real ticker in tests: they send spinTickMsg themselves.
	a.tick = func() tea.Cmd { return nil }
	a.SetSize(80, 20)
	return a
}

func actKey(s string) tea.KeyPressMsg {
	switch s {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

// pump runs commands and feeds their messages to the components until
// until() holds (nil: until no command is left), the way the root would
// forward them. It returns every message seen and the commands not yet run.
func actPump(t *testing.T, a *actions, c *confirm, cmd tea.Cmd, until func() bool) ([]tea.Msg, []tea.Cmd) {
	t.Helper()
	var seen []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		if until != nil && until() {
			return seen, queue
		}
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
		if batch, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, batch...)
			continue
		}
		if msg == nil {
			continue
		}
		seen = append(seen, msg)
		if c != nil {
			queue = append(queue, c.Update(msg))
		}
		queue = append(queue, a.Update(msg))
	}
	if until != nil && !until() {
		t.Fatal("ran out of commands before the condition held")
	}
	return seen, nil
}

func actMsgs[T any](msgs []tea.Msg) []T {
	var out []T
	for _, m := range msgs {
		if v, ok := m.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

func actAPI() *stack.ServiceState {
	return &stack.ServiceState{Service: stack.Service{Name: "api", Enabled: true}, State: stack.StateRunning,
		Containers: []stack.Container{{ID: "c0", State: stack.StateExited}, {ID: "c1", State: stack.StateRunning}}}
}

func actDB() *stack.ServiceState {
	return &stack.ServiceState{Service: stack.Service{Name: "db", Enabled: true}, State: stack.StateExited}
}

var actProject = &stack.Project{Name: "demo"}

func TestActionProgressThenResult(t *testing.T) {
	gate := make(chan struct{})
	ops := newScriptedOps(t, map[string]scripted{"up api": {
		lines: []string{"Creating demo_api_1 ...", "Creating demo_api_1 ... done"}, gate: gate}})
	a := newTestActions(t, ops)
	cmd, handled := a.onKey(actKey("u"), actProject, actAPI())
	if !handled || cmd == nil {
		t.Fatal("u did not start an action")
	}
	hasLine := func() bool { return strings.Contains(ansi.Strip(a.View()), "Creating demo_api_1 ... done") }
	_, rest := actPump(t, a, nil, cmd, hasLine)

	if !a.Busy() {
		t.Fatal("not busy while the action waits")
	}
	status := ansi.Strip(a.Status())
	if !strings.Contains(status, "up api") || !strings.ContainsAny(status, strings.Join(spinner.MiniDot.Frames, "")) {
		t.Errorf("status while busy = %q; want a spinner and the action", status)
	}
	if a.frame == 0 {
		t.Error("the spinner did not advance on output")
	}
	if h := a.Height(); h < 3 {
		t.Errorf("drawer height %d while busy; want it open on the output", h)
	}
	// The ticker keeps going only while busy.
	frame := a.frame
	a.Update(spinTickMsg{})
	if a.frame != frame+1 {
		t.Errorf("tick while busy: frame %d -> %d", frame, a.frame)
	}

	close(gate)
	seen, _ := actPump(t, a, nil, tea.Batch(rest...), nil)
	done := actMsgs[actionDoneMsg](seen)
	if len(done) != 1 || done[0].err != nil || done[0].act != (action{kind: actUp, service: "api"}) {
		t.Fatalf("done msgs %+v; want one successful up api", done)
	}
	if a.Busy() {
		t.Error("still busy after done")
	}
	if s := ansi.Strip(a.Status()); !strings.Contains(s, "✓ up api") {
		t.Errorf("status after success = %q", s)
	}
	if a.Height() != 1 {
		t.Errorf("drawer height %d when idle; want one line", a.Height())
	}
	a.ticking = true
	if cmd := a.Update(spinTickMsg{}); cmd != nil || a.ticking {
		t.Error("the ticker re-armed while idle")
	}
	if got := ops.called(); !slices.Equal(got, []string{"up api"}) {
		t.Errorf("calls %q", got)
	}
}

func TestActionFailureShowsComposeError(t *testing.T) {
	ce := &stack.ComposeError{Command: []string{"docker-compose", "up", "-d", "api"}, ExitCode: 1, Err: errors.New("exit status 1"),
		Output: []string{"Creating demo_api_1 ... error", "ERROR: for api  Cannot start service api: Bind for 0.0.0.0:8080 failed: port is already allocated",
			"ERROR: Encountered errors while bringing up the project."}}
	ops := newScriptedOps(t, map[string]scripted{"up api": {lines: ce.Output, err: ce}})
	a := newTestActions(t, ops)
	a.SetSize(120, 20)
	cmd, _ := a.onKey(actKey("u"), actProject, actAPI())
	seen, _ := actPump(t, a, nil, cmd, nil)
	if done := actMsgs[actionDoneMsg](seen); len(done) != 1 || !errors.Is(done[0].err, ce.Err) {
		t.Fatalf("done %+v; want the compose error", done)
	}
	status := ansi.Strip(a.Status())
	if !strings.Contains(status, "up api failed") || !strings.Contains(status, "port is already allocated") ||
		strings.Contains(status, "Encountered errors") {
		t.Errorf("status %q; want the compose error text", status)
	}
	if a.Height() < 2 {
		t.Errorf("drawer height %d after a failure; want it open", a.Height())
	}
	if v := ansi.Strip(a.View()); !strings.Contains(v, "Encountered errors") {
		t.Errorf("drawer does not show the output:\n%s", v)
	}
}

func TestActionErrorText(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errors.New("kill api: no running container"), "kill api: no running container"},
		{errors.New("bad\x1b]0;title\x07 text\x08"), "bad text"},
		{&stack.ComposeError{Err: errors.New("exit status 1")}, "exit status 1"},
		{&stack.ComposeError{Err: errors.New("exit status 1"), Output: []string{"a", "b", "No such service: x"}}, "No such service: x"},
		{fmt.Errorf("profile train on: %w", &stack.ComposeError{Err: errors.New("exit status 1"),
			Output: []string{"x", "ERROR: one", "ERROR: two", "ERROR: three"}}), "ERROR: two · ERROR: three"},
		{&stack.ComposeError{Err: errors.New("exit status 1"), Output: []string{"ERROR: for api  Cannot start service api: port is already allocated",
			"ERROR: Encountered errors while bringing up the project."}}, "ERROR: for api Cannot start service api: port is already allocated"},
	} {
		if got := actionErrorText(tc.err); !strings.Contains(got, tc.want) || strings.ContainsAny(got, "\x1b\x07\x08") {
			t.Errorf("actionErrorText(%q) = %q; want %q", tc.err, got, tc.want)
		}
	}
}

func TestOneActionPerService(t *testing.T) {
	gate := make(chan struct{})
	ops := newScriptedOps(t, map[string]scripted{"up api": {gate: gate}, "stop db": {}})
	a := newTestActions(t, ops)
	upCmd, _ := a.onKey(actKey("u"), actProject, actAPI())

	cmd, handled := a.onKey(actKey("s"), actProject, actAPI())
	if !handled || cmd != nil {
		t.Fatal("a second action on api was started")
	}
	if s := ansi.Strip(a.Status()); !strings.Contains(s, "stop api not started: up api is still running") {
		t.Errorf("status %q; want the rejection", s)
	}
	if cmd, _ := a.onKey(actKey("U"), actProject, nil); cmd != nil {
		t.Error("a project-wide action started while api was busy")
	}
	// Another service is free.
	// Its command is nil: the listener and the ticker are armed already.
	stopDB, _ := a.onKey(actKey("s"), actProject, actDB())
	if len(a.running) != 2 {
		t.Fatalf("stop db was refused while only api was busy: %q", a.note)
	}
	close(gate)
	seen, _ := actPump(t, a, nil, tea.Batch(upCmd, stopDB), nil)
	if n := len(actMsgs[actionDoneMsg](seen)); n != 2 {
		t.Errorf("%d done messages, want 2", n)
	}
	got := ops.called()
	slices.Sort(got)
	if !slices.Equal(got, []string{"stop db", "up api"}) {
		t.Errorf("calls %q", got)
	}
	if a.Busy() {
		t.Error("busy after both finished")
	}
}

func TestServiceKeysNeedASelection(t *testing.T) {
	a := newTestActions(t, newScriptedOps(t, nil))
	for _, k := range []string{"u", "s", "S", "r", "R", "b", "x", "d", "e"} {
		a.note = ""
		cmd, handled := a.onKey(actKey(k), actProject, nil)
		if !handled || cmd != nil || !strings.Contains(a.note, "select a service") {
			t.Errorf("%s on a header: handled %v, cmd %v, note %q", k, handled, cmd != nil, a.note)
		}
	}
	if _, handled := a.onKey(actKey("j"), actProject, actAPI()); handled {
		t.Error("j was taken as an action key")
	}
}

// Every service key reaches its own Ops method.
func TestServiceKeysMapToOps(t *testing.T) {
	script := map[string]scripted{}
	for _, v := range []string{"up", "stop", "start", "restart", "recreate", "build", "kill"} {
		script[v+" api"] = scripted{}
	}
	ops := newScriptedOps(t, script)
	a := newTestActions(t, ops)
	for _, k := range []string{"u", "s", "S", "r", "R", "b", "x"} {
		cmd, _ := a.onKey(actKey(k), actProject, actAPI())
		actPump(t, a, nil, cmd, nil)
	}
	if got := ops.called(); !slices.Equal(got, []string{"up api", "stop api", "start api", "restart api", "recreate api", "build api", "kill api"}) {
		t.Errorf("calls %q", got)
	}
}

func TestDownAsksFirst(t *testing.T) {
	ops := newScriptedOps(t, map[string]scripted{"down": {lines: []string{"Stopping demo_api_1 ... done"}}})
	a := newTestActions(t, ops)
	keys := defaultKeys()
	c := newConfirm(themes.Build(themes.Default(), true, true), &keys)
	c.SetSize(80, 20)

	for _, answer := range []string{"n", "esc", "enter"} {
		cmd, _ := a.onKey(actKey("D"), actProject, nil)
		seen, _ := actPump(t, a, c, cmd, nil)
		if len(actMsgs[confirmRequestMsg](seen)) != 1 || !c.Active() {
			t.Fatalf("D did not ask: %v", seen)
		}
		if v := ansi.Strip(c.View()); !strings.Contains(v, "Bring demo down?") || !strings.Contains(v, "volumes are kept") {
			t.Errorf("question:\n%s", v)
		}
		seen, _ = actPump(t, a, c, c.Update(actKey(answer)), nil)
		if c.Active() || len(actMsgs[confirmedMsg](seen)) > 0 {
			t.Errorf("%s: active %v, confirmed %v; want cancelled", answer, c.Active(), seen)
		}
	}
	if got := ops.called(); len(got) > 0 {
		t.Fatalf("ops called before any yes: %q", got)
	}

	cmd, _ := a.onKey(actKey("D"), actProject, nil)
	actPump(t, a, c, cmd, nil)
	seen, _ := actPump(t, a, c, c.Update(actKey("y")), nil)
	if len(actMsgs[actionDoneMsg](seen)) != 1 {
		t.Fatalf("y did not run down: %v", seen)
	}
	if got := ops.called(); !slices.Equal(got, []string{"down"}) {
		t.Errorf("calls %q, want down once", got)
	}

	// Choosing yes with the arrows and enter confirms too.
	cmd, _ = a.onKey(actKey("D"), actProject, nil)
	actPump(t, a, c, cmd, nil)
	c.Update(actKey("right"))
	actPump(t, a, c, c.Update(actKey("enter")), nil)
	if got := ops.called(); !slices.Equal(got, []string{"down", "down"}) {
		t.Errorf("calls %q after right, enter", got)
	}
}

func TestRemoveAsksFirst(t *testing.T) {
	ops := newScriptedOps(t, map[string]scripted{"remove api": {}})
	a := newTestActions(t, ops)
	keys := defaultKeys()
	c := newConfirm(themes.Build(themes.Default(), true, true), &keys)
	cmd, _ := a.onKey(actKey("d"), actProject, actAPI())
	actPump(t, a, c, cmd, nil)
	if !c.Active() || len(ops.called()) > 0 {
		t.Fatalf("d: active %v, calls %q; want a question and no call", c.Active(), ops.called())
	}
	actPump(t, a, c, c.Update(actKey("y")), nil)
	if got := ops.called(); !slices.Equal(got, []string{"remove api"}) {
		t.Errorf("calls %q", got)
	}
}

func TestProfileDoneCarriesProject(t *testing.T) {
	next := &stack.Project{Name: "demo", ActiveProfiles: []string{"train"}}
	ops := newScriptedOps(t, map[string]scripted{"profile train on": {project: next}})
	a := newTestActions(t, ops)
	seen, _ := actPump(t, a, nil, a.run(profileToggle("train", true)), nil)
	done := actMsgs[actionDoneMsg](seen)
	if len(done) != 1 || done[0].project != next {
		t.Fatalf("done %+v; want the new project", done)
	}
	if s := ansi.Strip(a.Status()); !strings.Contains(s, "profile train on") {
		t.Errorf("status %q", s)
	}
}

func TestExecSuspendsForAShell(t *testing.T) {
	ops := newScriptedOps(t, map[string]scripted{"exec c1": {}})
	a := newTestActions(t, ops)
	cmd, handled := a.onKey(actKey("e"), actProject, actAPI())
	if !handled || cmd == nil {
		t.Fatal("e returned no command")
	}
	// tea.ExecProcess's message type is unexported; its name is what there
	// is to check.
	if got := fmt.Sprintf("%T", cmd()); got != "tea.execMsg" {
		t.Errorf("e returned a %s, want tea.ExecProcess's", got)
	}
	if got := ops.called(); !slices.Equal(got, []string{"exec c1"}) {
		t.Errorf("calls %q; want exec in the running container c1", got)
	}
	a.Update(execDoneMsg{service: "api", err: errors.New("exit status 127")})
	if s := ansi.Strip(a.Status()); !strings.Contains(s, "exit status 127") {
		t.Errorf("status after a failed shell: %q", s)
	}

	if cmd, _ := a.onKey(actKey("e"), actProject, actDB()); cmd != nil || !strings.Contains(a.note, "no running container") {
		t.Errorf("e on a stopped service: cmd %v, note %q", cmd != nil, a.note)
	}

	noDocker := newScriptedOps(t, map[string]scripted{"exec c1": {err: errors.New("a shell needs the docker CLI")}})
	a = newTestActions(t, noDocker)
	if cmd, _ := a.onKey(actKey("e"), actProject, actAPI()); cmd != nil || !strings.Contains(ansi.Strip(a.Status()), "docker CLI") {
		t.Errorf("e without docker: cmd %v, status %q", cmd != nil, ansi.Strip(a.Status()))
	}
}

func TestDrawerBoundedAndFitted(t *testing.T) {
	var lines []string
	for i := range 3 * drawerKeep {
		lines = append(lines, fmt.Sprintf("line %d %s", i, strings.Repeat("x", 100)))
	}
	ops := newScriptedOps(t, map[string]scripted{"build api": {lines: lines}})
	a := newTestActions(t, ops)
	a.SetSize(40, 10)
	cmd, _ := a.onKey(actKey("b"), actProject, actAPI())
	actPump(t, a, nil, cmd, nil)
	if len(a.drawer) >= 2*drawerKeep {
		t.Errorf("drawer holds %d lines; want fewer than %d", len(a.drawer), 2*drawerKeep)
	}
	a.state = drawerOpen
	view := a.View()
	rows := strings.Split(view, "\n")
	if len(rows) != a.Height() {
		t.Errorf("view has %d lines, Height says %d", len(rows), a.Height())
	}
	for _, r := range rows {
		if w := ansi.StringWidth(r); w > 40 {
			t.Errorf("line %q is %d wide, want <= 40", ansi.Strip(r), w)
		}
	}
	if !strings.Contains(ansi.Strip(view), "build api: done") {
		t.Errorf("the last lines are not shown:\n%s", ansi.Strip(view))
	}
	if w := ansi.StringWidth(a.Status()); w > 40 {
		t.Errorf("status %d wide", w)
	}
}

func TestEscHidesDrawer(t *testing.T) {
	ops := newScriptedOps(t, map[string]scripted{"up all": {err: errors.New("boom")}})
	a := newTestActions(t, ops)
	cmd, _ := a.onKey(actKey("U"), actProject, nil)
	actPump(t, a, nil, cmd, nil)
	if !a.Expanded() || a.Height() < 2 {
		t.Fatalf("drawer not open after a failure (height %d)", a.Height())
	}
	a.Update(actKey("esc"))
	if a.Expanded() || a.Height() != 0 || a.View() != "" {
		t.Errorf("esc: expanded %v, height %d", a.Expanded(), a.Height())
	}
	if s := ansi.Strip(a.Status()); !strings.Contains(s, "boom") {
		t.Errorf("status lost the error after esc: %q", s)
	}
}

// BenchmarkActionOutput is a chatty build: batches of output lines into the
// drawer, and the drawer drawn after each.
func BenchmarkActionOutput(b *testing.B) {
	keys := defaultKeys()
	a := newActions(context.Background(), nil, themes.Build(themes.Default(), true, false), &keys)
	a.SetSize(120, 12)
	a.running[1] = &runningAction{act: action{kind: actBuild, service: "api"}}
	a.seq = 1
	a.listening = true
	batch := actionOutputMsg{}
	for i := range outputBatch {
		batch.events = append(batch.events, actionEvent{id: 1, line: fmt.Sprintf("#%d [2/5] RUN go build -o /out/app ./cmd/app  %d", i, i)})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		a.output(batch)
		_ = a.View()
		_ = a.Status()
	}
	b.ReportMetric(float64(b.N*outputBatch)/b.Elapsed().Seconds(), "lines/s")
}

func TestExecWithoutThatShellSaysHowToChangeIt(t *testing.T) {
	a := newTestActions(t, nil)
	a.SetSize(200, 5)
	// docker exec exits 126 when the command is not in the image.
	err := exec.Command("sh", "-c", "exit 126").Run()
	a.Update(execDoneMsg{service: "web", err: err})
	if got := ansi.Strip(a.Status()); !strings.Contains(got, "exec.command") || !strings.Contains(got, "web") {
		t.Errorf("status %q does not point at exec.command", got)
	}
	a.Update(execDoneMsg{service: "web"})
	if got := ansi.Strip(a.Status()); !strings.Contains(got, "closed") {
		t.Errorf("status %q after a clean exit", got)
	}
}
