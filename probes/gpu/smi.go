package gpu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// Status says whether GPU figures can be had, and if not, why. Each state
// other than StatusOK is reported once, as a state, not as an error per
// query.
type Status string

const (
	StatusOK     Status = "ok"
	StatusNoSMI  Status = "nvidia-smi not found"
	StatusNoGPU  Status = "no GPU"
	StatusRemote Status = "remote engine (PIDs not local)"
	StatusFailed Status = "nvidia-smi failed"
)

// Settled says the status is for good: nvidia-smi is missing, there is no
// GPU, or the engine is remote. Another query would only say it again.
func (s Status) Settled() bool {
	switch s {
	case StatusNoSMI, StatusNoGPU, StatusRemote:
		return true
	}
	return false
}

// Reading is one look at the GPUs.
type Reading struct {
	Time   time.Time `json:"time"`
	Status Status    `json:"status"`
	// Detail explains StatusFailed (nvidia-smi's own first line of
	// complaint); empty otherwise.
	Detail string `json:"detail,omitempty"`
	GPUs   []GPU  `json:"gpus"`
	Apps   []App  `json:"apps"`
}

// Exec runs a program and returns its standard output; on failure the error
// carries its standard error. Tests substitute recorded outputs.
type Exec func(ctx context.Context, path string, args ...string) ([]byte, error)

// RunnerOptions configure a Runner.
type RunnerOptions struct {
	// Local says that the engine's containers run on this host, so the PIDs
	// that nvidia-smi reports are theirs. With a remote engine this host's
	// GPUs say nothing about the containers, and the Runner never runs.
	Local bool
	// Path of nvidia-smi; empty: looked up in PATH once.
	Path string
	// MinInterval is the least time between two runs of nvidia-smi; zero
	// means a second. A Query sooner than that returns the last reading.
	MinInterval time.Duration
	// RetryFailed is how long to wait before running nvidia-smi again after
	// it failed; zero means 30 seconds.
	RetryFailed time.Duration
	Exec        Exec // nil: os/exec
}

// Runner queries nvidia-smi on demand, at most once per MinInterval. It
// settles on "not found", "no GPU" or "remote engine" for good the first
// time it finds one of them, so a machine without GPUs costs one lookup.
// It is safe for concurrent use.
type Runner struct {
	opts RunnerOptions

	mu     sync.Mutex
	last   Reading
	ran    time.Time
	lookup bool // Path has been resolved
}

// NewRunner returns a Runner; it runs nothing until Query.
func NewRunner(opts RunnerOptions) *Runner {
	if opts.MinInterval <= 0 {
		opts.MinInterval = time.Second
	}
	if opts.RetryFailed <= 0 {
		opts.RetryFailed = 30 * time.Second
	}
	if opts.Exec == nil {
		opts.Exec = execOutput
	}
	return &Runner{opts: opts}
}

// Query returns the GPUs and their compute processes, running nvidia-smi
// unless the last reading is recent enough (or final).
func (r *Runner) Query(ctx context.Context) Reading {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now()
	if r.last.Status.Settled() {
		return r.last
	}
	if !r.ran.IsZero() {
		wait := r.opts.MinInterval
		if r.last.Status == StatusFailed {
			wait = r.opts.RetryFailed
		}
		if now.Sub(r.ran) < wait {
			return r.last
		}
	}
	r.ran = now
	r.last = r.query(ctx, now)
	return r.last
}

func (r *Runner) query(ctx context.Context, now time.Time) Reading {
	if !r.opts.Local {
		return Reading{Time: now, Status: StatusRemote}
	}
	if !r.lookup {
		r.lookup = true
		if r.opts.Path == "" {
			p, err := exec.LookPath("nvidia-smi")
			if err != nil {
				return Reading{Time: now, Status: StatusNoSMI}
			}
			r.opts.Path = p
		}
	}
	out, err := r.opts.Exec(ctx, r.opts.Path, "--query-gpu="+GPUFields, "--format=csv,noheader,nounits")
	if err != nil {
		return classify(now, out, err)
	}
	gpus, err := ParseGPUs(string(out))
	if err != nil {
		return Reading{Time: now, Status: StatusFailed, Detail: err.Error()}
	}
	if len(gpus) == 0 {
		return Reading{Time: now, Status: StatusNoGPU}
	}
	rd := Reading{Time: now, Status: StatusOK, GPUs: gpus}
	out, err = r.opts.Exec(ctx, r.opts.Path, "--query-compute-apps="+AppFields, "--format=csv,noheader,nounits")
	if err != nil {
		// The GPUs themselves are known; only the per-process split is not.
		rd.Detail = "compute processes: " + firstLine(err.Error())
		return rd
	}
	if rd.Apps, err = ParseApps(string(out)); err != nil {
		rd.Detail = err.Error()
	}
	return rd
}

// classify turns a failed nvidia-smi run into a state. nvidia-smi prints
// its complaints on stdout and exits 6 when it finds no devices, 9 when the
// driver is not loaded (a machine with the tools but no GPU, for stackui's
// purpose the same as none).
func classify(now time.Time, out []byte, err error) Reading {
	msg := strings.TrimSpace(string(out) + "\n" + err.Error())
	var ee interface{ ExitCode() int } // *exec.ExitError
	if errors.As(err, &ee) {
		switch ee.ExitCode() {
		case 6, 9:
			return Reading{Time: now, Status: StatusNoGPU, Detail: firstLine(msg)}
		}
	}
	if strings.Contains(msg, "No devices were found") {
		return Reading{Time: now, Status: StatusNoGPU}
	}
	if errors.Is(err, exec.ErrNotFound) {
		return Reading{Time: now, Status: StatusNoSMI}
	}
	return Reading{Time: now, Status: StatusFailed, Detail: firstLine(msg)}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return clip(s)
}

func execOutput(ctx context.Context, path string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if s := strings.TrimSpace(stderr.String()); s != "" {
			err = fmt.Errorf("%w: %s", err, firstLine(s))
		}
		return stdout.Bytes(), fmt.Errorf("run %s: %w", path, err)
	}
	return stdout.Bytes(), nil
}
