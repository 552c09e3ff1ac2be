package backend

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
)

// CheckOptions tune the post-fix check.
type CheckOptions struct {
	// Window is how long the service must keep running; 0 means 30s.
	Window time.Duration
	// Progress gets each state seen and the time watched so far.
	Progress func(c stack.Container, watched time.Duration)
	// LogTail is how many log lines the new diagnosis reads, should the
	// service fail again; 0: the doctor's default.
	LogTail int
	// Usage is what the TUI's sampler measured, for the new diagnosis
	// (see ExamineOptions.Usage).
	Usage resources.Snapshot
}

// Verify watches service of p after a fix recreated or restarted it: does
// it stay up, exit 0 (a one-shot job), or fail again (with the doctor's
// new finding about it)? `stackui fix` runs it through Apply; the TUI
// calls it on its own, off its UI goroutine.
func (b *Backend) Verify(ctx context.Context, p *stack.Project, service string, o CheckOptions) (doctor.Outcome, error) {
	if p == nil {
		return doctor.Outcome{}, errors.New("check: no compose project loaded")
	}
	eng, err := b.answering(ctx)
	if eng == nil {
		return doctor.Outcome{}, fmt.Errorf("check %s: the engine does not answer: %w", service, err)
	}
	g := doctor.Options{LogTail: o.LogTail}
	if cli, err := b.Compose(ctx); err == nil {
		g.ComposeCLI = cli.String()
	}
	g.AddUsage(p.Name, o.Usage)
	return doctor.Verify(ctx, doctor.VerifyOptions{
		Project: p, Source: doctor.DockerSource{Client: eng}, Service: service,
		Window: o.Window, Progress: o.Progress, Gather: g,
	})
}
