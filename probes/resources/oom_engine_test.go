package resources

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// The Sampler sees a real OOM kill in the container's memory cgroup, on
// Docker (which reports it too) and on Podman (which does not): the
// kernel's notification, not the once-a-second sample, brings it, so it
// is seen within milliseconds of the kill the kernel logs. The latency is
// logged (a measurement, not asserted); the kill itself must be seen,
// with the memory of the last sample before it.
func TestSamplerSeesOOMKillOnRealEngine(t *testing.T) {
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
	info, err := eng.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	project := testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, project) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const limit = 32 << 20
	// Two seconds of growth before the kill: time for the Sampler to
	// resolve the cgroup and take samples.
	id := startHog(t, ctx, api, project, limit, "--alloc", "512M", "--alloc-step", "8M", "--alloc-every", "500ms")
	p := &stack.Project{Name: project, Services: []stack.Service{{Name: "trainer", Enabled: true}}}
	cs, err := eng.ProjectContainers(ctx, project)
	if err != nil || len(cs) != 1 || cs[0].State != stack.StateRunning {
		t.Fatalf("container: %+v %v", cs, err)
	}
	s := NewSampler(Options{Local: true, MemTotal: info.MemTotal})
	sctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(sctx) })
	defer func() { stop(); wg.Wait() }()
	s.Update(stack.SnapshotOf(p, stack.EngineStatus{Reachable: true}, cs))

	snap := waitFor(t, s, 60*time.Second, func(sn Snapshot) bool {
		cu, _ := sn.Container(id)
		return cu.OOM.Kills > 0
	})
	seenAt := time.Now()
	cu, _ := snap.Container(id)
	t.Logf("engine %s: OOM seen %+v", info.Name(), cu.OOM)
	if cu.OOM.Watch != "eventfd" && cu.OOM.Watch != "inotify" {
		t.Errorf("watched by %q, want the kernel's notification", cu.OOM.Watch)
	}
	if cu.OOM.MemLimit != limit || cu.OOM.MemUsed == 0 || cu.OOM.MemUsed > limit {
		t.Errorf("memory at the last sample: %d of %d, want under the %d limit", cu.OOM.MemUsed, cu.OOM.MemLimit, limit)
	}
	// The engine's own word, for the record: Docker says OOMKilled,
	// Podman 4.3 on cgroup v1 does not.
	c, err := waitExited(ctx, eng, id)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("engine says: exit %d, OOMKilled %v", c.ExitCode, c.OOMKilled)
	if c.ExitCode != 137 {
		t.Errorf("exit %d, want 137", c.ExitCode)
	}
	ks, err := KernelOOMs([]string{id})
	if err != nil {
		t.Logf("kernel log not readable, no latency measured: %v", err)
		return
	}
	if len(ks) == 0 {
		t.Fatalf("the kernel logged no OOM kill in %s's cgroup", id[:12])
	}
	k := ks[len(ks)-1]
	t.Logf("MEASURED: OOM kill (kernel log, %s) to the test's read of the Sampler's snapshot: %v", k.At.Format("15:04:05.000000"), seenAt.Sub(k.At))
}

// startHog starts a container of the workload image with these arguments
// and a memory limit, labelled as the project's trainer.
func startHog(t *testing.T, ctx context.Context, api *client.Client, project string, limit int64, args ...string) string {
	t.Helper()
	id, err := testenv.StartService(ctx, api, project, "trainer",
		&container.HostConfig{Resources: container.Resources{Memory: limit, MemorySwap: limit}}, args...)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A container the kernel kills for memory before the Sampler knows of it
// (on Podman, one that dies in its first second is gone before its slow
// events and inspects say it runs) is still seen OOM-killed: the kernel's
// log, followed as it is written, names its cgroup, and the kill is
// counted once the stack state shows the container. Reading the kernel
// log needs root (CI's tests run as root).
func TestSamplerSeesOOMKillBeforeItKnowsTheContainer(t *testing.T) {
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	if runtime.GOOS != "linux" {
		t.Skip("reads the kernel's log; the engine's containers run on this host only on Linux")
	}
	if _, err := KernelOOMs(nil); err != nil {
		t.Fatalf("the kernel log must be readable for this test (run it as root): %v", err)
	}
	eng, err := docker.Connect(context.Background(), docker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	project := testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, project) })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	s := NewSampler(Options{Local: true})
	sctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { s.Run(sctx) })
	defer func() { stop(); wg.Wait() }()
	// The first publish comes after Run began following the kernel log.
	s.Update(stack.Snapshot{})
	<-s.Changed()

	// 64M at once against a 32M limit: killed within milliseconds.
	id := startHog(t, ctx, api, project, 32<<20, "--alloc", "64M")
	c, err := waitExited(ctx, eng, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.ExitCode != 137 {
		t.Fatalf("exit %d, want 137 (an OOM kill)", c.ExitCode)
	}
	p := &stack.Project{Name: project, Services: []stack.Service{{Name: "trainer", Enabled: true}}}
	s.Update(stack.SnapshotOf(p, stack.EngineStatus{Reachable: true}, []stack.Container{c}))
	snap := waitFor(t, s, 30*time.Second, func(sn Snapshot) bool {
		cu, _ := sn.Container(id)
		return cu.OOM.Kills > 0
	})
	cu, _ := snap.Container(id)
	if cu.OOM.Kills != 1 || !cu.OOM.KernelLog {
		t.Errorf("OOM seen %+v, want one kill from the kernel log", cu.OOM)
	}
	t.Logf("engine says: exit %d, OOMKilled %v; started %s, OOM seen at %s", c.ExitCode, c.OOMKilled,
		c.StartedAt.Format("15:04:05.000000"), cu.OOM.At.Format("15:04:05.000000"))
}

// waitExited waits until the container is no longer running.
func waitExited(ctx context.Context, eng *docker.Client, id string) (stack.Container, error) {
	for {
		c, err := eng.InspectContainer(ctx, id)
		if err != nil || c.State != stack.StateRunning {
			return c, err
		}
		select {
		case <-ctx.Done():
			return c, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
