// Package stacktest is what the integration tests of the backend and the
// commands share on top of internal/testenv: a compose project started on
// the real engine whose service gets OOM-killed, and waiting for a
// container of a project to reach a state. It imports stack, so stack's
// own tests cannot use it (testenv is for them).
package stacktest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// OOMCompose is the OOM project's compose file: hog is OOM-killed at its
// 32m limit, done exits 0. The comment shows that fixes keep comments.
const OOMCompose = `services:
  hog: # grows to 40M
    image: stackui-demo/workload:latest
    command: ["--alloc", "40M", "--alloc-step", "8M", "--alloc-every", "20ms"]
    mem_limit: 32m
  done:
    image: stackui-demo/workload:latest
    command: ["--exit-code", "0"]
`

// StartOOMProject writes OOMCompose and starts it with the compose CLI on
// the real engine, under a unique name, removed after the test. State and
// config folders (fix journal, overrides) are the test's own.
func StartOOMProject(t *testing.T, ctx context.Context) (p *stack.Project, file, name string) {
	t.Helper()
	return StartProject(t, ctx, OOMCompose)
}

// StartProject writes compose (its services run the demo workload image)
// and starts it as StartOOMProject does.
func StartProject(t *testing.T, ctx context.Context, compose string) (p *stack.Project, file, name string) {
	t.Helper()
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	file = filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	name = testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, name) })
	p, err := stack.Load(ctx, stack.LoadOptions{Files: []string{file}, ProjectName: name, WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := stack.DetectCompose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.Up(ctx, p, stack.UpOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	return p, file, name
}

// OOMKilled is true of an exited, OOM-killed container.
//
// Docker 20.10 sometimes lets the exit win the race with the kernel's OOM
// event and leaves OOMKilled false with exit 137; the oom event is still
// in the engine's log, which the doctor reads. So an exit 137 counts here,
// and the tests then assert the doctor's finding.
func OOMKilled(c stack.Container) bool {
	return c.State == stack.StateExited && (c.OOMKilled || c.ExitCode == 137)
}

// Exited is true of an exited container.
func Exited(c stack.Container) bool { return c.State == stack.StateExited }

// RunningClean is true of a running container that was not restarted.
func RunningClean(c stack.Container) bool {
	return c.State == stack.StateRunning && c.RestartCount == 0
}

// WaitContainer polls the project's containers until one of service is
// as cond wants, or fails the test naming what and the last containers.
// The 90s bound a hang; they assert nothing about speed.
func WaitContainer(t *testing.T, ctx context.Context, project, service, what string, cond func(stack.Container) bool) {
	t.Helper()
	eng, err := docker.Connect(ctx, docker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var last []stack.Container
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if last, err = eng.ProjectContainers(ctx, project); err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(last, func(c stack.Container) bool { return c.Service == service && cond(c) }) {
			return
		}
	}
	t.Fatalf("%s: timed out waiting for %s; containers: %+v", service, what, last)
}
