package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/themes"
)

// command is one word the command line understands, with its help.
type command struct{ name, args, desc string }

// commands are what the command line understands, in the order tab
// completion offers them: the verbs' words (verbs) among the commands that
// only the command line has. The first word completes from these.
func commands() []command {
	out := []command{{"profile", "NAME [on|off]", "turn a profile on or off (toggles without on/off)"}}
	for _, v := range verbs {
		if v.word != "" && v.desc != "" {
			out = append(out, command{v.word, v.args, v.desc})
		}
	}
	return append(out,
		command{"logs", "all|SERVICE", "show every service's logs, or one's"},
		command{"config", "", "the selected service's effective config, with the file:line of each key"},
		command{"env", "", "the selected container's environment (secrets masked)"},
		command{"top", "", "the selected container's processes"},
		command{"ports", "", "the selected container's published ports"},
		command{"resources", "", "the project's images, volumes and networks (also :images, :volumes, :networks)"},
		command{"projects", "", "other compose projects on the engine; enter opens one"},
		command{"reload", "", "load the compose files again"},
		command{"help", "", "show every key"},
		command{"quit", "", "quit stackui"},
	)
}

// commandLine is the `:` prompt at the bottom of the screen.
type commandLine struct {
	st    themes.Styles
	keys  *keyMap
	input textinput.Model
	width int
	// closed is set by enter and esc; the root drops the prompt at once,
	// so keys typed right after enter go to the panes, not to the prompt.
	closed bool
	// submitted is the command entered, split into words.
	submitted []string
}

func newCommandLine(st themes.Styles, keys *keyMap, services []string) *commandLine {
	in := textinput.New()
	in.Prompt = ":"
	in.ShowSuggestions = true
	var sugg []string
	for _, c := range commands() {
		sugg = append(sugg, c.name)
		if strings.Contains(c.args, "SERVICE") {
			for _, s := range services {
				sugg = append(sugg, c.name+" "+s)
			}
		}
	}
	sugg = append(sugg, "logs all")
	in.SetSuggestions(sugg)
	// A blinking cursor would be a ticker running while the prompt is open.
	s := in.Styles()
	s.Cursor.Blink = false
	in.SetStyles(s)
	in.Focus()
	return &commandLine{st: st, keys: keys, input: in}
}

func (c *commandLine) SetSize(w, _ int) {
	c.width = w
	c.input.SetWidth(max(w-2, 1))
}

// Update edits the line; enter sends it as a commandMsg, esc drops it.
func (c *commandLine) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc", "ctrl+c":
			c.closed = true
			return nil
		case "enter":
			// The root runs the command in this same Update, so a key
			// typed right after enter already sees its effect.
			c.closed = true
			c.submitted = strings.Fields(c.input.Value())
			return nil
		}
	}
	var cmd tea.Cmd
	c.input, cmd = c.input.Update(msg)
	return cmd
}

func (c *commandLine) View() string { return c.input.View() }
