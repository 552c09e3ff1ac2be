package doctor

import (
	"time"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/edit"
)

// Kind is the stable name of a cause. Scripts match on it.
type Kind string

// The kinds of findings, as the table names them.
const (
	KindOOM     Kind = "oom"
	KindSigkill Kind = "sigkill"
	// KindKilled is an exit 137 with no evidence of who sent the SIGKILL:
	// no OOM kill (engine, cgroup or kernel log) and no kill or stop
	// (events, or a stop stackui ran). Podman leaves every OOM kill and
	// every stop that outlasts its grace period so, unless stackui
	// watched or stopped it.
	KindKilled         Kind = "killed"
	KindArchMismatch   Kind = "arch-mismatch"
	KindGPUUnavailable Kind = "gpu-unavailable"
	KindCUDADriver     Kind = "cuda-driver"
	KindPortConflict   Kind = "port-conflict"
	KindCrashLoop      Kind = "crash-loop"
	KindUnhealthy      Kind = "unhealthy"
	KindErrorExit      Kind = "error-exit"
	KindNoSpace        Kind = "no-space"
	KindImageMissing   Kind = "image-missing"
)

// Severity ranks findings: high stops a service, medium degrades it or will
// stop it, low is worth knowing.
type Severity string

const (
	SeverityHigh   Severity = "high"
	SeverityMedium Severity = "medium"
	SeverityLow    Severity = "low"
)

// Finding is one diagnosed cause for one service (or for the project, when
// a compose failure names no service).
type Finding struct {
	// ID is "SERVICE/KIND", or "KIND" without a service; stable across runs
	// so that `stackui fix ID` can name it.
	ID       string   `json:"id"`
	Service  string   `json:"service"`
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	// Summary is the cause in one sentence.
	Summary string `json:"summary"`
	// Evidence are the facts the rule matched, one per line, verbatim
	// where they come from the engine or the logs.
	Evidence []string `json:"evidence"`
	// Explanation is the longer story and what to do by hand.
	Explanation string `json:"-"`
	Fixes       []Fix  `json:"fixes"`
	// Unoffered are the fixes the rules proposed that cannot be applied
	// to the files as they are now, each with why: `stackui fix` names
	// the reason (the files already say so, after a concurrent fix won),
	// not merely that the finding has no fix.
	Unoffered []Unoffered `json:"unoffered,omitempty"`
}

// Unoffered is a fix PlanFixes dropped, and why.
type Unoffered struct {
	FixID  string `json:"id"`
	Reason string `json:"reason"`
	// Err is the planning error, for errors.Is (edit.ErrNoChange, ...).
	Err error `json:"-"`
}

// Fix is one way to resolve a finding.
type Fix struct {
	ID    string `json:"id"` // stable within its finding, e.g. "raise-memory"
	Title string `json:"title"`
	// Diff previews the change to the compose files (or the generated
	// override file); "" for fixes that edit nothing (restart).
	Diff   string `json:"diff"`
	Action Action `json:"-"`
	// Plan is the file edit; set by Plan for edit actions.
	Plan *edit.Plan `json:"-"`
	// Auto says the fix may be applied without asking (a restart with
	// backoff). It is false for everything that edits files, and for
	// restarts of services that hold data.
	Auto bool `json:"-"`
}

// ActionKind says what applying a fix does.
type ActionKind string

const (
	ActSetMemLimit   ActionKind = "set-mem-limit"
	ActSetPlatform   ActionKind = "set-platform"
	ActSetStopGrace  ActionKind = "set-stop-grace-period"
	ActRemapPort     ActionKind = "remap-port"
	ActNoGPUOverride ActionKind = "no-gpu-override"
	ActProfileOff    ActionKind = "profile-off"
	ActRestart       ActionKind = "restart"
	ActSetShmSize    ActionKind = "set-shm-size"
	ActSetIPCHost    ActionKind = "set-ipc-host"
)

// FollowUp is what runs after the edit so that it takes effect.
type FollowUp string

const (
	ThenNothing  FollowUp = ""
	ThenRecreate FollowUp = "recreate" // up -d --force-recreate SERVICE
	ThenBuild    FollowUp = "build"    // build SERVICE, then recreate
	ThenPull     FollowUp = "pull"     // pull SERVICE, then recreate
)

