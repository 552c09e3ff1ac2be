package ui

import (
	"fmt"

	"github.com/stackui/stackui/stack"
)

// verb is one lifecycle action as the user asks for it: by its key on the
// services pane and by its word on the `:` command line. One table feeds
// both, so a key and its command run the same action, ask the same
// question and refuse for the same reason.
type verb struct {
	kind actionKind
	// label names the action in the status line and the drawer.
	label string
	// key is the binding on the services pane; nil: command line only.
	key func(*keyMap) *Binding
	// word is the command-line word ("" for none), alias another one;
	// args and desc are its help.
	word, alias, args, desc string
	// project: the verb acts on the whole project, not on a service.
	project bool
	// ask is the confirmation the verb needs first, given the service or
	// the project's name; nil runs it at once. typed makes the user type
	// the project's name: the verb destroys data.
	ask   func(target string) string
	typed bool
	// disabled is why the verb does nothing on the selected service (nil
	// on a profile header) right now; nil: never disabled.
	disabled func(*stack.ServiceState) string
}

// verbs are the lifecycle actions, in the command line's order. A word
// that two verbs share ("up") picks the project's verb without a service
// and the service's verb with one.
var verbs = []verb{
	{kind: actUp, label: "up", key: func(k *keyMap) *Binding { return &k.UpSvc }, word: "up", args: "[SERVICE]",
		desc: "bring a service, or the whole project, up", disabled: needsService},
	{kind: actUpAll, label: "up all", key: func(k *keyMap) *Binding { return &k.UpAll }, word: "up", project: true},
	{kind: actDown, label: "down", key: func(k *keyMap) *Binding { return &k.DownAll }, word: "down",
		desc: "bring the project down (asks; volumes are kept)", project: true,
		ask: func(name string) string {
			return fmt.Sprintf("Bring %s down? The containers and networks of every profile are removed; volumes are kept.", name)
		}},
	{kind: actStop, label: "stop", key: func(k *keyMap) *Binding { return &k.Stop }, word: "stop", args: "SERVICE",
		desc: "stop a service", disabled: needsRunning},
	{kind: actStart, label: "start", key: func(k *keyMap) *Binding { return &k.Start }, word: "start", args: "SERVICE",
		desc: "start a service", disabled: needsStopped},
	{kind: actRestart, label: "restart", key: func(k *keyMap) *Binding { return &k.Restart }, word: "restart", args: "SERVICE",
		desc: "restart a service", disabled: needsRunning},
	{kind: actRecreate, label: "recreate", key: func(k *keyMap) *Binding { return &k.Recreate }, word: "recreate", args: "SERVICE",
		desc: "recreate a service's containers (clears ≠ drift)", disabled: needsService},
	{kind: actBuild, label: "build", key: func(k *keyMap) *Binding { return &k.Build }, word: "build", args: "SERVICE",
		desc: "build a service's image", disabled: needsService},
	{kind: actKill, label: "kill", key: func(k *keyMap) *Binding { return &k.Kill }, word: "kill", args: "SERVICE",
		desc: "kill a service's containers", disabled: needsRunning},
	{kind: actRemove, label: "remove", key: func(k *keyMap) *Binding { return &k.Remove }, word: "rm", alias: "remove", args: "SERVICE",
		desc: "remove a service's containers (asks)", disabled: needsService,
		ask: func(svc string) string {
			return fmt.Sprintf("Remove the containers of %s? They are stopped first; volumes are kept.", svc)
		}},
	// down -v destroys data: no key, and the project's name typed out.
	{kind: actRemoveVolumes, label: "down -v (remove volumes)", word: "remove-volumes",
		desc: "down and delete the project's volumes (type the name)", project: true, typed: true,
		ask: func(name string) string {
			return fmt.Sprintf("Bring %s down and DELETE its volumes, with their data?", name)
		}},
	// One volume, from the resources view only: its name typed out there.
	{kind: actRemoveVolume, label: "remove volume"},
}

// verbOf is the table's entry for an action kind.
func verbOf(kind actionKind) *verb {
	for i := range verbs {
		if verbs[i].kind == kind {
			return &verbs[i]
		}
	}
	return nil
}

// verbNamed is the verb a command-line word names; withService says a
// service was given.
func verbNamed(word string, withService bool) *verb {
	var found *verb
	for i := range verbs {
		v := &verbs[i]
		if word == "" || (v.word != word && v.alias != word) {
			continue
		}
		if found == nil || v.project != withService {
			found = v
		}
	}
	return found
}

// reason is why v does nothing on sel now, or "".
func (v *verb) reason(sel *stack.ServiceState) string {
	if v.disabled == nil {
		return ""
	}
	return v.disabled(sel)
}

// verbBindings are the services pane's action keys, exec included.
func verbBindings(k *keyMap) []*Binding {
	out := []*Binding{&k.Exec}
	for i := range verbs {
		if verbs[i].key != nil {
			out = append(out, verbs[i].key(k))
		}
	}
	return out
}

// wireReasons gives the action keys their disabled reasons, asked against
// the service selected in list whenever they are shown or pressed.
func wireReasons(k *keyMap, list *servicesPane) {
	for i := range verbs {
		v := &verbs[i]
		if v.key == nil || v.disabled == nil {
			continue
		}
		v.key(k).Disabled = func() string { return v.disabled(list.selectedService()) }
	}
	k.Exec.Disabled = func() string { return needsContainer(list.selectedService()) }
}

func needsService(s *stack.ServiceState) string {
	if s == nil {
		return "select a service first"
	}
	return ""
}

// needsRunning lets stop, restart and kill act on a service with a
// container that runs, restarts or is paused, and whenever the engine
// cannot say.
func needsRunning(s *stack.ServiceState) string {
	switch {
	case s == nil:
		return needsService(s)
	case s.State == stack.StateMissing:
		return s.Service.Name + " has no containers"
	case s.Running > 0, s.State == stack.StateRestarting, s.State == stack.StatePaused, s.State == stack.StateUnknown:
		return ""
	}
	return s.Service.Name + " is not running"
}

// needsStopped lets start act on a service with a container that does not
// run.
func needsStopped(s *stack.ServiceState) string {
	switch {
	case s == nil:
		return needsService(s)
	case s.State == stack.StateMissing:
		return s.Service.Name + " has no containers (u creates them)"
	case s.Total > 0 && s.Running == s.Total:
		return s.Service.Name + " is already running"
	}
	return ""
}

// needsContainer lets exec open a shell in a running container.
func needsContainer(s *stack.ServiceState) string {
	switch {
	case s == nil:
		return needsService(s)
	case s.Running == 0:
		return s.Service.Name + " is not running"
	}
	return ""
}
