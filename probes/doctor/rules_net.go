package doctor

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/stackui/stackui/internal/suggest"
	"github.com/stackui/stackui/stack"
)

var (
	refusedRe = lazyRegexp(`(?i)connection refused|ECONNREFUSED|i/o timeout|timed? ?out|ETIMEDOUT|connection reset|ECONNRESET|EHOSTUNREACH|no route to host`)
	// host:port as apps print it: "dial tcp 172.18.0.3:5432", "connect
	// ECONNREFUSED db:5432", "[fd00::3]:80".
	hostPortRe = lazyRegexp(`(?:^|[\s"'(/@=,])(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9._-]*):(\d{1,5})\b`)
	// libpq: `connection to server at "db" (172.18.0.3), port 5432 failed`.
	libpqRe = lazyRegexp(`at "([^"]+)"(?: \(([^)]+)\))?, port (\d+)`)
	// The name a failed DNS lookup names, as Go, Node, libpq, Java and
	// Python's requests print it.
	dnsRes = []*lazyRE{
		lazyRegexp(`lookup ([A-Za-z0-9._-]+)(?: on \S+)?: (?:no such host|server misbehaving|Temporary failure in name resolution)`),
		lazyRegexp(`getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ([A-Za-z0-9._-]+)`),
		lazyRegexp(`could not translate host name "([A-Za-z0-9._-]+)"`),
		lazyRegexp(`(?i)unknown ?host(?:exception)?:? '?([A-Za-z0-9][A-Za-z0-9._-]*)`),
		lazyRegexp(`Failed to resolve '([A-Za-z0-9._-]+)'`),
		lazyRegexp(`(?i)host='?([A-Za-z0-9][A-Za-z0-9._-]*)'?.*(?:Name or service not known|Temporary failure in name resolution|nodename nor servname)`),
	}
)

// deathLines are the last lines a service wrote before it died: only for a
// container that exited with an error or waits to be restarted. One that
// runs again is past it: what it logged before is history.
func (d *diag) deathLines(n int) []string {
	c := d.c
	dead := c != nil && (c.State == stack.StateExited || c.State == stack.StateDead) && c.ExitCode != 0 && c.ExitCode != 130 && c.ExitCode != 143
	if !dead && (c == nil || c.State != stack.StateRestarting) {
		return nil
	}
	var out []string
	for _, l := range d.s.Logs[max(0, len(d.s.Logs)-n):] {
		out = append(out, l.Text)
	}
	return out
}

// serviceByHost finds the service of the project that host names: a
// service name, an alias, a container name or hostname, or one of its
// container's IPs.
func serviceByHost(ev *Evidence, host string) *ServiceEvidence {
	host = strings.Trim(host, "[]")
	for i := range ev.Services {
		s := &ev.Services[i]
		if slices.Contains(s.Model.names(), host) {
			return s
		}
		for _, c := range s.Containers {
			if c.Name == host {
				return s
			}
		}
		if s.Net != nil && slices.Contains(s.Net.Addresses, host) {
			return s
		}
	}
	return nil
}

func ruleDependencyUnreachable(d *diag) (Finding, bool) {
	lines := d.deathLines(5)
	for _, line := range slices.Backward(lines) {
		if !refusedRe.MatchString(line) {
			continue
		}
		type target struct{ host, port string }
		var ts []target
		if m := libpqRe.FindStringSubmatch(line); m != nil {
			ts = append(ts, target{m[1], m[3]}, target{m[2], m[3]})
		}
		for _, m := range hostPortRe.FindAllStringSubmatch(line, -1) {
			ts = append(ts, target{m[1], m[2]})
		}
		for _, t := range ts {
			dep := serviceByHost(d.ev, t.host)
			if dep == nil || dep == d.s {
				continue
			}
			port, _ := strconv.Atoi(t.port)
			return dependencyFinding(d, dep, t.host, port, "log: "+line), true
		}
	}
	return Finding{}, false
}

