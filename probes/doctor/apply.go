package doctor

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/edit"
)

// Actions is what applying a fix needs from the engine; *docker.Client
// has it.
type Actions interface {
	ProjectContainers(ctx context.Context, project string) ([]stack.Container, error)
	Start(ctx context.Context, id string) error
	Restart(ctx context.Context, id string, timeout *time.Duration) error
}

// Applier carries out fixes: file edits through stack/edit, then the
// compose CLI (recreate, build, pull) or the engine (restart).
type Applier struct {
	Compose stack.ComposeCLI
	Engine  Actions
	// OverrideDir is where generated override files go; "" means
	// OverrideDir(project).
	OverrideDir string
	// OnLine gets the compose CLI's output; nil discards it.
	OnLine func(string)
	// Force writes a compose file whose mode forbids writing (stackui fix
	// --force); without it such a file is refused with edit.ReadOnlyError.
	Force bool
}

// Result is what a fix did.
type Result struct {
	// Project is the project as it stands after the fix: reloaded after an
	// edit or an override, with fewer profiles after profile-off.
	Project *stack.Project
	// Receipt records the file edit, which edit.Undo reverts; nil when no
	// file of the user's was edited.
	Receipt *edit.Receipt
	// Override is the override file written, if any; deleting it undoes
	// the fix.
	Override string
	// Done says what was done, in one line.
	Done string
}

// Apply carries out one fix of a finding on p. When an edit was written but
// the follow-up (recreate, build, pull) failed, the Result still holds the
// Receipt, and the error says the edit stays.
func (a Applier) Apply(ctx context.Context, p *stack.Project, fix Fix) (Result, error) {
	act := fix.Action
	if _, ok := p.Service(act.Service); !ok {
		return Result{}, fmt.Errorf("fix %s: the project has no service %q", fix.ID, act.Service)
	}
	switch act.Kind {
	case ActSetMemLimit, ActSetPlatform, ActSetStopGrace, ActRemapPort, ActSetShmSize, ActSetIPCHost, ActSetRestart, ActDependsHealthy, ActReplaceHost:
		return a.applyEdit(ctx, p, fix)
	case ActNoGPUOverride:
		return a.applyOverride(ctx, p, fix)
	case ActProfileOff:
		return a.profileOff(ctx, p, fix)
	case ActRestart:
		return a.restart(ctx, p, fix)
	}
	return Result{}, fmt.Errorf("fix %s: unknown action %q", fix.ID, act.Kind)
}

func (a Applier) applyEdit(ctx context.Context, p *stack.Project, fix Fix) (Result, error) {
	if fix.Plan == nil {
		planned, err := planFix(p, fix, a.OverrideDir)
		if err != nil {
			return Result{}, fmt.Errorf("fix %s: %w", fix.ID, err)
		}
		fix = planned
	}
	rec, err := edit.Apply(p, *fix.Plan, edit.Options{Force: a.Force})
	if err != nil {
		return Result{}, fmt.Errorf("fix %s: %w", fix.ID, err)
	}
	res := Result{Project: p, Receipt: &rec, Done: fix.Plan.Title}
	np, err := p.Reload(ctx)
	if err != nil {
		return res, fmt.Errorf("fix %s: the edit is written (undo reverts it), but the project does not load again: %w", fix.ID, err)
	}
	res.Project = np
	if err := a.followUp(ctx, np, fix.Action); err != nil {
		return res, fmt.Errorf("fix %s: the edit is written (undo reverts it), but %w", fix.ID, err)
	}
	res.Done += followUpDone(fix.Action)
	return res, nil
}

func (a Applier) applyOverride(ctx context.Context, p *stack.Project, fix Fix) (Result, error) {
	path, content, err := noGPUOverrideFile(p, fix.Action.Service, a.OverrideDir)
	if err != nil {
		return Result{}, fmt.Errorf("fix %s: %w", fix.ID, err)
	}
	if err := writeOverride(path, content); err != nil {
		return Result{}, fmt.Errorf("fix %s: %w", fix.ID, err)
	}
	opts := p.Options
	opts.Overrides = append(slices.Clone(opts.Overrides), path)
	if !a.Compose.ReadsReset() && opts.ResetCopies == "" {
		opts.ResetCopies = ResetCopiesDir(filepath.Dir(path))
	}
	res := Result{Project: p, Override: path, Done: fmt.Sprintf("wrote %s, which runs %s without the GPU", path, fix.Action.Service)}
	np, err := stack.Load(ctx, opts)
	if err != nil {
		return res, fmt.Errorf("fix %s: the override %s does not load (delete it to undo): %w", fix.ID, path, err)
	}
	res.Project = np
	if err := a.followUp(ctx, np, fix.Action); err != nil {
		return res, fmt.Errorf("fix %s: the override %s is written (delete it to undo), but %w", fix.ID, path, err)
	}
	res.Done += followUpDone(fix.Action)
	return res, nil
}

