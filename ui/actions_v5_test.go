package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
)

// recordedV5 is the lines stack's line writer makes of what docker compose
// v5.6.0 printed (stack/testdata/compose-v5.6.0: up for `up -d` of two
// services, error for an up that failed); stack's
// TestLineWriterComposeV5Output checks the recorded bytes give them.
func recordedV5(t *testing.T, name string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "stack", "testdata", "compose-v5.6.0", name+".lines"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// drawerRowsOf returns the drawer's output rows, without its title.
func drawerRowsOf(t *testing.T, a *actions) []string {
	t.Helper()
	rows := strings.Split(ansi.Strip(a.View()), "\n")
	if len(rows) < 2 || !strings.HasPrefix(rows[0], "── output") {
		t.Fatalf("drawer is not open:\n%s", strings.Join(rows, "\n"))
	}
	return rows[1:]
}

// TestDrawerComposeV5Output: each compose v5 step is one row of the drawer,
// as compose printed it, and a failure's status line says compose's own
// error once.
func TestDrawerComposeV5Output(t *testing.T) {
	composeV5Up, composeV5Error := recordedV5(t, "up"), recordedV5(t, "error")
	if len(composeV5Up) != 12 || len(composeV5Error) != 3 {
		t.Fatalf("recordings: %d and %d lines, want 12 and 3", len(composeV5Up), len(composeV5Error))
	}
	ce := &stack.ComposeError{Command: []string{"docker", "compose", "--progress", "plain", "up", "-d", "api"}, ExitCode: 1,
		Err: errors.New("exit status 1"), Output: composeV5Error}
	ops := newScriptedOps(t, map[string]scripted{
		"up api":   {lines: composeV5Up},
		"stop api": {lines: composeV5Error, err: ce},
	})
	a := newTestActions(t, ops)
	a.SetSize(120, 20)

	cmd, _ := a.onKey(actKey("u"), actProject, actAPI())
	actPump(t, a, nil, cmd, nil)
	a.toggleDrawer()
	// The drawer ends with the action's result, after compose's lines.
	rows := drawerRowsOf(t, a)
	want := append(composeV5Up[len(composeV5Up)-(drawerRows-1):], "✓ up api")
	if len(rows) != len(want) {
		t.Fatalf("drawer rows %q; want the last %d lines of compose's output and the result", rows, drawerRows-1)
	}
	for i, r := range rows {
		r = strings.TrimRight(r, " ")
		if i < len(rows)-1 && r != want[i] || !strings.HasPrefix(r, want[i]) || lipgloss.Width(r) > 120 {
			t.Errorf("row %d = %q; want %q", i, r, want[i])
		}
	}

	cmd, _ = a.onKey(actKey("s"), actProject, actAPI())
	actPump(t, a, nil, cmd, nil)
	status := ansi.Strip(a.Status())
	const msg = "No such image: stackui-demo/nope:latest"
	if !strings.Contains(status, "stop api failed") || strings.Count(status, msg) != 1 {
		t.Errorf("status %q; want compose's error once", status)
	}
	// Rows of two actions say which action each comes from: "stop api │ ".
	rows = drawerRowsOf(t, a)
	last := rows[len(rows)-len(composeV5Error)-1:]
	for i, line := range append(composeV5Error, "✗ stop api failed: Error response from daemon: "+msg) {
		if got := strings.TrimRight(last[i], " "); !strings.HasSuffix(got, " │ "+line) {
			t.Errorf("drawer row %q; want it to end with %q", got, line)
		}
	}
}
