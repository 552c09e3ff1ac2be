package ui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// configPane is the right pane's "config" tab: the selected service's
// effective compose config as YAML, after merges, extends and
// interpolation, each top-level key marked with the file:line that sets it
// (and the ones it overrides) and the variables interpolated into it.
type configPane struct {
	inspectTab
	view stack.ServiceConfigView
	// proj is the project the view was read from; a reload reads again.
	proj *stack.Project
	// reveal shows the secret-looking environment values (v), masked as
	// on the env tab otherwise.
	reveal bool
}

// configMsg is the answer to the config tab's read.
type configMsg struct {
	gen  int
	view stack.ServiceConfigView
	err  error
}

func (configMsg) forTab() tab { return tabConfig }

func newConfigPane(t inspectTab) *configPane {
	p := &configPane{inspectTab: t}
	p.list.cursorless = true
	return p
}

func (p *configPane) Title() string { return "config" }

func (p *configPane) ShortHelp() hints {
	k := p.keys
	return hints{k.Down, k.Up, k.PageDown, k.Reveal, k.NextTab, k.NextPane, k.Help, k.Quit}
}

func (p *configPane) Bindings() []*Binding { return []*Binding{&p.keys.Reveal} }

// SetStyles redraws the lines in the new styles.
func (p *configPane) SetStyles(st themes.Styles) {
	p.st = st
	p.list.set(configLines(p.st, p.view, p.reveal))
}

// Show reads the config again when the tab comes into view, or the
// service or the project changed while it is in view.
func (p *configPane) Show(visible bool, service string) tea.Cmd {
	if p.snap.Project != p.proj {
		// Another load: seen as a change, so a visible tab reads again.
		p.proj, p.shown.visible = p.snap.Project, false
	}
	if service != p.shown.service {
		p.reveal = false // shown secrets stay with the service they were shown for
	}
	if !p.shown.change(visible, service, "") {
		return nil
	}
	switch {
	case service == "":
		p.note = "no service selected"
		return nil
	case p.insp == nil:
		p.note = "config: not available here"
		return nil
	}
	if p.view.Service != service {
		p.note = "reading the config of " + service + "…"
	}
	insp, gen := p.insp, p.shown.gen
	return func() tea.Msg {
		v, err := insp.ServiceConfig(service)
		return configMsg{gen: gen, view: v, err: err}
	}
}

func (p *configPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case configMsg:
		if msg.gen != p.shown.gen {
			return nil
		}
		p.note = ""
		if msg.err != nil {
			p.note = clean(msg.err.Error())
			return nil
		}
		if msg.view.Service != p.view.Service {
			p.list.offset = 0
		}
		p.view = msg.view
		p.list.set(configLines(p.st, p.view, p.reveal))
	case tea.KeyPressMsg:
		if on(msg, p.keys.Reveal) {
			p.reveal = !p.reveal
			p.list.set(configLines(p.st, p.view, p.reveal))
			return nil
		}
		p.list.key(msg, p.keys)
	default:
		p.list.key(msg, p.keys)
	}
	return nil
}

func (p *configPane) View() string { return p.body() }

// configLines draws the view: each key's YAML, its first line followed by
// where it is set and which variables went into it. Environment values
// whose names look secret are masked unless reveal.
func configLines(st themes.Styles, v stack.ServiceConfigView, reveal bool) []string {
	var out []string
	for _, k := range v.Keys {
		// masking is the indent of a masked secret's line: the lines
		// indented deeper are the rest of its value (a PEM key in YAML's
		// block style), hidden with it.
		masking := -1
		for i, l := range strings.Split(k.YAML, "\n") {
			l = clean(l)
			indent := len(l) - len(strings.TrimLeft(l, " "))
			if masking >= 0 && (indent > masking || strings.TrimSpace(l) == "") {
				continue
			}
			masking = -1
			switch {
			case i == 0:
				out = append(out, st.Key.Render(l)+st.Muted.Render("  # "+clean(originText(k))))
				continue
			case k.Key == "environment" && !reveal:
				if name, _, ok := strings.Cut(strings.TrimSpace(l), ":"); ok && isSecret(name) {
					l = l[:strings.Index(l, ":")+1] + " " + st.Dim.Render(masked)
					masking = indent
				}
			}
			out = append(out, l)
		}
	}
	return out
}

// originText says where a key is set: "compose.override.yaml:4 (over
// compose.yaml:3) · $TAG from .env:2".
func originText(k stack.ConfigKey) string {
	var b strings.Builder
	switch len(k.Origins) {
	case 0:
		b.WriteString("compose default")
	default:
		b.WriteString(k.Origins[0].String())
		if len(k.Origins) > 1 {
			var over []string
			for _, o := range k.Origins[1:] {
				over = append(over, o.String())
			}
			b.WriteString(" (over " + strings.Join(over, ", ") + ")")
		}
	}
	for _, v := range k.Vars {
		b.WriteString(" · $" + v.Name)
		if v.From == "" {
			b.WriteString(" unset (default used)")
		} else {
			b.WriteString(" from " + v.From)
		}
	}
	return b.String()
}
