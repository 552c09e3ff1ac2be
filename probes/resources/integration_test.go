package resources

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/probes/gpu"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

const (
	testLimit = 256 << 20
	testAlloc = 48 << 20
)

// liveContainer starts a real container of the demo workload that holds
// 48MiB and keeps a CPU busy writing log lines (to the "none" driver, so
// the engine stores nothing), limited to 256MiB. It returns the engine
// client, the project name and the container as inspected.
func liveContainer(t *testing.T) (*docker.Client, string, stack.Container) {
	t.Helper()
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	if runtime.GOOS != "linux" {
		t.Skip("reads cgroups; the engine's containers run on this host only on Linux")
	}
	eng, err := docker.Connect(context.Background(), docker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	project := testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, project) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id, err := testenv.StartService(ctx, api, project, "busy", &container.HostConfig{
		LogConfig: container.LogConfig{Type: "none"},
		Resources: container.Resources{Memory: testLimit},
	}, "--alloc", "48M", "--log-rate", "0", "--log-size", "10")
	if err != nil {
		t.Fatal(err)
	}
	c, err := eng.InspectContainer(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != stack.StateRunning || c.Pid <= 0 {
		t.Fatalf("container not running: %+v", c)
	}
	return eng, project, c
}

// realCgroup resolves the container's cgroup on this host and waits until
// it holds its allocation.
func realCgroup(t *testing.T, c stack.Container) (cgroupFiles, *reader) {
	t.Helper()
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	f, err := resolveCgroup("/proc", parseMountinfo(mi), c.Pid, c.ID)
	if err != nil {
		t.Fatalf("a local engine's container: %v", err)
	}
	r := &reader{}
	deadline := time.Now().Add(30 * time.Second)
	for {
		cur, err := r.counters(f, time.Now)
		if err != nil {
			t.Fatal(err)
		}
		if cur.MemUsage-min(cur.MemUsage, cur.MemInactive) >= testAlloc {
			return f, r
		}
		if time.Now().After(deadline) {
			t.Fatalf("allocation not held after 30s: %+v", cur)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A GPU process's host PID leads to its container through
// /proc/PID/cgroup; the container's main process stands in for one here.
func TestPIDToContainerOnRealEngine(t *testing.T) {
	_, _, c := liveContainer(t)
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(c.Pid), "cgroup"))
	if err != nil {
		t.Fatal(err)
	}
	ids := gpu.ContainerIDs(string(b))
	if len(ids) == 0 || ids[len(ids)-1] != c.ID {
		t.Fatalf("IDs %v in %q, want %s", ids, b, c.ID)
	}
	other := strings.Repeat("f", 64)
	if got := gpu.ContainerOf("/proc", c.Pid, map[string]bool{other: true, c.ID: true}); got != c.ID {
		t.Errorf("ContainerOf = %q, want %s", got, c.ID)
	}
	if got := gpu.ContainerOf("/proc", c.Pid, map[string]bool{other: true}); got != "" {
		t.Errorf("another project's container matched: %q", got)
	}
	if got := gpu.ContainerOf("/proc", os.Getpid(), map[string]bool{c.ID: true}); got != "" {
		t.Errorf("the test process matched %q", got)
	}
	mem, _ := gpu.MemByContainer("/proc", []gpu.App{{PID: c.Pid, UsedMem: ptr(uint64(512 << 20))}}, map[string]bool{c.ID: true})
	if mem[c.ID] != 512<<20 {
		t.Errorf("GPU memory by container %v", mem)
	}
}

// The cgroup reader and the Engine API read the same counters: the
// engine's CPU total falls between two cgroup reads around it, and memory
// and CPU % agree within sampling noise.
func TestCgroupAgreesWithEngine(t *testing.T) {
	eng, _, c := liveContainer(t)
	f, r := realCgroup(t, c)
	before, err := r.counters(f, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var st stack.Stats
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := eng.Stats(ctx, c.ID, false, func(s stack.Stats) error { st = s; return nil }); err != nil {
		t.Fatal(err)
	}
	after, err := r.counters(f, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if st.CPUTotal < before.CPUNanos || st.CPUTotal > after.CPUNanos {
		t.Errorf("engine CPU total %d outside the cgroup reads around it [%d, %d]", st.CPUTotal, before.CPUNanos, after.CPUNanos)
	}
	if st.MemLimit != testLimit || after.MemLimit != testLimit {
		t.Errorf("limit: engine %d, cgroup %d, want %d", st.MemLimit, after.MemLimit, testLimit)
	}
	cg := SampleBetween(before, after, 0)
	es, ok := FromStats(st)
	if !ok {
		t.Fatalf("engine sample without a previous one: %+v", st)
	}
	t.Logf("cgroup: CPU %.1f%% mem %d; engine: CPU %.1f%% mem %d", cg.CPUPercent, cg.MemUsed, es.CPUPercent, es.MemUsed)
	if d := absDiff(cg.MemUsed, es.MemUsed); d > 8<<20 {
		t.Errorf("memory: cgroup %d, engine %d, %d apart", cg.MemUsed, es.MemUsed, d)
	}
	if cg.MemUsed < testAlloc {
		t.Errorf("memory %d below the %d held", cg.MemUsed, testAlloc)
	}
	// The engine's window is about a second inside the cgroup's; a busy
	// loop that shares two CPUs with the engine is steady only roughly.
	switch {
	case testenv.OnPodman():
		// Podman's own percentage strayed from the cgroup's both ways
		// on a loaded machine (25% against 56% in one CI run, 84%
		// against 45-55% in another, 5.2% against 2.2% in a third, the
		// loop barely scheduled), for reasons not pinned down. The
		// CPU total above is bracketed by the cgroup reads on both
		// engines; a local stackui reads the cgroup, not this figure.
		t.Logf("Podman: percentages not compared; cgroup %.1f%%, engine %.1f%%", cg.CPUPercent, es.CPUPercent)
	case cg.CPUPercent < 5 || es.CPUPercent < 5:
		t.Errorf("CPU: cgroup %.1f%%, engine %.1f%%: the busy loop is not seen", cg.CPUPercent, es.CPUPercent)
	case math.Abs(cg.CPUPercent-es.CPUPercent) > max(20, 0.4*cg.CPUPercent):
		t.Errorf("CPU: cgroup %.1f%%, engine %.1f%%", cg.CPUPercent, es.CPUPercent)
	}
	if after.Pids == 0 || st.Pids == 0 {
		t.Errorf("pids: cgroup %d, engine %d", after.Pids, st.Pids)
	}
	// Podman's network figures are its own count, not the container's
	// /proc/PID/net/dev (a CI run: 176 bytes from Podman, 90 read after
	// it); a local stackui reads the latter.
	switch {
	case testenv.OnPodman():
		t.Logf("Podman: network received not compared; /proc %d, engine %d", after.NetRx, st.NetRx)
	case after.NetRx < st.NetRx:
		t.Errorf("network received: cgroup %d after the engine's %d", after.NetRx, st.NetRx)
	}
}

// The Sampler on the real engine, both ways: cgroups when local, an Engine
// API stream when told not to read them; the two agree, and stopping the
// container stops the measuring.
func TestSamplerOnRealEngine(t *testing.T) {
	eng, project, c := liveContainer(t)
	realCgroup(t, c)
	info, err := eng.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !LocalEngine(info, runtime.GOOS) {
		t.Fatalf("the test engine is not local: %+v", info)
	}
	p := &stack.Project{Name: project, Services: []stack.Service{{Name: "busy", Enabled: true}}}
	list := func() stack.Snapshot {
		cs, err := eng.ProjectContainers(context.Background(), project)
		if err != nil {
			t.Fatal(err)
		}
		return stack.SnapshotOf(p, stack.EngineStatus{Reachable: true}, cs)
	}
	measure := func(opts Options, visible bool) ContainerUsage {
		s := NewSampler(opts)
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { s.Run(ctx) })
		defer func() { cancel(); wg.Wait() }()
		s.Update(list())
		if visible {
			s.SetVisible(c.ID)
		}
		snap := waitFor(t, s, 30*time.Second, func(sn Snapshot) bool {
			cu, _ := sn.Container(c.ID)
			return len(cu.History) >= 2
		})
		cu, _ := snap.Container(c.ID)
		return cu
	}
	local := measure(Options{Local: true, MemTotal: info.MemTotal}, false)
	remote := measure(Options{Engine: eng, MemTotal: info.MemTotal}, true)
	t.Logf("cgroup: %+v\nengine: %+v", local.Latest, remote.Latest)
	if local.Source != SourceCgroup || remote.Source != SourceEngine {
		t.Errorf("sources %q and %q", local.Source, remote.Source)
	}
	for _, cu := range []ContainerUsage{local, remote} {
		if cu.Latest.MemLimit != testLimit || cu.Latest.MemUsed < testAlloc || cu.Latest.CPUPercent < 5 || cu.Service != "busy" {
			t.Errorf("%s: %+v", cu.Source, cu.Latest)
		}
	}
	if d := absDiff(local.Latest.MemUsed, remote.Latest.MemUsed); d > 8<<20 {
		t.Errorf("memory: cgroup %d, engine %d", local.Latest.MemUsed, remote.Latest.MemUsed)
	}

	// A stopped container is no longer measured.
	s := NewSampler(Options{Local: true, MemTotal: info.MemTotal})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()
	s.Update(list())
	waitFor(t, s, 30*time.Second, func(sn Snapshot) bool {
		cu, _ := sn.Container(c.ID)
		return len(cu.History) >= 1
	})
	if err := eng.Kill(context.Background(), c.ID, "KILL"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		snap := list()
		if st, _ := snap.Service("busy"); st.Running == 0 {
			s.Update(snap)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("container still running after kill")
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitFor(t, s, 10*time.Second, func(sn Snapshot) bool {
		cu, _ := sn.Container(c.ID)
		return !cu.Running && cu.Source == SourceNone
	})
}

func absDiff(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

func ptr[T any](v T) *T { return &v }
