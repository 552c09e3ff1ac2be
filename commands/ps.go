package commands

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/stackui/stackui/backend"
	"github.com/stackui/stackui/probes"
	"github.com/stackui/stackui/probes/gpu"
	"github.com/stackui/stackui/stack"
)

func runPs(f *Factory, args []string) int {
	// Only the JSON has the figures: the table stays instant.
	o, asJSON, code, ok := observeProject(f, "ps", args, func(o backend.Observation, asJSON bool) bool {
		return asJSON && backend.AnyRunning(o.Snap)
	})
	if !ok {
		return code
	}
	if asJSON {
		return writeJSON(f, psJSON(o))
	}
	printPs(f.Stdout, o)
	return exitOK
}

// observeProject is how ps and top begin: their flags (the compose flags
// and --json), then one look at the project and the engine, with the
// compose CLI detected while the project loads. measure says, from that
// look and whether JSON was asked for, whether to measure the running
// containers as well.
func observeProject(f *Factory, name string, args []string, measure func(o backend.Observation, asJSON bool) bool) (o backend.Observation, asJSON bool, code int, ok bool) {
	fs := newFlagSet(f, name, "[compose flags] [--json]")
	f.compose.register(fs)
	jsonFlag := fs.Bool("json", false, "print JSON (a stable scripting interface)")
	if code, done := parseFlags(fs, args); done {
		return o, false, code, false
	}
	ctx := context.Background()
	f.Backend.StartCompose()
	f.Backend.StartObserve() // the engine's description and the host's figures, while the project loads
	// and the project's containers, and their first cgroup read, too
	f.Backend.StartProject(f.compose.loadOptions().LikelyName(), *jsonFlag || name == "top")
	p, code, ok := loadProject(ctx, f)
	if !ok {
		return o, false, code, false
	}
	o = f.Backend.Observe(ctx, p)
	// drift, like the figures, is for the JSON: the table stays instant.
	// The compose CLI's hash run (a second and more with docker-compose
	// 1.29 and 300 services) overlaps the measurement, and is skipped
	// when no container carries a hash to compare with.
	var hashed chan *stack.Project
	if *jsonFlag && name == "ps" && backend.AnyConfigHash(o.Snap) {
		hashed = make(chan *stack.Project, 1)
		go func() { hashed <- f.Backend.WithConfigHashes(ctx, p) }()
	}
	if measure(o, *jsonFlag) {
		f.Backend.Measure(ctx, &o)
	}
	if hashed != nil {
		o.SetProject(<-hashed)
	}
	return o, *jsonFlag, exitOK, true
}

// psOutput is the JSON shape of `stackui ps --json`. It is a scripting
// interface: fields are only ever added.
type psOutput struct {
	Project  string            `json:"project"`
	Files    []string          `json:"files"`
	Profiles psProfiles        `json:"profiles"`
	Engine   psEngine          `json:"engine"`
	Host     probes.Host       `json:"host"`
	Warnings []string          `json:"warnings"`
	Services []psService       `json:"services"`
	Orphans  []stack.Container `json:"orphans"`
}

type psProfiles struct {
	Available []string `json:"available"`
	Active    []string `json:"active"`
}

type psEngine struct {
	Reachable     bool   `json:"reachable"`
	Error         string `json:"error"`
	Host          string `json:"host"`
	Name          string `json:"name"` // the product: docker or podman
	Arch          string `json:"arch"`
	OS            string `json:"os"`
	ServerVersion string `json:"server_version"`
	APIVersion    string `json:"api_version"`
	MemTotalBytes uint64 `json:"mem_total_bytes"`
	GPU           bool   `json:"gpu"` // an nvidia runtime or NVIDIA CDI devices
	ComposeCLI    string `json:"compose_cli"`
}

type psService struct {
	Name          string            `json:"name"`
	Profiles      []string          `json:"profiles"`
	Enabled       bool              `json:"enabled"`
	Image         string            `json:"image"`
	Platform      string            `json:"platform"`
	GPU           bool              `json:"gpu"`
	MemLimitBytes int64             `json:"mem_limit_bytes"`
	State         string            `json:"state"`
	Health        string            `json:"health"`
	ExitCode      int               `json:"exit_code"`
	OOMKilled     bool              `json:"oom_killed"`
	RestartCount  int               `json:"restart_count"`
	Containers    []stack.Container `json:"containers"`
	// Summed over the running containers; null when none runs or they
	// could not be measured (gpu_mem_bytes: when the GPUs could not be
	// read).
	CPUPercent   *float64 `json:"cpu_percent"`
	MemUsedBytes *uint64  `json:"mem_used_bytes"`
	GPUMemBytes  *uint64  `json:"gpu_mem_bytes"`
	// Drift: a container was created from another configuration than the
	// files give now (`up` would recreate it); null when unknown.
	Drift *bool `json:"drift"`
}

