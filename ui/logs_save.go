package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"
)

// ctrl-s in the logs pane: what is shown, as plain text, to a file.

// logsSavedMsg reports a ctrl-s save; the root shows it in the status line.
type logsSavedMsg struct {
	Path  string
	Lines int
	Err   error
}

// String is the status line text.
func (m logsSavedMsg) String() string {
	if m.Err != nil {
		return m.Err.Error()
	}
	return fmt.Sprintf("saved %d log lines to %s", m.Lines, m.Path)
}

// save writes what is shown, as plain text, to
// stackui-<project>-<service>-<time>.log. The text is taken now, the file
// is written off the UI goroutine.
func (m *logsPane) save() tea.Cmd {
	text := m.store.Export(m.view())
	lines := strings.Count(text, "\n")
	project := "stackui"
	if m.snap.Project != nil {
		project = m.snap.Project.Name
	}
	svc := m.service
	if m.all || svc == "" {
		svc = "all"
	}
	name := fmt.Sprintf("stackui-%s-%s-%s.log", safeName(project), safeName(svc), m.opts.Now().Format("20060102-150405"))
	path := filepath.Join(m.opts.SaveDir, name)
	return func() tea.Msg {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			return logsSavedMsg{Path: path, Err: fmt.Errorf("save logs: %w", err)}
		}
		if abs, err := filepath.Abs(path); err == nil {
			path = abs
		}
		return logsSavedMsg{Path: path, Lines: lines}
	}
}

// safeName keeps a name usable in a file name.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ':' || r < 0x20 {
			return '_'
		}
		return r
	}, s)
}
