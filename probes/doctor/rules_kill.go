package doctor

import (
	"fmt"
	"strings"
	"time"

	"github.com/stackui/stackui/stack"
)

// What tells an exit 137 apart: the kernel's OOM killer (ruleOOM), a kill
// or a stop whose grace period ran out (ruleSigkill), or nothing known
// (ruleSigkill's KindKilled). Docker reports each in its events (oom;
// kill 9; kill 15, kill 9, stop). Podman 4.3 reports none of them: an OOM
// kill and a stop that outlasts its grace period both leave die and
// cleanup, and its kill event carries no signal. So the OOM evidence also
// comes from the memory cgroup (OOMSeen) and the stop evidence from the
// stops stackui ran (IssuedStop).

// oomSkew is how far the kernel log's clock (boot time plus a monotonic
// count) and the engine's may differ.
const oomSkew = 5 * time.Second

// oomSeen are the OOM kills stackui saw in the latest container's run: for
// a container that ended, between its start and its end.
func (d *diag) oomSeen() []OOMSeen {
	c := d.c
	if c == nil {
		return nil
	}
	var out []OOMSeen
	for _, o := range d.s.OOMSeen {
		if o.Container != c.ID {
			continue
		}
		if !c.StartedAt.IsZero() && o.At.Before(c.StartedAt.Add(-oomSkew)) {
			continue // an earlier run's
		}
		if (c.State == stack.StateExited || c.State == stack.StateDead) && !c.FinishedAt.IsZero() && o.At.After(c.FinishedAt.Add(oomSkew)) {
			continue
		}
		out = append(out, o)
	}
	return out
}

func oomSeenLines(seen []OOMSeen) []string {
	var out []string
	for _, o := range seen[max(0, len(seen)-3):] {
		l := fmt.Sprintf("%s: OOM kill in the container's memory cgroup at %s", o.Source, o.At.UTC().Format("15:04:05.000"))
		if o.MemLimit > 0 {
			l += fmt.Sprintf(" (last sample before it: %s of %s)", humanSize(int64(o.MemUsed)), humanSize(int64(o.MemLimit)))
		}
		out = append(out, l)
	}
	return out
}

// runEvents are the latest container's events of this action in its
// latest run.
func (d *diag) runEvents(action string) []stack.Event {
	var out []stack.Event
	for _, e := range d.events(action) {
		if d.c.StartedAt.IsZero() || !e.Time.Before(d.c.StartedAt) {
			out = append(out, e)
		}
	}
	return out
}

func ruleSigkill(d *diag) (Finding, bool) {
	c := d.c
	if c == nil || c.State != stack.StateExited && c.State != stack.StateDead || c.ExitCode != 137 || c.OOMKilled ||
		len(d.events("oom")) > 0 || len(d.oomSeen()) > 0 {
		return Finding{}, false
	}
	m := d.s.Model
	var ev []string
	term, kill, killNoSignal, stopEvent := false, false, false, false
	for _, e := range d.runEvents("kill") {
		switch strings.TrimPrefix(strings.ToUpper(e.Signal), "SIG") {
		case "15", "TERM", "2", "INT":
			term = true
			ev = append(ev, "event: kill, signal "+e.Signal+" (stop)")
		case "9", "KILL":
			kill = true
			ev = append(ev, "event: kill, signal "+e.Signal)
		case "":
			// Podman's kill event names no signal; an exit 137 after it
			// is its SIGKILL.
			killNoSignal = true
			ev = append(ev, "event: kill (the engine records no signal)")
		}
	}
	if stops := d.runEvents("stop"); len(stops) > 0 {
		stopEvent = true
		ev = append(ev, "event: stop at "+stops[len(stops)-1].Time.UTC().Format("15:04:05"))
	}
	var issued *IssuedStop
	for i := range d.s.Stops {
		if d.s.Stops[i].covers(m.Name, c.FinishedAt) {
			issued = &d.s.Stops[i]
		}
	}
	if issued != nil {
		ev = append(ev, fmt.Sprintf("stackui ran %s from %s to %s; the container ended at %s", issued.Action,
			issued.Start.UTC().Format("15:04:05"), issued.End.UTC().Format("15:04:05"), c.FinishedAt.UTC().Format("15:04:05")))
	}
	stopped := term || stopEvent || issued != nil
	if !stopped && !kill && !killNoSignal {
		return killedUnexplained(d), true
	}
	f := Finding{Kind: KindSigkill, Severity: SeverityMedium, Explanation: explanations[KindSigkill]}
	f.Evidence = append(f.Evidence, exitLine(c), d.noOOMLine())
	f.Evidence = append(f.Evidence, ev...)
	grace := m.grace()
	if stopped {
		f.Summary = fmt.Sprintf("%s did not stop within its %s stop grace period, so the engine killed it (SIGKILL, exit 137); it did not run out of memory", m.Name, grace)
	} else {
		f.Summary = fmt.Sprintf("%s was killed with SIGKILL (a docker kill, exit 137); it did not run out of memory", m.Name)
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("stop_grace_period: %s", grace))
	f.Evidence = append(f.Evidence, lastLogs(d.s, 3)...)
	if stopped {
		n := raisedGrace(grace)
		f.Fixes = append(f.Fixes, Fix{ID: "raise-stop-grace", Title: fmt.Sprintf("raise %s's stop_grace_period from %s to %s, then recreate it", m.Name, grace, n),
			Action: Action{Kind: ActSetStopGrace, Service: m.Name, Grace: n, Then: ThenRecreate}})
	}
	return f, true
}