// profileOff removes the service's containers (never its volumes) and
// returns the project with its profiles off.
func (a Applier) profileOff(ctx context.Context, p *stack.Project, fix Fix) (Result, error) {
	svc := fix.Action.Service
	if err := a.Compose.Remove(ctx, p, p.Profiles, []string{svc}, a.OnLine); err != nil {
		return Result{}, fmt.Errorf("fix %s: remove %s's containers: %w", fix.ID, svc, err)
	}
	var active []string
	for _, prof := range p.ActiveProfiles {
		if !slices.Contains(fix.Action.Profiles, prof) {
			active = append(active, prof)
		}
	}
	np, err := p.WithProfiles(active)
	if err != nil {
		return Result{}, fmt.Errorf("fix %s: %w", fix.ID, err)
	}
	return Result{Project: np, Done: fmt.Sprintf("removed %s's containers (never its volumes); profile %s is off",
		svc, strings.Join(fix.Action.Profiles, ", "))}, nil
}

// restart restarts the service's containers through the engine; one that
// was created but never started is started.
func (a Applier) restart(ctx context.Context, p *stack.Project, fix Fix) (Result, error) {
	if a.Engine == nil {
		return Result{}, fmt.Errorf("fix %s: no engine", fix.ID)
	}
	svc := fix.Action.Service
	cs, err := a.Engine.ProjectContainers(ctx, p.Name)
	if err != nil {
		return Result{}, fmt.Errorf("fix %s: %w", fix.ID, err)
	}
	n := 0
	var errs []error
	for _, c := range cs {
		if c.Service != svc || c.Oneoff {
			continue
		}
		n++
		if c.State == stack.StateCreated && c.StartedAt.IsZero() {
			err = a.Engine.Start(ctx, c.ID)
		} else {
			err = a.Engine.Restart(ctx, c.ID, nil)
		}
		errs = append(errs, err)
	}
	if n == 0 {
		return Result{}, fmt.Errorf("fix %s: %s has no container to restart", fix.ID, svc)
	}
	if err := errors.Join(errs...); err != nil {
		return Result{}, fmt.Errorf("fix %s: %w", fix.ID, err)
	}
	return Result{Project: p, Done: fmt.Sprintf("restarted %s", svc)}, nil
}

// followUp makes an edit take effect: rebuild or pull if asked, then
// recreate the one service (its dependencies untouched).
func (a Applier) followUp(ctx context.Context, p *stack.Project, act Action) error {
	svc := []string{act.Service}
	switch act.Then {
	case ThenNothing:
		return nil
	case ThenUp:
		return a.upWithDeps(ctx, p, act)
	case ThenBuild:
		if err := a.Compose.Build(ctx, p, svc, a.OnLine); err != nil {
			return fmt.Errorf("the build failed: %w", err)
		}
	case ThenPull:
		if err := a.Compose.Pull(ctx, p, svc, a.OnLine); err != nil {
			return fmt.Errorf("the pull failed: %w", err)
		}
	}
	err := a.Compose.Up(ctx, p, stack.UpOptions{Services: svc, Profiles: profilesWith(p, act.Service), ForceRecreate: true, NoDeps: true}, a.OnLine)
	if err != nil {
		return fmt.Errorf("recreating %s failed: %w", act.Service, err)
	}
	return nil
}

// profilesWith is the active profiles plus the service's own, so that a
// service of an inactive profile can be recreated by name.
func profilesWith(p *stack.Project, service string) []string {
	out := slices.Clone(p.ActiveProfiles)
	if s, ok := p.Service(service); ok && !s.Enabled && len(s.Profiles) > 0 {
		out = append(out, s.Profiles[0])
	}
	return out
}

func followUpDone(a Action) string {
	switch a.Then {
	case ThenBuild:
		return "; rebuilt and recreated " + a.Service
	case ThenPull:
		return "; pulled and recreated " + a.Service
	case ThenRecreate:
		return "; recreated " + a.Service
	case ThenUp:
		return "; started " + a.Service + " once its dependencies were ready"
	}
	return ""
}
