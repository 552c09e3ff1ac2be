package doctor

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/stackui/stackui/stack"
)

// Diagnose turns evidence into findings: at most one per service (the most
// specific cause), plus one per cause of a compose failure that names no
// service. A container that exited 0, or runs and is healthy, yields none.
// Findings come highest severity first, then by service.
func Diagnose(ev Evidence) []Finding {
	composeHits := attributeCompose(&ev)
	var out []Finding
	for i := range ev.Services {
		s := &ev.Services[i]
		if f, ok := diagnoseService(&ev, s, composeHits[s.Model.Name]); ok {
			out = append(out, f)
		}
	}
	kinds := map[Kind]bool{}
	for _, h := range composeHits[""] {
		if kinds[h.kind] {
			continue
		}
		kinds[h.kind] = true
		out = append(out, projectFinding(&ev, h))
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(b.Severity.Rank(), a.Severity.Rank()), cmp.Compare(a.Service, b.Service), cmp.Compare(a.Kind, b.Kind))
	})
	return out
}

// Rank orders severities for sorting and for picking the worst of
// several: high 3, medium 2, low 1, anything else 0.
func (s Severity) Rank() int {
	switch s {
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 0
}

// diag is the context one service's rules share.
type diag struct {
	ev   *Evidence
	s    *ServiceEvidence
	c    *stack.Container // the most recent container; nil when none exists
	hits []hit
}

// rule recognises one cause; ok false means "not this one".
type rule func(d *diag) (Finding, bool)

// rules run in order, most specific first: an OOM kill with a restart
// policy is an oom, not a crash loop; a 137 is an oom if the kernel says so.
var rules = []rule{
	ruleGPU, ruleOOM, ruleArch, rulePort, ruleGPUOOM, ruleShm, ruleText(KindNoSpace), ruleText(KindImageMissing), ruleText(KindCUDADriver),
	// rules_start.go and rules_net.go: a named cause replaces the generic
	// crash-loop and error-exit below.
	ruleMount, ruleCommandNotFound, ruleUnknownHost, ruleDependencyUnreachable, ruleBlocked, ruleListenLocalhost, ruleRetried,
	ruleMissingEnv, ruleCrashLoop, ruleSigkill, ruleHealthBroken, ruleUnhealthy, ruleErrorExit, ruleGPUModel, ruleArchModel, ruleNotStarted,
}

func diagnoseService(ev *Evidence, s *ServiceEvidence, composeHits []hit) (Finding, bool) {
	d := &diag{ev: ev, s: s, c: latest(s.Containers), hits: composeHits}
	if d.c != nil {
		if d.c.Error != "" {
			if k, ok := classify(d.c.Error, false); ok {
				d.hits = append(d.hits, hit{kind: k, line: d.c.Error, from: "state"})
			}
		}
		// Log lines only count while the container is not running fine:
		// an old "error" line of a healthy service is history.
		if d.failing() {
			for _, l := range s.Logs {
				if k, ok := classify(l.Text, true); ok {
					d.hits = append(d.hits, hit{kind: k, line: l.Text, from: "logs"})
				}
			}
		}
	}
	for _, r := range rules {
		if f, ok := r(d); ok {
			if f.Kind == kindNone {
				return Finding{}, false
			}
			f.Service = s.Model.Name
			f.ID = s.Model.Name + "/" + string(f.Kind)
			if f.Fixes == nil {
				f.Fixes = []Fix{}
			}
			return f, true
		}
	}
	return Finding{}, false
}

// failing reports whether the service's latest container is in trouble:
// not running, restarting, or unhealthy.
func (d *diag) failing() bool {
	c := d.c
	switch {
	case c == nil:
		return false
	case c.State == stack.StateRunning:
		return c.Health == "unhealthy" || c.RestartCount > 0
	case c.State == stack.StateExited || c.State == stack.StateDead:
		return c.ExitCode != 0
	}
	return true
}

// hitsOf returns the hits of one kind.
func (d *diag) hitsOf(k Kind) []hit {
	var out []hit
	for _, h := range d.hits {
		if h.kind == k {
			out = append(out, h)
		}
	}
	return out
}

func hitLines(hs []hit) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		out = append(out, h.from+": "+h.line)
	}
	return out
}

// latest is the container whose state says the most about the service now:
// a running one that started last, else the one that changed last. One-off
// `compose run` containers do not speak for the service.
func latest(cs []stack.Container) *stack.Container {
	var best *stack.Container
	for i := range cs {
		c := &cs[i]
		if c.Oneoff {
			continue
		}
		switch {
		case best == nil:
			best = c
		case (c.State == stack.StateRunning) != (best.State == stack.StateRunning):
			if c.State == stack.StateRunning {
				best = c
			}
		case c.LastChange().After(best.LastChange()):
			best = c
		}
	}
	return best
}

// exitLine describes how the latest container ended.
func exitLine(c *stack.Container) string {
	s := fmt.Sprintf("container %s: state %s, exit code %d", c.Name, c.State, c.ExitCode)
	if c.OOMKilled {
		s += ", OOMKilled true"
	}
	if c.RestartCount > 0 {
		s += fmt.Sprintf(", restarted %d times", c.RestartCount)
	}
	return s
}

// lastLogs returns the last n log lines as evidence.
func lastLogs(s *ServiceEvidence, n int) []string {
	ls := s.Logs[max(0, len(s.Logs)-n):]
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, "log: "+l.Text)
	}
	return out
}

// projectFinding is a compose failure that no service could be found for.
func projectFinding(ev *Evidence, h hit) Finding {
	f := Finding{ID: string(h.kind), Kind: h.kind, Severity: SeverityHigh, Evidence: []string{h.from + ": " + h.line}, Fixes: []Fix{}}
	f.Summary = projectSummaries[h.kind]
	if f.Summary == "" {
		f.Summary = "the compose command failed: " + h.line
	}
	f.Explanation = explanations[h.kind]
	return f
}

var projectSummaries = map[Kind]string{
	KindGPUUnavailable: "a service asked for an NVIDIA GPU that the engine cannot provide",
	KindPortConflict:   "a host port the project publishes is already taken",
	KindNoSpace:        "the engine ran out of disk space",
	KindImageMissing:   "an image could not be found or pulled",
	KindArchMismatch:   "an image was built for another CPU architecture",
	KindCUDADriver:     "the host's NVIDIA driver is too old for an image's CUDA",
}

// joinOr lists names for a sentence.
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
