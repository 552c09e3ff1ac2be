package doctor

import (
	"fmt"
	"strings"

	"github.com/stackui/stackui/stack"
)

// crashLoopRestarts is how many restarts make a loop rather than bad luck.
const crashLoopRestarts = 2

func ruleCrashLoop(d *diag) (Finding, bool) {
	c := d.c
	if c == nil {
		return Finding{}, false
	}
	var codes []int
	var dies []stack.Event
	for _, e := range d.events("die") {
		if e.ExitCode != 0 {
			dies = append(dies, e)
			codes = append(codes, e.ExitCode)
		}
	}
	if len(codes) == 0 && c.ExitCode != 0 {
		codes = append(codes, c.ExitCode)
	}
	if c.RestartCount < crashLoopRestarts || len(codes) == 0 {
		return Finding{}, false
	}
	m := d.s.Model
	f := Finding{Kind: KindCrashLoop, Severity: SeverityHigh, Explanation: explanations[KindCrashLoop]}
	last := codes[max(0, len(codes)-5):]
	if allSame(last) {
		f.Summary = fmt.Sprintf("%s is in a crash loop: restarted %d times, exiting with code %d each time", m.Name, c.RestartCount, last[0])
	} else {
		f.Summary = fmt.Sprintf("%s is in a crash loop: restarted %d times, exiting with codes %s", m.Name, c.RestartCount, joinInts(last))
	}
	f.Evidence = append(f.Evidence, exitLine(c))
	if m.Restart != "" {
		f.Evidence = append(f.Evidence, "restart policy: "+m.Restart)
	}
	f.Evidence = append(f.Evidence, "exit codes: "+joinInts(last))
	f.Evidence = append(f.Evidence, linesBeforeDeaths(d.s, dies)...)
	f.Fixes = append(f.Fixes, restartFix(m))
	return f, true
}

