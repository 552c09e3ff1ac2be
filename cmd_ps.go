package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"

	"github.com/stackui/stackui/probes"
	"github.com/stackui/stackui/probes/gpu"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// engineTimeout bounds how long a one-shot command waits for the engine
// before it reports it unreachable.
const engineTimeout = 3 * time.Second

func runPs(env *cliEnv, args []string) int {
	fs := newFlagSet(env, "ps", "[compose flags] [--json]")
	env.compose.register(fs)
	asJSON := fs.Bool("json", false, "print JSON (a stable scripting interface)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	ctx := context.Background()
	p, code, ok := loadProject(ctx, env)
	if !ok {
		return code
	}
	view := observe(ctx, p)
	if *asJSON && anyRunning(view.snap) {
		// Only the JSON has the figures: the table stays instant.
		view.usage, view.measured = measure(ctx, view.snap, view.info, true), true
	}
	if *asJSON {
		return writeJSON(env, psJSON(view))
	}
	printPs(env.stdout, view)
	return exitOK
}

// loadProject loads the project named by the compose flags, printing the
// one clear error when it does not load.
func loadProject(ctx context.Context, env *cliEnv) (*stack.Project, int, bool) {
	p, err := stack.Load(ctx, env.compose.loadOptions())
	if err != nil {
		fmt.Fprintf(env.stderr, "stackui: %v\n", err)
		var le *stack.LoadError
		if errors.As(err, &le) || errors.Is(err, stack.ErrNoComposeFile) {
			return nil, exitBadArgs, false
		}
		return nil, exitFailure, false
	}
	if p, err = withOverrides(ctx, p); err != nil {
		fmt.Fprintf(env.stderr, "stackui: %v\n", err)
		return nil, exitFailure, false
	}
	return p, exitOK, true
}

// observation is one look at the project and the engine.
type observation struct {
	snap    stack.Snapshot
	info    stack.EngineInfo
	host    probes.Host
	compose string
	infoErr error // the engine listed containers but did not describe itself
	// usage holds the running containers' figures when measured is true.
	usage    resources.Snapshot
	measured bool
}

func anyRunning(s stack.Snapshot) bool {
	for _, c := range allContainers(s) {
		if c.State == stack.StateRunning {
			return true
		}
	}
	return false
}

// observe lists the project's containers once. A missing engine is not an
// error here: the services are still printed, with state "unknown".
func observe(ctx context.Context, p *stack.Project) observation {
	var o observation
	if cli, err := stack.DetectCompose(ctx); err == nil {
		o.compose = cli.String()
	}
	o.host, _ = probes.ReadHost(ctx) // zero figures say "unknown"
	ctx, cancel := context.WithTimeout(ctx, engineTimeout)
	defer cancel()
	status := stack.EngineStatus{}
	var containers []stack.Container
	eng, err := docker.Connect(ctx, docker.Options{})
	if err == nil {
		defer eng.Close()
		o.info.Host = eng.Host()
		containers, err = eng.ProjectContainers(ctx, p.Name)
	}
	if err == nil {
		status.Reachable = true
		if info, ierr := eng.Info(ctx); ierr == nil {
			o.info = info
		} else {
			o.infoErr = ierr
		}
	} else {
		status.Err = err
	}
	o.snap = stack.SnapshotOf(p, status, containers)
	return o
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
}

func psJSON(o observation) psOutput {
	p := o.snap.Project
	out := psOutput{
		Project:  p.Name,
		Files:    nonNil(p.Files),
		Profiles: psProfiles{Available: nonNil(p.Profiles), Active: nonNil(p.ActiveProfiles)},
		Engine: psEngine{
			Reachable:     o.snap.Engine.Reachable,
			Host:          o.info.Host,
			Arch:          o.info.Arch,
			OS:            o.info.OS,
			ServerVersion: o.info.ServerVersion,
			APIVersion:    o.info.APIVersion,
			MemTotalBytes: o.info.MemTotal,
			GPU:           o.info.GPUCapable(),
			ComposeCLI:    o.compose,
		},
		Host:     o.host,
		Warnings: nonNil(p.Warnings),
		Services: []psService{},
		Orphans:  nonNil(o.snap.Orphans),
	}
	if err := cmp.Or(o.snap.Engine.Err, o.infoErr); err != nil {
		out.Engine.Error = err.Error()
	}
	for _, s := range o.snap.Services {
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
			Containers:    nonNil(s.Containers),
		}
		if u := o.usage.Service(s.Service.Name); o.measured && u.Measured > 0 {
			ps.CPUPercent, ps.MemUsedBytes = &u.CPUPercent, &u.MemUsed
			if o.usage.GPU.Status == gpu.StatusOK && !u.GPUMemUnknown {
				ps.GPUMemBytes = &u.GPUMem
			}
		}
		out.Services = append(out.Services, ps)
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func writeJSON(env *cliEnv, v any) int {
	enc := json.NewEncoder(env.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(env.stderr, "stackui: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func printPs(w io.Writer, o observation) {
	p := o.snap.Project
	fmt.Fprintf(w, "project %s (%s)\n", p.Name, strings.Join(p.Files, ", "))
	if len(p.Profiles) > 0 {
		var ps []string
		for _, name := range p.Profiles {
			state := "off"
			for _, a := range p.ActiveProfiles {
				if a == name {
					state = "on"
				}
			}
			ps = append(ps, name+" ("+state+")")
		}
		fmt.Fprintf(w, "profiles: %s\n", strings.Join(ps, ", "))
	}
	if o.snap.Engine.Reachable {
		fmt.Fprintf(w, "engine: %s %s at %s", o.info.Platform(), o.info.ServerVersion, o.info.Host)
	} else {
		fmt.Fprintf(w, "engine: unreachable (%v)", o.snap.Engine.Err)
	}
	if o.compose != "" {
		fmt.Fprintf(w, "; compose CLI: %s", o.compose)
	}
	fmt.Fprintln(w)
	if o.host.MemTotal > 0 {
		fmt.Fprintf(w, "host: %d CPUs, %s memory, %s available\n", o.host.CPUs,
			units.BytesSize(float64(o.host.MemTotal)), units.BytesSize(float64(o.host.MemAvailable)))
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tPROFILES\tSTATE\tHEALTH\tEXIT\tRESTARTS\tIMAGE")
	for _, s := range o.snap.Services {
		profiles := strings.Join(s.Service.Profiles, ",")
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s.Service.Name, profiles, state, dash(s.Health), exit, s.RestartCount, image)
	}
	tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
