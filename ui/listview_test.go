package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
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

// An engine error or a path in the status line is cleaned before the line
// is cut to the width: cut first, the frame's escaping of a bidi override
// made it wider than the terminal, which wrapped it onto the next line.
func TestStatusLineFitsWithEscapedCharacters(t *testing.T) {
	gone := fmt.Errorf("project shop: its compose file /home/\u202E%s/compose.yaml is gone", strings.Repeat("\u2066", 30))
	inv := &fakeInventory{projects: demoProjects(), openErr: gone}
	m := resourcesModel(t, inv, nil)
	m = openView(t, m, "P")
	m = pressKeys(m, "j")
	m, cmd := asModel2(m.Update(actKey("enter")))
	m = drive(t, m, cmd)
	m = pressKeys(m, "esc")
	frame := m.View().Content
	if !strings.Contains(ansi.Strip(frame), "<U+202E>") {
		t.Fatalf("the error is not on screen:\n%s", ansi.Strip(frame))
	}
	for i, l := range strings.Split(frame, "\n") {
		if w := ansi.StringWidth(l); w > m.width {
			t.Errorf("line %d is %d cells wide, the terminal %d: %q", i, w, m.width, ansi.Strip(l))
		}
	}
}

// A secret's value on more than one line (a PEM key, in YAML's block
// style) is masked whole in the config tab, not only its first line.
func TestConfigMasksMultiLineSecrets(t *testing.T) {
	v := stack.ServiceConfigView{Service: "api", Keys: []stack.ConfigKey{{Key: "environment",
		YAML: "environment:\n  PRIVATE_KEY: |-\n    -----BEGIN KEY-----\n    c2VjcmV0\n  PLAIN: visible\n  TOKEN: >-\n    folded secret\n    more"}}}
	out := ansi.Strip(strings.Join(configLines(themes.Build(themes.Default(), true, false), v, false), "\n"))
	for _, s := range []string{"BEGIN KEY", "c2VjcmV0", "folded secret", "more"} {
		if strings.Contains(out, s) {
			t.Errorf("%q shows while secrets are masked:\n%s", s, out)
		}
	}
	if !strings.Contains(out, "PLAIN: visible") || strings.Count(out, masked) != 2 {
		t.Errorf("want PLAIN shown and two masked values:\n%s", out)
	}
	shown := ansi.Strip(strings.Join(configLines(themes.Build(themes.Default(), true, false), v, true), "\n"))
	if !strings.Contains(shown, "c2VjcmV0") {
		t.Errorf("v does not show the value:\n%s", shown)
	}
}
