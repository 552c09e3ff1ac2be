package doctor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackui/stackui/stack"
)

// OutcomeKind is how a service fared after a fix.
type OutcomeKind string

const (
	// StaysUp: it ran the whole window (and was healthy at its end, if it
	// has a healthcheck).
	StaysUp OutcomeKind = "stays-up"
	// ExitedOK: it finished with exit code 0, as a one-shot job does.
	ExitedOK OutcomeKind = "exited-0"
	// FailedAgain: it died, restarted or turned unhealthy; Finding says why.
	FailedAgain OutcomeKind = "failed-again"
	// Unsettled: the window ended while its healthcheck was still starting.
	Unsettled OutcomeKind = "unsettled"
)

// Outcome is what watching a service after a fix found.
type Outcome struct {
	Service string        `json:"service"`
	Kind    OutcomeKind   `json:"kind"`
	Watched time.Duration `json:"watched"`
	// Container is the last state seen.
	Container stack.Container `json:"container"`
	// Finding is the new diagnosis when it failed again; nil when the
	// rules name no cause.
	Finding *Finding `json:"finding,omitempty"`
}

// String says the outcome in one line.
func (o Outcome) String() string {
	w := o.Watched.Round(time.Second)
	switch o.Kind {
	case StaysUp:
		if o.Container.Health == "healthy" {
			return fmt.Sprintf("%s stays up: running and healthy for %s", o.Service, w)
		}
		return fmt.Sprintf("%s stays up: running for %s", o.Service, w)
	case ExitedOK:
		return fmt.Sprintf("%s finished with exit code 0", o.Service)
	case FailedAgain:
		if o.Finding != nil {
			return fmt.Sprintf("%s failed again (%s): %s", o.Service, o.Finding.Kind, o.Finding.Summary)
		}
		return fmt.Sprintf("%s failed again: %s", o.Service, describeState(o.Container))
	case Unsettled:
		return fmt.Sprintf("%s runs, but its healthcheck was still starting after %s", o.Service, w)
	}
	return fmt.Sprintf("%s: %s", o.Service, o.Kind)
}

func describeState(c stack.Container) string {
	switch {
	case c.ID == "":
		return "it has no container"
	case c.State == stack.StateRunning && c.Health == "unhealthy":
		return "it runs, but is unhealthy"
	case c.State == stack.StateRunning:
		return fmt.Sprintf("it was restarted %d times", c.RestartCount)
	}
	return fmt.Sprintf("%s with exit code %d", c.State, c.ExitCode)
}

// Recreates says whether carrying out the action recreates or restarts
// its service, so that watching the service afterwards (Verify) says
// whether the fix helped. Profile-off removes the containers instead, and
// an edit without a follow-up leaves them as they were.
func (a Action) Recreates() bool { return a.Kind == ActRestart || a.Then != ThenNothing }

// VerifyOptions say what to watch after a fix.
type VerifyOptions struct {
	// Project is the project after the fix (Result.Project).
	Project *stack.Project
	Source  Source
	Service string
	// Window is how long the service must keep running; 0 means 30s.
	Window time.Duration
	// Poll is how often the engine is asked; 0 means 500ms.
	Poll time.Duration
	// Progress, if set, gets each state seen and the time watched so far.
	Progress func(c stack.Container, watched time.Duration)
	// Gather is used for the new diagnosis (ComposeCLI, LogTail, Logf,
	// measurements); its Project and Source are set from these options.
	Gather Options
}

// Verify watches a service that a fix just recreated, through the engine,
// until it has run for the whole window, exited 0, or failed again (then
// it gathers and diagnoses the service). A container that ends up running
// but started before the watch is the one the fix made. It returns early
// with ctx's error when ctx ends.
func Verify(ctx context.Context, o VerifyOptions) (Outcome, error) {
	if o.Project == nil || o.Source == nil {
		return Outcome{}, errors.New("verify: no project or no engine")
	}
	if _, ok := o.Project.Service(o.Service); !ok {
		return Outcome{}, fmt.Errorf("verify: the project has no service %q", o.Service)
	}
	window, poll := o.Window, o.Poll
	if window <= 0 {
		window = 30 * time.Second
	}
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	out := Outcome{Service: o.Service}
	start := time.Now()
	tick := time.NewTicker(poll)
	defer tick.Stop()
	var first *stack.Container
	for {
		cs, err := o.Source.ProjectContainers(ctx, o.Project.Name)
		if err != nil {
			return out, fmt.Errorf("verify %s: %w", o.Service, err)
		}
		var mine []stack.Container
		for _, c := range cs {
			if c.Service == o.Service {
				mine = append(mine, c)
			}
		}
		out.Watched = time.Since(start)
		c := latest(mine)
		if c != nil {
			out.Container = *c
			if first == nil {
				first = c
			}
			if o.Progress != nil {
				o.Progress(*c, out.Watched)
			}
		}
		switch k := judge(c, first, out.Watched >= window, out.Watched >= 2*window); k {
		case FailedAgain:
			out.Kind = k
			out.Finding = rediagnose(ctx, o)
			return out, nil
		case "":
		default:
			out.Kind = k
			return out, nil
		}
		select {
		case <-ctx.Done():
			return out, fmt.Errorf("verify %s: %w", o.Service, ctx.Err())
		case <-tick.C:
		}
	}
}

// judge decides from one look at the service's latest container; "" means
// keep watching. A healthcheck still starting at the end of the window
// gets one more window.
func judge(c, first *stack.Container, windowDone, graceDone bool) OutcomeKind {
	switch {
	case c == nil:
		if windowDone {
			return FailedAgain
		}
		return ""
	case c.State == stack.StateExited || c.State == stack.StateDead:
		if c.ExitCode == 0 && c.RestartCount == 0 {
			return ExitedOK
		}
		return FailedAgain
	case c.ID != first.ID && first.State == stack.StateRunning, c.RestartCount > 0,
		c.State == stack.StateRestarting, c.Health == "unhealthy":
		return FailedAgain
	case !windowDone || c.State != stack.StateRunning:
		return ""
	case c.Health == "starting":
		if graceDone {
			return Unsettled
		}
		return ""
	}
	return StaysUp
}

// rediagnose gathers and diagnoses the project and returns the service's
// finding, if any.
func rediagnose(ctx context.Context, o VerifyOptions) *Finding {
	g := o.Gather
	g.Project, g.Source = o.Project, o.Source
	for _, f := range Diagnose(Gather(ctx, g)) {
		if f.Service == o.Service {
			return &f
		}
	}
	return nil
}
