package ui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/ui/logbuf"
)

// The full-screen views (resources, projects) as the root opens them and
// takes what they send back: a project opened in place of this one, a
// volume removed.

// viewContext is the context the views' engine calls end with.
func (o Options) viewContext() context.Context {
	if o.Context != nil {
		return o.Context
	}
	return context.Background()
}

// openResources shows the resources view; it reads the engine now, and
// again only when asked.
func (m *Model) openResources() tea.Cmd {
	v := newResourcesView(m.opts.viewContext(), *m.st, m.keys, m.opts.Inventory, m.snap.Project)
	m.openOverlay(v)
	return v.fetch()
}

// openProjects shows the projects view.
func (m *Model) openProjects() tea.Cmd {
	current := ""
	if m.snap.Project != nil {
		current = m.snap.Project.Name
	}
	v := newProjectsView(m.opts.viewContext(), *m.st, m.keys, m.opts.Projects, current)
	m.openOverlay(v)
	return v.fetch()
}

// projectOpened makes a project loaded from the projects view the
// session's project, as a reload would: a load of the old one still
// running is superseded, and the new files are watched.
func (m *Model) projectOpened(msg projectOpenedMsg) tea.Cmd {
	if msg.err != nil {
		if m.overlay != nil {
			m.overlay.Update(msg)
		}
		return statusErr("open " + msg.name + ": " + msg.err.Error())
	}
	m.reloads++
	m.loadErr = nil
	m.overlay = nil
	// The log buffers are by service name: the other project's api is
	// not this one's.
	m.logs.store.Clear(logbuf.View{All: true})
	m.logs.reset()
	m.src.SetProject(msg.project)
	cmd := m.takeSnapshot()
	if m.opts.Watch != nil {
		m.opts.Watch(append(append([]string{}, msg.project.Files...), msg.project.EnvFiles...))
	}
	m.layout()
	return tea.Batch(cmd, status("opened project "+msg.project.Name+" ("+msg.project.WorkingDir+")"))
}

// viewActionDone hands the end of a volume's removal to the resources
// view, while it is open, which then reads the engine again.
func (m *Model) viewActionDone(msg actionDoneMsg) tea.Cmd {
	if v, ok := m.overlay.(*resourcesView); ok && msg.act.kind == actRemoveVolume {
		return v.Update(msg)
	}
	return nil
}
