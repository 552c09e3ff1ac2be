package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Binding is one key binding as data: its keys and help text (a bubbles
// key.Binding), the name config.yaml overrides it by, and the help group it
// is listed under. The help overlay is generated from these.
type Binding struct {
	key.Binding
	Name  string // "logs.search": group.action, stable, used in config.yaml
	Group string // help section
	// Disabled says why the binding does nothing right now, "" when it is
	// usable (lazygit's GetDisabledReason). It is asked against the current
	// state each time: the help overlay and the footer show the reason
	// dimmed, and pressing the key puts it in the status line. nil: always
	// usable.
	Disabled func() string
}

// reason is why b does nothing right now, or "".
func (b *Binding) reason() string {
	if b.Disabled == nil {
		return ""
	}
	return b.Disabled()
}

func bind(group, action, help, desc string, keys ...string) Binding {
	return Binding{
		Binding: key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc)),
		Name:    group + "." + action,
		Group:   group,
	}
}

// Help groups, in the order the help overlay lists them.
const (
	groupGlobal   = "global"
	groupNav      = "move"
	groupServices = "services"
	groupLogs     = "logs"
	groupStats    = "stats"
	groupDoctor   = "doctor"
	groupInspect  = "inspect"
)

// keyMap is every binding the UI has. Panes read the fields they handle;
// all() exposes them as one table for config overrides and the help overlay.
type keyMap struct {
	// global
	Quit, Help, Command, NextPane, PrevPane, Back, NextTab, PrevTab Binding
	// full-screen views
	Resources, Projects Binding
	// moving in lists and logs
	Up, Down, PageUp, PageDown, Top, Bottom Binding
	// services pane: profiles and lifecycle
	Toggle, Profiles, Open                                           Binding
	UpSvc, Stop, Start, Restart, Recreate, Build, Kill, Remove, Exec Binding
	UpAll, DownAll, Reload, Output                                   Binding
	// logs pane
	Search, NextMatch, PrevMatch, Filter, Timestamps, Wrap, AllLogs, Clear, Save Binding
	// doctor pane
	Fix, Undo, DeathLogs Binding
	// env and ports tabs
	Reveal, Copy, OpenURL Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Quit:     bind(groupGlobal, "quit", "q", "quit", "q", "ctrl+c"),
		Help:     bind(groupGlobal, "help", "?", "help", "?"),
		Command:  bind(groupGlobal, "command", ":", "command line", ":"),
		NextPane: bind(groupGlobal, "next_pane", "tab", "next pane", "tab"),
		PrevPane: bind(groupGlobal, "prev_pane", "shift+tab", "previous pane", "shift+tab"),
		Back:     bind(groupGlobal, "back", "esc", "back / close", "esc"),
		NextTab:  bind(groupGlobal, "next_tab", "]", "next tab (logs … ports)", "]"),
		PrevTab:  bind(groupGlobal, "prev_tab", "[", "previous tab", "["),
		// Resources and projects are views over the whole screen (:resources,
		// :projects), as lazydocker's images and volumes panels.
		Resources: bind(groupGlobal, "resources", "i", "resources: images, volumes, networks", "i"),
		Projects:  bind(groupGlobal, "projects", "P", "other compose projects on the engine", "P"),

		Up:       bind(groupNav, "up", "↑/k", "up", "k", "up"),
		Down:     bind(groupNav, "down", "↓/j", "down", "j", "down"),
		PageUp:   bind(groupNav, "page_up", "pgup", "page up", "pgup", "ctrl+u"),
		PageDown: bind(groupNav, "page_down", "pgdn", "page down", "pgdown", "ctrl+d"),
		Top:      bind(groupNav, "top", "g", "top", "g", "home"),
		Bottom:   bind(groupNav, "bottom", "G", "bottom / follow", "G", "end"),

		Toggle:   bind(groupServices, "toggle", "space", "toggle profile", "space", "enter"),
		Profiles: bind(groupServices, "profiles", "p", "profile picker", "p"),
		Open:     bind(groupServices, "open", "enter", "open (logs / diagnosis)", "enter"),
		UpSvc:    bind(groupServices, "up", "u", "up", "u"),
		Stop:     bind(groupServices, "stop", "s", "stop", "s"),
		Start:    bind(groupServices, "start", "S", "start", "S"),
		Restart:  bind(groupServices, "restart", "r", "restart", "r"),
		Recreate: bind(groupServices, "recreate", "R", "recreate (--force-recreate; clears ≠ drift)", "R"),
		Build:    bind(groupServices, "build", "b", "build", "b"),
		Kill:     bind(groupServices, "kill", "x", "kill", "x"),
		Remove:   bind(groupServices, "remove", "d", "remove (asks)", "d"),
		Exec:     bind(groupServices, "exec", "e", "shell in container", "e"),
		UpAll:    bind(groupServices, "up_all", "U", "project up", "U"),
		DownAll:  bind(groupServices, "down_all", "D", "project down (asks)", "D"),
		Reload:   bind(groupServices, "reload", "ctrl+r", "reload compose files", "ctrl+r"),
		Output:   bind(groupServices, "output", "o", "show / hide action output", "o"),

		Search:     bind(groupLogs, "search", "/", "search", "/"),
		NextMatch:  bind(groupLogs, "next_match", "n", "next match", "n"),
		PrevMatch:  bind(groupLogs, "prev_match", "N", "previous match", "N"),
		Filter:     bind(groupLogs, "filter", "f", "only matching lines", "f"),
		Timestamps: bind(groupLogs, "timestamps", "t", "timestamps", "t"),
		Wrap:       bind(groupLogs, "wrap", "w", "wrap", "w"),
		AllLogs:    bind(groupLogs, "all", "a", "all services / selected", "a"),
		Clear:      bind(groupLogs, "clear", "c", "clear", "c"),
		Save:       bind(groupLogs, "save", "ctrl+s", "save to file", "ctrl+s"),

		Fix:  bind(groupDoctor, "fix", "f", "apply fix (preview first)", "f"),
		Undo: bind(groupDoctor, "undo", "u", "undo last fix", "u"),
		// Not l: the list opens a finding with l (→) as well.
		DeathLogs: bind(groupDoctor, "logs", "L", "logs at its death", "L"),

		Reveal: bind(groupInspect, "reveal", "v", "show / mask secret values", "v"),
		Copy:   bind(groupInspect, "copy", "y", "copy NAME=value (OSC 52)", "y"),
		// o is also the drawer's key; on the ports tab it opens the URL.
		OpenURL: bind(groupInspect, "open", "o", "open http://host:port", "o"),
	}
}

