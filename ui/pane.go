package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// component is the contract every pane and overlay follows (soft-serve's
// common.Component): it handles messages in place and renders into the size
// it was given. Key bindings live in the shared keyMap, which each component
// is handed when it is made.
type component interface {
	// Update handles a message and returns a command to run, or nil.
	Update(msg tea.Msg) tea.Cmd
	// View renders exactly the size given to SetSize: no more lines, and no
	// line wider.
	View() string
	SetSize(width, height int)
}

// pane is what the root needs from each of its panes, so it can loop over
// them instead of naming each: the services list on the left and every tab
// on the right. A new pane implements it (tabPane for a tab) and is listed
// in Model.panes; the root then feeds it snapshots and styles, lets it
// capture keys and shows its hints without further wiring.
type pane interface {
	component
	// Init starts the pane's own streams, if it has any.
	Init() tea.Cmd
	// SetSnapshot takes the live state; the command, if any, is work the
	// change calls for (a new diagnosis).
	SetSnapshot(stack.Snapshot) tea.Cmd
	// SetStyles swaps the pane's own styles once the terminal said its
	// background is light. A pane sets only its own fields.
	SetStyles(themes.Styles)
	// Capturing reports whether the pane takes every key right now (a
	// search being typed, a y/N question), before the root's global keys.
	Capturing() bool
	// ShortHelp is the footer's hints while the pane has the focus.
	ShortHelp() hints
	// Bindings are the keys the pane acts on while focused; the root
	// answers a disabled one with its reason instead of passing it on.
	Bindings() []*Binding
}

// tabPane is a tab of the right pane: a pane that follows the service
// selected on the left and names itself in the tab row.
type tabPane interface {
	pane
	// SetService says which service the services pane has selected.
	SetService(name string)
	// Title is the tab's name in the title row, with a count when it has
	// news ("doctor (2)").
	Title() string
}
