package stack

import (
	"cmp"
	"slices"
	"time"
)

// Snapshot is the joined view of the model and the engine at one moment. It
// is immutable once handed out: readers may keep it and share it between
// goroutines, but must not modify its slices or maps.
type Snapshot struct {
	Project *Project
	Engine  EngineStatus
	// Services holds one entry per service of the model, in the model's
	// order, including services of inactive profiles (Service.Enabled says
	// which).
	Services []ServiceState
	// Orphans are project containers whose service is not in the model: a
	// service that was renamed or deleted from the files.
	Orphans []Container
	// Oneoffs are `compose run` containers. They are kept apart so that a
	// one-off run does not make its service look running.
	Oneoffs []Container
}

// Service returns the state of the named service, or false.
func (s Snapshot) Service(name string) (ServiceState, bool) {
	for _, st := range s.Services {
		if st.Service.Name == name {
			return st, true
		}
	}
	return ServiceState{}, false
}

// EngineStatus says whether the engine answers. An unreachable engine is an
// expected state: Live keeps retrying, and the containers it knew stay in the
// snapshot as last seen.
type EngineStatus struct {
	Reachable bool
	// Connecting is true while an attempt to list and subscribe is under
	// way, including the very first one.
	Connecting bool
	// Err is the last failure; nil once a connection succeeded.
	Err error
	// Retry is when the next attempt starts; zero unless one is scheduled.
	Retry time.Time
}

// ServiceState is one service with its containers and their summary.
type ServiceState struct {
	Service Service
	// Containers are the service's containers (one-offs excluded), by
	// replica number.
	Containers []Container
	// State is StateRunning if any container runs, else the state of the
	// container that changed last; StateMissing without containers, or
	// StateUnknown without containers while the engine does not answer.
	State string
	// Health is the worst health of the running containers (unhealthy >
	// starting > healthy); "" when none has a healthcheck.
	Health string
	// ExitCode and OOMKilled come from the container State was taken from.
	ExitCode  int
	OOMKilled bool
	// RestartCount is summed over the containers.
	RestartCount int
	Running      int
	Total        int
	// Drift is true when a container was created from another
	// configuration than the files give now (its config-hash label differs
	// from Project.ConfigHashes), false when none was, nil when unknown.
	Drift *bool
}

// buildSnapshot joins containers to the model's services.
func buildSnapshot(p *Project, engine EngineStatus, containers map[string]Container) Snapshot {
	snap := Snapshot{Project: p, Engine: engine}
	byService := make(map[string][]Container)
	known := make(map[string]bool)
	if p != nil {
		for _, s := range p.Services {
			known[s.Name] = true
		}
	}
	for _, c := range containers {
		switch {
		case c.Oneoff:
			snap.Oneoffs = append(snap.Oneoffs, c)
		case known[c.Service]:
			byService[c.Service] = append(byService[c.Service], c)
		default:
			snap.Orphans = append(snap.Orphans, c)
		}
	}
	slices.SortFunc(snap.Oneoffs, byNumber)
	slices.SortFunc(snap.Orphans, byNumber)
	if p != nil {
		snap.Services = make([]ServiceState, 0, len(p.Services))
		for _, s := range p.Services {
			st := aggregate(s, byService[s.Name], engine.Reachable)
			st.Drift = drift(p, s.Name, st.Containers)
			snap.Services = append(snap.Services, st)
		}
	}
	return snap
}

func byNumber(a, b Container) int {
	return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Number, b.Number), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
}

// aggregate summarises the containers of one service.
func aggregate(svc Service, cs []Container, reachable bool) ServiceState {
	cs = slices.Clone(cs)
	slices.SortFunc(cs, byNumber)
	st := ServiceState{Service: svc, Containers: cs, Total: len(cs)}
	if len(cs) == 0 {
		st.State = StateMissing
		if !reachable {
			st.State = StateUnknown
		}
		return st
	}
	var rep *Container
	for i := range cs {
		c := &cs[i]
		st.RestartCount += c.RestartCount
		if c.State != StateRunning {
			continue
		}
		st.Running++
		// A stopped container keeps the last health it had, which says
		// nothing about the service now, so only running ones count.
		if healthRank(c.Health) > healthRank(st.Health) {
			st.Health = c.Health
		}
		if rep == nil || c.StartedAt.After(rep.StartedAt) {
			rep = c
		}
	}
	if rep == nil {
		for i := range cs {
			if rep == nil || cs[i].LastChange().After(rep.LastChange()) {
				rep = &cs[i]
			}
		}
	}
	st.State = rep.State
	if st.State == "" {
		st.State = StateUnknown
	}
	st.ExitCode = rep.ExitCode
	st.OOMKilled = rep.OOMKilled
	return st
}

// LastChange is when a container last changed state as far as list and
// inspect tell: it finished, started or was created.
func (c Container) LastChange() time.Time {
	t := c.Created
	if c.StartedAt.After(t) {
		t = c.StartedAt
	}
	if c.FinishedAt.After(t) {
		t = c.FinishedAt
	}
	return t
}

func healthRank(h string) int {
	switch h {
	case "unhealthy":
		return 3
	case "starting":
		return 2
	case "healthy":
		return 1
	}
	return 0
}
