package doctor

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/moby/client"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/edit"
)

var _ NetInspector = DockerSource{}

// NetEvidence is where a service's running container can be reached and
// what it listens on.
type NetEvidence struct {
	// Addresses are the container's IPs on its networks: an app's "dial
	// tcp 172.18.0.3:5432" names its dependency by one of them.
	Addresses []string `json:"addresses,omitempty"`
	// Listeners are the TCP sockets listening in the container's network
	// namespace; ListenChecked says they were read (a local engine only).
	Listeners     []Listener `json:"listeners,omitempty"`
	ListenChecked bool       `json:"listen_checked,omitempty"`
}

// Listener is one listening TCP socket.
type Listener struct {
	Addr string `json:"addr"` // 0.0.0.0, ::, 127.0.0.1, ::1, or another address
	Port int    `json:"port"`
}

// allAddresses reports whether the socket accepts connections on every
// address, so a published port reaches it.
func (l Listener) allAddresses() bool { return l.Addr == "0.0.0.0" || l.Addr == "::" }

func (l Listener) loopback() bool {
	a, err := netip.ParseAddr(l.Addr)
	return err == nil && a.IsLoopback()
}

// BindState is what the host holds at a bind mount's source, read on a
// local engine.
type BindState struct {
	Source string `json:"source"`
	Exists bool   `json:"exists"`
	Dir    bool   `json:"dir,omitempty"`
	// Empty is an empty folder: what the engine creates for a missing
	// bind source.
	Empty bool `json:"empty,omitempty"`
}

// NetInspector finds a container's IPs on its networks.
type NetInspector interface {
	ContainerAddrs(ctx context.Context, id string) ([]string, error)
}

// ContainerAddrs returns the container's IPv4 and IPv6 addresses.
func (s DockerSource) ContainerAddrs(ctx context.Context, id string) ([]string, error) {
	res, err := s.API().ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return nil, fmt.Errorf("inspect %s: %w", id, err)
	}
	var out []string
	if ns := res.Container.NetworkSettings; ns != nil {
		for _, ep := range ns.Networks {
			if ep == nil {
				continue
			}
			for _, a := range []netip.Addr{ep.IPAddress, ep.GlobalIPv6Address} {
				if a.IsValid() {
					out = append(out, a.String())
				}
			}
		}
	}
	return out, nil
}

// netChecks read the addresses and listeners of running containers and
// the bind sources on the host.
func (g *gatherer) netChecks() []Check {
	var checks []Check
	local := g.ev.Engine.Local
	var loc *edit.Locator // the files parsed once, when a line is asked for
	where := func(service, key, text string) string {
		if loc == nil {
			loc = edit.NewLocator(g.o.Project)
		}
		at, _ := loc.Where(service, key, text)
		return at
	}
	for i := range g.ev.Services {
		s := &g.ev.Services[i]
		for j := range s.Model.Start.Binds {
			b := &s.Model.Start.Binds[j]
			if rel, err := filepath.Rel(g.o.Project.WorkingDir, b.Source); err == nil && !strings.HasPrefix(rel, "..") {
				b.Written = "./" + filepath.ToSlash(rel)
			} else {
				b.Written = b.Source
			}
			b.At = where(s.Model.Name, "volumes", filepath.Base(b.Source))
			if local {
				s.Binds = append(s.Binds, bindState(b.Source))
			}
		}
		if len(s.Model.Start.Entrypoint) > 0 {
			s.Model.Start.EntrypointAt = where(s.Model.Name, "entrypoint", s.Model.Start.Entrypoint[0])
		}
		if len(s.Model.Start.Command) > 0 {
			s.Model.Start.CommandAt = where(s.Model.Name, "command", s.Model.Start.Command[0])
		}
		c := latest(s.Containers)
		if c == nil || c.State != stack.StateRunning {
			continue
		}
		idx, id, pid, name, ports := i, c.ID, c.Pid, s.Model.Name, len(s.Model.Ports) > 0
		checks = append(checks, CheckFunc("network "+name, func(ctx context.Context, _ Logf) error {
			n := &NetEvidence{}
			var errs []error
			if ni, ok := g.o.Source.(NetInspector); ok {
				addrs, err := ni.ContainerAddrs(ctx, id)
				n.Addresses, errs = addrs, append(errs, err)
			}
			if !local && ports {
				errs = append(errs, fmt.Errorf("whether %s listens on all addresses cannot be checked: the engine is not on this machine", name))
			}
			if local && pid > 0 {
				ls, err := procListeners(pid)
				if err == nil {
					n.Listeners, n.ListenChecked = ls, true
				} else {
					errs = append(errs, fmt.Errorf("what %s listens on cannot be checked: %w", name, err))
				}
			}
			g.mu.Lock()
			g.ev.Services[idx].Net = n
			g.mu.Unlock()
			return errors.Join(errs...)
		}))
	}
	return checks
}

func bindState(path string) BindState {
	st := BindState{Source: path}
	fi, err := os.Stat(path)
	if err != nil {
		return st
	}
	st.Exists, st.Dir = true, fi.IsDir()
	if st.Dir {
		if f, err := os.Open(path); err == nil {
			_, err := f.Readdirnames(1)
			st.Empty = errors.Is(err, io.EOF)
			f.Close()
		}
	}
	return st
}

// procListeners reads the listening TCP sockets of the process's network
// namespace from /proc/PID/net/tcp and tcp6.
func procListeners(pid int) ([]Listener, error) {
	var out []Listener
	for _, name := range []string{"tcp", "tcp6"} {
		f, err := os.Open(filepath.Join("/proc", strconv.Itoa(pid), "net", name))
		if err != nil {
			return nil, err
		}
		ls, err := parseProcNet(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("/proc/%d/net/%s: %w", pid, name, err)
		}
		out = append(out, ls...)
	}
	return out, nil
}

// parseProcNet reads the kernel's socket table: "sl local_address
// rem_address st ...", addresses as hex in host byte order, state 0A is
// LISTEN.
func parseProcNet(r io.Reader) ([]Listener, error) {
	var out []Listener
	sc := bufio.NewScanner(r)
	sc.Scan() // header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || f[3] != "0A" {
			continue
		}
		hexIP, hexPort, ok := strings.Cut(f[1], ":")
		if !ok {
			continue
		}
		port, err := strconv.ParseUint(hexPort, 16, 16)
		if err != nil {
			continue
		}
		ip, ok := procIP(hexIP)
		if !ok {
			continue
		}
		// 127.0.0.11 is the engine's DNS resolver in every container on a
		// user network, not the app's.
		if a := ip.Unmap(); a != dockerDNS {
			out = append(out, Listener{Addr: a.String(), Port: int(port)})
		}
	}
	return out, sc.Err()
}

var dockerDNS = netip.AddrFrom4([4]byte{127, 0, 0, 11})

// procIP decodes an address of /proc/net/tcp: 32-bit words, each in the
// host's (little-endian) byte order.
func procIP(s string) (netip.Addr, bool) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 && len(b) != 16 {
		return netip.Addr{}, false
	}
	for i := 0; i < len(b); i += 4 {
		b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
	}
	a, ok := netip.AddrFromSlice(b)
	return a, ok
}
