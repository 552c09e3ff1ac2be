package doctor

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stackui/stackui/stack"
)

// defaultStopGrace is the engine's stop timeout when the file sets none.
const defaultStopGrace = 10 * time.Second

// ModelOf reduces a loaded service to what the rules look at.
func ModelOf(s stack.Service) ServiceModel {
	c := s.Config
	m := ServiceModel{
		Name:        s.Name,
		Enabled:     s.Enabled,
		Profiles:    slices.Clone(s.Profiles),
		Image:       s.Image,
		HasBuild:    s.HasBuild,
		Platform:    s.Platform,
		GPU:         s.GPU,
		MemLimit:    s.MemLimit,
		Restart:     c.Restart,
		Healthcheck: c.HealthCheck != nil && !c.HealthCheck.Disable,
		ShmSize:     int64(c.ShmSize),
		IPC:         c.Ipc,
	}
	for k, v := range c.Environment {
		if v != nil && *v != "" {
			m.Env = append(m.Env, k)
		}
	}
	slices.Sort(m.Env)
	if c.StopGracePeriod != nil {
		m.StopGracePeriod = time.Duration(*c.StopGracePeriod)
	}
	for _, p := range c.Ports {
		published, _ := strconv.Atoi(p.Published) // a range or "" stays 0: no fixed port to conflict on
		m.Ports = append(m.Ports, Port{HostIP: p.HostIP, Published: published, Target: int(p.Target), Protocol: p.Protocol})
	}
	for name, dep := range c.DependsOn {
		m.DependsOn = append(m.DependsOn, Dependency{Service: name, Condition: dep.Condition})
	}
	slices.SortFunc(m.DependsOn, func(a, b Dependency) int { return strings.Compare(a.Service, b.Service) })
	m.Start = startModelOf(s)
	return m
}

// grace is the service's stop grace period in effect.
func (m ServiceModel) grace() time.Duration {
	if m.StopGracePeriod > 0 {
		return m.StopGracePeriod
	}
	return defaultStopGrace
}
