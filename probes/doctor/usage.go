package doctor

import "github.com/stackui/stackui/probes/resources"

// AddUsage fills the options' measurements from the resources sampler's
// snapshot of the project: each service's peak memory and its growth
// before the peak (from the five minutes of history, resources.MemTrend;
// the container that peaked highest speaks for the service), and the GPU
// memory nvidia-smi attributes to its containers; the OOM kills the
// sampler saw in the containers' memory cgroups, and each container's last
// memory sample. Values the caller set already are kept.
func (o *Options) AddUsage(project string, snap resources.Snapshot) {
	type trend struct {
		peak   uint64
		growth float64
	}
	best := map[string]trend{}
	for _, c := range snap.Containers {
		if c.Service == "" {
			continue
		}
		peak, growth := resources.MemTrend(c.History)
		if t, ok := best[c.Service]; !ok || peak > t.peak {
			best[c.Service] = trend{peak, growth}
		}
		if c.OOM.Kills > 0 {
			src := "memory cgroup (" + c.OOM.Watch + ")"
			if c.OOM.KernelLog {
				src = "kernel log (its oom-kill line, read as the kernel wrote it)"
			}
			o.OOMSeen = append(o.OOMSeen, OOMSeen{Container: c.ID, Service: c.Service, At: c.OOM.At, Kills: c.OOM.Kills,
				Source: src, MemUsed: c.OOM.MemUsed, MemLimit: c.OOM.MemLimit})
		}
		if !c.Latest.Time.IsZero() {
			o.LastMem = append(o.LastMem, MemSample{Container: c.ID, Service: c.Service, At: c.Latest.Time, Used: c.Latest.MemUsed, Limit: c.Latest.MemLimit})
		}
		if c.GPUMem > 0 && !c.GPUMemUnknown {
			o.GPUUsers = append(o.GPUUsers, GPUUser{Container: c.Name, Project: project, Service: c.Service, Bytes: c.GPUMem})
		}
	}
	for svc, t := range best {
		if t.peak > 0 {
			if o.PeakMem == nil {
				o.PeakMem = map[string]uint64{}
			}
			if _, ok := o.PeakMem[svc]; !ok {
				o.PeakMem[svc] = t.peak
			}
		}
		if t.growth > 0 {
			if o.MemGrowth == nil {
				o.MemGrowth = map[string]float64{}
			}
			if _, ok := o.MemGrowth[svc]; !ok {
				o.MemGrowth[svc] = t.growth
			}
		}
	}
}
