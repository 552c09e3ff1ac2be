package backend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackui/stackui/probes/doctor"
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
}

// Examination is one run of the doctor over a project.
type Examination struct {
	Project  *stack.Project
	Evidence doctor.Evidence
	// Findings have their fixes planned (diffs set) against the files.
	Findings []doctor.Finding
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
	if !o.EngineDown {
		if eng := b.answering(ctx); eng != nil {
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
	return Examination{Project: p, Evidence: ev, Findings: doctor.PlanFixes(p, doctor.Diagnose(ev), dir)}, nil
}

// answering is the engine client when the engine answers a ping within
// engineTimeout, else nil: gathering from an engine that is down would
// only wait out every check's timeout.
func (b *Backend) answering(ctx context.Context) *docker.Client {
	eng, err := b.Engine()
	if err != nil {
		return nil
	}
	pctx, cancel := context.WithTimeout(ctx, engineTimeout)
	defer cancel()
	if eng.Ping(pctx) != nil {
		return nil
	}
	return eng
}

// ApplyOptions tune applying one fix.
type ApplyOptions struct {
	// OnLine gets the compose CLI's output; nil discards it.
	OnLine func(string)
}

// Applied is what applying a fix did. The post-fix check (watching a
// recreated service for a while: did it stay up, exit 0, fail again?)
// adds its verdict here, next to the fix's result.
type Applied struct {
	doctor.Result
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
	a := doctor.Applier{Compose: cli, OverrideDir: dir, OnLine: o.OnLine}
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
	// The post-fix check goes here, once a fix that recreated or
	// restarted a service has succeeded: watch it (probes/doctor), and
	// set its verdict in out.
	return out, nil
}

// Undo reverts the file edit of the last fix applied to p's project and
// loads the project again. The running containers keep the fixed settings
// until the service is recreated.
func (b *Backend) Undo(ctx context.Context, p *stack.Project) (*stack.Project, edit.Receipt, error) {
	rec, err := edit.Undo(p.Name)
	if err != nil {
		return nil, rec, err
	}
	np, err := p.Reload(ctx)
	if err != nil {
		return nil, rec, fmt.Errorf("undid %q, but the project does not load again: %w", rec.Title, err)
	}
	return b.WithConfigHashes(ctx, np), rec, nil
}
