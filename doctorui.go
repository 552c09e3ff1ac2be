package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
	"github.com/stackui/stackui/stack/edit"
	"github.com/stackui/stackui/ui"
)

// doctorUI is the TUI's doctor (ui.Doctor): probes/doctor's gathering,
// rules and fixes over the engine the TUI watches and the compose CLI.
type doctorUI struct {
	engine *docker.Client // nil when the engine configuration is broken
	// overrideDir is where no-GPU overrides go; tests point it elsewhere.
	overrideDir func(project string) (string, error)
	// logTail is how many log lines per troubled service are read.
	logTail int

	once   sync.Once
	cli    stack.ComposeCLI
	cliErr error
}

var _ ui.Doctor = (*doctorUI)(nil)

// newDoctorUI makes the TUI's doctor over engine, which may be nil.
func newDoctorUI(engine *docker.Client) *doctorUI {
	return &doctorUI{engine: engine, overrideDir: doctor.OverrideDir}
}

// compose detects the CLI on first use, once: each detection execs it.
func (d *doctorUI) compose(ctx context.Context) (stack.ComposeCLI, error) {
	d.once.Do(func() { d.cli, d.cliErr = stack.DetectCompose(ctx) })
	return d.cli, d.cliErr
}

// Diagnose gathers the evidence, diagnoses it and plans the fixes against
// the project's files. An engine the snapshot says is unreachable is not
// asked: the model and the compose failure are then the only evidence.
func (d *doctorUI) Diagnose(ctx context.Context, snap stack.Snapshot, composeErr error) ([]doctor.Finding, error) {
	p := snap.Project
	if p == nil {
		return nil, errors.New("diagnose: no compose project loaded")
	}
	opts := doctor.Options{Project: p, ComposeErr: composeErr, LogTail: d.logTail}
	if cli, err := d.compose(ctx); err == nil {
		opts.ComposeCLI = cli.String()
	}
	if d.engine != nil && snap.Engine.Reachable {
		opts.Source = doctor.DockerSource{Client: d.engine}
	}
	gctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	ev := doctor.Gather(gctx, opts)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("diagnose %s: %w", p.Name, err)
	}
	// Without an override folder the no-GPU fix cannot be planned, and
	// PlanFixes says so in its finding; the other fixes still are.
	dir, _ := d.overrideDir(p.Name)
	return doctor.PlanFixes(p, doctor.Diagnose(ev), dir), nil
}

// Apply carries out a fix. The project comes back when the fix changed it
// (an edit, an override, a profile turned off), also when the edit was
// written but its follow-up failed.
func (d *doctorUI) Apply(ctx context.Context, p *stack.Project, f doctor.Finding, fix doctor.Fix, onLine func(string)) (*stack.Project, string, error) {
	act := fix.Action
	if act.Kind == doctor.ActRestart && d.engine == nil {
		return nil, "", fmt.Errorf("fix %s: the engine is not reachable", fix.ID)
	}
	cli, cliErr := d.compose(ctx)
	if cliErr != nil && (act.Then != doctor.ThenNothing || act.Kind == doctor.ActProfileOff) {
		// Check before editing, so a fix never stops half-way for want
		// of the CLI.
		return nil, "", fmt.Errorf("fix %s of %s: %w", fix.ID, f.ID, cliErr)
	}
	dir, _ := d.overrideDir(p.Name)
	a := doctor.Applier{Compose: cli, OverrideDir: dir, OnLine: onLine}
	if d.engine != nil {
		a.Engine = d.engine
	}
	res, err := a.Apply(ctx, p, fix)
	var np *stack.Project
	if res.Project != nil && res.Project != p {
		np = res.Project
	}
	done := res.Done
	switch {
	case res.Receipt != nil:
		done += " (u undoes the edit)"
	case res.Override != "":
		done += " (delete " + res.Override + " to undo)"
	}
	return np, done, err
}

// Undo restores the files of the last fix applied to the project and
// loads it again. The running containers keep the fixed settings until the
// service is recreated.
func (d *doctorUI) Undo(ctx context.Context, p *stack.Project) (*stack.Project, string, error) {
	rec, err := edit.Undo(p.Name)
	if err != nil {
		return nil, "", err
	}
	np, err := p.Reload(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("undid %q, but the project does not load again: %w", rec.Title, err)
	}
	return np, "undone: " + rec.Title + "; recreate the service (R) for it to take effect", nil
}
