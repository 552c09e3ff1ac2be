package stack

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Compose labels that the compose CLI (v1 and v2 alike) puts on the
// containers it creates.
const (
	LabelProject         = "com.docker.compose.project"
	LabelService         = "com.docker.compose.service"
	LabelContainerNumber = "com.docker.compose.container-number"
	LabelOneoff          = "com.docker.compose.oneoff"
)

// Container states as the engine reports them, plus StateUnknown for "the
// engine did not answer" and StateMissing for "no container exists".
const (
	StateUnknown    = "unknown"
	StateMissing    = "not created"
	StateCreated    = "created"
	StateRunning    = "running"
	StateRestarting = "restarting"
	StatePaused     = "paused"
	StateExited     = "exited"
	StateDead       = "dead"
	StateRemoving   = "removing"
)

// Container is one container of a project, as list and inspect report it.
type Container struct {
	ID      string            `json:"id"`
	Name    string            `json:"name"`
	Service string            `json:"service"`
	Project string            `json:"project"`
	Number  int               `json:"number"`
	Oneoff  bool              `json:"oneoff,omitempty"`
	Image   string            `json:"image"`
	ImageID string            `json:"image_id"`
	Labels  map[string]string `json:"-"`
	Created time.Time         `json:"created"`

	// From inspect.
	State        string        `json:"state"`
	Health       string        `json:"health"` // "", "starting", "healthy", "unhealthy"
	HealthLog    []HealthProbe `json:"health_log,omitempty"`
	ExitCode     int           `json:"exit_code"`
	OOMKilled    bool          `json:"oom_killed"`
	Error        string        `json:"error,omitempty"`
	RestartCount int           `json:"restart_count"`
	Pid          int           `json:"pid"`
	StartedAt    time.Time     `json:"started_at"`
	FinishedAt   time.Time     `json:"finished_at"`
	Platform     string        `json:"platform,omitempty"`
	TTY          bool          `json:"tty,omitempty"`
	// Inspected is false when the value only comes from a list call, so the
	// inspect-only fields above are zero.
	Inspected bool `json:"-"`
}

// HealthProbe is one run of a container's healthcheck.
type HealthProbe struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	ExitCode int       `json:"exit_code"`
	Output   string    `json:"output"`
}

// Event is one engine event about a container of the project.
type Event struct {
	Time        time.Time         `json:"time"`
	Action      string            `json:"action"` // start, die, oom, kill, health_status, destroy, create, stop, restart, ...
	ContainerID string            `json:"container_id"`
	Name        string            `json:"name"`
	Project     string            `json:"project"`
	Service     string            `json:"service"`
	ExitCode    int               `json:"exit_code,omitempty"` // die
	Signal      string            `json:"signal,omitempty"`    // kill
	Health      string            `json:"health,omitempty"`    // health_status: healthy, unhealthy, starting
	Attributes  map[string]string `json:"attributes,omitempty"`
}

// LogStream says which output a log line came from.
type LogStream uint8

const (
	Stdout LogStream = 1
	Stderr LogStream = 2
)

func (s LogStream) String() string {
	if s == Stderr {
		return "stderr"
	}
	return "stdout"
}

// LogOptions select which log lines to stream.
type LogOptions struct {
	Since      time.Time // zero: from the beginning
	Tail       int       // lines from the end; TailAll (<0) for all, 0 for none
	Follow     bool
	Timestamps bool // ask the engine for timestamps and parse them into LogLine.Time
}

// TailAll asks LogOptions for every line the engine kept.
const TailAll = -1

// LogLine is one line of container output, without its newline.
type LogLine struct {
	ContainerID string
	Stream      LogStream
	Time        time.Time // zero unless LogOptions.Timestamps
	Text        string
}

// Stats is one raw sample of a container's resource counters, as the Engine
// API reports them. The arithmetic that turns two samples into percentages
// lives with the resources probe.
type Stats struct {
	Read         time.Time `json:"read"`
	CPUTotal     uint64    `json:"cpu_total_ns"`
	SystemCPU    uint64    `json:"system_cpu_ns"`
	OnlineCPUs   uint32    `json:"online_cpus"`
	PreCPUTotal  uint64    `json:"pre_cpu_total_ns"`
	PreSystemCPU uint64    `json:"pre_system_cpu_ns"`
	MemUsage     uint64    `json:"mem_usage_bytes"`
	MemLimit     uint64    `json:"mem_limit_bytes"`
	MemInactive  uint64    `json:"mem_inactive_file_bytes"` // inactive_file (v2) or total_inactive_file (v1)
	NetRx, NetTx uint64    `json:"-"`
	BlkRead      uint64    `json:"blk_read_bytes"`
	BlkWrite     uint64    `json:"blk_write_bytes"`
	Pids         uint64    `json:"pids"`
}

