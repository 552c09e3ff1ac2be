package ui

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
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
	actRemoveVolume
)

// action is one thing the user asked for: a service action names the
// service, a profile action the profile; the rest act on the whole project.
type action struct {
	kind    actionKind
	service string
	profile string
	volume  string
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
		return verbOf(a.kind).label + " " + a.service
	case a.volume != "":
		return verbOf(a.kind).label + " " + a.volume
	}
	return verbOf(a.kind).label
}

// scope is what the action holds while it runs: its service, or "" for
// the whole project (project and profile actions).
func (a action) scope() string {
	if a.volume != "" {
		// A volume's removal waits for project-wide actions only.
		return "volume " + a.volume
	}
	return a.service
}

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
	case actRemoveVolume:
		vr, ok := ops.(VolumeRemover)
		if !ok {
			return nil, fmt.Errorf("remove volume %s: not possible in this session", a.volume)
		}
		return nil, vr.RemoveVolume(ctx, a.volume, onLine)
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

// onKey turns an action key into its verb (verbs) on the project or on
// sel, the selected service (nil on a profile header). It reports whether
// the key was an action key. Disabled keys are refused by the root before
// they get here.
func (a *actions) onKey(msg tea.KeyPressMsg, p *stack.Project, sel *stack.ServiceState) (tea.Cmd, bool) {
	if on(msg, a.keys.Exec) {
		return a.exec(sel), true
	}
	for i := range verbs {
		v := &verbs[i]
		if v.key == nil || !on(msg, *v.key(a.keys)) {
			continue
		}
		if v.project {
			return a.request(v, p, ""), true
		}
		if sel == nil {
			a.note = "select a service first"
			return nil, true
		}
		return a.request(v, p, sel.Service.Name), true
	}
	return nil, false
}

// request asks for v on service ("" for the project's verbs): the verb's
// confirmation when it has one, else the action itself. Keys and the
// command line both come here, so both ask the same question.
func (a *actions) request(v *verb, p *stack.Project, service string) tea.Cmd {
	act := action{kind: v.kind, service: service}
	switch {
	case v.typed:
		if p == nil {
			a.note = "no project loaded"
			return nil
		}
		return askTyped(act, v.ask(p.Name), p.Name)
	case v.ask != nil && v.project:
		name := "the project"
		if p != nil {
			name = p.Name
		}
		return askYesNo(act, v.ask(name))
	case v.ask != nil:
		return askYesNo(act, v.ask(service))
	}
	return a.run(act)
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
