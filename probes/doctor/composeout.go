package doctor

import (
	"strings"
)

// hit is one line of text that names a cause.
type hit struct {
	kind Kind
	line string
	from string // "compose", "state" or "logs"
}

var (
	// docker-compose 1.x: "ERROR: for web  Cannot start service web: ..."
	cannotServiceRe = lazyRegexp(`Cannot (?:start|create) (?:container for )?service ([A-Za-z0-9._-]+):`)
	// docker-compose 1.x: "Pulling web (image:tag)..."; docker compose v2:
	// " ✘ web Error", " web Pulling".
	pullingRe = lazyRegexp(`^\s*(?:Pulling ([A-Za-z0-9._-]+) \(|\S{0,3}\s*([A-Za-z0-9._-]+) (?:Pulling|Error|Warning|Interrupted)\b)`)
	// docker compose v5 names the image, not the service, in pull progress:
	// " Image acme/api:2 Pulling", " Image acme/api:2 Error Get ...".
	imageProgressRe = lazyRegexp(`^\s*\S{0,3}\s*Image (\S+) (?:Pulling|Error|Warning|Interrupted)\b`)
	// Container names in either CLI's progress lines: proj_web_1, proj-web-1.
	containerRe = lazyRegexp(`\b([A-Za-z0-9._-]+)[_-]([0-9]+)\b`)
	// Image references in pull errors.
	pullImageRe = lazyRegexp(`(?:pull access denied for|manifest for|No such image:|failed to resolve reference) "?([^\s",]+)"?`)
)

// attributeCompose sorts the lines of a failed compose call that name a
// cause by the service they concern; "" holds the lines no service could
// be found for. v1 prints each error twice (per container and per
// service), so repeats of one message are dropped.
func attributeCompose(ev *Evidence) map[string][]hit {
	out := map[string][]hit{}
	seen := map[string]bool{}
	current := "" // the service the surrounding progress lines are about
	for _, line := range ev.ComposeFailure {
		if m := pullingRe.FindStringSubmatch(line); m != nil && ev.Service(m[1]+m[2]) != nil {
			current = m[1] + m[2]
		} else if m := imageProgressRe.FindStringSubmatch(line); m != nil {
			// Several services of one image leave the line unclaimed.
			current = serviceByImage(ev, m[1])
		} else if svc := containerService(ev, line); svc != "" {
			current = svc
		}
		kind, ok := classify(line, false)
		if !ok {
			continue
		}
		svc := lineService(ev, kind, line, current)
		msg := line
		if i := strings.Index(line, ": "); strings.HasPrefix(line, "ERROR: for ") && i >= 0 {
			msg = line[i+2:] // the message without v1's "ERROR: for NAME  Cannot start service NAME"
		}
		if seen[svc+"\x00"+msg] {
			continue
		}
		seen[svc+"\x00"+msg] = true
		out[svc] = append(out[svc], hit{kind: kind, line: strings.TrimSpace(line), from: "compose"})
	}
	return out
}

// lineService finds the service an error line concerns: named in it, by
// its image, by the progress line before it, or as the only service that
// could have caused it.
func lineService(ev *Evidence, kind Kind, line, current string) string {
	if m := cannotServiceRe.FindStringSubmatch(line); m != nil && ev.Service(m[1]) != nil {
		return m[1]
	}
	if svc := containerService(ev, line); svc != "" {
		return svc
	}
	if m := pullImageRe.FindStringSubmatch(line); m != nil {
		if svc := serviceByImage(ev, m[1]); svc != "" {
			return svc
		}
	}
	if current != "" {
		return current
	}
	var only []string
	for _, s := range ev.Services {
		if !s.Model.Enabled {
			continue
		}
		switch kind {
		case KindGPUUnavailable:
			if s.Model.GPU {
				only = append(only, s.Model.Name)
			}
		case KindPortConflict:
			port := conflictPort(line)
			for _, p := range s.Model.Ports {
				if port != 0 && p.Published == port {
					only = append(only, s.Model.Name)
					break
				}
			}
		}
	}
	if len(only) == 1 {
		return only[0]
	}
	return ""
}

// containerService finds a compose container name of this project in a
// line (proj_web_1 or proj-web-1) and returns its service.
func containerService(ev *Evidence, line string) string {
	if ev.Project == "" {
		return ""
	}
	for _, m := range containerRe.FindAllStringSubmatch(line, -1) {
		name := m[1]
		for _, sep := range []string{"_", "-"} {
			if svc, ok := strings.CutPrefix(name, ev.Project+sep); ok && ev.Service(svc) != nil {
				return svc
			}
		}
	}
	return ""
}

// serviceByImage returns the one service that runs image; "" when none or
// several do.
func serviceByImage(ev *Evidence, image string) string {
	// A reference without a tag (pull errors name the repository only)
	// matches any tag of it.
	repo := func(s string) (string, string) {
		s = strings.TrimPrefix(s, "docker.io/")
		s = strings.TrimPrefix(s, "library/")
		if i := strings.LastIndex(s, ":"); i > strings.LastIndex(s, "/") {
			return s[:i], s[i+1:]
		}
		return s, ""
	}
	wantRepo, wantTag := repo(image)
	found := ""
	for _, s := range ev.Services {
		r, tag := repo(s.Model.Image)
		if tag == "" {
			tag = "latest"
		}
		if s.Model.Image != "" && r == wantRepo && (wantTag == "" || wantTag == tag) {
			if found != "" {
				return ""
			}
			found = s.Model.Name
		}
	}
	return found
}
