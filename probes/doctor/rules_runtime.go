package doctor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stackui/stackui/stack"
)

// The kinds of runtime failures that generic rules used to misname.
const (
	KindHealthcheckBroken Kind = "healthcheck-broken"
	KindGPUOOM            Kind = "gpu-oom"
	KindShmTooSmall       Kind = "shm-too-small"
	KindMissingEnv        Kind = "missing-env"
)

// defaultShm is the engine's /dev/shm size when shm_size is unset.
const defaultShm = 64 * mib

// died reports whether the latest container ended in failure (a non-zero
// exit, not a stop) or keeps being restarted: the deaths a log line may
// explain. A running service's old log lines, a clean exit 0 and a stop
// (130, 143, or a 137 the rules before have not claimed) are no death.
func (d *diag) died() bool {
	c := d.c
	if c == nil || !d.failing() {
		return false
	}
	if c.State == stack.StateRunning || c.State == stack.StateRestarting {
		return c.RestartCount > 0
	}
	return c.ExitCode != 0 && c.ExitCode != 130 && c.ExitCode != 143
}

// logMatches returns the log lines that re matches, as evidence, and the
// first match's submatches.
func (d *diag) logMatches(re *lazyRE) (lines []string, first []string) {
	for _, l := range d.s.Logs {
		if m := re.FindStringSubmatch(l.Text); m != nil {
			if first == nil {
				first = m
			}
			lines = append(lines, "log: "+l.Text)
		}
	}
	return lines[max(0, len(lines)-3):], first
}

// brokenProbeRe is the engine's message when a healthcheck's command
// cannot be started at all, naming the command.
var (
	brokenProbeRe = lazyRegexp(`exec: "([^"\x00-\x1f]{1,200})": (?:stat [^:]*: )?(executable file not found in \$PATH|permission denied|no such file or directory)`)
	execFailedRe  = lazyRegexp(`OCI runtime exec failed|exec failed:`)
)

// ruleHealthBroken: the probe itself cannot run, so the service can never
// become healthy, whatever it does; restarting cannot help.
func ruleHealthBroken(d *diag) (Finding, bool) {
	c := d.c
	if c == nil || c.State != stack.StateRunning || c.Health == "healthy" || c.Health == "" || len(c.HealthLog) == 0 {
		return Finding{}, false
	}
	last := c.HealthLog[len(c.HealthLog)-1]
	m := brokenProbeRe.FindStringSubmatch(last.Output)
	if m == nil && execFailedRe.MatchString(last.Output) {
		m = []string{"", "", ""}
	}
	if last.ExitCode == 0 || m == nil {
		return Finding{}, false
	}
	name := d.s.Model.Name
	f := Finding{Kind: KindHealthcheckBroken, Severity: SeverityMedium, Explanation: explainHealthBroken}
	out := oneLine(last.Output, 300)
	f.Evidence = []string{fmt.Sprintf("container %s: health %s", c.Name, c.Health),
		fmt.Sprintf("probe at %s: exit %d: %s", last.Start.UTC().Format("15:04:05"), last.ExitCode, out)}
	switch cmd, why := m[1], m[2]; {
	case cmd == "/bin/sh" || cmd == "sh":
		f.Summary = fmt.Sprintf("%s's healthcheck cannot run: the image has no shell (%s) for a CMD-SHELL test; restarting cannot help", name, cmd)
	case strings.HasPrefix(why, "executable file not found"), why == "no such file or directory":
		f.Summary = fmt.Sprintf("%s's healthcheck cannot run: the image has no %s; restarting cannot help", name, cmd)
	case why == "permission denied":
		f.Summary = fmt.Sprintf("%s's healthcheck cannot run: %s is not executable (permission denied); restarting cannot help", name, cmd)
	default:
		f.Summary = name + "'s healthcheck cannot run: the engine cannot start its command; restarting cannot help"
	}
	return f, true
}

// gpuOOMRe is what CUDA, PyTorch, TensorFlow and JAX print when the GPU's
// memory runs out; RESOURCE_EXHAUSTED only counts with GPU wording.
var gpuOOMRe = lazyRegexp(`CUDA out of memory|torch\.(?:cuda\.)?OutOfMemoryError|cudaErrorMemoryAllocation|CUDA_ERROR_OUT_OF_MEMORY|CUBLAS_STATUS_ALLOC_FAILED|RESOURCE_EXHAUSTED.*(?:GPU|gpu|CUDA|cuda|device)|(?:GPU|CUDA).*RESOURCE_EXHAUSTED`)

