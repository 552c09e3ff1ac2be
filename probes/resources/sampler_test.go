package resources

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackui/stackui/probes/gpu"
	"github.com/stackui/stackui/stack"
)

// waitFor re-reads the sampler on every change until ok says so.
func waitFor(t *testing.T, s *Sampler, timeout time.Duration, ok func(Snapshot) bool) Snapshot {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if snap := s.Snapshot(); ok(snap) {
			return snap
		}
		select {
		case <-s.Changed():
		case <-deadline:
			t.Fatalf("not reached within %v; last snapshot %+v", timeout, s.Snapshot())
		}
	}
}

func projectSnap(cs ...stack.Container) stack.Snapshot {
	p := &stack.Project{Name: "p", Services: []stack.Service{{Name: "trainer", Enabled: true}}}
	return stack.SnapshotOf(p, stack.EngineStatus{Reachable: true}, cs)
}

// The sampler over a cgroup v1 tree: it measures a running container every
// interval, stops when it stops (keeping its history), and forgets it when
// it is removed.
func TestSamplerCgroupLifecycle(t *testing.T) {
	root := fakeTree(t, v1Host)
	cpuFile := filepath.Join(root, "cg/cpuacct/docker", testID, "cpuacct.usage")
	s := NewSampler(Options{Local: true, ProcRoot: filepath.Join(root, "proc"), Interval: 20 * time.Millisecond, MemTotal: 1 << 30, History: 4})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	// A goroutine keeps the CPU counter growing, as a busy container's does.
	stopCPU := make(chan struct{})
	cpuDone := make(chan struct{})
	go func() {
		defer close(cpuDone)
		for n := uint64(0); ; n += 5e6 {
			os.WriteFile(cpuFile, []byte(strconv.FormatUint(n, 10)+"\n"), 0o644)
			select {
			case <-stopCPU:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	defer func() { close(stopCPU); <-cpuDone }()

	c := stack.Container{ID: testID, Name: "p-trainer-1", Service: "trainer", Number: 1, State: stack.StateRunning, Pid: 7678}
	s.Update(projectSnap(c))
	snap := waitFor(t, s, 10*time.Second, func(sn Snapshot) bool {
		cu, ok := sn.Container(testID)
		return ok && len(cu.History) >= 4
	})
	cu, _ := snap.Container(testID)
	if cu.Source != SourceCgroup || !cu.Running || cu.Err != "" {
		t.Errorf("usage %+v", cu)
	}
	if cu.Latest.MemUsed != 85012480-10092544 || cu.Latest.MemLimit != 1<<30 || cu.Latest.Pids != 6 || cu.Latest.NetRx != 1042 {
		t.Errorf("latest %+v", cu.Latest)
	}
	if cu.Latest.CPUPercent <= 0 {
		t.Errorf("CPU %.2f%% with a growing counter", cu.Latest.CPUPercent)
	}
	if len(cu.History) != 4 {
		t.Errorf("history of %d points, capped at 4", len(cu.History))
	}
	if u := snap.Service("trainer"); u.Running != 1 || u.Measured != 1 || u.MemUsed != cu.Latest.MemUsed {
		t.Errorf("service usage %+v", u)
	}

	// It stops: no more samples, history kept.
	c.State, c.Pid = stack.StateExited, 0
	s.Update(projectSnap(c))
	snap = waitFor(t, s, 10*time.Second, func(sn Snapshot) bool {
		cu, ok := sn.Container(testID)
		return ok && !cu.Running
	})
	stopped, _ := snap.Container(testID)
	if stopped.Source != SourceNone || len(stopped.History) != 4 {
		t.Errorf("stopped %+v", stopped)
	}
	if u := snap.Service("trainer"); u.Running != 0 || u.MemUsed != 0 {
		t.Errorf("a stopped service sums to %+v", u)
	}
	// Removed: forgotten.
	s.Update(projectSnap())
	waitFor(t, s, 10*time.Second, func(sn Snapshot) bool { return len(sn.Containers) == 0 })
}

// scriptedStats replays the recorded payload as an Engine API stream, once
// a millisecond with the counters moving, and counts the streams open.
type scriptedStats struct {
	base stack.Stats
	mu   sync.Mutex
	open map[string]int
	all  map[string]int
}

func (f *scriptedStats) Stats(ctx context.Context, id string, stream bool, fn func(stack.Stats) error) error {
	f.mu.Lock()
	f.open[id]++
	f.all[id]++
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.open[id]--
		f.mu.Unlock()
	}()
	st := f.base
	for i := 0; ; i++ {
		if err := fn(st); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
		st.Read = st.Read.Add(time.Second)
		st.PreCPUTotal, st.PreSystemCPU = st.CPUTotal, st.SystemCPU
		st.CPUTotal += 1e8
		st.SystemCPU += 2e9
	}
}

func (f *scriptedStats) count(id string) (open, all int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.open[id], f.all[id]
}

type fixedGPU struct{ r gpu.Reading }

func (g fixedGPU) Query(context.Context) gpu.Reading { return g.r }

// Without readable cgroups, Engine API streams open only for visible
// containers, and close when they are hidden or stop.
func TestSamplerEngineStreamsOnlyVisible(t *testing.T) {
	eng := &scriptedStats{base: recordedStats(t, "stats-cgroupv1.json"), open: map[string]int{}, all: map[string]int{}}
	s := NewSampler(Options{Engine: eng, Interval: 20 * time.Millisecond, GPU: fixedGPU{gpu.Reading{Status: gpu.StatusRemote}}})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	a := stack.Container{ID: "a", Service: "trainer", Number: 1, State: stack.StateRunning, Pid: 1}
	b := stack.Container{ID: "b", Service: "trainer", Number: 2, State: stack.StateRunning, Pid: 2}
	s.Update(projectSnap(a, b))
	waitFor(t, s, 5*time.Second, func(sn Snapshot) bool { return len(sn.Containers) == 2 })
	if _, all := eng.count("a"); all != 0 {
		t.Fatalf("%d streams for an invisible container", all)
	}

	s.SetVisible("b")
	snap := waitFor(t, s, 5*time.Second, func(sn Snapshot) bool {
		cu, _ := sn.Container("b")
		return len(cu.History) >= 3 && sn.GPU.Status != ""
	})
	cu, _ := snap.Container("b")
	// 1e8 ns of 2e9 ns system time on 2 CPUs.
	if cu.Source != SourceEngine || cu.Latest.CPUPercent != 10 || cu.Latest.MemUsed != 69218304-10817536 {
		t.Errorf("b: %+v", cu)
	}
	if snap.GPU.Status != gpu.StatusRemote {
		t.Errorf("GPU status %q", snap.GPU.Status)
	}
	if other, _ := snap.Container("a"); other.Source != SourceNone || !other.Latest.Time.IsZero() {
		t.Errorf("a: %+v", other)
	}

	// Hidden: the stream closes.
	s.SetVisible()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if open, _ := eng.count("b"); open == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("stream of a hidden container still open")
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Stopped, then visible again: no stream. (The other order may open
	// one rightly: until Update, b is running as far as the sampler knows.)
	b.State = stack.StateExited
	s.Update(projectSnap(a, b))
	s.SetVisible("b")
	waitFor(t, s, 5*time.Second, func(sn Snapshot) bool {
		cu, _ := sn.Container("b")
		return !cu.Running
	})
	if open, all := eng.count("b"); open != 0 || all != 1 {
		t.Errorf("b: %d open, %d opened in all", open, all)
	}
}

// Nothing running: no ticker, no streams, no GPU queries.
func TestSamplerIdle(t *testing.T) {
	q := &countingGPU{}
	s := NewSampler(Options{Local: true, ProcRoot: t.TempDir(), Interval: time.Millisecond, GPU: q})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	s.Update(projectSnap(stack.Container{ID: testID, Service: "trainer", State: stack.StateExited}))
	waitFor(t, s, 5*time.Second, func(sn Snapshot) bool { return len(sn.Containers) == 1 })
	// A running container whose cgroup cannot be read (no such PID here)
	// and no engine to fall back on: not measured, and it says why.
	s.Update(projectSnap(stack.Container{ID: testID, Service: "trainer", State: stack.StateRunning, Pid: 12345}))
	snap := waitFor(t, s, 5*time.Second, func(sn Snapshot) bool { return len(sn.Containers) == 1 && sn.Containers[0].Running })
	if cu := snap.Containers[0]; cu.Source != SourceNone || cu.Err == "" {
		t.Errorf("unreadable: %+v", cu)
	}
	cancel()
	wg.Wait()
	if s.anyCgroupRunning() || q.count() != 0 {
		t.Errorf("work done with nothing measurable: ticking %v, %d GPU queries", s.anyCgroupRunning(), q.count())
	}
}

type countingGPU struct {
	mu     sync.Mutex
	n      int
	status gpu.Status // empty: no GPU
}

func (c *countingGPU) Query(context.Context) gpu.Reading {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return gpu.Reading{Status: cmp.Or(c.status, gpu.StatusNoGPU)}
}

func (c *countingGPU) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// A GPU status that is for good (no GPU here) is asked for once: each
// query after it cost a wake and a second publish (a redraw) per second.
// One that can change (ok) is asked for on every tick.
func TestSamplerAsksASettledGPUOnce(t *testing.T) {
	for _, tc := range []struct {
		status  gpu.Status
		settled bool
	}{{gpu.StatusNoGPU, true}, {gpu.StatusOK, false}} {
		t.Run(string(tc.status), func(t *testing.T) {
			root := fakeTree(t, v1Host)
			q := &countingGPU{status: tc.status}
			s := NewSampler(Options{Local: true, ProcRoot: filepath.Join(root, "proc"), Interval: 5 * time.Millisecond, MemTotal: 1 << 30, GPU: q})
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Go(func() { s.Run(ctx) })
			defer func() { cancel(); wg.Wait() }()
			s.Update(projectSnap(stack.Container{ID: testID, Service: "trainer", State: stack.StateRunning, Pid: 7678}))
			snap := waitFor(t, s, 10*time.Second, func(sn Snapshot) bool {
				cu, _ := sn.Container(testID)
				return len(cu.History) >= 6 && sn.GPU.Status == tc.status
			})
			cu, _ := snap.Container(testID)
			n := q.count()
			if tc.settled && n != 1 {
				t.Errorf("%d queries in %d samples; want 1", n, len(cu.History))
			}
			if !tc.settled && n < 3 {
				t.Errorf("%d queries in %d samples; want one a tick", n, len(cu.History))
			}
		})
	}
}

func TestLocalEngine(t *testing.T) {
	local := stack.EngineInfo{Local: true, OS: "linux", OperatingSystem: "Debian GNU/Linux 12 (bookworm)"}
	if !LocalEngine(local, "linux") {
		t.Error("a local Linux engine")
	}
	desktop := local
	desktop.OperatingSystem = "Docker Desktop"
	remote := local
	remote.Local = false
	for name, tc := range map[string]struct {
		info stack.EngineInfo
		goos string
	}{"Docker Desktop": {desktop, "linux"}, "remote": {remote, "linux"}, "macOS": {local, "darwin"}, "Windows": {local, "windows"}} {
		if LocalEngine(tc.info, tc.goos) {
			t.Errorf("%s counted as local", name)
		}
	}
}

// An OOM kill: the container's cgroup goes first (reads fail), then the
// engine says it exited. Its history, with the climb to the kill, stays
// in the snapshot while the container exists (the doctor sizes the OOM
// fix from it), through later updates too.
func TestSamplerKeepsAnOOMKilledContainersHistory(t *testing.T) {
	root := fakeTree(t, v1Host)
	cg := filepath.Join(root, "cg")
	memFile := filepath.Join(cg, "memory/docker", testID, "memory.usage_in_bytes")
	s := NewSampler(Options{Local: true, ProcRoot: filepath.Join(root, "proc"), Interval: 20 * time.Millisecond, MemTotal: 1 << 30, History: 50})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(ctx) })
	defer func() { cancel(); wg.Wait() }()

	const cache = 10092544
	c := stack.Container{ID: testID, Name: "p-trainer-1", Service: "trainer", Number: 1, State: stack.StateRunning, Pid: 7678}
	s.Update(projectSnap(c))
	var peak uint64
	for _, used := range []uint64{20 << 20, 28 << 20, 31 << 20} {
		if err := os.WriteFile(memFile, []byte(strconv.FormatUint(used+cache, 10)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		waitFor(t, s, 10*time.Second, func(sn Snapshot) bool {
			cu, ok := sn.Container(testID)
			return ok && cu.Latest.MemUsed == used
		})
		peak = used
	}
	// The kernel kills it: its cgroup is gone before the engine's event.
	// The sampler keeps its files open, and an open file of a removed
	// cgroup fails to read (ENODEV), where one of this fake tree would
	// still read: empty it first, so the read fails here too.
	if err := os.WriteFile(memFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ctl := range []string{"cpu", "cpuacct", "memory", "blkio", "pids", "systemd", "unified"} {
		os.RemoveAll(filepath.Join(cg, ctl, "docker", testID))
	}
	waitFor(t, s, 10*time.Second, func(sn Snapshot) bool {
		cu, ok := sn.Container(testID)
		return ok && strings.Contains(cu.Err, "read cgroup")
	})
	c.State, c.Pid, c.ExitCode, c.OOMKilled = stack.StateExited, 0, 137, true
	s.Update(projectSnap(c))
	snap := waitFor(t, s, 10*time.Second, func(sn Snapshot) bool {
		cu, ok := sn.Container(testID)
		return ok && !cu.Running
	})
	// A later update (another container started) keeps it too.
	other := stack.Container{ID: "other", Service: "trainer", Number: 2, State: stack.StateExited}
	s.Update(projectSnap(c, other))
	snap = waitFor(t, s, 10*time.Second, func(sn Snapshot) bool { return len(sn.Containers) == 2 })
	dead, _ := snap.Container(testID)
	if got, _ := MemTrend(dead.History); got != peak || dead.Err != "" || dead.Latest.MemUsed != peak {
		t.Errorf("after the kill: peak %d from %d points, latest %d, err %q; want the peak %d measured before it",
			got, len(dead.History), dead.Latest.MemUsed, dead.Err, peak)
	}
}
