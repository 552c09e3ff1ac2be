package ui

import (
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// serviceKey handles the keys that act on the selected row of the services
// pane. ok is false when the key is not one of them.
func (m *Model) serviceKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.keys
	r, _ := m.list.selectedRow()
	if r.service == nil {
		// A profile header: space or enter turns it on or off.
		if on(msg, k.Toggle) && !r.always {
			return m.toggleProfile(r.header, !r.on), true
		}
	}
	if m.opts.Ops == nil {
		return nil, false
	}
	cmd, ok := m.actions.onKey(msg, m.snap.Project, r.service)
	if ok {
		// The action's own status replaces an older note.
		m.note = statusMsg{}
	}
	m.layout()
	return cmd, ok
}

// runVerb runs a verb from the command line: on the project, or on the
// service named in args[1] (the selected one when none is), refused for the
// reason its key would be.
func (m *Model) runVerb(v *verb, args []string) tea.Cmd {
	if v.project {
		return m.actions.request(v, m.snap.Project, "")
	}
	if len(args) < 2 {
		if s := m.selected(); s != "" {
			args = append(args, s)
		} else {
			return statusErr(":" + args[0] + " needs a service")
		}
	}
	ss, ok := m.snap.Service(args[1])
	if !ok {
		return statusErr("no service " + args[1] + " in this project")
	}
	if why := v.reason(&ss); why != "" {
		return statusErr(why)
	}
	return m.actions.request(v, m.snap.Project, args[1])
}

// toggleProfile turns a profile on or off for the session.
func (m *Model) toggleProfile(name string, turnOn bool) tea.Cmd {
	p := m.snap.Project
	if p == nil {
		return nil
	}
	if name == "" {
		// compose matches "" exactly when no profile is chosen; it is not
		// a name the CLI takes.
		return statusErr(`the "" profile is on while no profile is; turn the others off to turn it on`)
	}
	if !slices.Contains(p.Profiles, name) {
		return statusErr("no profile " + name + " in this project (it has: " + strings.Join(p.Profiles, ", ") + ")")
	}
	// A selection compose would refuse (an enabled service needing one the
	// selection leaves off) is refused here, before anything runs.
	next := slices.DeleteFunc(slices.Clone(p.ActiveProfiles), func(s string) bool { return s == name })
	if turnOn {
		next = append(next, name)
	}
	if _, err := p.WithProfiles(next); err != nil {
		verb := "off"
		if turnOn {
			verb = "on"
		}
		return statusErr("profile " + name + " " + verb + " refused: " + err.Error())
	}
	if m.opts.Ops == nil {
		return statusErr("no actions in this view")
	}
	return m.actions.run(profileToggle(name, turnOn))
}

// runCommand runs a line entered at the `:` prompt.
func (m *Model) runCommand(args []string) tea.Cmd {
	switch args[0] {
	case "q", "quit":
		return tea.Quit
	case "help":
		m.openOverlay(newHelpOverlay(*m.st, m.keys))
		return nil
	case "reload":
		return m.reload()
	case "profile", "profiles":
		if len(args) < 2 {
			m.openOverlay(newProfilePicker(*m.st, m.keys, m.snap.Project))
			return nil
		}
		name := args[1]
		turnOn := m.snap.Project == nil || !slices.Contains(m.snap.Project.ActiveProfiles, name)
		if len(args) > 2 {
			switch args[2] {
			case "on":
				turnOn = true
			case "off":
				turnOn = false
			default:
				return statusErr(":profile " + name + " " + args[2] + ": say on or off")
			}
		}
		return m.toggleProfile(name, turnOn)
	case "logs":
		if len(args) < 2 {
			m.setTab(tabLogs)
			return nil
		}
		return m.showLogs(args[1])
	case "stats":
		m.setTab(tabStats)
		return nil
	case "config", "env", "top", "ports":
		m.setTab(map[string]tab{"config": tabConfig, "env": tabEnv, "top": tabTop, "ports": tabPorts}[args[0]])
		m.focus = focusRight
		return nil
	case "resources", "images", "volumes", "networks":
		cmd := m.openResources()
		if v, ok := m.overlay.(*resourcesView); ok && args[0] != "resources" {
			v.section = map[string]resourceSection{"images": secImages, "volumes": secVolumes, "networks": secNetworks}[args[0]]
		}
		return cmd
	case "projects":
		return m.openProjects()
	case "doctor", "findings":
		m.setTab(tabDoctor)
		m.focus = focusRight
		return nil
	}
	if m.opts.Ops == nil {
		return statusErr(":" + args[0] + ": no actions in this view")
	}
	word := args[0]
	if word == "down" && len(args) > 1 && (args[1] == "-v" || args[1] == "--volumes") {
		word = "remove-volumes"
	}
	if v := verbNamed(word, len(args) > 1); v != nil {
		return m.runVerb(v, args)
	}
	return statusErr("unknown command :" + args[0] + " (try :help)")
}

// showLogs points the logs pane at one service, selecting it in the list,
// or at all services.
func (m *Model) showLogs(target string) tea.Cmd {
	if target == "all" {
		m.logs.SetAll(true)
		return nil
	}
	if _, ok := m.snap.Service(target); !ok {
		return statusErr("no service " + target + " in this project")
	}
	m.list.selectName(target)
	m.logs.SetAll(false)
	m.selectionChanged()
	m.setTab(tabLogs)
	return nil
}