func dependencyFinding(d *diag, dep *ServiceEvidence, host string, port int, evidence string) Finding {
	sm, dm := d.s.Model, dep.Model
	state := depState(dep, port)
	f := Finding{Kind: KindDependencyUnreachable, Severity: SeverityHigh, Explanation: startExplanations[KindDependencyUnreachable]}
	addr := host
	if port > 0 {
		addr = net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(port))
	}
	f.Summary = fmt.Sprintf("%s could not reach %s at %s: %s", sm.Name, dm.Name, addr, state)
	f.Evidence = []string{evidence, exitLine(d.c)}
	if c := latest(dep.Containers); c != nil {
		f.Evidence = append(f.Evidence, exitLine(c)+healthNote(c))
	}
	if dep.Net != nil && dep.Net.ListenChecked {
		f.Evidence = append(f.Evidence, fmt.Sprintf("%s listens on: %s", dm.Name, listenerList(dep.Net.Listeners)))
	}
	cond := ""
	for _, x := range sm.DependsOn {
		if x.Service == dm.Name {
			cond = cmpOr(x.Condition, "service_started")
		}
	}
	if dm.Healthcheck && cond != "service_healthy" {
		f.Fixes = append(f.Fixes, Fix{ID: "wait-healthy",
			Title:  fmt.Sprintf("make %s wait until %s is healthy (depends_on condition service_healthy), then start it when %s is", sm.Name, dm.Name, dm.Name),
			Action: Action{Kind: ActDependsHealthy, Service: sm.Name, Dependency: dm.Name, Then: ThenUp}})
	}
	if sm.Restart == "" || sm.Restart == "no" {
		f.Fixes = append(f.Fixes, Fix{ID: "restart-on-failure",
			Title:  fmt.Sprintf("set %s's restart policy to on-failure, so it tries again until %s answers, then recreate it", sm.Name, dm.Name),
			Action: Action{Kind: ActSetRestart, Service: sm.Name, Policy: "on-failure", Then: ThenRecreate}})
	}
	return f
}

// depState says why a dependency did not answer on port.
func depState(dep *ServiceEvidence, port int) string {
	name := dep.Model.Name
	c := latest(dep.Containers)
	switch {
	case c == nil:
		return name + " is not running (it has no container)"
	case c.State != stack.StateRunning:
		return fmt.Sprintf("%s is not running (%s, exit code %d)", name, c.State, c.ExitCode)
	case c.Health == "starting":
		return name + " runs but is not healthy yet"
	case c.Health == "unhealthy":
		return name + " runs but is unhealthy"
	}
	if dep.Net != nil && dep.Net.ListenChecked && port > 0 {
		var on []Listener
		for _, l := range dep.Net.Listeners {
			if l.Port == port {
				on = append(on, l)
			}
		}
		switch {
		case len(on) == 0:
			return fmt.Sprintf("%s runs, but nothing listens on port %d yet", name, port)
		case !slices.ContainsFunc(on, Listener.allAddresses):
			return fmt.Sprintf("%s runs, but listens on port %d only on %s", name, port, on[0].Addr)
		}
		return fmt.Sprintf("%s runs and listens on port %d now: it was not ready yet", name, port)
	}
	return name + " runs, but did not accept the connection then"
}

func listenerList(ls []Listener) string {
	if len(ls) == 0 {
		return "nothing"
	}
	s := make([]string, len(ls))
	for i, l := range ls {
		s[i] = net.JoinHostPort(l.Addr, strconv.Itoa(l.Port))
	}
	return strings.Join(s, ", ")
}

func ruleUnknownHost(d *diag) (Finding, bool) {
	for _, line := range slices.Backward(d.deathLines(5)) {
		for _, re := range dnsRes {
			m := re.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			host := strings.TrimSuffix(m[1], ".")
			if dep := serviceByHost(d.ev, host); dep != nil {
				if dep == d.s {
					return Finding{}, false
				}
				// Docker's DNS knows a service only while its container runs.
				return dependencyFinding(d, dep, host, 0, "log: "+line), true
			}
			return unknownHostFinding(d, host, line), true
		}
	}
	return Finding{}, false
}

func unknownHostFinding(d *diag, host, line string) Finding {
	sm := d.s.Model
	f := Finding{Kind: KindUnknownHost, Severity: SeverityHigh, Explanation: startExplanations[KindUnknownHost]}
	f.Summary = fmt.Sprintf("%s cannot resolve the host name %s: no service of the project is called that", sm.Name, host)
	f.Evidence = []string{"log: " + line, exitLine(d.c)}
	near := nearestName(d.ev, d.s, host)
	if near == "" {
		return f
	}
	f.Summary += fmt.Sprintf("; did you mean %s?", near)
	hostRe := regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(host) + `($|[^A-Za-z0-9_-])`)
	var in []string
	for _, v := range slices.Concat(sm.Start.Entrypoint, sm.Start.Command, sm.Start.Environment) {
		if hostRe.MatchString(v) {
			in = append(in, v)
		}
	}
	if len(in) > 0 {
		f.Evidence = append(f.Evidence, "compose file: "+sm.Name+" names "+host+" in: "+strings.Join(in, ", "))
		f.Fixes = append(f.Fixes, Fix{ID: "replace-host",
			Title:  fmt.Sprintf("replace %s with %s in %s's command, entrypoint and environment, then recreate it", host, near, sm.Name),
			Action: Action{Kind: ActReplaceHost, Service: sm.Name, OldHost: host, NewHost: near, Then: ThenRecreate}})
	}
	return f
}