// Action is what a fix does, as data: Plan turns it into a file edit, and
// Apply carries it out.
type Action struct {
	Kind     ActionKind
	Service  string
	Bytes    int64         // ActSetMemLimit, ActSetShmSize
	Platform string        // ActSetPlatform
	Grace    time.Duration // ActSetStopGrace
	OldPort  int           // ActRemapPort: the published host port in the file
	NewPort  int           // ActRemapPort: 0 until Plan finds a free one
	Profiles []string      // ActProfileOff: the profiles to turn off
	Then     FollowUp

	// ActSetRestart's policy, ActDependsHealthy's dependency, and
	// ActReplaceHost's old and new name (see rules_net.go).
	Policy, Dependency, OldHost, NewHost string
}

// Evidence is everything the rules look at. It is plain data (recorded as
// JSON under testdata/doctor for the rule tests).
type Evidence struct {
	Project string `json:"project"`
	// EngineReachable is false when the engine did not answer; then only
	// the model and a compose failure are evidence.
	EngineReachable bool              `json:"engine_reachable"`
	Engine          stack.EngineInfo  `json:"engine"`
	Services        []ServiceEvidence `json:"services"`
	// ComposeFailure is the output of a failed compose CLI call (the last
	// lines, stdout and stderr merged): some failures never create a
	// container.
	ComposeFailure []string `json:"compose_failure,omitempty"`
	// ComposeCLI names the compose CLI with its version, as
	// stack.ComposeCLI.String gives it ("docker-compose 1.29.2"); it decides
	// which fixes the CLI can carry out.
	ComposeCLI string `json:"compose_cli,omitempty"`
	// PortHolders are who holds the host ports that a conflict names.
	PortHolders []PortHolder `json:"port_holders,omitempty"`
	// GPUUsers are the containers nvidia-smi attributes GPU memory to
	// (probes/gpu and probes/resources); optional, set by a caller that
	// samples the GPU.
	GPUUsers []GPUUser `json:"gpu_users,omitempty"`
	// EnvExample are the variable names the project folder's .env.example
	// defines (names only: values may be secrets).
	EnvExample []string `json:"env_example,omitempty"`
	// GatheredAt is when the evidence was read; a rule that judges how long
	// something has lasted (a container created but never started) needs
	// it. Zero in old recordings: such rules then stay silent.
	GatheredAt time.Time `json:"gathered_at,omitzero"`
	// Gaps say what could not be gathered, so a missing finding is not
	// mistaken for a clean bill of health.
	Gaps []string `json:"gaps,omitempty"`
}

// Service returns the evidence of the named service, or nil.
func (e *Evidence) Service(name string) *ServiceEvidence {
	for i := range e.Services {
		if e.Services[i].Model.Name == name {
			return &e.Services[i]
		}
	}
	return nil
}

// ServiceEvidence is what is known about one service.
type ServiceEvidence struct {
	Model      ServiceModel      `json:"model"`
	Containers []stack.Container `json:"containers"`
	// ImagePlatform is the platform of the service's image on the engine
	// (os/arch[/variant]); "" when the image is not there or unknown.
	ImagePlatform string `json:"image_platform,omitempty"`
	// Logs are the last lines of the service's most recent container.
	Logs []LogLine `json:"logs,omitempty"`
	// Events are the service's past container events (die, oom, kill,
	// health_status), oldest first.
	Events []stack.Event `json:"events,omitempty"`
	// PeakMem is the highest memory use seen (by the TUI's stats); 0 when
	// unknown.
	PeakMem uint64 `json:"peak_mem_bytes,omitempty"`
	// MemGrowth is how fast memory grew before the peak, in bytes a second
	// (resources.MemTrend); 0 when unknown.
	MemGrowth float64 `json:"mem_growth_bytes_per_s,omitempty"`
	// LastRaise is the last memory raise stackui applied to the service,
	// from the edit journal; nil when none.
	LastRaise *MemRaise `json:"last_mem_raise,omitempty"`
	// Net is where its running container can be reached and what it
	// listens on (see net.go).
	Net *NetEvidence `json:"net,omitempty"`
	// Binds are what the host holds at the bind sources (see net.go).
	Binds []BindState `json:"binds,omitempty"`
	// OOMSeen are OOM kills in its containers' memory cgroups that stackui
	// saw itself: the TUI's sampler watching the cgroup, or the kernel's
	// log. They do not depend on the engine's word (Podman's is false).
	OOMSeen []OOMSeen `json:"oom_seen,omitempty"`
	// LastMem is each container's memory at its last sample (the TUI's
	// sampler), against its limit.
	LastMem []MemSample `json:"last_mem,omitempty"`
	// Stops are the stops stackui ran for it (or for the whole project).
	Stops []IssuedStop `json:"stops,omitempty"`
}

