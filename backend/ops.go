package backend

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"time"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// Ops carries out the TUI's actions (ui.Ops): project lifecycle through
// the compose CLI, so compose's own rules for dependencies, recreation and
// profiles apply; kill through the Engine API, since compose v1 would
// signal with its own defaults; exec through the docker CLI, which owns the
// terminal handling of `exec -it`.
type Ops struct {
	b *Backend
	// project is the session's current project: its active profiles go to
	// every compose call.
	project func() *stack.Project
	// shell is the command exec runs in the container.
	shell []string
	// lookPath finds the docker CLI; tests replace it.
	lookPath func(string) (string, error)
}

// Ops makes the actions for the project that project returns; shell nil
// means `sh`.
func (b *Backend) Ops(project func() *stack.Project, shell []string) *Ops {
	if len(shell) == 0 {
		shell = []string{"sh"}
	}
	return &Ops{b: b, project: project, shell: shell, lookPath: exec.LookPath}
}

// compose is the process's compose CLI and the current project.
func (o *Ops) compose(ctx context.Context) (stack.ComposeCLI, *stack.Project, error) {
	cli, err := o.b.Compose(ctx)
	if err != nil {
		return stack.ComposeCLI{}, nil, err
	}
	p := o.project()
	if p == nil {
		return stack.ComposeCLI{}, nil, errors.New("no compose project loaded")
	}
	return cli, p, nil
}

// profilesFor is the active profiles, plus the service's own when none of
// them enables it: compose acts only on services of the profiles it is
// given, and the user pointed at this one.
func profilesFor(p *stack.Project, service string) []string {
	profiles := slices.Clone(p.ActiveProfiles)
	if s, ok := p.Service(service); ok && !s.Enabled && len(s.Profiles) > 0 {
		profiles = append(profiles, s.Profiles[0])
	}
	return profiles
}

// run runs one compose subcommand on a service.
func (o *Ops) run(ctx context.Context, service string, args []string, onLine func(string)) error {
	cli, p, err := o.compose(ctx)
	if err != nil {
		return err
	}
	return cli.Run(ctx, p, profilesFor(p, service), append(args, service), onLine)
}

func (o *Ops) up(ctx context.Context, service string, force bool, onLine func(string)) error {
	cli, p, err := o.compose(ctx)
	if err != nil {
		return err
	}
	// Recreating one service must not recreate the database it depends on.
	return cli.Up(ctx, p, stack.UpOptions{Services: []string{service}, Profiles: profilesFor(p, service),
		ForceRecreate: force, NoDeps: force}, onLine)
}

// Up creates and starts the service (compose up).
func (o *Ops) Up(ctx context.Context, service string, onLine func(string)) error {
	return o.up(ctx, service, false, onLine)
}

// Recreate recreates the service alone, its dependencies untouched.
func (o *Ops) Recreate(ctx context.Context, service string, onLine func(string)) error {
	return o.up(ctx, service, true, onLine)
}

// Stop stops the service's containers.
func (o *Ops) Stop(ctx context.Context, service string, onLine func(string)) error {
	return o.stopping(service, "stop", func() error {
		return o.run(ctx, service, []string{"stop", "-t", stopTimeout(o.project(), service)}, onLine)
	})
}

// stopTimeout is the service's grace period in whole seconds, given to
// stop and restart explicitly: containers that Podman created through its
// Docker-compatible API have a stop timeout of 0, so a stop without one
// sends SIGKILL with the SIGTERM (Docker's default is 10s, which this
// keeps).
func stopTimeout(p *stack.Project, service string) string {
	grace := 10 * time.Second
	if p != nil {
		if s, ok := p.Service(service); ok && s.Config.StopGracePeriod != nil {
			grace = time.Duration(*s.Config.StopGracePeriod)
		}
	}
	return strconv.Itoa(int(max(grace, 0).Round(time.Second) / time.Second))
}

// stopping runs an action that stops containers and records that stackui
// ran it (doctor.RecordStop): a container that exits 137 meanwhile was
// killed by it when its grace period ran out, which Podman's events do not
// show. service "" is every service.
func (o *Ops) stopping(service, action string, run func() error) error {
	start := time.Now()
	err := run()
	if p := o.project(); p != nil {
		// The record is evidence, not the action: a failure to write it
		// only leaves the doctor knowing less, as without stackui.
		_ = doctor.RecordStop(p.Name, doctor.IssuedStop{Service: service, Action: action, Start: start, End: time.Now()})
	}
	return err
}

// Start starts the service's stopped containers.
func (o *Ops) Start(ctx context.Context, service string, onLine func(string)) error {
	return o.run(ctx, service, []string{"start"}, onLine)
}

