package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/themes"
)

// confirmRequestMsg asks the user to confirm an action before it runs.
// With typed set, the user must type exactly that (the project name);
// otherwise it is a yes/no question.
type confirmRequestMsg struct {
	act    action
	prompt string
	typed  string
	// what names the typed text in the refusal; "" means the project name.
	what string
}

// confirmedMsg is an action the user confirmed; the actions component runs
// it.
type confirmedMsg struct{ act action }

func askYesNo(act action, prompt string) tea.Cmd {
	return func() tea.Msg { return confirmRequestMsg{act: act, prompt: prompt} }
}

func askTyped(act action, prompt, typed string) tea.Cmd {
	return func() tea.Msg { return confirmRequestMsg{act: act, prompt: prompt, typed: typed} }
}

// confirmKeys are the modal's own keys. They stay fixed, unlike the
// keyMap's: what confirms a destructive action must not move.
type confirmKeys struct {
	yes, no, toggle, enter key.Binding
}

// confirm is the modal that stands between a destructive key and its
// action. The safe answer is the default: enter alone cancels a yes/no
// question, and a typed confirmation needs the exact text.
type confirm struct {
	st    themes.Styles
	keys  *keyMap
	ck    confirmKeys
	req   *confirmRequestMsg
	yes   bool // the highlighted answer
	input textinput.Model
	wrong bool // the last enter had the wrong text

	width, height int
}

func newConfirm(st themes.Styles, keys *keyMap) *confirm {
	in := textinput.New()
	in.Prompt = "> "
	in.CharLimit = 256
	// A steady cursor: a blinking one is a ticker twice a second.
	styles := in.Styles()
	styles.Cursor.Blink = false
	styles.Focused.Text = st.Input
	in.SetStyles(styles)
	return &confirm{
		st: st, keys: keys, input: in,
		ck: confirmKeys{
			yes:    key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
			no:     key.NewBinding(key.WithKeys("n", "N"), key.WithHelp("n", "no")),
			toggle: key.NewBinding(key.WithKeys("left", "right", "h", "l", "tab", "shift+tab"), key.WithHelp("←/→", "choose")),
			enter:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "answer")),
		},
	}
}

// SetStyles switches the styles, once the terminal's background is known.
func (c *confirm) SetStyles(st themes.Styles) { c.st = st }

// Active reports whether the modal is open; while it is, the root sends
// it every key.
func (c *confirm) Active() bool { return c.req != nil }

// SetSize gives the modal the area it is centred in.
func (c *confirm) SetSize(w, h int) {
	c.width, c.height = w, h
	c.input.SetWidth(max(c.boxWidth()-8, 1))
}

// Update opens the modal on a request and answers keys while open.
func (c *confirm) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case confirmRequestMsg:
		c.req = &msg
		c.yes, c.wrong = false, false
		c.input.Reset()
		if msg.typed != "" {
			return c.input.Focus()
		}
	case tea.KeyPressMsg:
		if c.req == nil {
			return nil
		}
		if c.req.typed != "" {
			return c.typedKey(msg)
		}
		return c.yesNoKey(msg)
	}
	return nil
}

func (c *confirm) yesNoKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, c.ck.yes):
		return c.accept()
	case key.Matches(msg, c.ck.no), on(msg, c.keys.Back):
		c.close()
	case key.Matches(msg, c.ck.toggle):
		c.yes = !c.yes
	case key.Matches(msg, c.ck.enter):
		if c.yes {
			return c.accept()
		}
		c.close()
	}
	return nil
}

func (c *confirm) typedKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case on(msg, c.keys.Back):
		c.close()
		return nil
	case key.Matches(msg, c.ck.enter):
		if c.input.Value() == c.req.typed {
			return c.accept()
		}
		c.wrong = true
		return nil
	}
	c.wrong = false
	var cmd tea.Cmd
	c.input, cmd = c.input.Update(msg)
	return cmd
}

func (c *confirm) accept() tea.Cmd {
	act := c.req.act
	c.close()
	return func() tea.Msg { return confirmedMsg{act: act} }
}

func (c *confirm) close() {
	c.req = nil
	c.input.Blur()
	c.input.Reset()
}

func (c *confirm) boxWidth() int {
	w := 64
	if c.width > 0 {
		w = min(w, c.width)
	}
	return max(w, 8)
}

// View renders the modal box (no wider or taller than its size) for the
// root to place over the screen; "" when closed.
func (c *confirm) View() string {
	if c.req == nil {
		return ""
	}
	w := c.boxWidth()
	inner := max(w-4, 1) // border and padding
	lines := strings.Split(ansi.Wrap(actionText(c.req.prompt), inner, ""), "\n")
	lines = append(lines, "")
	if c.req.typed != "" {
		lines = append(lines, "Type "+c.st.Key.Render(actionText(c.req.typed))+" to confirm, esc to cancel:")
		lines = append(lines, c.input.View())
		if c.wrong {
			what := c.req.what
			if what == "" {
				what = "the project name"
			}
			lines = append(lines, c.st.StatusError.Render("That is not "+what+"; nothing was done."))
		}
	} else {
		yes, no := " yes ", " no "
		if c.yes {
			yes = c.st.Selected.Render(yes)
		} else {
			no = c.st.Selected.Render(no)
		}
		lines = append(lines, yes+"  "+no+"   "+c.st.Muted.Render("y/n · enter answers · esc cancels"))
	}
	if c.height > 0 && len(lines) > c.height-2 {
		lines = lines[:max(c.height-2, 1)]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, inner, "…")
	}
	return c.st.Overlay.Width(w).Render(strings.Join(lines, "\n"))
}