// nearestName is the project's host name closest to host, if it is close
// enough to be a typo: at most a third of its letters differ.
func nearestName(ev *Evidence, self *ServiceEvidence, host string) string {
	best, bestDist := "", max(1, len(host)/3)+1
	for i := range ev.Services {
		s := &ev.Services[i]
		if s == self {
			continue
		}
		for _, n := range s.Model.names() {
			if dist := suggest.Distance(strings.ToLower(host), strings.ToLower(n)); dist < bestDist {
				best, bestDist = n, dist
			}
		}
	}
	return best
}

func ruleListenLocalhost(d *diag) (Finding, bool) {
	c, n := d.c, d.s.Net
	if c == nil || c.State != stack.StateRunning || n == nil || !n.ListenChecked {
		return Finding{}, false
	}
	sm := d.s.Model
	for _, p := range sm.Ports {
		if p.Protocol != "" && p.Protocol != "tcp" {
			continue
		}
		var local []Listener
		all := false
		for _, l := range n.Listeners {
			if l.Port == p.Target {
				all = all || l.allAddresses()
				if l.loopback() {
					local = append(local, l)
				}
			}
		}
		if all || len(local) == 0 {
			continue
		}
		addr := net.JoinHostPort(local[0].Addr, strconv.Itoa(p.Target))
		f := Finding{Kind: KindListenLocalhost, Severity: SeverityHigh, Explanation: startExplanations[KindListenLocalhost]}
		f.Summary = fmt.Sprintf("%s publishes port %d, but inside its container it listens on %s only, so connections from outside are reset; make it listen on 0.0.0.0",
			sm.Name, p.Target, addr)
		f.Evidence = []string{
			fmt.Sprintf("compose: ports publishes container port %d", p.Target),
			fmt.Sprintf("container %s listens on: %s", c.Name, listenerList(n.Listeners)),
		}
		return f, true
	}
	return Finding{}, false
}

var startExplanations = map[Kind]string{
	KindDependencyUnreachable: "The service gave up because another service of the project did not accept its connection: it was " +
		"not running, or not listening yet. Compose's plain depends_on only waits for the container to start, not for the program " +
		"in it to listen. Let the service retry (restart: on-failure), or make it wait for the dependency's healthcheck " +
		"(depends_on with condition: service_healthy).",
	KindUnknownHost: "On a compose network a service reaches another by its service name (or an alias, or its container " +
		"name). The name it asked for is none of them: usually a typo in its command or environment.",
	KindListenLocalhost: "A published port reaches the container's network interface, not its loopback. A server that " +
		"listens on 127.0.0.1 (or ::1) inside the container is unreachable from the host. Make it listen on all addresses: the " +
		"setting is usually HOST=0.0.0.0, --host 0.0.0.0, --bind 0.0.0.0, server.address, listen_addresses or bind in its config.",
	KindMountError: "A bind mount's host path and the path in the container must both be folders or both be files. " +
		"When the host path does not exist, Docker creates an empty folder there, which cannot be mounted onto a file in the " +
		"image. Create the file (or fix the path) in the compose file, delete the empty folder Docker made, and start the service again.",
	KindCommandNotFound: "The program the entrypoint or command runs is not in the image (or not on its PATH). " +
		"Check the spelling and the path, or use an image that has it.",
	KindBlocked: "Compose starts a service only once the services it depends on meet their depends_on condition: " +
		"started, healthy, or completed successfully. Fix the service it waits for; this one then starts.",
	KindNotStarted: "The container exists but was never started: an up that was interrupted, or a compose create. " +
		"Start it, or run up again.",
}

// kindNone is what a rule returns to say "nothing is wrong, stop here":
// the generic rules after it would misread the history.
const kindNone Kind = ""

// ruleRetried: a service that died because a dependency was not ready,
// and runs again now that it is (restart: on-failure doing its job), has
// recovered; its restarts are no crash loop.
func ruleRetried(d *diag) (Finding, bool) {
	c := d.c
	if c == nil || c.State != stack.StateRunning || c.RestartCount == 0 || c.Health == "unhealthy" || c.StartedAt.IsZero() {
		return Finding{}, false
	}
	var before, since []LogLine
	for _, l := range d.s.Logs {
		if l.Time.IsZero() {
			return Finding{}, false
		}
		if l.Time.Before(c.StartedAt) {
			before = append(before, l)
		} else {
			since = append(since, l)
		}
	}
	if slices.ContainsFunc(since, func(l LogLine) bool { return refusedRe.MatchString(l.Text) || isErrorLine(l.Text) }) {
		return Finding{}, false
	}
	for _, l := range slices.Backward(before[max(0, len(before)-5):]) {
		if !refusedRe.MatchString(l.Text) {
			continue
		}
		for _, m := range hostPortRe.FindAllStringSubmatch(l.Text, -1) {
			if dep := serviceByHost(d.ev, m[1]); dep != nil && dep != d.s {
				if dc := latest(dep.Containers); dc != nil && dc.State == stack.StateRunning {
					return Finding{Kind: kindNone}, true
				}
			}
		}
	}
	return Finding{}, false
}