// CPUPercent is `docker stats`' CPU figure for this sample against the
// previous one the engine sent with it.
func (s Stats) CPUPercent() float64 {
	dc := float64(s.CPUTotal) - float64(s.PreCPUTotal)
	ds := float64(s.SystemCPU) - float64(s.PreSystemCPU)
	if dc <= 0 || ds <= 0 {
		return 0
	}
	n := float64(s.OnlineCPUs)
	if n == 0 {
		n = 1
	}
	return dc / ds * n * 100
}

// MemUsed is memory in use the way `docker stats` counts it: usage minus the
// inactive page cache.
func (s Stats) MemUsed() uint64 {
	if s.MemInactive < s.MemUsage {
		return s.MemUsage - s.MemInactive
	}
	return s.MemUsage
}

// Engine products, as EngineInfo.Engine names them.
const (
	EngineDocker = "docker"
	// EnginePodman is Podman's Docker-compatible service (`podman system
	// service`), which answers the same API with its own differences
	// (see stack/docker/podman.go).
	EnginePodman = "podman"
)

// EngineInfo is what stackui needs to know about the engine itself.
type EngineInfo struct {
	Host string `json:"host"`
	// Engine is the product answering the API: EngineDocker or
	// EnginePodman, from the components its version names.
	Engine          string   `json:"engine"`
	ServerVersion   string   `json:"server_version"`
	APIVersion      string   `json:"api_version"`
	OS              string   `json:"os"`               // GOOS form: linux, windows
	Arch            string   `json:"arch"`             // GOARCH form: amd64, arm64
	OperatingSystem string   `json:"operating_system"` // "Docker Desktop", "Debian GNU/Linux 12 (bookworm)"
	KernelVersion   string   `json:"kernel_version"`
	NCPU            int      `json:"ncpu"`
	MemTotal        uint64   `json:"mem_total_bytes"`
	Runtimes        []string `json:"runtimes"`
	DefaultRuntime  string   `json:"default_runtime"`
	CDIDevices      []string `json:"cdi_devices"`
	CgroupVersion   string   `json:"cgroup_version"`
	CgroupDriver    string   `json:"cgroup_driver"`
	Rootless        bool     `json:"rootless"`
	Local           bool     `json:"local"` // reached through a local socket, so its PIDs and cgroups are this host's
}

// Name is the engine's product and version for people: "podman 4.3.1",
// "docker 20.10.24+dfsg1".
func (i EngineInfo) Name() string {
	name := i.Engine
	if name == "" {
		name = EngineDocker
	}
	if i.ServerVersion == "" {
		return name
	}
	return name + " " + i.ServerVersion
}

// Podman reports whether the engine is Podman's Docker-compatible service.
func (i EngineInfo) Podman() bool { return i.Engine == EnginePodman }

// Platform is the engine's native platform in compose form, e.g. "linux/amd64".
func (i EngineInfo) Platform() string { return i.OS + "/" + i.Arch }

// GPUCapable reports whether the engine can give containers an NVIDIA GPU:
// an nvidia runtime or NVIDIA CDI devices.
func (i EngineInfo) GPUCapable() bool {
	for _, r := range i.Runtimes {
		if r == "nvidia" {
			return true
		}
	}
	for _, d := range i.CDIDevices {
		if strings.HasPrefix(d, "nvidia.com/") {
			return true
		}
	}
	return false
}

// ErrEngineUnavailable is matched (errors.Is) by every error that means "the
// engine could not be reached": no socket, a refused connection, a dead ssh
// tunnel, a daemon that went away mid-stream. It is an expected state, not a
// crash: callers show it and reconnect.
var ErrEngineUnavailable = errors.New("docker engine unavailable")

// EngineError wraps a connection failure with the host that was tried.
type EngineError struct {
	Host string
	Err  error
}

func (e *EngineError) Error() string {
	return fmt.Sprintf("docker engine at %s unavailable: %v", e.Host, e.Err)
}

func (e *EngineError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrEngineUnavailable) true.
func (e *EngineError) Is(target error) bool { return target == ErrEngineUnavailable }
