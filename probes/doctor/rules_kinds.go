package doctor

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stackui/stackui/stack"
)

func ruleGPU(d *diag) (Finding, bool) {
	hs := d.hitsOf(KindGPUUnavailable)
	if len(hs) == 0 {
		return Finding{}, false
	}
	return gpuFinding(d, SeverityHigh, hitLines(hs)), true
}

// ruleGPUModel warns before `up` fails: the service asks for a GPU that the
// engine cannot give.
func ruleGPUModel(d *diag) (Finding, bool) {
	m := d.s.Model
	if !m.GPU || !m.Enabled || !d.ev.EngineReachable || d.ev.Engine.GPUCapable() {
		return Finding{}, false
	}
	if d.c != nil && d.c.State != stack.StateCreated {
		return Finding{}, false
	}
	f := gpuFinding(d, SeverityMedium, nil)
	f.Summary += "; starting it will fail"
	return f, true
}

func gpuFinding(d *diag, sev Severity, evidence []string) Finding {
	m := d.s.Model
	f := Finding{Kind: KindGPUUnavailable, Severity: sev, Explanation: explanations[KindGPUUnavailable]}
	f.Summary = m.Name + " asks for an NVIDIA GPU, and the engine cannot provide one"
	if d.ev.EngineReachable && !d.ev.Engine.GPUCapable() {
		f.Summary += ": it has no nvidia runtime and no CDI devices (the NVIDIA Container Toolkit is not installed)"
	}
	f.Evidence = append(evidence, "compose: "+m.Name+" reserves a GPU (deploy.resources.reservations.devices or gpus)")
	if d.ev.EngineReachable {
		f.Evidence = append(f.Evidence, fmt.Sprintf("engine runtimes: %s; CDI devices: %s",
			orNone(d.ev.Engine.Runtimes), orNone(d.ev.Engine.CDIDevices)))
	}
	// Every compose CLI gets this fix: docker-compose 1.29, which cannot
	// read the override's !reset, is handed copies of the files without
	// the reservation instead (stack.LoadOptions.ResetCopies).
	f.Fixes = append(f.Fixes, Fix{ID: "no-gpu", Title: "run " + m.Name + " without the GPU (a generated override file; your files stay as they are)",
		Action: Action{Kind: ActNoGPUOverride, Service: m.Name, Then: ThenRecreate}})
	if len(m.Profiles) > 0 {
		f.Fixes = append(f.Fixes, Fix{ID: "profile-off", Title: fmt.Sprintf("turn profile %s off (removes the %s container that never started)", strings.Join(m.Profiles, ", "), m.Name),
			Action: Action{Kind: ActProfileOff, Service: m.Name, Profiles: slices.Clone(m.Profiles)}})
	}
	return f
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

func ruleOOM(d *diag) (Finding, bool) {
	c := d.c
	oomEvents := d.events("oom")
	seen := d.oomSeen()
	if c == nil || !c.OOMKilled && len(oomEvents) == 0 && len(seen) == 0 {
		return Finding{}, false
	}
	m := d.s.Model
	f := Finding{Kind: KindOOM, Severity: SeverityHigh, Explanation: explanations[KindOOM]}
	f.Evidence = append(f.Evidence, exitLine(c))
	for _, e := range oomEvents[max(0, len(oomEvents)-3):] {
		f.Evidence = append(f.Evidence, "event: oom at "+e.Time.UTC().Format("15:04:05"))
	}
	f.Evidence = append(f.Evidence, oomSeenLines(seen)...)
	if !c.OOMKilled && len(oomEvents) == 0 {
		f.Evidence = append(f.Evidence, fmt.Sprintf("the engine (%s) reports no OOM kill: OOMKilled false and no oom event; the kernel's count in the container's memory cgroup is the evidence",
			d.ev.Engine.Name()))
	}
	peak := d.s.PeakMem
	if m.MemLimit > 0 {
		f.Summary = fmt.Sprintf("%s ran out of memory: the kernel killed it at its %s limit", m.Name, humanSize(m.MemLimit))
		f.Evidence = append(f.Evidence, "memory limit: "+humanSize(m.MemLimit)+" (compose mem_limit or deploy.resources.limits.memory)")
	} else {
		where := fmt.Sprintf("the engine's memory (%s)", humanSize(int64(d.ev.Engine.MemTotal)))
		if strings.Contains(d.ev.Engine.OperatingSystem, "Docker Desktop") {
			where = fmt.Sprintf("the Docker Desktop VM's memory (%s)", humanSize(int64(d.ev.Engine.MemTotal)))
		}
		f.Summary = fmt.Sprintf("%s was killed for memory with no limit of its own: %s ran out", m.Name, where)
		f.Evidence = append(f.Evidence, "memory limit: none")
	}
	if peak > 0 {
		f.Summary += fmt.Sprintf(" (peak seen: %s)", humanSize(int64(peak)))
		f.Evidence = append(f.Evidence, "peak memory seen: "+humanSize(int64(peak)))
	}
	if d.ev.Engine.MemTotal > 0 {
		f.Evidence = append(f.Evidence, "engine memory: "+humanSize(int64(d.ev.Engine.MemTotal)))
	}
	f.Fixes = append(f.Fixes, oomRaise(d, &f)...)
	f.Evidence = append(f.Evidence, lastLogs(d.s, 3)...)
	return f, true
}

// events returns the past events of the service's latest container with
// this action, oldest first: a recreated container starts a new story.
func (d *diag) events(action string) []stack.Event {
	var out []stack.Event
	for _, e := range d.s.Events {
		if e.Action == action && (d.c == nil || e.ContainerID == d.c.ID) {
			out = append(out, e)
		}
	}
	return out
}

func ruleArch(d *diag) (Finding, bool) {
	hs := d.hitsOf(KindArchMismatch)
	img, mismatch := d.archMismatch()
	if len(hs) == 0 && !(mismatch && d.c != nil && d.failing()) {
		return Finding{}, false
	}
	return archFinding(d, img, SeverityHigh, hitLines(hs)), true
}

// ruleArchModel covers a foreign image that runs (the engine emulates it)
// or has not run yet.
func ruleArchModel(d *diag) (Finding, bool) {
	img, mismatch := d.archMismatch()
	if !mismatch || !d.s.Model.Enabled {
		return Finding{}, false
	}
	if d.c != nil && d.c.State == stack.StateRunning {
		f := Finding{Kind: KindArchMismatch, Severity: SeverityLow, Explanation: explanations[KindArchMismatch]}
		f.Summary = fmt.Sprintf("%s's image is built for %s and the engine runs %s: it runs emulated, which is slow",
			d.s.Model.Name, img, d.ev.Engine.Platform())
		f.Evidence = []string{"image platform: " + img, "engine platform: " + d.ev.Engine.Platform(), exitLine(d.c)}
		if d.s.Model.Platform == "" {
			f.Fixes = append(f.Fixes, Fix{ID: "pin-platform", Title: "set platform: " + img + " explicitly, so the emulation is on purpose",
				Action: Action{Kind: ActSetPlatform, Service: d.s.Model.Name, Platform: img, Then: ThenRecreate}})
		}
		return f, true
	}
	if d.c != nil {
		return Finding{}, false
	}
	f := archFinding(d, img, SeverityMedium, nil)
	f.Summary += "; it will not start without emulation"
	return f, true
}

// archMismatch compares the image's platform with the engine's.
func (d *diag) archMismatch() (string, bool) {
	img := d.s.ImagePlatform
	if img == "" && d.c != nil {
		img = d.c.Platform
	}
	if img == "" || !d.ev.EngineReachable || d.ev.Engine.Arch == "" {
		return img, false
	}
	os, arch, _ := strings.Cut(img, "/")
	arch, _, _ = strings.Cut(arch, "/")
	return img, arch != d.ev.Engine.Arch || d.ev.Engine.OS != "" && os != d.ev.Engine.OS
}

func archFinding(d *diag, img string, sev Severity, evidence []string) Finding {
	m := d.s.Model
	eng := d.ev.Engine.Platform()
	f := Finding{Kind: KindArchMismatch, Severity: sev, Explanation: explanations[KindArchMismatch]}
	if img == "" {
		img = "another platform"
	}
	f.Summary = fmt.Sprintf("%s's image is built for %s, and the engine runs %s", m.Name, img, eng)
	if len(evidence) > 0 {
		f.Summary += `: it cannot execute it ("exec format error")`
	}
	f.Evidence = append(evidence, "image platform: "+img, "engine platform: "+eng)
	if d.c != nil {
		f.Evidence = append(f.Evidence, exitLine(d.c))
	}
	if d.ev.EngineReachable && d.ev.Engine.Arch != "" && m.Platform != eng {
		fix := Fix{ID: "set-platform", Action: Action{Kind: ActSetPlatform, Service: m.Name, Platform: eng, Then: ThenPull}}
		fix.Title = fmt.Sprintf("set platform: %s, then pull the %s image again", eng, eng)
		if m.HasBuild {
			fix.Action.Then = ThenBuild
			fix.Title = fmt.Sprintf("set platform: %s, then rebuild the image", eng)
		}
		f.Fixes = append(f.Fixes, fix)
	}
	return f
}

func rulePort(d *diag) (Finding, bool) {
	hs := d.hitsOf(KindPortConflict)
	if len(hs) == 0 {
		return Finding{}, false
	}
	m := d.s.Model
	port := 0
	for _, h := range hs {
		if port = conflictPort(h.line); port != 0 {
			break
		}
	}
	f := Finding{Kind: KindPortConflict, Severity: SeverityHigh, Explanation: explanations[KindPortConflict], Evidence: hitLines(hs)}
	if port == 0 {
		f.Summary = m.Name + " cannot publish its port: the host port is already taken"
		return f, true
	}
	who := "something the engine cannot see (another program, or a container of another engine)"
	var holders []string
	for _, h := range d.ev.PortHolders {
		if h.Port == port {
			holders = append(holders, h.describe())
		}
	}
	if len(holders) > 0 {
		who = joinNames(holders)
	}
	f.Summary = fmt.Sprintf("%s cannot publish host port %d: %s holds it", m.Name, port, who)
	f.Evidence = append(f.Evidence, fmt.Sprintf("port %d is held by %s", port, who))
	for _, p := range m.Ports {
		if p.Published == port {
			f.Fixes = append(f.Fixes, Fix{ID: "remap-port", Title: fmt.Sprintf("publish %s's port %d on a free host port instead of %d, then recreate it", m.Name, p.Target, port),
				Action: Action{Kind: ActRemapPort, Service: m.Name, OldPort: port, Then: ThenRecreate}})
			break
		}
	}
	return f, true
}

func (h PortHolder) describe() string {
	switch {
	case h.Container != "" && h.Project != "":
		return fmt.Sprintf("container %s (project %s, service %s)", h.Container, h.Project, h.Service)
	case h.Container != "":
		return "container " + h.Container
	case h.Process != "":
		return fmt.Sprintf("host process %s (pid %d)", h.Process, h.PID)
	case h.PID != 0:
		return fmt.Sprintf("host process %d", h.PID)
	}
	return "an unknown process"
}

// ruleText is a cause that the text alone names, without a fix stackui
// can make.
func ruleText(k Kind) rule {
	return func(d *diag) (Finding, bool) {
		hs := d.hitsOf(k)
		if len(hs) == 0 {
			return Finding{}, false
		}
		m := d.s.Model
		f := Finding{Kind: k, Severity: SeverityHigh, Explanation: explanations[k], Evidence: hitLines(hs)}
		switch k {
		case KindNoSpace:
			f.Summary = m.Name + " failed because the engine's disk is full (no space left on device)"
		case KindImageMissing:
			f.Summary = fmt.Sprintf("%s's image %s is not on the engine and could not be pulled", m.Name, m.Image)
			for _, h := range hs {
				if strings.Contains(h.line, "no such host") {
					f.Summary += ": the registry cannot be reached"
					break
				}
			}
			if strings.Contains(strings.ToLower(joinLines(hs)), "denied") {
				f.Summary += ": it does not exist, or it needs a docker login"
			}
		case KindCUDADriver:
			f.Summary = m.Name + "'s CUDA libraries need a newer NVIDIA driver than the host has"
		}
		if d.c != nil {
			f.Evidence = append(f.Evidence, exitLine(d.c))
		}
		return f, true
	}
}

func joinLines(hs []hit) string {
	var b strings.Builder
	for _, h := range hs {
		b.WriteString(h.line)
		b.WriteByte('\n')
	}
	return b.String()
}