var triedAllocRe = lazyRegexp(`Tried to allocate ([0-9.]+ ?[KMGT]i?B)`)

// ruleGPUOOM: the GPU's memory ran out, which is not the kernel's OOM
// killer, and no memory limit in the compose file changes it.
func ruleGPUOOM(d *diag) (Finding, bool) {
	if !d.died() {
		return Finding{}, false
	}
	lines, first := d.logMatches(gpuOOMRe)
	if first == nil {
		return Finding{}, false
	}
	name := d.s.Model.Name
	f := Finding{Kind: KindGPUOOM, Severity: SeverityHigh, Explanation: explainGPUOOM}
	f.Summary = fmt.Sprintf("%s ran out of GPU memory (%s), not host memory", name, first[0])
	for _, l := range d.s.Logs {
		if m := triedAllocRe.FindStringSubmatch(l.Text); m != nil {
			f.Summary = fmt.Sprintf("%s ran out of GPU memory (%s) trying to allocate %s, not host memory", name, first[0], m[1])
			break
		}
	}
	f.Evidence = append(lines, exitLine(d.c))
	var others []string
	for _, u := range d.ev.GPUUsers {
		if u.Bytes == 0 || u.Project == d.ev.Project && u.Service == name {
			continue
		}
		who := "container " + u.Container
		if u.Service != "" {
			who += fmt.Sprintf(" (project %s, service %s)", u.Project, u.Service)
		}
		others = append(others, fmt.Sprintf("%s holds %s", who, humanSize(int64(min(u.Bytes, 1<<62)))))
	}
	if len(others) > 0 {
		f.Summary += "; on the same GPU " + joinNames(others)
		for _, o := range others {
			f.Evidence = append(f.Evidence, "nvidia-smi: "+o)
		}
	}
	return f, true
}

// shmRe is a program telling that /dev/shm is full: PyTorch's DataLoader
// ("insufficient shared memory (shm)"), a SIGBUS ("Bus error") or ENOSPC
// on a path in /dev/shm. A bare "No space left on device" is the engine's
// disk (no-space).
var (
	shmRe         = lazyRegexp(`(?i)insufficient shared memory|\bbus error\b|/dev/shm.*no space left on device|no space left on device.*/dev/shm|shared memory.*no space left`)
	shmExplicitRe = lazyRegexp(`(?i)insufficient shared memory|/dev/shm.*no space left on device|no space left on device.*/dev/shm|shared memory.*no space left`)
)

// ruleShm: /dev/shm (64 MiB unless shm_size says otherwise) ran out.
func ruleShm(d *diag) (Finding, bool) {
	m := d.s.Model
	if !d.died() || m.IPC == "host" {
		return Finding{}, false
	}
	lines, first := d.logMatches(shmRe)
	sigbus := d.c.ExitCode == 135 && d.c.State != stack.StateRunning
	shm := m.ShmSize
	if shm <= 0 {
		shm = defaultShm
	}
	explicit := slices.ContainsFunc(d.s.Logs, func(l LogLine) bool { return shmExplicitRe.MatchString(l.Text) })
	// A SIGBUS with a large /dev/shm has other causes (a truncated mapped
	// file, bad hardware); only the explicit messages count then.
	if !explicit && !(shm < gib && (sigbus || first != nil)) {
		return Finding{}, false
	}
	f := Finding{Kind: KindShmTooSmall, Severity: SeverityHigh, Explanation: explainShm}
	size := humanSize(shm)
	if m.ShmSize <= 0 {
		size += " (the engine's default; shm_size is not set)"
	}
	f.Summary = fmt.Sprintf("%s ran out of shared memory: its /dev/shm is %s", m.Name, size)
	if sigbus {
		f.Summary += "; it died of SIGBUS (exit 135)"
	}
	f.Evidence = append([]string{exitLine(d.c), "shm_size: " + size}, lines...)
	n := cleanSizeUp(max(2*shm, gib))
	f.Fixes = []Fix{
		{ID: "raise-shm", Title: fmt.Sprintf("set %s's shm_size to %s, then recreate it", m.Name, composeSize(n)),
			Action: Action{Kind: ActSetShmSize, Service: m.Name, Bytes: n, Then: ThenRecreate}},
		{ID: "ipc-host", Title: fmt.Sprintf("set %s's ipc: host (it shares the host's /dev/shm and IPC namespace), then recreate it", m.Name),
			Action: Action{Kind: ActSetIPCHost, Service: m.Name, Then: ThenRecreate}},
	}
	return f, true
}

