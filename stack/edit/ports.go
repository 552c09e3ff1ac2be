package edit

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/stackui/stackui/stack"
	"gopkg.in/yaml.v3"
)

// RemapPort changes the host (published) port of the service's ports entry
// that publishes oldHost (e.g. 8080) to newHost, in every file whose
// entries publish it (override files add ports to the base file's, so a
// port left in one of them would still conflict). A host port range moves
// as a whole, so that oldHost's place in it becomes newHost.
func RemapPort(p *stack.Project, service string, oldHost, newHost int) (_ Plan, err error) {
	defer recoverFix(&err)
	if !validPort(oldHost) || !validPort(newHost) {
		return Plan{}, fmt.Errorf("remap %s's port %d to %d: a port is 1-65535", service, oldHost, newHost)
	}
	b, ls, err := newBuilder(p, service)
	if err != nil {
		return Plan{}, fmt.Errorf("remap %s's port %d: %w", service, oldHost, err)
	}
	found, variable := false, false
	for _, l := range ls {
		n, v, err := b.remapIn(l, oldHost, newHost)
		if err != nil {
			return Plan{}, fmt.Errorf("remap %s's port %d: %w", service, oldHost, err)
		}
		found, variable = found || n > 0, variable || v
	}
	switch {
	case !found && variable:
		return Plan{}, fmt.Errorf("remap %s's port %d: no ports entry publishes it as a number; %w", service, oldHost, ErrVariable)
	case !found:
		return Plan{}, fmt.Errorf("remap %s's port %d: no ports entry publishes it: %w", service, oldHost, ErrNotFound)
	}
	return b.plan(fmt.Sprintf("remap %s's host port %d to %d", service, oldHost, newHost))
}

func validPort(p int) bool { return p >= 1 && p <= 65535 }

// remapIn edits the entries of one layer that publish oldHost and returns
// how many it edited, and whether an entry is written with a variable.
func (b *builder) remapIn(l layer, oldHost, newHost int) (edited int, variable bool, err error) {
	h, ok := find(l.svc, l.shared, l.flow, []string{"ports"})
	if !ok || h.val.Kind != yaml.SequenceNode {
		return 0, false, nil
	}
	for i, raw := range h.val.Content {
		item, shared := deref(raw, h.shared)
		if item == nil {
			continue
		}
		flow := h.flow || h.val.Style&yaml.FlowStyle != 0
		path := []string{"ports", strconv.Itoa(i)}
		var value *yaml.Node
		switch item.Kind {
		case yaml.ScalarNode:
			value = item
		case yaml.MappingNode:
			ph, ok := find(item, shared, flow, []string{"published"})
			if !ok || ph.val.Kind != yaml.ScalarNode {
				continue
			}
			value, shared, flow = ph.val, ph.shared, ph.flow
			path = append(path, "published")
		default:
			continue
		}
		variable = variable || reVariable.MatchString(value.Value)
		next, ok, err := remapValue(value.Value, item.Kind == yaml.ScalarNode, oldHost, newHost)
		if err != nil {
			return 0, variable, fmt.Errorf("%s:%d: %w", l.src.path, value.Line, err)
		}
		if !ok {
			continue
		}
		if shared {
			return 0, variable, fmt.Errorf("%s:%d: service %q: the ports entry: %w; change it by hand", l.src.path, value.Line, b.service, ErrShared)
		}
		if err := b.replace(l, hit{val: value, parent: item, flow: flow}, path, next, item.Kind == yaml.ScalarNode || value.Tag == "!!str"); err != nil {
			return 0, variable, err
		}
		edited++
	}
	return edited, variable, nil
}

// remapValue rewrites a ports entry (short syntax when short, else a long
// syntax `published:` value) if it publishes oldHost.
func remapValue(v string, short bool, oldHost, newHost int) (string, bool, error) {
	prefix, hostPart, suffix := "", v, ""
	if short {
		sp, ok := parseShortPort(v)
		if !ok {
			return "", false, nil
		}
		prefix, hostPart, suffix = sp.ip, sp.host, ":"+sp.container+sp.proto
		if prefix != "" {
			prefix += ":"
		}
	}
	lo, hi, ok := portRange(hostPart)
	if !ok || oldHost < lo || oldHost > hi {
		return "", false, nil
	}
	shift := newHost - oldHost
	if !validPort(lo+shift) || !validPort(hi+shift) {
		return "", false, fmt.Errorf("host ports %s moved to put %d at %d would leave 1-65535", hostPart, oldHost, newHost)
	}
	host := strconv.Itoa(lo + shift)
	if hi != lo {
		host += "-" + strconv.Itoa(hi+shift)
	}
	return prefix + host + suffix, true, nil
}

// shortPort is a short-syntax ports entry: [[ip:]host:]container[/proto].
type shortPort struct {
	ip, host, container, proto string
}

func parseShortPort(v string) (shortPort, bool) {
	var sp shortPort
	if i := strings.LastIndexByte(v, '/'); i >= 0 {
		v, sp.proto = v[:i], v[i:]
	}
	i := strings.LastIndexByte(v, ':')
	if i < 0 {
		return shortPort{}, false // container port only: nothing published
	}
	v, sp.container = v[:i], v[i+1:]
	if j := strings.LastIndexByte(v, ':'); j >= 0 {
		sp.ip, sp.host = v[:j], v[j+1:]
	} else {
		sp.host = v
	}
	return sp, true
}

// portRange reads "8080" or "8080-8081".
func portRange(s string) (lo, hi int, ok bool) {
	a, b, isRange := strings.Cut(strings.TrimSpace(s), "-")
	lo, err := strconv.Atoi(a)
	if err != nil {
		return 0, 0, false
	}
	hi = lo
	if isRange {
		if hi, err = strconv.Atoi(b); err != nil || hi < lo {
			return 0, 0, false
		}
	}
	return lo, hi, true
}

// FreePort finds a free TCP port on the host by binding it: near itself or
// one of the 100 ports above it when possible, else (or with near 0) any
// port the system hands out.
func FreePort(near int) (int, error) {
	if near < 0 || near > 65535 {
		return 0, fmt.Errorf("find a free port: %d is not a port", near)
	}
	if near > 0 {
		for port := near; port <= near+100 && port <= 65535; port++ {
			l, err := net.Listen("tcp", ":"+strconv.Itoa(port))
			if err == nil {
				l.Close()
				return port, nil
			}
		}
	}
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("find a free port: the listener has no TCP address")
	}
	return addr.Port, nil
}