// Restart restarts the service's containers.
func (o *Ops) Restart(ctx context.Context, service string, onLine func(string)) error {
	return o.stopping(service, "restart", func() error {
		return o.run(ctx, service, []string{"restart", "-t", stopTimeout(o.project(), service)}, onLine)
	})
}

// Remove stops and removes the service's containers; never its volumes.
func (o *Ops) Remove(ctx context.Context, service string, onLine func(string)) error {
	return o.stopping(service, "rm -f -s", func() error { return o.run(ctx, service, []string{"rm", "-f", "-s"}, onLine) })
}

// Build builds the service's image.
func (o *Ops) Build(ctx context.Context, service string, onLine func(string)) error {
	cli, p, err := o.compose(ctx)
	if err != nil {
		return err
	}
	return cli.Build(ctx, p, []string{service}, onLine)
}

// Kill sends SIGKILL to every running container of the service.
func (o *Ops) Kill(ctx context.Context, service string, onLine func(string)) error {
	eng, err := o.b.Engine()
	if err != nil {
		return fmt.Errorf("kill %s: no engine: %w", service, err)
	}
	p := o.project()
	if p == nil {
		return errors.New("kill: no compose project loaded")
	}
	if _, ok := p.Service(service); !ok {
		return fmt.Errorf("kill: project %s has no service %q", p.Name, service)
	}
	cs, err := eng.ProjectContainers(ctx, p.Name)
	if err != nil {
		return fmt.Errorf("kill %s: %w", service, err)
	}
	return o.stopping(service, "kill", func() error { return o.kill(ctx, eng, cs, service, onLine) })
}

func (o *Ops) kill(ctx context.Context, eng *docker.Client, cs []stack.Container, service string, onLine func(string)) error {
	killed := 0
	for _, c := range cs {
		if c.Service != service || c.Oneoff || c.State != stack.StateRunning {
			continue
		}
		if err := eng.Kill(ctx, c.ID, ""); err != nil {
			return fmt.Errorf("kill %s: %w", service, err)
		}
		killed++
		if onLine != nil {
			onLine("Killed " + c.Name)
		}
	}
	if killed == 0 {
		return fmt.Errorf("kill %s: no running container", service)
	}
	return nil
}

// UpAll brings up the services of the active profiles.
func (o *Ops) UpAll(ctx context.Context, onLine func(string)) error {
	cli, p, err := o.compose(ctx)
	if err != nil {
		return err
	}
	return cli.Up(ctx, p, stack.UpOptions{}, onLine)
}

// Down removes the containers and networks of every profile, never volumes.
func (o *Ops) Down(ctx context.Context, onLine func(string)) error {
	cli, p, err := o.compose(ctx)
	if err != nil {
		return err
	}
	return o.stopping("", "down", func() error { return cli.Down(ctx, p, onLine) })
}

// RemoveVolumes is `down -v` over every profile: the only place stackui
// passes -v. The UI reaches it only after the user typed the project name.
func (o *Ops) RemoveVolumes(ctx context.Context, onLine func(string)) error {
	cli, p, err := o.compose(ctx)
	if err != nil {
		return err
	}
	return o.stopping("", "down -v", func() error { return cli.Run(ctx, p, p.Profiles, []string{"down", "-v"}, onLine) })
}

// ProfileOn turns a profile on and brings its services up.
func (o *Ops) ProfileOn(ctx context.Context, profile string, onLine func(string)) (*stack.Project, error) {
	cli, p, err := o.compose(ctx)
	if err != nil {
		return nil, err
	}
	return cli.ProfileOn(ctx, p, profile, onLine)
}

// ProfileOff stops and removes the profile's own services and turns it off.
func (o *Ops) ProfileOff(ctx context.Context, profile string, onLine func(string)) (*stack.Project, error) {
	cli, p, err := o.compose(ctx)
	if err != nil {
		return nil, err
	}
	// Not recorded as a stop: its containers are removed, so none is
	// left for the doctor to explain.
	return cli.ProfileOff(ctx, p, profile, onLine)
}

// ExecCmd is `docker exec -it CONTAINER <shell>`. The docker CLI reads the
// same DOCKER_HOST and context as stackui, so it reaches the same engine.
func (o *Ops) ExecCmd(containerID string) (*exec.Cmd, error) {
	if containerID == "" {
		return nil, errors.New("exec: no container")
	}
	path, err := o.lookPath("docker")
	if err != nil {
		return nil, fmt.Errorf("a shell needs the docker CLI, and there is none on PATH: %w", err)
	}
	cmd := exec.Command(path, append([]string{"exec", "-it", containerID}, o.shell...)...)
	// The terminal itself, not what the TUI writes through: Bubble Tea
	// hands an unset stream its own writer, which os/exec can only give a
	// child as a pipe, and `docker exec -it` then has no window size.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	return cmd, nil
}
