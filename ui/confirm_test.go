package ui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/themes"
)

func newTestConfirm(w, h int) *confirm {
	keys := defaultKeys()
	c := newConfirm(themes.Build(themes.Default(), true, true), &keys)
	c.SetSize(w, h)
	return c
}

// typeText feeds s to the modal one key at a time.
func confirmType(c *confirm, s string) {
	for _, r := range s {
		c.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// answer sends one key and returns the confirmed action, if any.
func confirmAnswer(t *testing.T, c *confirm, k tea.KeyPressMsg) *action {
	t.Helper()
	cmd := c.Update(k)
	if cmd == nil {
		return nil
	}
	if msg, ok := cmd().(confirmedMsg); ok {
		return &msg.act
	}
	return nil
}

func TestTypedConfirmationNeedsTheExactName(t *testing.T) {
	ops := newScriptedOps(t, map[string]scripted{"down -v": {lines: []string{"Removing volume demo_data"}}})
	a := newTestActions(t, ops)
	c := newTestConfirm(80, 20)
	actPump(t, a, c, a.request(verbOf(actRemoveVolumes), actProject, ""), nil)
	if !c.Active() {
		t.Fatal("remove volumes did not ask")
	}
	v := ansi.Strip(c.View())
	if !strings.Contains(v, "DELETE its volumes") || !strings.Contains(v, "Type demo to confirm") {
		t.Errorf("question:\n%s", v)
	}

	// y and enter, which answer a yes/no question, do nothing here.
	if got := confirmAnswer(t, c, actKey("y")); got != nil {
		t.Fatal("y confirmed a typed confirmation")
	}
	c.Update(tea.KeyPressMsg{Code: tea.KeyBackspace})
	for _, wrong := range []string{"", "dem", "Demo", "demo ", "demox"} {
		c.input.Reset()
		confirmType(c, wrong)
		if got := confirmAnswer(t, c, actKey("enter")); got != nil {
			t.Fatalf("%q confirmed", wrong)
		}
		if !c.Active() {
			t.Fatalf("%q closed the modal", wrong)
		}
		if v := ansi.Strip(c.View()); !strings.Contains(v, "not the project name") {
			t.Errorf("%q: no complaint in\n%s", wrong, v)
		}
	}
	if len(ops.called()) > 0 {
		t.Fatalf("ops called on a wrong name: %q", ops.called())
	}

	c.input.Reset()
	confirmType(c, "demo")
	cmd := c.Update(actKey("enter"))
	if c.Active() || cmd == nil {
		t.Fatal("the right name did not confirm")
	}
	seen, _ := actPump(t, a, c, cmd, nil)
	if got := actMsgs[confirmedMsg](seen); len(got) != 1 || got[0].act.kind != actRemoveVolumes {
		t.Fatalf("confirmed %+v", got)
	}
	if got := ops.called(); !slices.Equal(got, []string{"down -v"}) {
		t.Errorf("calls %q", got)
	}
}

func TestTypedConfirmationEscCancels(t *testing.T) {
	c := newTestConfirm(80, 20)
	c.Update(confirmRequestMsg{act: action{kind: actRemoveVolumes}, prompt: "Delete?", typed: "demo"})
	confirmType(c, "demo")
	if got := confirmAnswer(t, c, actKey("esc")); got != nil || c.Active() {
		t.Errorf("esc: confirmed %v, active %v", got, c.Active())
	}
	// Reopened, the input starts empty: the old text must not carry over.
	c.Update(confirmRequestMsg{act: action{kind: actRemoveVolumes}, prompt: "Delete?", typed: "demo"})
	if got := confirmAnswer(t, c, actKey("enter")); got != nil {
		t.Error("enter on a reopened modal confirmed with the old text")
	}
}

func TestYesNoDefaultsToNo(t *testing.T) {
	c := newTestConfirm(80, 20)
	req := confirmRequestMsg{act: action{kind: actDown}, prompt: "Bring demo down?"}
	for _, tc := range []struct {
		keys []string
		want bool
	}{
		{[]string{"enter"}, false},
		{[]string{"n"}, false},
		{[]string{"esc"}, false},
		{[]string{"y"}, true},
		{[]string{"Y"}, true},
		{[]string{"right", "enter"}, true},
		{[]string{"right", "right", "enter"}, false},
		{[]string{"x", "q", "enter"}, false}, // stray keys neither answer nor close
	} {
		c.Update(req)
		var got *action
		for _, k := range tc.keys {
			if a := confirmAnswer(t, c, actKey(k)); a != nil {
				got = a
			}
		}
		if (got != nil) != tc.want {
			t.Errorf("%q: confirmed %v, want %v", tc.keys, got != nil, tc.want)
		}
		if got != nil && *got != req.act {
			t.Errorf("%q: confirmed %+v, want %+v", tc.keys, *got, req.act)
		}
		if c.Active() {
			t.Errorf("%q: still open", tc.keys)
		}
	}
}

func TestConfirmStrayKeysKeepItOpen(t *testing.T) {
	c := newTestConfirm(80, 20)
	c.Update(confirmRequestMsg{act: action{kind: actDown}, prompt: "Bring demo down?"})
	for _, k := range []string{"x", "q", "u", "D"} {
		if confirmAnswer(t, c, actKey(k)) != nil || !c.Active() {
			t.Fatalf("%s answered or closed the question", k)
		}
	}
}

func TestConfirmFitsItsSize(t *testing.T) {
	long := strings.Repeat("Bring the very long project name down? ", 6)
	for _, size := range [][2]int{{80, 20}, {60, 15}, {30, 10}, {12, 6}} {
		c := newTestConfirm(size[0], size[1])
		for _, req := range []confirmRequestMsg{
			{act: action{kind: actDown}, prompt: long},
			{act: action{kind: actRemoveVolumes}, prompt: long, typed: strings.Repeat("p", 50)},
		} {
			c.Update(req)
			v := c.View()
			lines := strings.Split(v, "\n")
			if len(lines) > size[1] {
				t.Errorf("%v: %d lines", size, len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%v: line %q is %d wide", size, ansi.Strip(l), w)
				}
			}
			c.close()
		}
	}
	if newTestConfirm(80, 20).View() != "" {
		t.Error("a closed modal renders something")
	}
}
