package commands

import (
	"fmt"
	"io"
	"strings"

	"github.com/stackui/stackui/backend"
	"github.com/stackui/stackui/probes"
	"github.com/stackui/stackui/probes/gpu"
	"github.com/stackui/stackui/probes/resources"
)

func runTop(f *Factory, args []string) int {
	o, asJSON, code, ok := observeProject(f, "top", args, func(o backend.Observation, _ bool) bool {
		return o.Snap.Engine.Reachable
	})
	if !ok {
		return code
	}
	out := topJSON(o)
	if asJSON {
		return writeJSON(f, out)
	}
	printTop(f.Stdout, out)
	return exitOK
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

func topJSON(o backend.Observation) topOutput {
	ps := psJSON(o)
	host := o.Usage.Host
	if host.MemTotal == 0 {
		host.Host = o.Host
	}
	out := topOutput{
		Project:         ps.Project,
		Engine:          ps.Engine,
		Host:            host,
		ContainerMemory: probes.ContainerMemory(host.Host, o.Info),
		GPU:             o.Usage.GPU,
		Containers:      []topContainer{},
	}
	if out.GPU.GPUs == nil {
		out.GPU.GPUs = []gpu.GPU{}
	}
	if out.GPU.Apps == nil {
		out.GPU.Apps = []gpu.App{}
	}
	for _, c := range o.Usage.Containers {
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
		if o.Usage.GPU.Status == gpu.StatusOK && !c.GPUMemUnknown {
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
		fmt.Fprintf(w, ", %s memory, %s available\n", probes.Bytes(t.Host.MemTotal), probes.Bytes(t.Host.MemAvailable))
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
	rows := [][]string{{"SERVICE", "CONTAINER", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS", "GPU MEM"}}
	for _, c := range t.Containers {
		gpuMem := "-"
		if c.GPUMem != nil {
			gpuMem = probes.Bytes(*c.GPUMem)
		}
		if !c.Measured {
			why := "not measured"
			if c.Error != "" {
				why += ": " + c.Error
			}
			rows = append(rows, []string{c.Service, c.Name, why, "", "", "", "", "", gpuMem})
			continue
		}
		rows = append(rows, []string{c.Service, c.Name, fmt.Sprintf("%.2f%%", c.CPUPercent),
			probes.Bytes(c.MemUsed) + " / " + probes.Bytes(c.MemLimit), fmt.Sprintf("%.2f%%", c.MemPercent),
			probes.Bytes(c.NetRx) + " / " + probes.Bytes(c.NetTx), probes.Bytes(c.BlkRead) + " / " + probes.Bytes(c.BlkWrite), fmt.Sprint(c.Pids), gpuMem})
	}
	table(w, rows)
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
			parts = append(parts, fmt.Sprintf("%s / %s", probes.Bytes(*g.MemUsed), probes.Bytes(*g.MemTotal)))
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