// OOMSeen is one container's OOM kills as stackui saw them.
type OOMSeen struct {
	Container string    `json:"container"` // the ID
	Service   string    `json:"service,omitempty"`
	At        time.Time `json:"at"`
	Kills     uint64    `json:"kills"`
	// Source says where: "memory cgroup (eventfd)", "memory cgroup
	// (inotify)", "memory cgroup (sample)" or "kernel log".
	Source string `json:"source"`
	// MemUsed and MemLimit are the last sample's before the kill; zero
	// when not measured.
	MemUsed  uint64 `json:"mem_used_bytes,omitempty"`
	MemLimit uint64 `json:"mem_limit_bytes,omitempty"`
}

// MemSample is a container's memory at one sample.
type MemSample struct {
	Container string    `json:"container"` // the ID
	Service   string    `json:"service,omitempty"`
	At        time.Time `json:"at"`
	Used      uint64    `json:"used_bytes"`
	Limit     uint64    `json:"limit_bytes"` // 0: none
}

// LogLine is one line of container output.
type LogLine struct {
	Time   time.Time `json:"time,omitzero"`
	Stderr bool      `json:"stderr,omitempty"`
	Text   string    `json:"text"`
}

// ServiceModel is what the compose files say about a service, reduced to
// what the rules look at.
type ServiceModel struct {
	Name      string       `json:"name"`
	Enabled   bool         `json:"enabled"`
	Profiles  []string     `json:"profiles,omitempty"`
	Image     string       `json:"image"`
	HasBuild  bool         `json:"has_build,omitempty"`
	Platform  string       `json:"platform,omitempty"`
	GPU       bool         `json:"gpu,omitempty"`
	MemLimit  int64        `json:"mem_limit_bytes,omitempty"`
	Restart   string       `json:"restart,omitempty"`
	Ports     []Port       `json:"ports,omitempty"`
	DependsOn []Dependency `json:"depends_on,omitempty"`
	// StopGracePeriod is as written; 0 means the default of 10s.
	StopGracePeriod time.Duration `json:"stop_grace_period,omitempty"`
	Healthcheck     bool          `json:"healthcheck,omitempty"`
	// ShmSize is shm_size in bytes; 0 means the engine's 64 MiB.
	ShmSize int64  `json:"shm_size_bytes,omitempty"`
	IPC     string `json:"ipc,omitempty"`
	// Env are the names of the variables its environment sets to a
	// non-empty value (never the values: they may be secrets).
	Env []string `json:"env,omitempty"`
	// What the start and network rules read (see model_start.go).
	Start StartModel `json:"start,omitzero"`
}

// Port is one published port of a service.
type Port struct {
	HostIP    string `json:"host_ip,omitempty"`
	Published int    `json:"published"` // 0: an ephemeral host port
	Target    int    `json:"target"`
	Protocol  string `json:"protocol,omitempty"`
}

// Dependency is one depends_on entry.
type Dependency struct {
	Service   string `json:"service"`
	Condition string `json:"condition,omitempty"` // service_started, service_healthy, service_completed_successfully
}

// PortHolder is what holds a host port: a container (with its compose
// project and service, when it has them) or a host process.
type PortHolder struct {
	Port      int    `json:"port"`
	Container string `json:"container,omitempty"`
	Project   string `json:"project,omitempty"`
	Service   string `json:"service,omitempty"`
	PID       int    `json:"pid,omitempty"`
	Process   string `json:"process,omitempty"`
}
