package ui

import tea "charm.land/bubbletea/v2"

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