// all returns every binding, in help order, as pointers so config overrides
// can change them in place.
func (k *keyMap) all() []*Binding {
	return []*Binding{
		&k.Quit, &k.Help, &k.Command, &k.NextPane, &k.PrevPane, &k.Back, &k.NextTab, &k.PrevTab,
		&k.Resources, &k.Projects,
		&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom,
		&k.Toggle, &k.Profiles, &k.Open, &k.UpSvc, &k.Stop, &k.Start, &k.Restart, &k.Recreate,
		&k.Build, &k.Kill, &k.Remove, &k.Exec, &k.UpAll, &k.DownAll, &k.Reload, &k.Output,
		&k.Search, &k.NextMatch, &k.PrevMatch, &k.Filter, &k.Timestamps, &k.Wrap, &k.AllLogs, &k.Clear, &k.Save,
		&k.Fix, &k.Undo, &k.DeathLogs,
		&k.Reveal, &k.Copy, &k.OpenURL,
	}
}

// on reports whether a key press triggers b.
func on(msg tea.KeyPressMsg, b Binding) bool { return key.Matches(msg, b.Binding) }

// hints is a footer's worth of bindings: the ones that matter in the
// focused pane, then help and quit. The root renders them with the help
// bubble, a disabled one dimmed with its reason (hintKeys).
type hints []Binding

// onAny reports whether msg triggers one of bs.
func onAny(msg tea.KeyPressMsg, bs []*Binding) bool {
	for _, b := range bs {
		if on(msg, *b) {
			return true
		}
	}
	return false
}
