package stack

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// LabelConfigHash is the hash of the service's configuration that the
// compose CLI (v1 and v2 alike) puts on each container it creates; `up`
// recreates a container whose label differs from the hash of the files now.
const LabelConfigHash = "com.docker.compose.config-hash"

// hashLine is one line of `config --hash`: the service and its hash.
var hashLine = regexp.MustCompile(`^(\S+) ([0-9a-f]{64})$`)

// ConfigHashes asks the CLI for the hash of every service's configuration
// as the files say now (`config --hash=*`, which both docker-compose 1.29
// and the plugin have), with every profile on so that services of inactive
// profiles get theirs too. The plugin takes the profile "*"; docker-compose
// 1.29 does not, and is given each named profile (a service whose only
// profile is "" then has no hash: its drift is unknown).
func (c ComposeCLI) ConfigHashes(ctx context.Context, p *Project) (map[string]string, error) {
	if p == nil {
		return nil, fmt.Errorf("config hashes: no project")
	}
	profiles := []string{"*"}
	if c.Name != "docker compose" {
		profiles = slices.DeleteFunc(slices.Clone(p.Profiles), func(s string) bool { return s == "" })
	}
	// docker-compose 1.29 hashes the image's ID as well, which the engine
	// changes without any file changing: its answers are not kept.
	key := ""
	if c.AtLeast(2, 0) {
		key = c.hashesKey(p, profiles)
	}
	if out := map[string]string{}; readCache("hashes", key, &out) && len(out) > 0 {
		return out, nil
	}
	out := map[string]string{}
	var other []string
	err := c.Run(ctx, p, profiles, []string{"config", "--hash=*"}, func(l string) {
		if m := hashLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out[m[1]] = m[2]
		} else {
			other = append(other, l)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("config hashes: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("config hashes: no hash in the output of %s: %s", c, strings.Join(other, "; "))
	}
	writeCache("hashes", key, out)
	return out, nil
}

// drift says whether the service's containers were created from another
// configuration than its files give now: nil when that cannot be known
// (no hashes, no hash for this service, no container, or a container
// without the label).
func drift(p *Project, svc string, cs []Container) *bool {
	if p == nil || p.ConfigHashes == nil || len(cs) == 0 {
		return nil
	}
	want, ok := p.ConfigHashes[svc]
	if !ok {
		return nil
	}
	d := false
	for _, c := range cs {
		got, ok := c.Labels[LabelConfigHash]
		if !ok {
			return nil
		}
		if got != want {
			d = true
		}
	}
	return &d
}