// missingEnvRes name a variable the program wanted from its environment.
var missingEnvRes = []*lazyRE{
	lazyRegexp(`KeyError: ['"]([A-Z][A-Z0-9_]*)['"]`),
	lazyRegexp(`(?i)(?:env(?:ironment)?(?: variable)?|variable)s? ['"$]?\{?([A-Za-z_][A-Za-z0-9_]*)\}?['"]? (?:is )?(?:required|missing|not set|unset|must be set|is empty)`),
	lazyRegexp(`(?i)missing (?:required )?env(?:ironment)?(?: variable)?s?:? ['"]?([A-Za-z_][A-Za-z0-9_]*)`),
	lazyRegexp(`\b([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{3,}) (?:is not set|is unset|must be set|is required|not set)`),
}

// ruleMissingEnv: the program died for a variable its environment lacks.
func ruleMissingEnv(d *diag) (Finding, bool) {
	if !d.died() {
		return Finding{}, false
	}
	m := d.s.Model
	for i := len(d.s.Logs) - 1; i >= 0; i-- {
		text := d.s.Logs[i].Text
		for _, re := range missingEnvRes {
			sub := re.FindStringSubmatch(text)
			if sub == nil || slices.Contains(m.Env, sub[1]) {
				continue
			}
			return missingEnvFinding(d, sub[1], text), true
		}
	}
	return Finding{}, false
}

func missingEnvFinding(d *diag, name, line string) Finding {
	m := d.s.Model
	f := Finding{Kind: KindMissingEnv, Severity: SeverityHigh, Explanation: explainMissingEnv}
	f.Summary = fmt.Sprintf("%s needs the environment variable %s, which its environment does not set", m.Name, name)
	f.Evidence = []string{"log: " + line, exitLine(d.c), fmt.Sprintf("compose: %s's environment has no %s", m.Name, name)}
	var where []string
	if slices.Contains(d.ev.EnvExample, name) {
		where = append(where, envExampleName)
	}
	for _, o := range d.ev.Services {
		if o.Model.Name != m.Name && slices.Contains(o.Model.Env, name) {
			where = append(where, "service "+o.Model.Name+"'s environment")
		}
	}
	if len(where) > 0 {
		verb := " defines it"
		if len(where) > 1 {
			verb = " define it"
		}
		f.Summary += "; " + joinNames(where) + verb
		f.Evidence = append(f.Evidence, name+" is defined in "+joinNames(where))
	}
	return f
}

// oneLine folds whitespace and cuts s for an evidence line.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}

const (
	explainHealthBroken = "The healthcheck's command cannot be started in the container: the image lacks it (slim and " +
		"distroless images have no curl, wget or shell), or it is not executable. The probe fails before it checks " +
		"anything, so the service never becomes healthy, and restarting changes nothing. Use a command the image has " +
		"(the program's own health subcommand, or a tiny static probe), or add the tool to the image."
	explainGPUOOM = "The program asked the GPU for more memory than it had free. This is not the kernel's OOM killer: " +
		"mem_limit does not change it. Use smaller batches or sequences, mixed precision, gradient checkpointing, " +
		"or free the GPU from other processes (nvidia-smi shows who holds its memory)."
	explainShm = "Programs that share tensors between processes (PyTorch DataLoader workers, NCCL, Ray) put them in " +
		"/dev/shm. In a container that is a tmpfs of 64 MiB unless shm_size says otherwise, and a worker that writes " +
		"past it dies of SIGBUS (exit 135, \"Bus error\"). Raise shm_size, or share the host's /dev/shm with ipc: host."
	explainMissingEnv = "The program read an environment variable that the service's environment does not set. Add it " +
		"under environment:, or in an env_file or the project's .env that the service uses."
)