// noOOMLine says why the kill was not for memory, as far as is known.
func (d *diag) noOOMLine() string {
	if d.ev.Engine.Podman() {
		return "OOMKilled false, which Podman says of OOM kills too; no OOM kill was seen in the container's memory cgroup"
	}
	return "OOMKilled false: the kernel did not kill it for memory"
}

// killedUnexplained is an exit 137 with no evidence of who killed it: the
// finding says what is known, and the memory against the limit, and
// offers no fix (raising the grace period or the memory would be a guess).
func killedUnexplained(d *diag) Finding {
	c, m := d.c, d.s.Model
	f := Finding{Kind: KindKilled, Severity: SeverityMedium, Explanation: explanations[KindKilled]}
	f.Summary = fmt.Sprintf("%s was killed by SIGKILL; the engine reports no OOM kill and no stop", m.Name)
	f.Evidence = append(f.Evidence, exitLine(c))
	var acts []string
	for _, e := range d.s.Events {
		if e.ContainerID == c.ID && (c.StartedAt.IsZero() || !e.Time.Before(c.StartedAt)) {
			acts = append(acts, e.Action)
		}
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("engine %s: OOMKilled false; events of the container: %s (no oom, no kill, no stop)",
		d.ev.Engine.Name(), orNone(acts)))
	if s, ok := d.lastMem(); ok {
		line := fmt.Sprintf("memory at the last sample (%s): %s", s.At.UTC().Format("15:04:05"), humanSize(int64(s.Used)))
		switch {
		case s.Limit > 0:
			pct := float64(s.Used) / float64(s.Limit) * 100
			line += fmt.Sprintf(" of its %s limit (%.0f%%)", humanSize(int64(s.Limit)), pct)
			f.Summary += fmt.Sprintf("; at the last sample it used %s of its %s limit (%.0f%%)", humanSize(int64(s.Used)), humanSize(int64(s.Limit)), pct)
		default:
			line += " (no limit)"
		}
		f.Evidence = append(f.Evidence, line, "no OOM kill was seen in its memory cgroup while stackui watched it")
	} else {
		f.Evidence = append(f.Evidence, "memory: not measured (stackui was not watching it)")
		if m.MemLimit > 0 {
			f.Evidence = append(f.Evidence, "memory limit: "+humanSize(m.MemLimit))
		}
	}
	f.Evidence = append(f.Evidence, fmt.Sprintf("stop_grace_period: %s", m.grace()))
	f.Evidence = append(f.Evidence, lastLogs(d.s, 3)...)
	return f
}

// lastMem is the latest container's last memory sample.
func (d *diag) lastMem() (MemSample, bool) {
	for _, s := range d.s.LastMem {
		if s.Container == d.c.ID {
			return s, true
		}
	}
	return MemSample{}, false
}
