// Package backend is what one stackui process shares between its commands
// and its TUI: one engine connection, one compose CLI detection, project
// loading with the doctor's override files, the doctor's examine / apply /
// undo, and the adapters the TUI asks for (ops, doctor, usage, file
// watching). It never imports the ui package, Bubble Tea or Lip Gloss: the
// adapters satisfy ui's interfaces structurally, so the CLI, the TUI and
// tests drive the same code.
//
// Tests hand the commands a Backend made with scripted Connect and
// DetectCompose functions (gh's Factory idea) instead of pointing
// DOCKER_HOST at a dead socket; what the engine does is still tested on
// the real engine.
package backend

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/stackui/stackui/internal/crash"
	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// Options say how the backend reaches the outside world; each nil field
// means the real thing. Tests script them.
type Options struct {
	// Connect makes the engine client; nil: docker.Connect with what the
	// environment and the docker CLI's configuration say.
	Connect func(ctx context.Context) (*docker.Client, error)
	// DetectCompose finds the compose CLI; nil: stack.DetectCompose.
	DetectCompose func(ctx context.Context) (stack.ComposeCLI, error)
	// OverrideDir is where the doctor's override files go; nil:
	// doctor.OverrideDir.
	OverrideDir func(project string) (string, error)
}

// errClosed answers whatever is asked of a closed backend.
var errClosed = errors.New("stackui backend: closed")

// Backend is made once per process. It is safe for concurrent use: the
// TUI's adapters call it from many commands at once.
type Backend struct {
	connect     func(ctx context.Context) (*docker.Client, error)
	detect      func(ctx context.Context) (stack.ComposeCLI, error)
	overrideDir func(project string) (string, error)

	// ctx ends with Close, stopping a compose detection still running;
	// it outlives every caller's context, so one caller giving up does
	// not leave a failed detection for the others.
	ctx    context.Context
	cancel context.CancelFunc

	engOnce sync.Once
	eng     *docker.Client
	engErr  error

	cliOnce sync.Once
	cliDone chan struct{} // closed when cli and cliErr are set
	cli     stack.ComposeCLI
	cliErr  error

	obsOnce sync.Once
	obs     *prefetch // StartObserve's look at the host and the engine

	projOnce sync.Once
	proj     *projectPrefetch // StartProject's look at the project's containers

	// guard runs the backend's goroutines; the TUI hands their panics to
	// the program, so the terminal is restored before the process ends.
	guard crash.Guard
}

// Guard runs goroutines (the backend's own, the live state's) whose
// panics go where Guard().Handle says.
func (b *Backend) Guard() *crash.Guard { return &b.guard }

// New makes the process's backend. It does no I/O: the engine is
// connected and the compose CLI detected on first use.
func New(opts Options) *Backend {
	if opts.Connect == nil {
		opts.Connect = func(ctx context.Context) (*docker.Client, error) { return docker.Connect(ctx, docker.Options{}) }
	}
	if opts.DetectCompose == nil {
		opts.DetectCompose = stack.DetectCompose
	}
	if opts.OverrideDir == nil {
		opts.OverrideDir = doctor.OverrideDir
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Backend{
		connect: opts.Connect, detect: opts.DetectCompose, overrideDir: opts.OverrideDir,
		ctx: ctx, cancel: cancel, cliDone: make(chan struct{}),
	}
}

// Engine is the process's engine client, made on the first call. Making
// it does not talk to the engine (docker.Connect only reads the
// configuration), so the TUI's first frame never waits on it; an error is
// configuration it cannot use, such as an unknown docker context. An
// engine that is down shows as errors from the client's calls.
func (b *Backend) Engine() (*docker.Client, error) {
	b.engOnce.Do(func() {
		b.eng, b.engErr = b.connect(b.ctx)
		if b.engErr == nil && b.eng == nil {
			b.engErr = errors.New("connect to the engine: no client")
		}
	})
	return b.eng, b.engErr
}

// StartCompose starts detecting the compose CLI in the background, once
// per process, so that commands can overlap it with loading the project
// and asking the engine. Detection execs the CLI (docker-compose v1, a
// Python program, takes ~300 ms to say its version).
func (b *Backend) StartCompose() {
	b.cliOnce.Do(func() {
		b.guard.Go(func() {
			defer close(b.cliDone)
			b.cli, b.cliErr = b.detect(b.ctx)
		})
	})
}

// Compose is the compose CLI, detected once per process; it waits for the
// detection StartCompose began, or begins it.
func (b *Backend) Compose(ctx context.Context) (stack.ComposeCLI, error) {
	b.StartCompose()
	select {
	case <-b.cliDone:
		return b.cli, b.cliErr
	case <-ctx.Done():
		return stack.ComposeCLI{}, fmt.Errorf("detect compose CLI: %w", ctx.Err())
	}
}

// Close stops a detection still running and closes the engine client.
// The backend answers errClosed afterwards.
func (b *Backend) Close() error {
	b.cancel()
	b.cliOnce.Do(func() {
		b.cliErr = errClosed
		close(b.cliDone)
	})
	<-b.cliDone
	b.engOnce.Do(func() { b.engErr = errClosed })
	if b.eng != nil {
		return b.eng.Close()
	}
	return nil
}

// LiveEngine is the engine for stack.Live: the client, or, when the
// configuration is broken, an engine whose every call says why, so the
// services still list and the status line explains.
func (b *Backend) LiveEngine() stack.Engine {
	eng, err := b.Engine()
	if err != nil {
		return unusableEngine{err}
	}
	return eng
}

// LiveOptions are stack.Live's options for this backend's engine: the
// reconnect wait is capped by where the engine is (MaxBackoffFor), so a
// local engine's return shows within a second.
func (b *Backend) LiveOptions() stack.LiveOptions {
	host := ""
	if eng, err := b.Engine(); err == nil {
		host = eng.Host()
	}
	return stack.LiveOptions{MaxBackoff: stack.MaxBackoffFor(host)}
}

// unusableEngine stands in for an engine whose configuration is broken (an
// unknown docker context, a bad DOCKER_HOST): every call says why.
type unusableEngine struct{ err error }

func (u unusableEngine) ProjectContainers(context.Context, string) ([]stack.Container, error) {
	return nil, u.err
}

func (u unusableEngine) InspectContainer(context.Context, string) (stack.Container, error) {
	return stack.Container{}, u.err
}

func (u unusableEngine) ProjectEvents(context.Context, string) (<-chan stack.Event, <-chan error) {
	errs := make(chan error, 1)
	errs <- u.err
	close(errs)
	events := make(chan stack.Event)
	close(events)
	return events, errs
}