func psJSON(o backend.Observation) psOutput {
	p := o.Snap.Project
	out := psOutput{
		Project:  p.Name,
		Files:    nonNil(p.Files),
		Profiles: psProfiles{Available: nonNil(p.Profiles), Active: nonNil(p.ActiveProfiles)},
		Engine: psEngine{
			Reachable:     o.Snap.Engine.Reachable,
			Host:          o.Info.Host,
			Name:          o.Info.Engine,
			Arch:          o.Info.Arch,
			OS:            o.Info.OS,
			ServerVersion: o.Info.ServerVersion,
			APIVersion:    o.Info.APIVersion,
			MemTotalBytes: o.Info.MemTotal,
			GPU:           o.Info.GPUCapable(),
			ComposeCLI:    o.Compose,
		},
		Host:     o.Host,
		Warnings: nonNil(p.Warnings),
		Services: []psService{},
		Orphans:  nonNil(o.Snap.Orphans),
	}
	if err := cmp.Or(o.Snap.Engine.Err, o.InfoErr); err != nil {
		out.Engine.Error = err.Error()
	}
	for _, s := range o.Snap.Services {
		ps := psService{
			Name:          s.Service.Name,
			Profiles:      nonNil(s.Service.Profiles),
			Enabled:       s.Service.Enabled,
			Image:         s.Service.Image,
			Platform:      s.Service.Platform,
			GPU:           s.Service.GPU,
			MemLimitBytes: s.Service.MemLimit,
			State:         s.State,
			Health:        s.Health,
			ExitCode:      s.ExitCode,
			OOMKilled:     s.OOMKilled,
			RestartCount:  s.RestartCount,
			Drift:         s.Drift,
			Containers:    nonNil(s.Containers),
		}
		if u := o.Usage.Service(s.Service.Name); o.Measured && u.Measured > 0 {
			ps.CPUPercent, ps.MemUsedBytes = &u.CPUPercent, &u.MemUsed
			if o.Usage.GPU.Status == gpu.StatusOK && !u.GPUMemUnknown {
				ps.GPUMemBytes = &u.GPUMem
			}
		}
		out.Services = append(out.Services, ps)
	}
	return out
}

func printPs(w io.Writer, o backend.Observation) {
	p := o.Snap.Project
	fmt.Fprintf(w, "project %s (%s)\n", p.Name, strings.Join(p.Files, ", "))
	if len(p.Profiles) > 0 {
		var ps []string
		for _, name := range p.Profiles {
			state := "off"
			if stack.ProfileOn(p, name) {
				state = "on"
			}
			ps = append(ps, stack.ProfileText(name)+" ("+state+")")
		}
		fmt.Fprintf(w, "profiles: %s\n", strings.Join(ps, ", "))
	}
	if o.Snap.Engine.Reachable {
		fmt.Fprintf(w, "engine: %s %s at %s", o.Info.Name(), o.Info.Platform(), o.Info.Host)
	} else {
		fmt.Fprintf(w, "engine: unreachable (%v)", o.Snap.Engine.Err)
	}
	if o.Compose != "" {
		fmt.Fprintf(w, "; compose CLI: %s", o.Compose)
	}
	fmt.Fprintln(w)
	if o.Host.MemTotal > 0 {
		fmt.Fprintf(w, "host: %d CPUs, %s memory, %s available\n", o.Host.CPUs, probes.Bytes(o.Host.MemTotal), probes.Bytes(o.Host.MemAvailable))
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	fmt.Fprintln(w)
	rows := [][]string{{"SERVICE", "PROFILES", "STATE", "HEALTH", "EXIT", "RESTARTS", "IMAGE"}}
	for _, s := range o.Snap.Services {
		var named []string
		for _, prof := range s.Service.Profiles {
			named = append(named, stack.ProfileText(prof))
		}
		profiles := strings.Join(named, ",")
		if profiles == "" {
			profiles = "-"
		}
		state := s.State
		if !s.Service.Enabled {
			state += " (profile off)"
		} else if s.Total > 1 {
			state = fmt.Sprintf("%s %d/%d", state, s.Running, s.Total)
		}
		exit := "-"
		if s.State == stack.StateExited || s.State == stack.StateDead {
			exit = fmt.Sprint(s.ExitCode)
			if s.OOMKilled {
				exit += " (OOM-killed)"
			}
		}
		image := s.Service.Image
		if s.Service.GPU {
			image += " [GPU]"
		}
		rows = append(rows, []string{s.Service.Name, profiles, state, dash(s.Health), exit, fmt.Sprint(s.RestartCount), image})
	}
	table(w, rows)
}
