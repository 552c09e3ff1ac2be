package doctor

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/stackui/stackui/stack"
)

// The kinds for services that tried to run and did not, and for network
// failures between services (rules_net.go).
const (
	KindMountError            Kind = "mount-error"
	KindCommandNotFound       Kind = "command-not-found"
	KindBlocked               Kind = "blocked"
	KindNotStarted            Kind = "not-started"
	KindListenLocalhost       Kind = "listen-localhost"
	KindDependencyUnreachable Kind = "dependency-unreachable"
	KindUnknownHost           Kind = "unknown-host"
)

// The fixes of the network kinds.
const (
	ActSetRestart     ActionKind = "set-restart"
	ActDependsHealthy ActionKind = "depends-on-healthy"
	ActReplaceHost    ActionKind = "replace-host"
)

// ThenUp is `up -d SERVICE` with its dependencies: compose waits for
// their depends_on conditions (which --no-deps skips) and recreates the
// service only if its configuration changed; dependencies that did not
// change are left running.
const ThenUp FollowUp = "up"

func (a Applier) upWithDeps(ctx context.Context, p *stack.Project, act Action) error {
	err := a.Compose.Up(ctx, p, stack.UpOptions{Services: []string{act.Service}, Profiles: profilesWith(p, act.Service)}, a.OnLine)
	if err != nil {
		return fmt.Errorf("starting %s failed: %w", act.Service, err)
	}
	return nil
}

var (
	// runc: `error mounting "/p/site.conf" to rootfs at "/etc/site.conf"`;
	// the engine: `invalid mount config for type "bind": bind source path
	// does not exist: /p/site.conf`.
	mountRe     = lazyRegexp(`error mounting "([^"]+)" to rootfs at "([^"]+)"|bind source path does not exist: (\S+)|(?i)are you trying to mount a directory onto a file`)
	mountWhyRe  = lazyRegexp(`(?:: )(not a directory|no such file or directory|is a directory|permission denied|read-only file system)`)
	execRe      = lazyRegexp(`exec: "([^"]+)": (executable file not found in \$PATH|stat \S+: no such file or directory|permission denied)`)
	shNotFound  = lazyRegexp(`^(?:/bin/)?(?:ba|da)?sh: (?:line )?(?:\d+: )?([^\s:]+): (?:command )?not found`)
	blockedLine = lazyRegexp(`(?i)dependency failed to start|didn't complete successfully|Container "?[0-9a-f]+"? (?:is unhealthy|exited with code)`)
)

// startErrors are the engine's errors about starting the service's latest
// container: its state error and the compose lines that name the service.
func (d *diag) startErrors() []hit {
	var out []hit
	if d.c != nil && d.c.Error != "" {
		out = append(out, hit{line: d.c.Error, from: "state"})
	}
	for _, l := range d.ev.ComposeFailure {
		m := cannotServiceRe.FindStringSubmatch(l)
		if m != nil && m[1] == d.s.Model.Name || containerService(d.ev, l) == d.s.Model.Name {
			if !slices.ContainsFunc(out, func(h hit) bool { return strings.Contains(l, h.line) }) {
				out = append(out, hit{line: strings.TrimSpace(l), from: "compose"})
			}
		}
	}
	return out
}

func ruleMount(d *diag) (Finding, bool) {
	var h hit
	var m []string
	for _, x := range d.startErrors() {
		if m = mountRe.FindStringSubmatch(x.line); m != nil {
			h = x
			break
		}
	}
	if m == nil {
		return Finding{}, false
	}
	src, target := m[1]+m[3], m[2]
	sm := d.s.Model
	var bind *Bind
	for i, b := range sm.Start.Binds {
		if src != "" && (b.Source == src || strings.HasSuffix(src, b.Source)) || src == "" && target != "" && b.Target == target {
			bind = &sm.Start.Binds[i]
			break
		}
	}
	if bind == nil && len(sm.Start.Binds) == 1 {
		bind = &sm.Start.Binds[0]
	}
	f := Finding{Kind: KindMountError, Severity: SeverityHigh, Explanation: startExplanations[KindMountError]}
	f.Evidence = []string{h.from + ": " + h.line}
	why := ""
	if w := mountWhyRe.FindStringSubmatch(h.line); w != nil {
		why = w[1]
	}
	if bind == nil {
		f.Summary = fmt.Sprintf("%s never started: mounting %s failed", sm.Name, cmpOr(src, "a bind mount"))
		if why != "" {
			f.Summary += " (" + why + ")"
		}
		return f, true
	}
	name := cmpOr(bind.Written, bind.Source)
	target = cmpOr(target, bind.Target)
	f.Summary = fmt.Sprintf("%s never started: the bind mount %s onto %s failed", sm.Name, name, target)
	st := bindStateOf(d.s, bind.Source)
	switch {
	case st != nil && st.Empty && why == "not a directory":
		f.Summary = fmt.Sprintf("%s never started: %s is an empty folder on the host (Docker creates a missing bind source as one), and %s in the image is a file", sm.Name, name, target)
		f.Evidence = append(f.Evidence, "host: "+bind.Source+" is an empty folder")
	case st != nil && !st.Exists:
		f.Summary = fmt.Sprintf("%s never started: the bind source %s does not exist on the host", sm.Name, name)
		f.Evidence = append(f.Evidence, "host: "+bind.Source+" does not exist")
	case why != "":
		f.Summary += " (" + why + ")"
	}
	if bind.At != "" {
		f.Evidence = append(f.Evidence, "compose file: "+bind.At+": "+name+":"+bind.Target)
		f.Explanation += "\n\nThe mount is written at " + bind.At + "."
	}
	return f, true
}

