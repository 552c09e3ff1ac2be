package ui

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// Ops carries out what the UI asks of the project: the program hands in
// the compose CLI and the engine, tests a fake. Each call blocks until done
// and streams its output to onLine, line by line; the UI always calls it
// off its own goroutine. Service actions act on every container of the
// named service. Profile actions return the project with its new set of
// active profiles.
type Ops interface {
	Up(ctx context.Context, service string, onLine func(string)) error
	Stop(ctx context.Context, service string, onLine func(string)) error
	Start(ctx context.Context, service string, onLine func(string)) error
	Restart(ctx context.Context, service string, onLine func(string)) error
	Recreate(ctx context.Context, service string, onLine func(string)) error
	Build(ctx context.Context, service string, onLine func(string)) error
	Kill(ctx context.Context, service string, onLine func(string)) error
	Remove(ctx context.Context, service string, onLine func(string)) error
	UpAll(ctx context.Context, onLine func(string)) error
	Down(ctx context.Context, onLine func(string)) error
	// RemoveVolumes is `down -v`: it destroys data, so the UI reaches it
	// only through a typed confirmation.
	RemoveVolumes(ctx context.Context, onLine func(string)) error
	ProfileOn(ctx context.Context, profile string, onLine func(string)) (*stack.Project, error)
	ProfileOff(ctx context.Context, profile string, onLine func(string)) (*stack.Project, error)
	// ExecCmd is the interactive shell for a container, run with the
	// terminal handed over; an error says why there is none (no docker CLI).
	ExecCmd(containerID string) (*exec.Cmd, error)
}

type actionKind int

const (
	actUp actionKind = iota + 1
	actStop
	actStart
	actRestart
	actRecreate
	actBuild
	actKill
	actRemove
	actUpAll
	actDown
	actRemoveVolumes
	actProfileOn
	actProfileOff
)

var actionVerbs = map[actionKind]string{
	actUp: "up", actStop: "stop", actStart: "start", actRestart: "restart", actRecreate: "recreate",
	actBuild: "build", actKill: "kill", actRemove: "remove", actUpAll: "up all", actDown: "down",
	actRemoveVolumes: "down -v (remove volumes)",
}

// action is one thing the user asked for: a service action names the
// service, a profile action the profile; the rest act on the whole project.
type action struct {
	kind    actionKind
	service string
	profile string
}

// profileToggle is the action that turns a profile on or off.
func profileToggle(profile string, on bool) action {
	if on {
		return action{kind: actProfileOn, profile: profile}
	}
	return action{kind: actProfileOff, profile: profile}
}

func (a action) String() string {
	switch {
	case a.kind == actProfileOn:
		return "profile " + a.profile + " on"
	case a.kind == actProfileOff:
		return "profile " + a.profile + " off"
	case a.service != "":
		return actionVerbs[a.kind] + " " + a.service
	}
	return actionVerbs[a.kind]
}

// scope is what the action holds while it runs: its service, or "" for
// the whole project (project and profile actions).
func (a action) scope() string { return a.service }

func (a action) do(ctx context.Context, ops Ops, onLine func(string)) (*stack.Project, error) {
	svc := func(f func(context.Context, string, func(string)) error) (*stack.Project, error) {
		return nil, f(ctx, a.service, onLine)
	}
	switch a.kind {
	case actUp:
		return svc(ops.Up)
	case actStop:
		return svc(ops.Stop)
	case actStart:
		return svc(ops.Start)
	case actRestart:
		return svc(ops.Restart)
	case actRecreate:
		return svc(ops.Recreate)
	case actBuild:
		return svc(ops.Build)
	case actKill:
		return svc(ops.Kill)
	case actRemove:
		return svc(ops.Remove)
	case actUpAll:
		return nil, ops.UpAll(ctx, onLine)
	case actDown:
		return nil, ops.Down(ctx, onLine)
	case actRemoveVolumes:
		return nil, ops.RemoveVolumes(ctx, onLine)
	case actProfileOn:
		return ops.ProfileOn(ctx, a.profile, onLine)
	case actProfileOff:
		return ops.ProfileOff(ctx, a.profile, onLine)
	}
	return nil, fmt.Errorf("unknown action %d", a.kind)
}

// actionEvent is what an action's goroutine sends: an output line, or, last
// of all, its result.
type actionEvent struct {
	id   int
	line string
	done *actionDoneMsg
}

// actionOutputMsg carries the output lines that were waiting, and the
// result of the action that finished after them, if one did.
type actionOutputMsg struct {
	events []actionEvent
	done   *actionDoneMsg
}

// actionDoneMsg is an action's result. The root hands a profile action's
// project to Source.SetProject: it is the session's new set of active
// profiles. project is nil for other actions and on failure.
type actionDoneMsg struct {
	id      int
	act     action
	project *stack.Project
	err     error
	took    time.Duration
}

// spinTickMsg advances the spinner while an action runs.
type spinTickMsg struct{}

