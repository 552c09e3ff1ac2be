package resources

import (
	"context"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"

	"github.com/stackui/stackui/probes"
	"github.com/stackui/stackui/probes/gpu"
)

// sampleHost reads this machine's memory and CPU, at most once per
// interval.
func (s *Sampler) sampleHost(ctx context.Context) {
	now := time.Now()
	if !s.hostAt.IsZero() && now.Sub(s.hostAt) < s.opts.Interval/2 {
		return
	}
	s.hostAt = now
	if h, err := probes.ReadHost(ctx); err == nil {
		s.host.Host = h
	}
	if ts, err := cpu.TimesWithContext(ctx, false); err == nil && len(ts) == 1 {
		cur := ts[0]
		if s.hostCPU.CPU != "" {
			total := cur.Total() - s.hostCPU.Total()
			idle := (cur.Idle + cur.Iowait) - (s.hostCPU.Idle + s.hostCPU.Iowait)
			if total > 0 {
				s.host.CPUPercent = min(100, max(0, (total-idle)/total*100))
			}
		}
		s.hostCPU = cur
	}
}

// gpuResult is a GPU reading with its compute processes mapped to
// containers.
type gpuResult struct {
	reading gpu.Reading
	mem     map[string]uint64
	unknown map[string]bool
}

// requestGPU asks gpuLoop for a reading of the running containers' GPU
// memory, and says whether it did: not when no GPU querier is set, nothing
// runs, the status is settled (no nvidia-smi, no GPU, a remote engine:
// another query would say the same, and each cost a wake and a publish
// per second), or a query is still under way (its result will do).
func (s *Sampler) requestGPU(req chan map[string]bool) bool {
	if s.opts.GPU == nil || s.gpu.Status.Settled() {
		return false
	}
	known := map[string]bool{}
	for id, t := range s.tracked {
		if t.running {
			known[id] = true
		}
	}
	if len(known) == 0 {
		return false
	}
	select {
	case req <- known:
		return true
	default:
		return false
	}
}

// gpuLoop runs nvidia-smi off Run's goroutine: it takes tens of
// milliseconds, and the cgroup reads should not wait for it.
func (s *Sampler) gpuLoop(ctx context.Context, req <-chan map[string]bool, res chan<- gpuResult) {
	for {
		select {
		case <-ctx.Done():
			return
		case known := <-req:
			r := gpuResult{reading: s.opts.GPU.Query(ctx)}
			if r.reading.Status == gpu.StatusOK {
				r.mem, r.unknown = gpu.MemByContainer(s.opts.ProcRoot, r.reading.Apps, known)
			}
			select {
			case res <- r:
			case <-ctx.Done():
				return
			}
		}
	}
}

func (s *Sampler) applyGPU(r gpuResult) {
	s.gpu = r.reading
	for id, t := range s.tracked {
		t.gpuMem, t.gpuUnknown = r.mem[id], r.unknown[id]
	}
}
