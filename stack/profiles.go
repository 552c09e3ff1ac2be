package stack

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// ProfileOn turns the named profile on and starts its services (`up -d`
// with every active profile plus this one, naming the profile's services,
// so that compose also starts what they depend on but nothing else). It
// returns the project with the new set of active profiles, which the caller
// keeps for the rest of the session; on failure it returns nil and the set
// is unchanged. Turning on a profile that is already on starts whatever of
// it is not running. An unknown profile matches ErrUnknownProfile.
func (c ComposeCLI) ProfileOn(ctx context.Context, p *Project, name string, onLine func(string)) (*Project, error) {
	if p == nil {
		return nil, errors.New("profile on: no project")
	}
	q, err := p.WithProfiles(append(slices.Clone(p.ActiveProfiles), name))
	if err != nil {
		return nil, fmt.Errorf("profile %s on: %w", name, err)
	}
	services := ProfileServices(p, name)
	if len(services) == 0 {
		// Load lists only profiles some service names, so this cannot
		// happen with a loaded project; a hand-made one gets a clear error.
		return nil, fmt.Errorf("profile %s on: no service has this profile", name)
	}
	if err := c.Up(ctx, q, UpOptions{Services: services}, onLine); err != nil {
		return nil, fmt.Errorf("profile %s on: %w", name, err)
	}
	return q, nil
}

// ProfileOff turns the named profile off: it stops and removes (`rm -f -s`)
// the profile's services that no other active profile keeps enabled, and
// nothing else. It never runs `down`, which in docker-compose 1.29 would
// also remove the containers of every profile it is not given. It returns
// the project with the new set of active profiles, or nil and the set
// unchanged on failure. Turning off a profile that is already off removes
// its leftover containers all the same. An unknown profile matches
// ErrUnknownProfile.
func (c ComposeCLI) ProfileOff(ctx context.Context, p *Project, name string, onLine func(string)) (*Project, error) {
	if p == nil {
		return nil, errors.New("profile off: no project")
	}
	if !slices.Contains(p.Profiles, name) {
		return nil, fmt.Errorf("profile %s off: %w", name, p.unknownProfile(name, false))
	}
	remaining := slices.DeleteFunc(slices.Clone(p.ActiveProfiles), func(s string) bool { return s == name })
	q, err := p.WithProfiles(remaining)
	if err != nil {
		return nil, fmt.Errorf("profile %s off: %w", name, err)
	}
	victims := profileOnlyServices(q, name)
	if len(victims) == 0 {
		return q, nil
	}
	// The CLI is handed the profile being turned off as well: compose only
	// acts on services of the profiles it is given.
	profiles := append(slices.Clone(q.ActiveProfiles), name)
	if err := c.Remove(ctx, q, profiles, victims, onLine); err != nil {
		return nil, fmt.Errorf("profile %s off: %w", name, err)
	}
	return q, nil
}

// ProfileServices lists, sorted, the services that name the profile.
func ProfileServices(p *Project, profile string) []string {
	var out []string
	for _, s := range p.Services {
		if slices.Contains(s.Profiles, profile) {
			out = append(out, s.Name)
		}
	}
	slices.Sort(out)
	return out
}

// profileOnlyServices lists the services of the profile that q (the
// project with the profile already off) does not enable through another
// active profile: those are the ones turning it off removes.
func profileOnlyServices(q *Project, profile string) []string {
	var out []string
	for _, s := range q.Services {
		if slices.Contains(s.Profiles, profile) && !s.Enabled {
			out = append(out, s.Name)
		}
	}
	slices.Sort(out)
	return out
}

// ProfileOn reports whether compose enables the services of the profile
// in p: it is active, or it is the empty profile "" and none is.
func ProfileOn(p *Project, name string) bool {
	if name == "" {
		return len(p.ActiveProfiles) == 0
	}
	return slices.Contains(p.ActiveProfiles, name)
}

// ProfileText is a profile's name for text output: the empty profile ""
// is written as `""`, so it is seen.
func ProfileText(name string) string {
	if name == "" {
		return `""`
	}
	return name
}
