package resources

import (
	"github.com/stackui/stackui/probes"
	"github.com/stackui/stackui/probes/gpu"
)

// Snapshot is what the Sampler knows at one moment. It is immutable once
// handed out: readers may keep it and share it between goroutines, but must
// not modify its slices.
type Snapshot struct {
	// Containers are the project's containers that the last stack
	// snapshot had, running or not, ordered by service and replica
	// number. A stopped container keeps its history (the climb to an OOM
	// kill stays visible) until the container is removed.
	Containers []ContainerUsage
	// Host is this machine; zero until something has run.
	Host HostUsage
	// GPU is the last nvidia-smi reading; Status is "" until the first
	// query (made only while containers run).
	GPU gpu.Reading
}

// ContainerUsage is one container's figures.
type ContainerUsage struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Service string `json:"service"`
	Number  int    `json:"number"`
	Running bool   `json:"running"`
	// Source says how it is measured; SourceNone while it is not.
	Source Source `json:"source"`
	// Latest is the last sample; Latest.Time is zero until the first.
	Latest Sample `json:"latest"`
	// GPUMem is the GPU memory of the container's processes, when
	// GPU.Status is ok; GPUMemUnknown is true when the driver does not
	// say (MIG on older drivers).
	GPUMem        uint64 `json:"gpu_mem_bytes"`
	GPUMemUnknown bool   `json:"gpu_mem_unknown,omitempty"`
	// Err says why a running container is not measured (its cgroup
	// could not be read and no Engine API stream is open for it, or the
	// stream failed); empty otherwise.
	Err string `json:"error,omitempty"`
	// History is up to the last five minutes, oldest first, one point
	// per sample. Shared: do not modify.
	History []Point `json:"-"`
	// OOM is what its memory cgroup said of OOM kills while the Sampler
	// watched it (see oom.go); OOM.Kills is 0 when there were none.
	OOM OOMKill `json:"oom"`
}

// HostUsage is this machine's CPU and memory.
type HostUsage struct {
	probes.Host
	// CPUPercent is the share of all CPUs in use, 0 to 100, over the last
	// interval.
	CPUPercent float64 `json:"cpu_percent"`
}

// ServiceUsage sums a service's running containers.
type ServiceUsage struct {
	Running       int     // running containers
	Measured      int     // of which have a sample
	CPUPercent    float64 // percent of one CPU
	MemUsed       uint64
	MemLimit      uint64
	GPUMem        uint64
	GPUMemUnknown bool
}

// Container returns the figures of the container with this ID, or false.
func (s Snapshot) Container(id string) (ContainerUsage, bool) {
	for _, c := range s.Containers {
		if c.ID == id {
			return c, true
		}
	}
	return ContainerUsage{}, false
}

// Service sums the figures of the named service's running containers.
func (s Snapshot) Service(name string) ServiceUsage {
	var u ServiceUsage
	for _, c := range s.Containers {
		if c.Service != name || !c.Running {
			continue
		}
		u.Running++
		if c.Latest.Time.IsZero() {
			continue
		}
		u.Measured++
		u.CPUPercent += c.Latest.CPUPercent
		u.MemUsed += c.Latest.MemUsed
		u.MemLimit += c.Latest.MemLimit
		u.GPUMem += c.GPUMem
		u.GPUMemUnknown = u.GPUMemUnknown || c.GPUMemUnknown
	}
	return u
}