// linesBeforeDeaths shows, for each of the last three deaths, the last log
// line written before it; without timestamps, the last lines.
func linesBeforeDeaths(s *ServiceEvidence, dies []stack.Event) []string {
	var out []string
	if len(dies) > 0 && len(s.Logs) > 0 && !s.Logs[0].Time.IsZero() {
		for _, e := range dies[max(0, len(dies)-3):] {
			for i := len(s.Logs) - 1; i >= 0; i-- {
				if !s.Logs[i].Time.After(e.Time) {
					out = append(out, fmt.Sprintf("before the exit (%d) at %s: %s", e.ExitCode, e.Time.UTC().Format("15:04:05.000"), s.Logs[i].Text))
					break
				}
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return lastLogs(s, 3)
}

func allSame(xs []int) bool {
	for _, x := range xs {
		if x != xs[0] {
			return false
		}
	}
	return true
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// restartFix restarts the service's containers. It may run on its own
// (with backoff, see RestartBudget) unless the service holds data.
func restartFix(m ServiceModel) Fix {
	fix := Fix{ID: "restart", Title: "restart " + m.Name + " (at most 3 automatic restarts an hour, with backoff)",
		Action: Action{Kind: ActRestart, Service: m.Name}, Auto: true}
	if holdsData(m.Image) {
		fix.Auto = false
		fix.Title = "restart " + m.Name + " (never automatic: its image holds data, so stackui asks)"
	}
	return fix
}

func ruleUnhealthy(d *diag) (Finding, bool) {
	c := d.c
	if c == nil || c.State != stack.StateRunning || c.Health != "unhealthy" {
		return Finding{}, false
	}
	m := d.s.Model
	f := Finding{Kind: KindUnhealthy, Severity: SeverityMedium, Explanation: explanations[KindUnhealthy]}
	f.Summary = m.Name + " runs, but its healthcheck fails"
	f.Evidence = append(f.Evidence, fmt.Sprintf("container %s: health unhealthy", c.Name))
	probes := c.HealthLog[max(0, len(c.HealthLog)-3):]
	for _, p := range probes {
		out := strings.Join(strings.Fields(p.Output), " ")
		if len(out) > 200 {
			out = out[:200] + "…"
		}
		f.Evidence = append(f.Evidence, fmt.Sprintf("probe at %s: exit %d: %s", p.Start.UTC().Format("15:04:05"), p.ExitCode, out))
	}
	var blocked []string
	for _, o := range d.ev.Services {
		for _, dep := range o.Model.DependsOn {
			if dep.Service == m.Name && dep.Condition == "service_healthy" {
				blocked = append(blocked, o.Model.Name)
			}
		}
	}
	if len(blocked) > 0 {
		f.Summary += "; it blocks " + joinNames(blocked) + " (depends_on: condition: service_healthy)"
		f.Evidence = append(f.Evidence, "waiting for it to be healthy: "+strings.Join(blocked, ", "))
	}
	f.Fixes = append(f.Fixes, restartFix(m))
	return f, true
}

func ruleErrorExit(d *diag) (Finding, bool) {
	c := d.c
	if c == nil || c.State != stack.StateExited && c.State != stack.StateDead || c.ExitCode == 0 {
		return Finding{}, false
	}
	// 130 and 143 are SIGINT and SIGTERM: what a plain stop leaves.
	if c.ExitCode == 130 || c.ExitCode == 143 {
		return Finding{}, false
	}
	m := d.s.Model
	f := Finding{Kind: KindErrorExit, Severity: SeverityMedium, Explanation: explanations[KindErrorExit]}
	f.Summary = fmt.Sprintf("%s exited with code %d", m.Name, c.ExitCode)
	f.Evidence = append(f.Evidence, exitLine(c))
	if c.Error != "" {
		f.Evidence = append(f.Evidence, "state error: "+c.Error)
	}
	var errs []string
	for _, l := range d.s.Logs {
		if isErrorLine(l.Text) {
			errs = append(errs, l.Text)
		}
	}
	if len(errs) > 0 {
		first := strings.TrimSpace(errs[len(errs)-min(len(errs), 5)])
		if len(first) > 120 {
			first = first[:120] + "…"
		}
		f.Summary += ": " + first
		for _, e := range errs[max(0, len(errs)-5):] {
			f.Evidence = append(f.Evidence, "error: "+e)
		}
	}
	f.Evidence = append(f.Evidence, lastLogs(d.s, 3)...)
	return f, true
}

var explanations = map[Kind]string{
	KindOOM: "The kernel's OOM killer stopped the container because it used all the memory it may use: its own limit " +
		"(mem_limit or deploy.resources.limits.memory), or, without one, the memory of the engine (the Docker Desktop VM on a Mac " +
		"or Windows). Give it more, or make it use less (smaller batches, fewer workers).",
	KindSigkill: "Exit code 137 is SIGKILL. The kernel did not kill it for memory (OOMKilled is false). Either someone ran " +
		"docker kill, or the container ignored its stop signal (SIGTERM) for its whole stop_grace_period and the engine " +
		"killed it. A program that needs longer to shut down cleanly needs a longer grace period; one that ignores SIGTERM " +
		"should handle it.",
	KindKilled: "Exit code 137 is SIGKILL, and nothing says who sent it: the engine reports no OOM kill (OOMKilled false, " +
		"no oom event), no kill and no stop, and stackui saw no OOM kill in the container's memory cgroup. Podman reports " +
		"neither OOM kills nor stops that outlast their grace period, so on Podman this is either. Run the service with " +
		"stackui open (it watches each container's memory cgroup and sees an OOM kill as it happens), stop it from stackui " +
		"(which records its stops), or look for \"Memory cgroup out of memory\" in dmesg.",
	KindArchMismatch: "The image holds programs for another CPU architecture. The engine cannot run them natively; with emulation " +
		"(binfmt/QEMU, Rosetta) they run, slowly. Use an image for the engine's platform: set platform: and pull or rebuild.",
	KindGPUUnavailable: "The service reserves an NVIDIA GPU, and the engine cannot hand one out: it has no nvidia runtime and no " +
		"CDI devices, which the NVIDIA Container Toolkit provides (and the host needs an NVIDIA GPU and driver). Install the " +
		"toolkit and restart the engine, or run the service without the GPU.",
	KindCUDADriver: "The CUDA libraries in the image need a newer NVIDIA driver than the host has. Update the host's driver, or use " +
		"an image built for an older CUDA version.",
	KindPortConflict: "Another container or a host program already listens on the host port the service publishes. Stop it, or " +
		"publish the service on another host port.",
	KindCrashLoop: "The container exits again each time the engine restarts it, with the same code: the cause is in the program " +
		"or its configuration, and restarting alone will not fix it. Read the last lines before each exit.",
	KindUnhealthy: "The container runs, but its healthcheck fails; services that wait for it to be healthy do not start. The " +
		"probe outputs say why.",
	KindErrorExit: "The program exited with an error. The last error-looking lines of its output usually say why.",
	KindNoSpace: "The engine's disk (the Docker Desktop VM disk on a Mac or Windows) is full. Free space: remove unused images " +
		"and build cache yourself (docker system df shows what uses it). stackui never prunes or removes volumes.",
	KindImageMissing: "The image is not on the engine, and pulling it failed: the name or tag is wrong, the registry needs a " +
		"docker login, or the registry cannot be reached.",
}
