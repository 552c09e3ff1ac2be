package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
)

// colOf is the cell at which marker starts on the screen's line that holds
// key, or -1.
func colOf(scr, key, marker string) int {
	for _, l := range strings.Split(scr, "\n") {
		if strings.Contains(l, key) {
			if i := strings.Index(l, marker); i >= 0 {
				return ansi.StringWidth(l[:i])
			}
		}
	}
	return -1
}

// Names the engine reports (volumes, projects) are escaped before the
// columns' widths are taken: escaped only at the frame, a bidi override
// grew its row by the cells of <U+202E> and pushed the columns after it
// out of line with the others.
func TestFullScreenViewsEscapeNamesBeforeWidth(t *testing.T) {
	res := demoResources()
	res.Volumes = []stack.Volume{
		{Name: "plain_volume_x", Driver: "drvA", Size: 1, Declared: true},
		{Name: "evil\u202Evol", Driver: "drvB", Size: 1, Declared: true, Mountpoint: "/m\x1b]2;t\x07"},
	}
	inv := &fakeInventory{res: res, projects: []stack.ProjectSummary{
		{Name: "demo", WorkingDir: "/w/demo", States: map[string]int{"running": 1}},
		{Name: "sh\u202Eop", WorkingDir: "/w/\u2066shop", States: map[string]int{"exited": 1}},
	}}
	m := resourcesModel(t, inv, nil)
	m = openView(t, m, "i")
	m = pressKeys(m, "]")
	scr := plainScreen(m)
	if strings.ContainsRune(scr, '\u202E') || strings.Contains(scr, "\x1b]") {
		t.Fatalf("the override reached the frame:\n%q", scr)
	}
	a, b := colOf(scr, "plain_volume_x", "drvA"), colOf(scr, "evil<U+202E>vol", "drvB")
	if a < 0 || a != b {
		t.Errorf("volumes: DRIVER at %d and %d, want the same cell:\n%s", a, b, scr)
	}
	m = pressKeys(m, "esc")
	m = openView(t, m, "P")
	scr = plainScreen(m)
	a, b = colOf(scr, "demo", "/w/demo"), colOf(scr, "sh<U+202E>op", "/w/<U+2066>shop")
	if a < 0 || a != b {
		t.Errorf("projects: WORKING DIR at %d and %d, want the same cell:\n%s", a, b, scr)
	}
}