// execDoneMsg says the shell the user opened has exited.
type execDoneMsg struct {
	service string
	err     error
}

const (
	drawerKeep   = 200 // lines of output the drawer keeps
	drawerRows   = 8   // lines of output it shows when open
	outputBatch  = 256 // lines one message carries at most
	eventBacklog = 64
)

type runningAction struct {
	act      action
	sentDone bool // its result is on the way to Update
}

// actions runs the user's actions asynchronously and shows their progress:
// a spinner and the latest line in the status, all output in a drawer.
type actions struct {
	ctx  context.Context // cancelled when the program quits: stops running actions
	ops  Ops
	st   themes.Styles
	keys *keyMap
	// tick starts the next spinner tick; tests replace it.
	tick func() tea.Cmd

	seq       int
	running   map[int]*runningAction
	events    chan actionEvent
	listening bool // a listen command is armed
	ticking   bool // a spinner tick is pending
	frame     int

	drawer []drawerEntry
	state  drawerState
	// note is a message about the last key (a rejected action, no running
	// container, a shell that failed); result is the last action's outcome.
	note, result string
	failed       bool

	width, height int
}

func newActions(ctx context.Context, ops Ops, st themes.Styles, keys *keyMap) *actions {
	return &actions{
		ctx: ctx, ops: ops, st: st, keys: keys,
		tick: func() tea.Cmd {
			// At most once a second, and only while something runs.
			return tea.Tick(time.Second, func(time.Time) tea.Msg { return spinTickMsg{} })
		},
		running: map[int]*runningAction{},
		events:  make(chan actionEvent, eventBacklog),
	}
}

// SetSize gives the drawer its size; Height says how much it wants.
func (a *actions) SetSize(w, h int) { a.width, a.height = w, h }

// SetStyles switches the styles, once the terminal's background is known.
func (a *actions) SetStyles(st themes.Styles) { a.st = st }

// Busy reports whether any action runs.
func (a *actions) Busy() bool { return len(a.running) > 0 }

// Update handles the actions' own messages and esc on the drawer.
func (a *actions) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case actionOutputMsg:
		return a.output(msg)
	case actionDoneMsg:
		a.finish(msg)
	case spinTickMsg:
		if !a.Busy() {
			a.ticking = false
			return nil
		}
		a.frame++
		return a.tick()
	case confirmedMsg:
		return a.run(msg.act)
	case execDoneMsg:
		a.note = "shell in " + msg.service + " closed"
		if msg.err != nil {
			a.note = "shell in " + msg.service + ": " + msg.err.Error()
			// docker exec says 126/127 when the command is not in the image.
			var exit *exec.ExitError
			if errors.As(msg.err, &exit) && (exit.ExitCode() == 126 || exit.ExitCode() == 127) {
				a.note += " (no such shell in the image? set exec.command in config.yaml)"
			}
		}
	case tea.KeyPressMsg:
		if on(msg, a.keys.Back) && a.state != drawerHidden {
			a.state = drawerHidden
		}
	}
	return nil
}

// onKey turns an action key into its action on the project or on sel, the
// selected service (nil on a profile header). It reports whether the key
// was an action key. d and D ask first.
func (a *actions) onKey(msg tea.KeyPressMsg, p *stack.Project, sel *stack.ServiceState) (tea.Cmd, bool) {
	k := a.keys
	switch {
	case on(msg, k.UpAll):
		return a.run(action{kind: actUpAll}), true
	case on(msg, k.DownAll):
		name := "the project"
		if p != nil {
			name = p.Name
		}
		return askYesNo(action{kind: actDown}, fmt.Sprintf(
			"Bring %s down? The containers and networks of every profile are removed; volumes are kept.", name)), true
	}
	kinds := []struct {
		b    Binding
		kind actionKind
	}{
		{k.UpSvc, actUp}, {k.Stop, actStop}, {k.Start, actStart}, {k.Restart, actRestart},
		{k.Recreate, actRecreate}, {k.Build, actBuild}, {k.Kill, actKill}, {k.Remove, actRemove},
	}
	if on(msg, k.Exec) {
		return a.exec(sel), true
	}
	for _, c := range kinds {
		if !on(msg, c.b) {
			continue
		}
		if sel == nil {
			a.note = "select a service first"
			return nil, true
		}
		act := action{kind: c.kind, service: sel.Service.Name}
		if c.kind == actRemove {
			return askYesNo(act, fmt.Sprintf(
				"Remove the containers of %s? They are stopped first; volumes are kept.", act.service)), true
		}
		return a.run(act), true
	}
	return nil, false
}

// toggleProfile turns the profile on if p has it off, else off: space on a
// profile header, the picker and `:profile NAME` all come here.
func (a *actions) toggleProfile(p *stack.Project, profile string) tea.Cmd {
	if p == nil {
		a.note = "no project loaded"
		return nil
	}
	return a.run(profileToggle(profile, !slices.Contains(p.ActiveProfiles, profile)))
}

