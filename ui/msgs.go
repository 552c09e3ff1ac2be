package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
)

// Messages shared between the root and its panes. Messages that belong to
// one pane are declared next to the code that sends them.

// changedMsg says the live state changed; the model takes a new snapshot.
type changedMsg struct{}

// filesChangedMsg says the compose files changed on disk.
type filesChangedMsg struct{}

// reloadedMsg carries the result of loading the compose files again.
type reloadedMsg struct {
	seq     int
	project *stack.Project
	err     error
}

// composeMsg carries the name of the compose CLI once detected.
type composeMsg string

// statusMsg puts a one-line note in the status line: the result of saving
// logs, a config problem, a command-line error.
type statusMsg struct {
	text string
	err  bool
}

func status(text string) tea.Cmd { return func() tea.Msg { return statusMsg{text: text} } }

func statusErr(text string) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: text, err: true} }
}

// waitForChange is the self re-arming command that carries live-state
// changes into Update: it blocks on the channel, not on a timer.
func waitForChange(ch <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		return changedMsg{}
	}
}

func waitForFiles(ch <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		return filesChangedMsg{}
	}
}
