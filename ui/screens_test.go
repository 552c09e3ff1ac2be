package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
	"github.com/stackui/stackui/ui/logbuf"
)

// screenGolden compares a whole screen, ANSI stripped and trailing spaces
// trimmed, with testdata/screens/NAME.golden.
func screenGolden(t *testing.T, name string, m tea.Model) {
	t.Helper()
	golden(t, "screens", name, plainScreen(m))
}

func plainScreen(m tea.Model) string {
	lines := strings.Split(ansi.Strip(m.View().Content), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

// sized is a model at the golden size, 100×24, with monochrome styles so
// the goldens do not depend on colours.
func sized(t *testing.T, src Source, opts Options) Model {
	t.Helper()
	if opts.Styles.Title.String() == "" {
		opts.Styles = themes.Build(themes.Default(), true, true)
	}
	m := New(src, opts)
	m = asModel(m.Update(tea.WindowSizeMsg{Width: 100, Height: 24}))
	m = asModel(m.Update(composeMsg("docker-compose 1.29.2")))
	return m
}

func TestScreenServicesGroupedByProfile(t *testing.T) {
	m := sized(t, &fakeSource{snap: demoSnapshot(), ch: make(chan struct{}, 1)}, Options{})
	screenGolden(t, "services-grouped", m)
}

func TestScreenHelpOverlay(t *testing.T) {
	m := sized(t, &fakeSource{snap: demoSnapshot(), ch: make(chan struct{}, 1)}, Options{})
	m = asModel(m.Update(tea.KeyPressMsg{Code: '?', Text: "?"}))
	if _, ok := m.overlay.(*helpOverlay); !ok {
		t.Fatalf("? opened %T, want the help overlay", m.overlay)
	}
	screenGolden(t, "help", m)
	m = asModel(m.Update(tea.KeyPressMsg{Code: tea.KeyEscape}))
	m = asModel(m.Update(closeOverlayMsg{}))
	if m.overlay != nil {
		t.Fatal("esc did not close the help overlay")
	}
}

func TestScreenBrokenComposeFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte("services:\n  api:\n    image: x\n   ports: [1]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := stack.Load(t.Context(), stack.LoadOptions{WorkDir: dir, Env: map[string]string{}})
	if err == nil {
		t.Fatal("the broken file loaded")
	}
	m := sized(t, &fakeSource{ch: make(chan struct{}, 1)}, Options{LoadErr: err})
	screenGolden(t, "broken-file", m)
}

func TestScreenLogsWithSearch(t *testing.T) {
	m := sized(t, &fakeSource{snap: demoSnapshot(), ch: make(chan struct{}, 1)}, Options{})
	src := m.logs.store.Source("api", 1, 0)
	at := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	for i := range 30 {
		text := "GET /health 200"
		if i%7 == 3 {
			text = "POST /train 500 error: out of memory"
		}
		m.logs.store.Append(src, at.Add(time.Duration(i)*time.Second), logbuf.StreamStdout, text)
	}
	// Focus the logs, search for "error" and confirm.
	m = asModel(m.Update(tea.KeyPressMsg{Code: tea.KeyTab}))
	m = asModel(m.Update(tea.KeyPressMsg{Code: '/', Text: "/"}))
	for _, r := range "error" {
		m = asModel(m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
	m = asModel(m.Update(tea.KeyPressMsg{Code: tea.KeyEnter}))
	if m.logs.query.Empty() {
		t.Fatal("the search did not take")
	}
	screenGolden(t, "logs-search", m)
}
