package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
)

// topEvery is the least time between two reads of the process table.
const topEvery = time.Second

// topWait bounds one read: Podman (4.3) held a top asked while compose
// was still starting the container, and the tab stayed empty for good.
// A read past it says so and is asked again a second later.
const topWait = 5 * time.Second

// topPane is the right pane's "top" tab: the processes of the selected
// service's running container (the Engine API's container top). It reads
// them again a second after each answer, but only while the tab is on
// screen with a running container selected: the next read is a tick
// command re-armed by the answer, and an answer or tick from before the
// tab was hidden (or the selection changed) is dropped, which ends the
// chain.
type topPane struct {
	inspectTab
	procs stack.Processes
	// head is the column titles, drawn once per answer, not per frame.
	head string
	// every and wait are topEvery and topWait; tests shorten them.
	every, wait time.Duration
}

// topMsg is the answer to one read of the process table.
type topMsg struct {
	gen   int
	procs stack.Processes
	err   error
}

// topTickMsg says it is time to read the process table again.
type topTickMsg struct{ gen int }

func (topMsg) forTab() tab     { return tabTop }
func (topTickMsg) forTab() tab { return tabTop }

func newTopPane(t inspectTab) *topPane {
	return &topPane{inspectTab: t, every: topEvery, wait: topWait}
}

func (p *topPane) Title() string { return "top" }

func (p *topPane) ShortHelp() hints {
	k := p.keys
	return hints{k.Down, k.Up, k.NextTab, k.NextPane, k.Help, k.Quit}
}

func (p *topPane) Bindings() []*Binding { return nil }

// Show starts the reads when the tab comes into view on a running
// container; anything else ends them (the gen changes).
func (p *topPane) Show(visible bool, service string) tea.Cmd {
	c, ok := shownContainer(p.snap, service)
	id := ""
	if ok && c.State == stack.StateRunning {
		id = c.ID
	}
	if !p.shown.change(visible, service, id) {
		return nil
	}
	p.note = ""
	switch {
	case service == "":
		p.note = "no service selected"
	case id == "":
		p.note = clean(service) + " has no running container"
		p.procs = stack.Processes{}
	case p.insp == nil:
		p.note = "top: not available here"
	default:
		return p.read()
	}
	return nil
}

func (p *topPane) read() tea.Cmd {
	insp, gen, id, ctx, wait := p.insp, p.shown.gen, p.shown.id, p.ctx, p.wait
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		procs, err := insp.ContainerTop(ctx, id)
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("the engine did not list the processes within %s; asking again", wait)
		}
		return topMsg{gen: gen, procs: procs, err: err}
	}
}

func (p *topPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case topMsg:
		if msg.gen != p.shown.gen || !p.shown.visible {
			return nil
		}
		p.note = ""
		if msg.err != nil {
			p.note = clean(msg.err.Error())
		} else {
			p.procs = msg.procs
			head, lines := topTable(p.procs)
			p.head = p.st.Header.Render(head)
			p.list.set(lines)
		}
		// The next read, a second after this answer.
		gen := p.shown.gen
		return tea.Tick(p.every, func(time.Time) tea.Msg { return topTickMsg{gen: gen} })
	case topTickMsg:
		if msg.gen != p.shown.gen || !p.shown.visible {
			return nil
		}
		return p.read()
	default:
		p.list.key(msg, p.keys)
	}
	return nil
}

func (p *topPane) View() string {
	if len(p.procs.Titles) == 0 {
		return p.body()
	}
	return p.body(p.head)
}

// topTable is the process table laid out as the list views lay theirs
// out: cells cleaned once, each column as wide as its widest cell, the
// last (the command) taking what is left.
func topTable(ps stack.Processes) (head string, lines []string) {
	cols := make([]column, len(ps.Titles))
	for i, t := range ps.Titles {
		cols[i] = column{title: clean(t)}
	}
	rows := cleanCells(ps.Rows)
	w := columnWidths(cols, rows)
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	lines = make([]string, len(rows))
	for i, r := range rows {
		lines[i] = tableLine(r, w)
	}
	return tableLine(titles, w), lines
}
