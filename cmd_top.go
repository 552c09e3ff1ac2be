package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
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

// measureTimeout bounds a one-shot measurement: a cgroup sample takes one
// interval after the first read, an Engine API stream two samples.
const measureTimeout = 5 * time.Second

func runTop(env *cliEnv, args []string) int {
	fs := newFlagSet(env, "top", "[compose flags] [--json]")
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
	o := observe(ctx, p)
	if o.snap.Engine.Reachable {
		o.usage, o.measured = measure(ctx, o.snap, o.info, true), true
	}
	out := topJSON(o)
	if *asJSON {
		return writeJSON(env, out)
	}
	printTop(env.stdout, out)
	return exitOK
}

// measure samples the running containers of snap once, the way the TUI's
// sampler does (cgroups when the engine is local, else Engine API
// streams), and reads the GPUs. It returns when every running container
// has a figure or measureTimeout has passed.
func measure(ctx context.Context, snap stack.Snapshot, info stack.EngineInfo, gpus bool) resources.Snapshot {
	eng, err := docker.Connect(ctx, docker.Options{})
	if err != nil {
		return resources.Snapshot{}
	}
	defer eng.Close()
	local := resources.LocalEngine(info, runtime.GOOS)
	var runner *gpu.Runner
	if gpus {
		runner = gpu.NewRunner(gpu.RunnerOptions{Local: local})
	}
	opts := resources.Options{Local: local, Engine: eng, MemTotal: info.MemTotal}
	if runner != nil {
		opts.GPU = runner
	}
	s := resources.NewSampler(opts)
	var running []string
	for _, c := range allContainers(snap) {
		if c.State == stack.StateRunning {
			running = append(running, c.ID)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, measureTimeout)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	s.Update(snap)
	s.SetVisible(running...)
wait:
	for !complete(s.Snapshot(), running, runner != nil) {
		select {
		case <-s.Changed():
		case <-ctx.Done():
			break wait
		}
	}
	cancel()
	<-done
	out := s.Snapshot()
	if runner != nil && out.GPU.Status == "" {
		// Nothing runs, so the sampler did not ask; the GPUs are still
		// worth showing.
		out.GPU = runner.Query(context.Background())
	}
	return out
}

func complete(s resources.Snapshot, running []string, gpus bool) bool {
	for _, id := range running {
		c, ok := s.Container(id)
		if !ok || (c.Latest.Time.IsZero() && c.Err == "") {
			return false
		}
	}
	return !gpus || len(running) == 0 || s.GPU.Status != ""
}

func allContainers(s stack.Snapshot) []stack.Container {
	var cs []stack.Container
	for _, st := range s.Services {
		cs = append(cs, st.Containers...)
	}
	cs = append(cs, s.Orphans...)
	return append(cs, s.Oneoffs...)
}

// topOutput is the JSON shape of `stackui top --json`, a scripting
// interface: fields are only ever added.
type topOutput struct {
	Project         string              `json:"project"`
	Engine          psEngine            `json:"engine"`
	Host            resources.HostUsage `json:"host"`
	ContainerMemory probes.MemoryBound  `json:"container_memory"`
	GPU             gpu.Reading         `json:"gpu"`
	Containers      []topContainer      `json:"containers"`
}

type topContainer struct {
	ID         string           `json:"id"`
	Name       string           `json:"name"`
	Service    string           `json:"service"`
	Source     resources.Source `json:"source"`
	CPUPercent float64          `json:"cpu_percent"`
	MemUsed    uint64           `json:"mem_used_bytes"`
	MemLimit   uint64           `json:"mem_limit_bytes"`
	MemPercent float64          `json:"mem_percent"`
	NetRx      uint64           `json:"net_rx_bytes"`
	NetTx      uint64           `json:"net_tx_bytes"`
	BlkRead    uint64           `json:"blk_read_bytes"`
	BlkWrite   uint64           `json:"blk_write_bytes"`
	Pids       uint64           `json:"pids"`
	GPUMem     *uint64          `json:"gpu_mem_bytes"` // null unless the GPUs could be read
	Measured   bool             `json:"measured"`
	Error      string           `json:"error,omitempty"`
}

func topJSON(o observation) topOutput {
	ps := psJSON(o)
	host := o.usage.Host
	if host.MemTotal == 0 {
		host.Host = o.host
	}
	out := topOutput{
		Project:         ps.Project,
		Engine:          ps.Engine,
		Host:            host,
		ContainerMemory: probes.ContainerMemory(host.Host, o.info),
		GPU:             o.usage.GPU,
		Containers:      []topContainer{},
	}
	if out.GPU.GPUs == nil {
		out.GPU.GPUs = []gpu.GPU{}
	}
	if out.GPU.Apps == nil {
		out.GPU.Apps = []gpu.App{}
	}
	for _, c := range o.usage.Containers {
		if !c.Running {
			continue
		}
		l := c.Latest
		tc := topContainer{
			ID: c.ID, Name: c.Name, Service: c.Service, Source: c.Source,
			CPUPercent: l.CPUPercent, MemUsed: l.MemUsed, MemLimit: l.MemLimit, MemPercent: l.MemPercent(),
			NetRx: l.NetRx, NetTx: l.NetTx, BlkRead: l.BlkRead, BlkWrite: l.BlkWrite, Pids: l.Pids,
			Measured: !l.Time.IsZero(), Error: c.Err,
		}
		if o.usage.GPU.Status == gpu.StatusOK && !c.GPUMemUnknown {
			tc.GPUMem = &c.GPUMem
		}
		out.Containers = append(out.Containers, tc)
	}
	return out
}

func printTop(w io.Writer, t topOutput) {
	fmt.Fprintf(w, "project %s\n", t.Project)
	if t.Engine.Reachable {
		fmt.Fprintf(w, "engine: %s/%s %s at %s\n", t.Engine.OS, t.Engine.Arch, t.Engine.ServerVersion, t.Engine.Host)
	} else {
		fmt.Fprintf(w, "engine: unreachable (%s)\n", t.Engine.Error)
	}
	if t.Host.MemTotal > 0 {
		fmt.Fprintf(w, "host: %d CPUs", t.Host.CPUs)
		if t.Host.CPUPercent > 0 {
			fmt.Fprintf(w, " (%.0f%% busy)", t.Host.CPUPercent)
		}
		fmt.Fprintf(w, ", %s memory, %s available\n", bytesSize(t.Host.MemTotal), bytesSize(t.Host.MemAvailable))
	}
	if t.ContainerMemory.Note != "" {
		fmt.Fprintf(w, "memory: %s\n", t.ContainerMemory.Note)
	}
	printGPUs(w, t.GPU)
	fmt.Fprintln(w)
	if len(t.Containers) == 0 {
		fmt.Fprintln(w, "no running containers")
		return
	}
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tCONTAINER\tCPU %\tMEM USAGE / LIMIT\tMEM %\tNET I/O\tBLOCK I/O\tPIDS\tGPU MEM")
	for _, c := range t.Containers {
		gpuMem := "-"
		if c.GPUMem != nil {
			gpuMem = bytesSize(*c.GPUMem)
		}
		if !c.Measured {
			why := "not measured"
			if c.Error != "" {
				why += ": " + c.Error
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t\t\t\t\t\t%s\n", c.Service, c.Name, why, gpuMem)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f%%\t%s / %s\t%.2f%%\t%s / %s\t%s / %s\t%d\t%s\n", c.Service, c.Name,
			c.CPUPercent, bytesSize(c.MemUsed), bytesSize(c.MemLimit), c.MemPercent,
			bytesSize(c.NetRx), bytesSize(c.NetTx), bytesSize(c.BlkRead), bytesSize(c.BlkWrite), c.Pids, gpuMem)
	}
	tw.Flush()
}

func printGPUs(w io.Writer, r gpu.Reading) {
	switch r.Status {
	case "":
		return
	case gpu.StatusOK:
	default:
		fmt.Fprintf(w, "GPU: %s", r.Status)
		if r.Detail != "" {
			fmt.Fprintf(w, " (%s)", r.Detail)
		}
		fmt.Fprintln(w)
		return
	}
	for _, g := range r.GPUs {
		parts := []string{fmt.Sprintf("GPU %d: %s", g.Index, g.Name)}
		if g.UtilPercent != nil {
			parts = append(parts, fmt.Sprintf("%.0f%% busy", *g.UtilPercent))
		}
		if g.MemUsed != nil && g.MemTotal != nil {
			parts = append(parts, fmt.Sprintf("%s / %s", bytesSize(*g.MemUsed), bytesSize(*g.MemTotal)))
		}
		if g.TempC != nil {
			parts = append(parts, fmt.Sprintf("%.0f°C", *g.TempC))
		}
		if g.PowerW != nil {
			parts = append(parts, fmt.Sprintf("%.0f W", *g.PowerW))
		}
		fmt.Fprintln(w, strings.Join(parts, ", "))
	}
}

func bytesSize(b uint64) string { return units.BytesSize(float64(b)) }
