package ui

import (
	"regexp"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
)

// envPane is the right pane's "env" tab: the container's environment, or
// the one compose declares when the service has no container. Values
// whose names look secret stay masked until v reveals them; y copies the
// selected line, as it is, to the clipboard (OSC 52): copying is always
// an explicit key, never a side effect.
type envPane struct {
	inspectTab
	vars []envVar
	// declared: vars are compose's, not a container's.
	declared bool
	reveal   bool
}

type envVar struct{ name, value string }

// detailsMsg is the answer to the env or ports tab's inspect call.
type detailsMsg struct {
	to  tab
	gen int
	d   stack.ContainerDetails
	err error
}

func (m detailsMsg) forTab() tab { return m.to }

// secretName is a name whose value is masked (PASSWORD, SECRET, TOKEN,
// KEY, ...), matched on the words of the name.
var secretName = regexp.MustCompile(`(?i)(^|[_.-])(PASS|PASSWORD|PASSWD|PASSPHRASE|SECRETS?|TOKENS?|KEYS?|APIKEY|CREDENTIALS?|AUTH|PRIVATE|DSN|SALT|COOKIE|SESSION)([_.-]|$)`)

// isSecret reports whether name's value is masked.
func isSecret(name string) bool { return secretName.MatchString(name) }

const masked = "••••••••"

func newEnvPane(t inspectTab) *envPane { return &envPane{inspectTab: t} }

func (p *envPane) Title() string { return "env" }

func (p *envPane) ShortHelp() hints {
	k := p.keys
	return hints{k.Down, k.Up, k.Reveal, k.Copy, k.NextTab, k.Help, k.Quit}
}

func (p *envPane) Bindings() []*Binding { return []*Binding{&p.keys.Reveal, &p.keys.Copy} }

// copyReason is why y does nothing now.
func (p *envPane) copyReason() string {
	if len(p.vars) == 0 {
		return "no variable to copy"
	}
	return ""
}

// Show inspects the container when the tab comes into view, or the
// service's container changed while it is in view.
func (p *envPane) Show(visible bool, service string) tea.Cmd {
	id := p.containerID(service)
	if service != p.shown.service {
		p.reveal = false // shown secrets stay with the service they were shown for
	}
	if !p.shown.change(visible, service, id) {
		return nil
	}
	return readDetails(&p.inspectTab, tabEnv, id, p.showDeclared)
}

// readDetails is the env and ports tabs' read: the container's inspect,
// or, without a container, what compose declares (declared).
func readDetails(t *inspectTab, to tab, id string, declared func()) tea.Cmd {
	t.note = ""
	switch {
	case t.shown.service == "":
		t.note = "no service selected"
		return nil
	case id == "":
		declared()
		return nil
	case t.insp == nil:
		t.note = "not available here"
		return nil
	}
	insp, gen, ctx := t.insp, t.shown.gen, t.ctx
	return func() tea.Msg {
		d, err := insp.ContainerDetails(ctx, id)
		return detailsMsg{to: to, gen: gen, d: d, err: err}
	}
}

// takeDetails says whether msg answers the tab's current read with the
// container's details; a failed read becomes the tab's note.
func (t *inspectTab) takeDetails(msg detailsMsg) bool {
	if msg.gen != t.shown.gen {
		return false
	}
	if msg.err != nil {
		t.note = clean(msg.err.Error())
		return false
	}
	return true
}

// showDeclared lists the environment the compose files give the service.
func (p *envPane) showDeclared() {
	p.vars, p.declared = nil, true
	if svc, ok := p.snap.Service(p.shown.service); ok {
		for name, v := range svc.Service.Config.Environment {
			val := ""
			if v != nil {
				val = *v
			}
			p.vars = append(p.vars, envVar{name, val})
		}
	}
	p.redraw()
}

func (p *envPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case detailsMsg:
		if !p.takeDetails(msg) {
			return nil
		}
		p.vars, p.declared = nil, false
		for _, kv := range msg.d.Env {
			name, val, _ := strings.Cut(kv, "=")
			p.vars = append(p.vars, envVar{name, val})
		}
		p.redraw()
	case tea.KeyPressMsg:
		switch {
		case on(msg, p.keys.Reveal):
			p.reveal = !p.reveal
			p.redraw()
		case on(msg, p.keys.Copy):
			return p.copySelected()
		default:
			p.list.key(msg, p.keys)
		}
	default:
		p.list.key(msg, p.keys)
	}
	return nil
}

// copySelected puts the selected NAME=value, unmasked, on the clipboard.
func (p *envPane) copySelected() tea.Cmd {
	if p.list.cursor >= len(p.vars) {
		return nil
	}
	v := p.vars[p.list.cursor]
	return tea.Batch(tea.SetClipboard(v.name+"="+v.value),
		status("copied "+clean(v.name)+" to the clipboard (OSC 52)"))
}

func (p *envPane) redraw() {
	sort.Slice(p.vars, func(i, j int) bool { return p.vars[i].name < p.vars[j].name })
	lines := make([]string, len(p.vars))
	for i, v := range p.vars {
		val := clean(v.value)
		if isSecret(v.name) && !p.reveal {
			val = p.st.Dim.Render(masked)
		}
		lines[i] = p.st.Key.Render(clean(v.name)) + "=" + val
	}
	p.list.set(lines)
	if len(lines) == 0 {
		p.note = "no environment variables"
	}
}

func (p *envPane) View() string {
	var head string
	switch {
	case p.declared:
		head = "no container: the environment the compose files declare"
	default:
		head = "container environment"
	}
	if p.reveal {
		head += " · secrets shown (v hides)"
	} else {
		head += " · secrets masked (v shows) · y copies"
	}
	return p.body(p.st.Muted.Render(head))
}
