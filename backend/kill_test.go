package backend

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/stacktest"
	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

const stubbornCompose = `services:
  stubborn:
    image: stackui-demo/workload:latest
    command: ["--ignore-sigterm", "--log-rate", "2"]
    stop_grace_period: 1s
  outside:
    image: stackui-demo/workload:latest
    command: ["--ignore-sigterm", "--log-rate", "2"]
    stop_grace_period: 1s
`

// A stop that outlasts its grace period is sigkill on either engine when
// stackui ran it: Docker's events show it (kill 15, kill 9, stop), and
// stackui's record of its own stop shows it on Podman, whose events do
// not (die, cleanup). The same stop run by the compose CLI outside
// stackui is sigkill on Docker; on Podman it is sigkill when a stop event
// came, and otherwise the honest "killed": no OOM kill and no stop reported.
func TestStopOutlastingGraceOnEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p, _, name := stacktest.StartProject(t, ctx, stubbornCompose)
	stacktest.WaitContainer(t, ctx, name, "stubborn", "running", stacktest.RunningClean)
	stacktest.WaitContainer(t, ctx, name, "outside", "running", stacktest.RunningClean)
	b := New(Options{})
	defer b.Close()
	if err := b.Ops(func() *stack.Project { return p }, nil).Stop(ctx, "stubborn", nil); err != nil {
		t.Fatal(err)
	}
	cli, err := stack.DetectCompose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.Stop(ctx, p, nil, []string{"outside"}, nil); err != nil {
		t.Fatal(err)
	}
	stacktest.WaitContainer(t, ctx, name, "outside", "stopped", stacktest.Exited)
	x, err := b.Examine(ctx, p, ExamineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("engine %s", x.Evidence.Engine.Name())
	for _, f := range x.Findings {
		t.Logf("%s: %s\n  %s", f.ID, f.Summary, strings.Join(f.Evidence, "\n  "))
	}
	byID := map[string]doctor.Finding{}
	for _, f := range x.Findings {
		byID[f.ID] = f
	}
	st, ok := byID["stubborn/sigkill"]
	if !ok || !strings.Contains(st.Summary, "did not stop within its 1s stop grace period") ||
		!slices.ContainsFunc(st.Evidence, func(l string) bool { return strings.HasPrefix(l, "stackui ran stop from ") }) {
		t.Errorf("stubborn: %+v; want sigkill with stackui's stop as evidence", st)
	}
	if x.Evidence.Engine.Engine != testenv.EngineKind() {
		t.Fatalf("engine %q, want %s", x.Evidence.Engine.Engine, testenv.EngineKind())
	}
	// Docker reports the compose CLI's stop (kill 15, kill 9, stop), so
	// the finding is sigkill. Podman's events for the same stop were die
	// and cleanup only in some runs, and held a stop event in others (CI):
	// with the stop event the finding must be sigkill, citing it; without
	// it, the honest killed, since nothing tells the stop from an OOM kill.
	if f, ok := byID["outside/sigkill"]; ok {
		if testenv.OnPodman() && !slices.ContainsFunc(f.Evidence, func(l string) bool { return strings.HasPrefix(l, "event: stop") || strings.HasPrefix(l, "event: kill") }) {
			t.Errorf("outside: sigkill on Podman without a stop or kill event as evidence: %+v", f)
		}
	} else if f, ok := byID["outside/killed"]; ok && testenv.OnPodman() {
		t.Log("Podman reported no stop event for the compose CLI's stop: the finding is killed")
		if !strings.Contains(f.Summary, "the engine reports no OOM kill and no stop") {
			t.Errorf("outside: %q", f.Summary)
		}
	} else {
		t.Errorf("outside: findings %v, want outside/sigkill (or, on Podman without a stop event, outside/killed)", findingIDs(x.Findings))
	}
}

const slowOOMCompose = `services:
  hog:
    image: stackui-demo/workload:latest
    command: ["--alloc", "512M", "--alloc-step", "4M", "--alloc-every", "500ms"]
    mem_limit: 32m
    memswap_limit: 32m
`

// With the sampler watching (as in the TUI) an OOM kill is oom on either
// engine, from the memory cgroup, whatever the engine says (Podman:
// OOMKilled false, no oom event).
func TestWatchedOOMOnEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	testenv.Engine(t)
	// The engine's description first: Podman's takes seconds, and the
	// sampler must be watching before the hog reaches its limit.
	eng, err := docker.Connect(ctx, docker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	info, err := eng.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !resources.LocalEngine(info, "linux") {
		t.Fatalf("the test engine is not local: %+v", info)
	}
	p, _, name := stacktest.StartProject(t, ctx, slowOOMCompose)
	s := resources.NewSampler(resources.Options{Local: true, MemTotal: info.MemTotal})
	sctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(sctx) })
	defer func() { stop(); wg.Wait() }()
	cs, err := eng.ProjectContainers(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	s.Update(stack.SnapshotOf(p, stack.EngineStatus{Reachable: true}, cs))
	stacktest.WaitContainer(t, ctx, name, "hog", "its exit", stacktest.Exited)

	b := New(Options{})
	defer b.Close()
	fs, err := b.Doctor().WithUsage(s).Diagnose(ctx, stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: true}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range s.Snapshot().Containers {
		t.Logf("sampler: %s source %s err %q oom %+v", c.Name, c.Source, c.Err, c.OOM)
	}
	if len(fs) != 1 || fs[0].ID != "hog/oom" {
		t.Fatalf("findings %v; want hog/oom", findingIDs(fs))
	}
	t.Logf("engine %s: %s\n  %s", info.Name(), fs[0].Summary, strings.Join(fs[0].Evidence, "\n  "))
	if !slices.ContainsFunc(fs[0].Evidence, func(l string) bool {
		return strings.HasPrefix(l, "memory cgroup (eventfd)") || strings.HasPrefix(l, "memory cgroup (inotify)")
	}) {
		t.Errorf("no cgroup evidence: %q", fs[0].Evidence)
	}
}

// stop and restart pass the grace period explicitly: Podman's compatible
// API gives containers a stop timeout of 0, which kills at once.
func TestStopTimeout(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(stubbornCompose+"  plain:\n    image: stackui-demo/workload:latest\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := stack.Load(context.Background(), stack.LoadOptions{Files: []string{file}, ProjectName: "p", WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := stopTimeout(p, "stubborn"); got != "1" {
		t.Errorf("stubborn: %q, want its 1s", got)
	}
	if got := stopTimeout(p, "plain"); got != "10" {
		t.Errorf("plain: %q, want Docker's default 10", got)
	}
}
