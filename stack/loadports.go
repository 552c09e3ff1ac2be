package stack

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/stackui/stackui/internal/yamlconf"
)

// compose-go refuses a whole project when one service publishes a host
// port out of range ("invalid hostPort: 99999"), and so does the compose
// plugin, for every command, even when that service's profile is off;
// docker-compose 1.29 runs the other services. stackui loads such a
// project without the bad entries and warns, naming each file and line,
// so the user sees what will fail before pressing up. The compose CLI
// still gets the user's files as they are.

// withoutBadPorts returns, for each file with a port entry whose host
// port is out of range, its content without those entries, and a warning
// per entry. Entries built from variables are left alone: their value is
// only known after interpolation.
func withoutBadPorts(workDir string, files []string) (map[string][]byte, []string) {
	overlay := map[string][]byte{}
	var warnings []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var doc yaml.Node
		if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) != 1 {
			continue
		}
		services := yamlconf.Field(doc.Content[0], "services")
		if services == nil || services.Kind != yaml.MappingNode {
			continue
		}
		cut := false
		for i := 0; i+1 < len(services.Content); i += 2 {
			name, svc := services.Content[i].Value, services.Content[i+1]
			ports := yamlconf.Field(svc, "ports")
			if ports == nil || ports.Kind != yaml.SequenceNode {
				continue
			}
			ports.Content = slices.DeleteFunc(ports.Content, func(n *yaml.Node) bool {
				host, ok := hostPortOf(n)
				if !ok || validHostPort(host) {
					return false
				}
				cut = true
				warnings = append(warnings, fmt.Sprintf("%s:%d: service %q publishes host port %q, out of range 1-65535: docker compose v2 and later refuse every command on this project while it is there, even with the service's profile off (invalid hostPort); docker-compose 1.29 fails only on this service",
					displayPath(workDir, f), n.Line, name, host))
				return true
			})
		}
		if !cut {
			continue
		}
		out, err := yaml.Marshal(&doc)
		if err != nil {
			continue
		}
		overlay[f] = out
	}
	return overlay, warnings
}

// hostPortOf is the published port of a ports entry, short syntax
// ("[ip:]host:container[/proto]") or long (published:); ok is false when
// there is none or it holds a variable.
func hostPortOf(n *yaml.Node) (string, bool) {
	var host string
	switch n.Kind {
	case yaml.ScalarNode:
		spec, _, _ := strings.Cut(n.Value, "/")
		if i := strings.LastIndex(spec, "]"); i >= 0 {
			spec = spec[i+1:] // [ipv6]:host:container
		}
		parts := strings.Split(spec, ":")
		if len(parts) < 2 {
			return "", false
		}
		host = parts[len(parts)-2]
	case yaml.MappingNode:
		v := yamlconf.Field(n, "published")
		if v == nil {
			return "", false
		}
		host = v.Value
	default:
		return "", false
	}
	if host == "" || strings.Contains(host, "$") {
		return "", false
	}
	return host, true
}

// validHostPort accepts what the engine takes as a published port: none,
// a port, or a range of them.
func validHostPort(published string) bool {
	if published == "" {
		return true
	}
	lo, hi, isRange := strings.Cut(published, "-")
	if !isRange {
		hi = lo
	}
	for _, s := range []string{lo, hi} {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 65535 {
			return false
		}
	}
	return true
}
