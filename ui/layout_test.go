package ui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/themes"
)

// cellWidth's quick path agrees with ansi.StringWidth, and what it does
// not handle goes to it.
func TestCellWidthAgreesWithStringWidth(t *testing.T) {
	for _, s := range []string{
		"", "plain", "\x1b[32mINFO\x1b[0m served in 3ms", "\x1b[38;2;1;2;3mx\x1b[m",
		"\x1b[", "\x1b[3", "\x1b[3\x01m", "a\x1b]8;;http://x\x07link\x1b]8;;\x07",
		"tab\there", "● svc001", "e\u0301", "#\ufe0f\u20e3", "日本語", "\x1b[1m▌logs\x1b[m",
		"x\x7fy", "\x1bXa", "a\x1b[?25lb",
	} {
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("cellWidth(%q) = %d, ansi.StringWidth %d", s, got, want)
		}
	}
}

// The panes come out already fitted: fitting the frame's body again
// changes nothing, side by side and stacked, with the merged logs showing.
func TestPanesComeOutFitted(t *testing.T) {
	for _, size := range []tea.WindowSizeMsg{{Width: 120, Height: 36}, {Width: 80, Height: 24}, {Width: 200, Height: 15}} {
		m := New(&fakeSource{snap: demoSnapshot(), ch: make(chan struct{}, 1)}, Options{Styles: themes.Build(themes.Default(), true, false)})
		m = asModel(m.Update(size))
		m = asModel(m.Update(tea.KeyPressMsg{Code: tea.KeyTab}))
		m = asModel(m.Update(tea.KeyPressMsg{Code: 'a', Text: "a"}))
		body, fitted := m.panes()
		if !fitted {
			t.Fatalf("%dx%d: panes not fitted", size.Width, size.Height)
		}
		if again := fitBlock(body, m.width, m.geo().bodyHeight()); again != body {
			t.Errorf("%dx%d: fitting the body again changed it:\n%s\n---\n%s", size.Width, size.Height, body, again)
		}
		if n := strings.Count(body, "\n") + 1; n != m.geo().bodyHeight() {
			t.Errorf("%dx%d: %d rows, want %d", size.Width, size.Height, n, m.geo().bodyHeight())
		}
	}
}
