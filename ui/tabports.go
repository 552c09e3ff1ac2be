package ui

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
)

// portsPane is the right pane's "ports" tab: the container's published
// ports as host:port → container port/proto, or those compose declares
// when the service has no container. o opens the selected one as
// http://host:port with the platform's opener; over ssh, or where there
// is none, the status line shows the URL instead.
type portsPane struct {
	inspectTab
	ports    []stack.PublishedPort
	declared bool
	// opener opens a URL, or says why it cannot (then the URL is shown);
	// tests replace it.
	opener func(url string) error
}

func newPortsPane(t inspectTab) *portsPane { return &portsPane{inspectTab: t, opener: openURL} }

func (p *portsPane) Title() string { return "ports" }

func (p *portsPane) ShortHelp() hints {
	k := p.keys
	return hints{k.Down, k.Up, k.OpenURL, k.NextTab, k.Help, k.Quit}
}

func (p *portsPane) Bindings() []*Binding { return []*Binding{&p.keys.OpenURL} }

// openReason is why o does nothing now.
func (p *portsPane) openReason() string {
	switch {
	case len(p.ports) == 0:
		return "no published port to open"
	case p.declared:
		return "no container: nothing listens yet"
	}
	return ""
}

func (p *portsPane) Show(visible bool, service string) tea.Cmd {
	id := p.containerID(service)
	if !p.shown.change(visible, service, id) {
		return nil
	}
	return readDetails(&p.inspectTab, tabPorts, id, p.showDeclared)
}

// showDeclared lists the ports the compose files publish.
func (p *portsPane) showDeclared() {
	p.ports, p.declared = nil, true
	if svc, ok := p.snap.Service(p.shown.service); ok {
		for _, d := range svc.Service.Config.Ports {
			hp, _ := strconv.Atoi(d.Published)
			p.ports = append(p.ports, stack.PublishedPort{HostIP: d.HostIP, HostPort: hp, ContainerPort: int(d.Target), Proto: d.Protocol})
		}
	}
	p.redraw()
}

func (p *portsPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case detailsMsg:
		if !p.takeDetails(msg) {
			return nil
		}
		p.ports, p.declared = dedupePorts(msg.d.Ports), false
		p.redraw()
	case tea.KeyPressMsg:
		if on(msg, p.keys.OpenURL) {
			return p.open()
		}
		p.list.key(msg, p.keys)
	default:
		p.list.key(msg, p.keys)
	}
	return nil
}

func (p *portsPane) redraw() {
	lines := make([]string, len(p.ports))
	for i, pp := range p.ports {
		host := "—"
		if pp.HostPort > 0 {
			host = net.JoinHostPort(displayHost(pp.HostIP), strconv.Itoa(pp.HostPort))
		}
		proto := pp.Proto
		if proto == "" {
			proto = "tcp"
		}
		lines[i] = fmt.Sprintf("%-24s → %s", clean(host), p.st.Key.Render(fmt.Sprintf("%d/%s", pp.ContainerPort, clean(proto))))
	}
	p.list.set(lines)
	if len(lines) == 0 {
		p.note = "no published ports"
	}
}

// dedupePorts drops a binding that reads the same as the one before it:
// engines with IPv6 publish each port on 0.0.0.0 and on ::, both
// localhost to a browser.
func dedupePorts(in []stack.PublishedPort) []stack.PublishedPort {
	var out []stack.PublishedPort
	seen := map[string]bool{}
	for _, pp := range in {
		k := fmt.Sprint(displayHost(pp.HostIP), pp.HostPort, pp.ContainerPort, pp.Proto)
		if !seen[k] {
			seen[k] = true
			out = append(out, pp)
		}
	}
	return out
}

// displayHost is where a browser reaches a port published on ip.
func displayHost(ip string) string {
	switch ip {
	case "", "0.0.0.0", "::":
		return "localhost"
	}
	return ip
}

// url is the selected port as http://host:port, or "".
func (p *portsPane) url() string {
	if p.list.cursor >= len(p.ports) || p.ports[p.list.cursor].HostPort == 0 {
		return ""
	}
	pp := p.ports[p.list.cursor]
	return "http://" + net.JoinHostPort(displayHost(pp.HostIP), strconv.Itoa(pp.HostPort))
}

// open opens the selected URL off the UI goroutine, or shows it.
func (p *portsPane) open() tea.Cmd {
	u := p.url()
	if u == "" {
		return statusErr("this port is not published on the host")
	}
	opener := p.opener
	return func() tea.Msg {
		if err := opener(u); err != nil {
			return statusMsg{text: u + " (" + err.Error() + ")"}
		}
		return statusMsg{text: "opened " + u}
	}
}

func (p *portsPane) View() string {
	head := "published ports · o opens http://host:port"
	if p.declared {
		head = "no container: the ports the compose files publish"
	}
	return p.body(p.st.Muted.Render(head))
}

// openURL starts the platform's opener on url and does not wait for it.
// Over ssh a browser would open on the far machine, if at all, so the URL
// is only shown.
func openURL(url string) error {
	if os.Getenv("SSH_CONNECTION") != "" || os.Getenv("SSH_TTY") != "" {
		return fmt.Errorf("over ssh: open it on your machine")
	}
	var name string
	var args []string
	switch runtime.GOOS {
	case "darwin":
		name = "open"
	case "windows":
		name, args = "rundll32", []string{"url.dll,FileProtocolHandler"}
	default:
		name = "xdg-open"
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("no %s here", name)
	}
	cmd := exec.Command(path, append(args, url)...)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	go func() { _ = cmd.Wait() }() // reap it
	return nil
}