// askRemoveVolumes asks for the project's name before `down -v`, the one
// action that deletes data. The command line offers it; no single key does.
func (a *actions) askRemoveVolumes(p *stack.Project) tea.Cmd {
	if p == nil {
		a.note = "no project loaded"
		return nil
	}
	return askTyped(action{kind: actRemoveVolumes}, fmt.Sprintf(
		"Bring %s down and DELETE its volumes, with their data?", p.Name), p.Name)
}

// exec suspends the TUI for a shell in the service's first running
// container.
func (a *actions) exec(sel *stack.ServiceState) tea.Cmd {
	if sel == nil {
		a.note = "select a service first"
		return nil
	}
	name := sel.Service.Name
	id := ""
	for _, c := range sel.Containers {
		if c.State == stack.StateRunning {
			id = c.ID
			break
		}
	}
	if id == "" {
		a.note = "shell in " + name + ": no running container"
		return nil
	}
	cmd, err := a.ops.ExecCmd(id)
	if err != nil {
		a.note = "shell in " + name + ": " + err.Error()
		return nil
	}
	return tea.ExecProcess(cmd, func(err error) tea.Msg { return execDoneMsg{service: name, err: err} })
}

// run starts act in a goroutine unless something it needs is busy: one
// action per service at a time, and a project-wide one only alone.
func (a *actions) run(act action) tea.Cmd {
	for _, r := range a.running {
		if act.scope() == "" || r.act.scope() == "" || r.act.scope() == act.scope() {
			a.note = fmt.Sprintf("%s not started: %s is still running", act, r.act)
			return nil
		}
	}
	a.seq++
	id := a.seq
	a.running[id] = &runningAction{act: act}
	a.note = ""
	a.state = drawerOpen
	a.push(act.String(), "$ "+act.String())

	ctx, ops, events := a.ctx, a.ops, a.events
	send := func(ev actionEvent) {
		select {
		case events <- ev:
		case <-ctx.Done(): // the program is gone; nobody reads any more
		}
	}
	start := time.Now()
	go func() {
		p, err := act.do(ctx, ops, func(line string) { send(actionEvent{id: id, line: line}) })
		send(actionEvent{id: id, done: &actionDoneMsg{id: id, act: act, project: p, err: err, took: time.Since(start)}})
	}()

	var cmds []tea.Cmd
	if !a.listening {
		a.listening = true
		cmds = append(cmds, listenActions(events))
	}
	if !a.ticking {
		a.ticking = true
		cmds = append(cmds, a.tick())
	}
	return tea.Batch(cmds...)
}

// listenActions is the self re-arming command that carries the actions'
// output into Update: it waits for one event, then takes whatever else is
// already waiting, so a chatty build costs one frame per batch, not per line.
func listenActions(ch <-chan actionEvent) tea.Cmd {
	return func() tea.Msg {
		var msg actionOutputMsg
		ev := <-ch
		for {
			if ev.done != nil {
				msg.done = ev.done
				return msg
			}
			msg.events = append(msg.events, ev)
			if len(msg.events) >= outputBatch {
				return msg
			}
			select {
			case ev = <-ch:
			default:
				return msg
			}
		}
	}
}

func (a *actions) output(msg actionOutputMsg) tea.Cmd {
	for _, ev := range msg.events {
		r := a.running[ev.id]
		if r == nil {
			continue
		}
		a.push(r.act.String(), ev.line)
	}
	if len(msg.events) > 0 {
		a.frame++
	}
	if msg.done != nil {
		if r := a.running[msg.done.id]; r != nil {
			r.sentDone = true
		}
	}
	// Keep listening while any action may still send: one whose result is
	// on its way to Update has sent its last event.
	others := 0
	for _, r := range a.running {
		if !r.sentDone {
			others++
		}
	}
	var cmds []tea.Cmd
	if others > 0 {
		cmds = append(cmds, listenActions(a.events))
	} else {
		a.listening = false
	}
	if msg.done != nil {
		done := *msg.done
		cmds = append(cmds, func() tea.Msg { return done })
	}
	return tea.Batch(cmds...)
}

// finish records an action's result. A failure keeps the drawer open on
// the output, which holds the compose error in full.
func (a *actions) finish(msg actionDoneMsg) {
	if _, ok := a.running[msg.id]; !ok {
		return
	}
	delete(a.running, msg.id)
	a.note = "" // the result is newer news
	who := msg.act.String()
	if msg.err != nil {
		a.failed = true
		a.result = "✗ " + who + " failed: " + actionErrorText(msg.err)
		a.state = drawerOpen
	} else {
		a.failed = false
		a.result = fmt.Sprintf("✓ %s: done in %.1fs", who, msg.took.Seconds())
		if !a.Busy() && a.state == drawerOpen {
			a.state = drawerLine
		}
	}
	a.push(who, a.result)
}
