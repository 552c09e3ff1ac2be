package ui

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"sync"
	"testing"

	"github.com/stackui/stackui/stack"
)

// scripted is what one scripted call does: print lines, wait for gate
// (when set), then return.
type scripted struct {
	lines   []string
	gate    chan struct{}
	err     error
	project *stack.Project
}

// scriptedOps is a scripted Ops that fails the test on any call it was not
// told about (lazygit's fake_cmd_obj_runner).
type scriptedOps struct {
	t      *testing.T
	mu     sync.Mutex
	script map[string]scripted // "up api", "down", "profile train on", "exec c1"
	calls  []string
}

func newScriptedOps(t *testing.T, script map[string]scripted) *scriptedOps {
	return &scriptedOps{t: t, script: script}
}

func (f *scriptedOps) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

func (f *scriptedOps) call(name string, onLine func(string)) (*stack.Project, error) {
	f.mu.Lock()
	f.calls = append(f.calls, name)
	r, ok := f.script[name]
	f.mu.Unlock()
	if !ok {
		f.t.Errorf("unexpected call %q", name)
		return nil, fmt.Errorf("unexpected call %q", name)
	}
	for _, l := range r.lines {
		onLine(l)
	}
	if r.gate != nil {
		<-r.gate
	}
	return r.project, r.err
}

func (f *scriptedOps) svc(verb string) func(context.Context, string, func(string)) error {
	return func(_ context.Context, s string, onLine func(string)) error {
		_, err := f.call(verb+" "+s, onLine)
		return err
	}
}

func (f *scriptedOps) Up(ctx context.Context, s string, l func(string)) error {
	return f.svc("up")(ctx, s, l)
}
func (f *scriptedOps) Stop(ctx context.Context, s string, l func(string)) error {
	return f.svc("stop")(ctx, s, l)
}
func (f *scriptedOps) Start(ctx context.Context, s string, l func(string)) error {
	return f.svc("start")(ctx, s, l)
}
func (f *scriptedOps) Restart(ctx context.Context, s string, l func(string)) error {
	return f.svc("restart")(ctx, s, l)
}
func (f *scriptedOps) Recreate(ctx context.Context, s string, l func(string)) error {
	return f.svc("recreate")(ctx, s, l)
}
func (f *scriptedOps) Build(ctx context.Context, s string, l func(string)) error {
	return f.svc("build")(ctx, s, l)
}
func (f *scriptedOps) Kill(ctx context.Context, s string, l func(string)) error {
	return f.svc("kill")(ctx, s, l)
}
func (f *scriptedOps) Remove(ctx context.Context, s string, l func(string)) error {
	return f.svc("remove")(ctx, s, l)
}
func (f *scriptedOps) UpAll(_ context.Context, l func(string)) error {
	_, err := f.call("up all", l)
	return err
}
func (f *scriptedOps) Down(_ context.Context, l func(string)) error {
	_, err := f.call("down", l)
	return err
}
func (f *scriptedOps) RemoveVolumes(_ context.Context, l func(string)) error {
	_, err := f.call("down -v", l)
	return err
}
func (f *scriptedOps) ProfileOn(_ context.Context, p string, l func(string)) (*stack.Project, error) {
	return f.call("profile "+p+" on", l)
}
func (f *scriptedOps) ProfileOff(_ context.Context, p string, l func(string)) (*stack.Project, error) {
	return f.call("profile "+p+" off", l)
}
func (f *scriptedOps) ExecCmd(id string) (*exec.Cmd, error) {
	_, err := f.call("exec "+id, nil)
	if err != nil {
		return nil, err
	}
	return exec.Command("docker", "exec", "-it", id, "sh"), nil
}
