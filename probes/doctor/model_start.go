package doctor

import (
	"slices"
	"sort"

	"github.com/stackui/stackui/stack"
)

// StartModel is what the compose files say that the start and network
// rules read: the bind mounts a failed mount is matched to, the command a
// missing executable is looked for in, and the names the service answers
// to on the project's networks.
type StartModel struct {
	Binds         []Bind   `json:"binds,omitempty"`
	Entrypoint    []string `json:"entrypoint,omitempty"`
	Command       []string `json:"command,omitempty"`
	Environment   []string `json:"environment,omitempty"` // KEY=VALUE, sorted
	ContainerName string   `json:"container_name,omitempty"`
	Aliases       []string `json:"aliases,omitempty"`
	Hostname      string   `json:"hostname,omitempty"`
	// EntrypointAt and CommandAt are where the file writes them
	// ("compose.yaml:7"); Gather fills them in.
	EntrypointAt string `json:"entrypoint_at,omitempty"`
	CommandAt    string `json:"command_at,omitempty"`
}

// Bind is one bind mount of a service.
type Bind struct {
	// Source is the absolute host path compose-go resolved; Written is
	// as the compose file would write it, relative to the project folder
	// when it lies under it (Gather fills it in).
	Source  string `json:"source"`
	Written string `json:"written,omitempty"`
	Target  string `json:"target"`
	At      string `json:"at,omitempty"` // FILE:LINE of the volumes entry
}

func startModelOf(s stack.Service) StartModel {
	c := s.Config
	m := StartModel{
		Entrypoint:    slices.Clone([]string(c.Entrypoint)),
		Command:       slices.Clone([]string(c.Command)),
		ContainerName: c.ContainerName,
		Hostname:      c.Hostname,
	}
	for _, v := range c.Volumes {
		if v.Type == "bind" && v.Source != "" {
			m.Binds = append(m.Binds, Bind{Source: v.Source, Target: v.Target})
		}
	}
	for k, v := range c.Environment {
		if v != nil {
			m.Environment = append(m.Environment, k+"="+*v)
		}
	}
	sort.Strings(m.Environment)
	for _, n := range c.Networks {
		if n != nil {
			m.Aliases = append(m.Aliases, n.Aliases...)
		}
	}
	slices.Sort(m.Aliases)
	m.Aliases = slices.Compact(m.Aliases)
	return m
}

// names are the host names the service answers to on the project's
// networks.
func (m ServiceModel) names() []string {
	out := []string{m.Name}
	out = append(out, m.Start.Aliases...)
	if m.Start.ContainerName != "" {
		out = append(out, m.Start.ContainerName)
	}
	if m.Start.Hostname != "" {
		out = append(out, m.Start.Hostname)
	}
	return out
}
