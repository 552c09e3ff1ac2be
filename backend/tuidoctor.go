package backend

import (
	"context"
	"time"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/edit"
)

// Doctor is the TUI's doctor (ui.Doctor): the backend's Examine, Apply
// and Undo, with the TUI's wording of what was done.
type Doctor struct {
	b *Backend
	// logTail is how many log lines per troubled service are read.
	logTail int
	// usage is the TUI's sampler (Usage), whose history makes the OOM
	// fix sized from what was measured; nil: none.
	usage UsageSource
	// checkWindow is how long Verify watches; 0: 30s (shorter in tests).
	checkWindow time.Duration
}

// UsageSource is what the doctor reads from the sampler; *Usage has it.
type UsageSource interface {
	Snapshot() resources.Snapshot
}

// Doctor is the adapter the TUI's doctor tab drives.
func (b *Backend) Doctor() *Doctor { return &Doctor{b: b} }

// WithUsage has the doctor read the TUI's sampler: its five minutes of
// history per container size the OOM fix from the peak and the growth
// before the kill. A nil u (no sampler) leaves it without.
func (d *Doctor) WithUsage(u UsageSource) *Doctor {
	if uu, ok := u.(*Usage); u == nil || ok && uu == nil {
		return d
	}
	d.usage = u
	return d
}

// measured is the sampler's latest snapshot, or none.
func (d *Doctor) measured() resources.Snapshot {
	if d.usage == nil {
		return resources.Snapshot{}
	}
	return d.usage.Snapshot()
}

// Diagnose examines the snapshot's project. An engine the snapshot says is
// unreachable is not asked.
func (d *Doctor) Diagnose(ctx context.Context, snap stack.Snapshot, composeErr error) ([]doctor.Finding, error) {
	x, err := d.b.Examine(ctx, snap.Project, ExamineOptions{ComposeErr: composeErr, EngineDown: !snap.Engine.Reachable,
		LogTail: d.logTail, Usage: d.measured()})
	return x.Findings, err
}

// Apply carries out a fix. The project comes back when the fix changed it
// (an edit, an override, a profile turned off), also when the edit was
// written but its follow-up failed.
func (d *Doctor) Apply(ctx context.Context, p *stack.Project, f doctor.Finding, fix doctor.Fix, onLine func(string)) (*stack.Project, string, error) {
	res, err := d.b.Apply(ctx, p, f, fix, ApplyOptions{OnLine: onLine})
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

// Verify watches a service a fix just recreated or restarted, for 30s
// (ui.Verifier): the outcome in one line, whether the finding is gone
// (it stays up or exited 0), and the new finding if it failed again.
func (d *Doctor) Verify(ctx context.Context, p *stack.Project, service string) (string, bool, *doctor.Finding, error) {
	oc, err := d.b.Verify(ctx, p, service, CheckOptions{Window: d.checkWindow, LogTail: d.logTail, Usage: d.measured()})
	if err != nil {
		return "", false, nil, err
	}
	return oc.String(), oc.Kind == doctor.StaysUp || oc.Kind == doctor.ExitedOK, oc.Finding, nil
}

// Undo restores the files of the last fix applied to the project and
// loads it again.
func (d *Doctor) Undo(ctx context.Context, p *stack.Project) (*stack.Project, string, error) {
	np, rec, err := d.b.Undo(ctx, p, edit.Options{})
	if err != nil {
		return nil, "", err
	}
	return np, "undone: " + rec.Title + "; recreate the service (R) for it to take effect", nil
}

// LastFix names the last fix applied to p's project whose file edit can
// still be undone, so the TUI can say "nothing to undo" before u is pressed.
func (d *Doctor) LastFix(_ context.Context, p *stack.Project) (string, bool, error) {
	rec, ok, err := edit.LastReceipt(p.Name)
	if err != nil || !ok {
		return "", false, err
	}
	return rec.Title, true, nil
}