func bindStateOf(s *ServiceEvidence, src string) *BindState {
	for i := range s.Binds {
		if s.Binds[i].Source == src {
			return &s.Binds[i]
		}
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func ruleCommandNotFound(d *diag) (Finding, bool) {
	var h hit
	cmd := ""
	for _, x := range d.startErrors() {
		if m := execRe.FindStringSubmatch(x.line); m != nil {
			h, cmd = x, m[1]
			break
		}
	}
	// A shell in the image that cannot find the program exits 127.
	if cmd == "" && d.c != nil && d.c.State == stack.StateExited && d.c.ExitCode == 127 {
		for _, l := range slices.Backward(d.s.Logs) {
			if m := shNotFound.FindStringSubmatch(l.Text); m != nil {
				h, cmd = hit{line: l.Text, from: "logs"}, m[1]
				break
			}
		}
	}
	if cmd == "" {
		return Finding{}, false
	}
	sm := d.s.Model
	f := Finding{Kind: KindCommandNotFound, Severity: SeverityHigh, Explanation: startExplanations[KindCommandNotFound]}
	f.Evidence = []string{h.from + ": " + h.line}
	if d.c != nil {
		f.Evidence = append(f.Evidence, exitLine(d.c))
	}
	where, at := "", ""
	switch {
	case slices.ContainsFunc(sm.Start.Entrypoint, func(s string) bool { return s == cmd || path.Base(s) == path.Base(cmd) }):
		where, at = "its entrypoint", sm.Start.EntrypointAt
	case slices.ContainsFunc(sm.Start.Command, func(s string) bool { return s == cmd || path.Base(s) == path.Base(cmd) }):
		where, at = "its command", sm.Start.CommandAt
	}
	f.Summary = fmt.Sprintf("%s cannot start: the command %s is not in the image", sm.Name, cmd)
	if where != "" {
		f.Summary += " (" + where + " runs it)"
	}
	if at != "" {
		f.Evidence = append(f.Evidence, "compose file: "+at+": "+strings.TrimPrefix(where, "its ")+" "+cmd)
		f.Explanation += "\n\nIt is written at " + at + "."
	}
	return f, true
}

// depFailure says how a dependency failed, for the condition; "" when it
// did not (yet).
func depFailure(ev *Evidence, dep Dependency) string {
	o := ev.Service(dep.Service)
	if o == nil {
		return ""
	}
	c := latest(o.Containers)
	switch {
	case c == nil:
		return ""
	case c.State == stack.StateCreated && c.StartedAt.IsZero() && c.Error != "":
		return "could not start"
	case c.State == stack.StateRunning && c.Health == "unhealthy" && dep.Condition == "service_healthy":
		return "is unhealthy"
	case (c.State == stack.StateExited || c.State == stack.StateDead) && c.ExitCode != 0 && c.ExitCode != 130 && c.ExitCode != 143 &&
		(dep.Condition == "service_healthy" || dep.Condition == "service_completed_successfully"):
		return fmt.Sprintf("exited with code %d", c.ExitCode)
	}
	return ""
}

// ruleBlocked: the service did not start because a service it waits for
// failed. Its own container was never started, or was never created (v1
// creates none, and says "ERROR: for web  Container "…" is unhealthy").
func ruleBlocked(d *diag) (Finding, bool) {
	sm := d.s.Model
	if !sm.Enabled || d.c != nil && !(d.c.State == stack.StateCreated && d.c.StartedAt.IsZero()) {
		return Finding{}, false
	}
	// Without a container, only a failed up that names the service says
	// someone tried to start it (v1 creates none); a service nobody
	// brought up is not blocked.
	if d.c == nil && !slices.ContainsFunc(d.ev.ComposeFailure, func(l string) bool {
		m := cannotServiceRe.FindStringSubmatch(l)
		return blockedLine.MatchString(l) && (strings.HasPrefix(l, "ERROR: for "+sm.Name+" ") || m != nil && m[1] == sm.Name)
	}) {
		return Finding{}, false
	}
	for _, dep := range sm.DependsOn {
		why := depFailure(d.ev, dep)
		if why == "" {
			continue
		}
		f := Finding{Kind: KindBlocked, Severity: SeverityMedium, Explanation: startExplanations[KindBlocked]}
		cond := cmpOr(dep.Condition, "service_started")
		f.Summary = fmt.Sprintf("%s never started: it waits for %s, which %s (depends_on condition %s); see %s's finding", sm.Name, dep.Service, why, cond, dep.Service)
		f.Evidence = []string{fmt.Sprintf("depends_on: %s, condition %s", dep.Service, cond)}
		if c := latest(d.ev.Service(dep.Service).Containers); c != nil {
			f.Evidence = append(f.Evidence, exitLine(c)+healthNote(c))
		}
		if d.c != nil {
			f.Evidence = append(f.Evidence, fmt.Sprintf("container %s: state created, never started", d.c.Name))
		} else {
			f.Evidence = append(f.Evidence, "no container: compose did not create it")
		}
		about := []string{"ERROR: for " + sm.Name + " ", `service "` + dep.Service + `"`}
		for _, c := range d.ev.Service(dep.Service).Containers {
			about = append(about, c.Name)
		}
		for _, l := range d.ev.ComposeFailure {
			if blockedLine.MatchString(l) && slices.ContainsFunc(about, func(a string) bool { return strings.Contains(l, a) }) {
				f.Evidence = append(f.Evidence, "compose: "+strings.TrimSpace(l))
			}
		}
		return f, true
	}
	return Finding{}, false
}

func healthNote(c *stack.Container) string {
	if c.Health != "" {
		return ", health " + c.Health
	}
	return ""
}

// ruleNotStarted: a container left created by a failed start or a failed
// up, with no cause found, still gets a finding, so the project never
// reads as healthy while it is stuck.
func ruleNotStarted(d *diag) (Finding, bool) {
	c := d.c
	if c == nil || c.State != stack.StateCreated || !c.StartedAt.IsZero() {
		return Finding{}, false
	}
	// Without an error a created container may just be waiting for its
	// dependencies in an up that is still running; one left created for
	// longer than any up waits between creating and starting was
	// abandoned (v5 stops starting containers at the first failure).
	stale := !d.ev.GatheredAt.IsZero() && !c.Created.IsZero() && d.ev.GatheredAt.Sub(c.Created) > notStartedAfter
	if c.Error == "" && len(d.ev.ComposeFailure) == 0 && !stale {
		return Finding{}, false
	}
	f := Finding{Kind: KindNotStarted, Severity: SeverityLow, Explanation: startExplanations[KindNotStarted]}
	f.Summary = d.s.Model.Name + " was created but never started"
	f.Evidence = []string{fmt.Sprintf("container %s: state created, never started", c.Name)}
	switch {
	case c.Error != "":
		f.Summary += ": " + c.Error
		f.Evidence = append(f.Evidence, "state: "+c.Error)
	case stale:
		age := d.ev.GatheredAt.Sub(c.Created).Round(time.Second)
		f.Summary += fmt.Sprintf(" (created %s ago): the up that created it stopped before starting it, after another service failed or was interrupted", age)
		f.Evidence = append(f.Evidence, fmt.Sprintf("created at %s, %s before this diagnosis", c.Created.Format(time.TimeOnly), age))
	}
	f.Fixes = []Fix{restartFix(d.s.Model)}
	f.Fixes[0].Title = "start " + d.s.Model.Name
	f.Fixes[0].Auto = false
	return f, true
}

// notStartedAfter is how long a container may sit created before the doctor
// calls it abandoned: an up creates every container first and starts each
// once its dependencies are ready, healthy ones after their start period.
const notStartedAfter = 2 * time.Minute
