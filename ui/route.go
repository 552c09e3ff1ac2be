package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
)

// Routing of keys and the mouse: the open overlay or prompt first, then the
// global keys, then the focused pane.

// key routes a key press: the open overlay first, then global keys, then
// the focused pane.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.confirm.Active() {
		return m.confirm.Update(msg)
	}
	for _, p := range m.allPanes() {
		if p.Capturing() {
			cmd := p.Update(msg)
			// An answered question may have changed the findings.
			m.list.setBadges(badges(*m.st, m.doctor.Findings()))
			return cmd
		}
	}
	if m.cmdline != nil {
		cmd := m.cmdline.Update(msg)
		if c := m.cmdline; c.closed {
			m.cmdline = nil
			if len(c.submitted) > 0 {
				cmd = tea.Batch(cmd, m.runCommand(c.submitted))
			}
		}
		return cmd
	}
	if m.overlay != nil {
		cmd := m.overlay.Update(msg)
		// An overlay that is done closes in this Update, so the next key
		// already goes to the panes.
		if d, ok := m.overlay.(interface{ done() bool }); ok && d.done() {
			m.overlay = nil
		}
		return cmd
	}
	k := m.keys
	if on(msg, k.Back) && m.actions.Expanded() {
		cmd := m.actions.Update(msg)
		m.layout()
		return cmd
	}
	switch {
	case on(msg, k.Quit):
		m.logs.Close()
		return tea.Quit
	case m.snap.Project == nil:
		// The launch screen: only reload and quit mean anything.
		if on(msg, k.Restart) || on(msg, k.Reload) {
			return m.reload()
		}
		return nil
	case m.focus == focusRight && onAny(msg, m.right().Bindings()):
		// A tab's own key comes before a global one it shares (the
		// ports tab's o opens a URL; elsewhere o is the drawer).
		if why := disabledReason(msg, m.right().Bindings()); why != "" {
			m.refuse(why)
			return nil
		}
		return m.right().Update(msg)
	case on(msg, k.Help):
		m.openOverlay(newHelpOverlay(*m.st, m.keys))
		return nil
	case on(msg, k.NextPane), on(msg, k.PrevPane):
		m.focus = 1 - m.focus
		return nil
	case on(msg, k.Reload):
		return m.reload()
	case on(msg, k.Output):
		m.actions.toggleDrawer()
		m.layout()
		return nil
	case on(msg, k.NextTab):
		m.setTab((m.tab + 1) % tabCount)
		return nil
	case on(msg, k.PrevTab):
		m.setTab((m.tab + tabCount - 1) % tabCount)
		return nil
	case on(msg, k.Command):
		m.cmdline = newCommandLine(*m.st, m.keys, serviceNames(m.snap.Project))
		m.cmdline.SetSize(m.width, 1)
		return nil
	case on(msg, k.Profiles):
		m.openOverlay(newProfilePicker(*m.st, m.keys, m.snap.Project))
		return nil
	case on(msg, k.Resources):
		return m.openResources()
	case on(msg, k.Projects):
		return m.openProjects()
	}
	if why := disabledReason(msg, m.focusedPane().Bindings()); why != "" {
		m.refuse(why)
		return nil
	}
	if m.focus == focusServices {
		if cmd, ok := m.serviceKey(msg); ok {
			return cmd
		}
		if r, _ := m.list.selectedRow(); r.service != nil && on(msg, k.Open) {
			// A service with a finding opens its diagnosis; others their logs.
			if m.doctor.OpenFor(r.service.Service.Name) {
				m.setTab(tabDoctor)
			} else if m.tab == tabDoctor {
				m.setTab(tabLogs)
			}
			m.focus = focusRight
			return nil
		}
		// The log keys share no key with the services pane's, so they work
		// from the list too: `/` searches the selected service's logs.
		if m.tab == tabLogs && onAny(msg, m.logs.Bindings()) {
			return m.logs.Update(msg)
		}
		// So do the config and env tabs' v and y (not the ports tab's o:
		// from the list, o is the drawer).
		if (m.tab == tabConfig || m.tab == tabEnv) && onAny(msg, m.right().Bindings()) {
			if why := disabledReason(msg, m.right().Bindings()); why != "" {
				m.refuse(why)
				return nil
			}
			return m.right().Update(msg)
		}
		cmd := m.list.Update(msg)
		m.selectionChanged()
		return cmd
	}
	return m.right().Update(msg)
}

// serviceNames are the project's services, for the command line's
// completion.
func serviceNames(p *stack.Project) []string {
	var names []string
	if p != nil {
		for _, s := range p.Services {
			names = append(names, s.Name)
		}
	}
	return names
}

// right is the right pane's current tab.
func (m *Model) right() tabPane { return m.tabs[m.tab] }

// disabledReason is why the binding msg presses among bs does nothing
// now, or "" when none of them is disabled.
func disabledReason(msg tea.KeyPressMsg, bs []*Binding) string {
	for _, b := range bs {
		if on(msg, *b) {
			if why := b.reason(); why != "" {
				return why
			}
		}
	}
	return ""
}

// refuse answers a disabled key: its reason goes in the status line where
// the note about the last key goes, and nothing else happens.
func (m *Model) refuse(why string) {
	m.note = statusMsg{}
	m.actions.note = why
}

func (m *Model) setTab(t tab) {
	m.tab = t
	m.layout()
}

// mouse routes clicks and the wheel to the pane under the pointer.
func (m *Model) mouse(msg tea.MouseMsg) tea.Cmd {
	if m.overlay != nil {
		return nil
	}
	ms := msg.Mouse()
	left := m.geo().inList(ms.X, ms.Y)
	if _, click := msg.(tea.MouseClickMsg); click {
		if left {
			m.focus = focusServices
		} else {
			m.focus = focusRight
		}
	}
	if left {
		cmd := m.list.Update(mouseAt(msg, 0, m.geo().bodyTop()+1))
		m.selectionChanged()
		return cmd
	}
	x, y, _, _ := m.geo().rightBox()
	if c, click := msg.(tea.MouseClickMsg); click && c.Y == y {
		// The title row holds the tabs.
		if t, ok := m.tabAt(c.X - x); ok {
			m.setTab(t)
			return nil
		}
	}
	return m.right().Update(mouseAt(msg, x, y+1))
}
