package backend

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
	"github.com/stackui/stackui/stack/edit"
)

// doctorTimeout bounds gathering the evidence: inspect, logs, events.
const doctorTimeout = 30 * time.Second

// ExamineOptions tune one examination.
type ExamineOptions struct {
	// ComposeErr is the compose call that just failed (the TUI's), if any:
	// its output is evidence.
	ComposeErr error
	// EngineDown says the caller already knows the engine does not answer
	// (the TUI's live state), so it is not asked at all.
	EngineDown bool
	// LogTail is how many log lines per troubled service are read; 0: the
	// doctor's default.
	LogTail int
	// Usage is what the TUI's sampler measured (each container's last
	// five minutes, kept after it died): the OOM rule sizes its raise
	// from the peak and the growth before the kill. The CLI has no
	// history and leaves it empty; the fix journal then says whether a
	// raise was tried before.
	Usage resources.Snapshot
}

// Examination is one run of the doctor over a project.
type Examination struct {
	Project  *stack.Project
	Evidence doctor.Evidence
	// Findings have their fixes planned (diffs set) against the files.
	Findings []doctor.Finding
	// EngineErr says why the engine gave no evidence; nil when it answered.
	// Findings from the model alone may still be listed, but "none" then
	// does not mean healthy.
	EngineErr error
}

// Examine gathers the evidence about p, diagnoses it and plans the fixes:
// `stackui doctor`, `stackui fix` and the TUI's doctor tab all run this.
// An engine that does not answer is not asked further: the model and the
// compose failure are then the only evidence, and the gaps say so.
func (b *Backend) Examine(ctx context.Context, p *stack.Project, o ExamineOptions) (Examination, error) {
	if p == nil {
		return Examination{}, errors.New("examine: no compose project loaded")
	}
	b.StartCompose()
	opts := doctor.Options{Project: p, ComposeErr: o.ComposeErr, LogTail: o.LogTail}
	opts.AddUsage(p.Name, o.Usage)
	engErr := errEngineDown
	if !o.EngineDown {
		var eng *docker.Client
		if eng, engErr = b.answering(ctx); eng != nil {
			opts.Source = doctor.DockerSource{Client: eng}
		}
	}
	if cli, err := b.Compose(ctx); err == nil {
		opts.ComposeCLI = cli.String()
	}
	gctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	ev := doctor.Gather(gctx, opts)
	if err := ctx.Err(); err != nil {
		return Examination{}, fmt.Errorf("examine %s: %w", p.Name, err)
	}
	// Without an override folder the no-GPU fix cannot be planned, and
	// PlanFixes says so in its finding; the other fixes still are.
	dir, _ := b.overrideDir(p.Name)
	return Examination{Project: p, Evidence: ev, Findings: doctor.PlanFixes(p, doctor.Diagnose(ev), dir), EngineErr: engErr}, nil
}

// errEngineDown is why there is no engine evidence when the caller said
// the engine is down.
var errEngineDown = errors.New("the engine does not answer")

// answering is the engine client when the engine answers a ping within
// engineTimeout, else nil and why: gathering from an engine that is down
// would only wait out every check's timeout.
func (b *Backend) answering(ctx context.Context) (*docker.Client, error) {
	eng, err := b.Engine()
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, engineTimeout)
	defer cancel()
	if err := eng.Ping(pctx); err != nil {
		return nil, fmt.Errorf("ping the engine: %w", err)
	}
	return eng, nil
}

// ApplyOptions tune applying one fix.
type ApplyOptions struct {
	// OnLine gets the compose CLI's output; nil discards it.
	OnLine func(string)
	// Force edits a compose file whose mode forbids writing; without it
	// such a file is refused (edit.ReadOnlyError).
	Force bool
	// Wait asks for the post-fix check: after a fix that recreated or
	// restarted its service, watch the service (Verify) and say whether
	// it stays up. False skips it, as the TUI does, which checks on its
	// own without blocking.
	Wait bool
	// Check tunes the post-fix check (its window: 0 means 30s).
	Check CheckOptions
}

// Applied is what applying a fix did, and what the post-fix check found.
type Applied struct {
	doctor.Result
	// Outcome is the post-fix check's verdict; nil when none ran (not
	// asked for, or the fix recreates nothing).
	Outcome *doctor.Outcome
}

// Apply carries out one fix of finding f on p: the file edit or override,
// then its follow-up (recreate, build, pull) through the compose CLI, or a
// restart through the engine. `stackui fix` and the TUI both apply fixes
// through it. When an edit was written but its follow-up failed, the
// Result still holds the Receipt (or Override) and the reloaded project.
func (b *Backend) Apply(ctx context.Context, p *stack.Project, f doctor.Finding, fix doctor.Fix, o ApplyOptions) (Applied, error) {
	act := fix.Action
	eng, engErr := b.Engine()
	if act.Kind == doctor.ActRestart && engErr != nil {
		return Applied{}, fmt.Errorf("fix %s: the engine is not reachable: %w", fix.ID, engErr)
	}
	cli, cliErr := b.Compose(ctx)
	if cliErr != nil && (act.Then != doctor.ThenNothing || act.Kind == doctor.ActProfileOff) {
		// Check before editing, so a fix never stops half-way for want
		// of the CLI.
		return Applied{}, fmt.Errorf("fix %s of %s: %w", fix.ID, f.ID, cliErr)
	}
	dir, _ := b.overrideDir(p.Name)
	a := doctor.Applier{Compose: cli, OverrideDir: dir, OnLine: o.OnLine, Force: o.Force}
	if eng != nil {
		a.Engine = eng
	}
	res, err := a.Apply(ctx, p, fix)
	if res.Project != nil && res.Project != p {
		// The files changed: drift is against what they say now.
		res.Project = b.WithConfigHashes(ctx, res.Project)
	}
	out := Applied{Result: res}
	if err != nil {
		return out, err
	}
	if !o.Wait || !act.Recreates() {
		return out, nil
	}
	np := cmp.Or(res.Project, p)
	oc, err := b.Verify(ctx, np, act.Service, o.Check)
	if err != nil {
		return out, fmt.Errorf("%s, but checking it afterwards failed: %w", res.Done, err)
	}
	out.Outcome = &oc
	return out, nil
}

// Undo reverts the file edit of the last fix applied to p's project and
// loads the project again. The running containers keep the fixed settings
// until the service is recreated.
func (b *Backend) Undo(ctx context.Context, p *stack.Project, o edit.Options) (*stack.Project, edit.Receipt, error) {
	rec, err := edit.Undo(p.Name, o)
	if err != nil {
		return nil, rec, err
	}
	np, err := p.Reload(ctx)
	if err != nil {
		return nil, rec, fmt.Errorf("undid %q, but the project does not load again: %w", rec.Title, err)
	}
	return b.WithConfigHashes(ctx, np), rec, nil
}
