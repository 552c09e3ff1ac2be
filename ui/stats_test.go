package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/probes"
	"github.com/stackui/stackui/probes/gpu"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

const statsMiB = 1 << 20

var statsT0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

func statsPtr[T any](v T) *T { return &v }

// statsStack is a project with a trainer climbing to its 64 MiB limit (and
// asking for a GPU), three api replicas, and a db that exited.
func statsStack() stack.Snapshot {
	p := &stack.Project{Name: "demo"}
	running := func(id, svc string, n int) stack.Container {
		return stack.Container{ID: id, Name: fmt.Sprintf("demo-%s-%d", svc, n), Service: svc, Number: n, State: stack.StateRunning}
	}
	return stack.Snapshot{
		Project: p,
		Engine:  stack.EngineStatus{Reachable: true},
		Services: []stack.ServiceState{
			{Service: stack.Service{Name: "api", Enabled: true}, State: stack.StateRunning, Running: 3, Total: 3,
				Containers: []stack.Container{running("a1", "api", 1), running("a2", "api", 2), running("a3", "api", 3)}},
			{Service: stack.Service{Name: "trainer", Enabled: true, GPU: true, MemLimit: 64 * statsMiB}, State: stack.StateRunning, Running: 1, Total: 1,
				Containers: []stack.Container{running("t1", "trainer", 1)}},
			{Service: stack.Service{Name: "db", Enabled: true}, State: stack.StateExited, ExitCode: 137, OOMKilled: true, Total: 1,
				Containers: []stack.Container{{ID: "d1", Name: "demo-db-1", Service: "db", Number: 1, State: stack.StateExited, ExitCode: 137, OOMKilled: true}}},
			{Service: stack.Service{Name: "cache", Enabled: true}, State: stack.StateMissing},
		},
	}
}

// statsHistory makes n one-second points ending at the latest sample.
func statsHistory(n int, cpu func(i int) float64, mem func(i int) uint64, limit uint64, gpuMem uint64) []resources.Point {
	h := make([]resources.Point, n)
	for i := range h {
		h[i] = resources.Point{Time: statsT0.Add(time.Duration(i) * time.Second), CPUPercent: cpu(i),
			MemUsed: mem(i), MemLimit: limit, GPUMem: gpuMem}
	}
	return h
}

func statsUsageFor(id, name, svc string, n int, cpu float64, mem, limit uint64, hist []resources.Point) resources.ContainerUsage {
	return resources.ContainerUsage{ID: id, Name: name, Service: svc, Number: n, Running: true, Source: resources.SourceCgroup,
		Latest: resources.Sample{Time: statsT0.Add(5 * time.Minute), CPUPercent: cpu, MemUsed: mem, MemLimit: limit,
			NetRx: 1234, NetTx: 5 * 1000 * 1000, BlkRead: 4 * 1000 * 1000, Pids: 7},
		History: hist}
}

// statsUsage is a full statsHistory for every running container, and two GPUs,
// the second reporting "[N/A]" for utilisation and power.
func statsUsage(points int) resources.Snapshot {
	host := 16 * 1024 * uint64(statsMiB)
	flat := func(v float64) func(int) float64 { return func(int) float64 { return v } }
	climbing := func(i int) uint64 { return min(uint64(8+4*(i/20)), 62) * statsMiB }
	trainer := statsUsageFor("t1", "demo-trainer-1", "trainer", 1, 97.5, 62*statsMiB, 64*statsMiB,
		statsHistory(points, func(i int) float64 { return float64(i % 100) }, climbing, 64*statsMiB, 512*statsMiB))
	trainer.GPUMem = 512 * statsMiB
	u := resources.Snapshot{
		Containers: []resources.ContainerUsage{trainer},
		Host:       resources.HostUsage{Host: probes.Host{CPUs: 2, MemTotal: host, MemAvailable: host / 2}, CPUPercent: 37},
		GPU: gpu.Reading{Time: statsT0, Status: gpu.StatusOK, GPUs: []gpu.GPU{
			{Index: 0, Name: "NVIDIA H200", UtilPercent: statsPtr(12.0), MemUsed: statsPtr(uint64(1024 * statsMiB)), MemTotal: statsPtr(uint64(143771 * statsMiB)), TempC: statsPtr(34.0), PowerW: statsPtr(120.5)},
			{Index: 1, Name: "NVIDIA A100 MIG", MemUsed: statsPtr(uint64(0)), MemTotal: statsPtr(uint64(40960 * statsMiB)), TempC: statsPtr(40.0)},
		}},
	}
	for i := 1; i <= 3; i++ {
		id := fmt.Sprintf("a%d", i)
		u.Containers = append(u.Containers, statsUsageFor(id, fmt.Sprintf("demo-api-%d", i), "api", i, float64(i), uint64(20*i)*statsMiB, host,
			statsHistory(points, flat(float64(i)), func(int) uint64 { return uint64(20*i) * statsMiB }, host, 0)))
	}
	return u
}

func newTestStats(w, h int) *statsPane {
	keys := defaultKeys()
	p := newStatsPane(themes.Build(themes.Default(), true, true), &keys)
	p.SetSnapshot(statsStack())
	p.SetUsage(statsUsage(resources.DefaultHistory))
	p.SetEngine(stack.EngineInfo{OS: "linux", Arch: "amd64", MemTotal: 16 * 1024 * statsMiB, Local: true, Runtimes: []string{"runc", "nvidia"}})
	p.SetSize(w, h)
	return p
}

func statsPlain(p *statsPane) string { return ansi.Strip(p.View()) }

func TestStatsViewTrainer(t *testing.T) {
	p := newTestStats(90, 30)
	p.SetService("trainer")
	got := statsPlain(p)
	for _, want := range []string{
		"trainer · running 1/1 · last 4m59s",
		"CPU 97.5%", "MEM 62MiB / 64MiB (97%)", "NET 1.23kB / 5MB", "BLOCK 4MB / 0B", "PIDS 7", "GPU MEM 512MiB",
		"cpu ", "mem ", "gpu ", "64M limit", sparkLineGlyph,
		"host    2 CPUs · 37% busy · 16GiB memory · 8GiB available",
		"engine  linux/amd64 · 16GiB memory · GPU usable (nvidia runtime)",
		"memory  containers share this host's 16GiB",
		"GPU 0   NVIDIA H200 · 12% util · 1GiB / 140.4GiB · 34°C · 120 W",
		"GPU 1   NVIDIA A100 MIG · util n/a · 0B / 40GiB · 40°C · power n/a",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	statsGolden(t, "pane-trainer-90x30", statsTrim(got))
	// Memory at 97% of the limit is drawn as bad, not only in words.
	if !strings.Contains(p.View(), p.st.Bad.Render("MEM 62MiB / 64MiB (97%)")) {
		t.Error("memory at 97% of its limit is not styled Bad")
	}
}

func statsTrim(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestStatsViewFitsItsSize(t *testing.T) {
	for _, svc := range []string{"trainer", "api", "db", "cache", "", "nope"} {
		for _, size := range [][2]int{{40, 8}, {60, 15}, {45, 40}, {120, 50}, {20, 3}, {1, 1}, {200, 4}} {
			p := newTestStats(size[0], size[1])
			p.SetService(svc)
			lines := strings.Split(p.View(), "\n")
			if len(lines) != size[1] {
				t.Errorf("%s at %dx%d: %d lines", svc, size[0], size[1], len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w != size[0] {
					t.Errorf("%s at %dx%d: line %d is %d wide: %q", svc, size[0], size[1], i, w, ansi.Strip(l))
				}
			}
		}
	}
}

func TestStatsSmallStillShowsTheClimb(t *testing.T) {
	p := newTestStats(40, 8)
	p.SetService("trainer")
	got := statsPlain(p)
	// At 40x8 the charts win over the host lines: the memory chart with its
	// limit line must be there.
	if !strings.Contains(got, "mem ") || !strings.Contains(got, "64M limit") {
		t.Fatalf("no memory chart with a limit at 40x8:\n%s", got)
	}
}

func TestStatsGPUStatus(t *testing.T) {
	cases := []struct {
		reading gpu.Reading
		want    string
	}{
		{gpu.Reading{Status: gpu.StatusNoGPU}, "GPU     no GPU"},
		{gpu.Reading{Status: gpu.StatusNoSMI}, "GPU     nvidia-smi not found"},
		{gpu.Reading{Status: gpu.StatusRemote}, "GPU     remote engine (PIDs not local)"},
		{gpu.Reading{Status: gpu.StatusFailed, Detail: "Failed to initialize NVML"}, "GPU     nvidia-smi failed: Failed to initialize NVML"},
		{gpu.Reading{}, "GPU     not read yet"},
	}
	for _, c := range cases {
		p := newTestStats(100, 30)
		u := statsUsage(10)
		u.GPU = c.reading
		p.SetUsage(u)
		p.SetService("api")
		got := statsPlain(p)
		if strings.Count(got, c.want) != 1 {
			t.Errorf("status %q: want %q once in:\n%s", c.reading.Status, c.want, got)
		}
		if strings.Contains(got, "GPU 0") {
			t.Errorf("status %q: GPU lines shown without GPUs:\n%s", c.reading.Status, got)
		}
	}
}

func TestStatsNotRunningAndNotMeasured(t *testing.T) {
	p := newTestStats(100, 20)
	p.SetService("db")
	if got := statsPlain(p); !strings.Contains(got, "db · exited · not running") || !strings.Contains(got, "exited 137 (OOM killed) · not measured") {
		t.Errorf("exited service:\n%s", got)
	}
	p.SetService("cache")
	if got := statsPlain(p); !strings.Contains(got, "cache · not created · not running, nothing to measure") {
		t.Errorf("service without containers:\n%s", got)
	}
	p.SetService("")
	if got := statsPlain(p); !strings.Contains(got, "select a service") {
		t.Errorf("no selection:\n%s", got)
	}
	// A running container whose cgroup cannot be read says why.
	u := statsUsage(0)
	u.Containers[0].Latest = resources.Sample{}
	u.Containers[0].Err = "read cgroup: permission denied"
	p.SetUsage(u)
	p.SetService("trainer")
	if got := statsPlain(p); !strings.Contains(got, "not measured: read cgroup: permission denied") {
		t.Errorf("unmeasured container:\n%s", got)
	}
	// Not measured at all (a remote engine, container not visible yet).
	u.Containers[0].Err, u.Containers[0].Source = "", resources.SourceNone
	p.SetUsage(u)
	if got := statsPlain(p); !strings.Contains(got, "demo-trainer-1  not measured") {
		t.Errorf("unmeasured container without an error:\n%s", got)
	}
	// Measured through an engine stream that has not delivered yet.
	u.Containers[0].Source = resources.SourceEngine
	p.SetUsage(u)
	if got := statsPlain(p); !strings.Contains(got, "measuring…") {
		t.Errorf("container waiting for its first sample:\n%s", got)
	}
}

func TestStatsStoppedContainerKeepsItsClimb(t *testing.T) {
	// The trainer was OOM-killed: its statsHistory stays, so the sparkClimb to the
	// limit is still on screen after the kill.
	p := newTestStats(80, 24)
	snap := statsStack()
	tr := &snap.Services[1]
	tr.State, tr.Running, tr.ExitCode, tr.OOMKilled = stack.StateExited, 0, 137, true
	tr.Containers[0].State, tr.Containers[0].ExitCode, tr.Containers[0].OOMKilled = stack.StateExited, 137, true
	u := statsUsage(120)
	u.Containers[0].Running = false
	p.SetSnapshot(snap)
	p.SetUsage(u)
	p.SetService("trainer")
	got := statsPlain(p)
	for _, want := range []string{"exited 137 (OOM killed)", "64M limit", "mem "} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q after the kill:\n%s", want, got)
		}
	}
}

func TestStatsKeysMoveBetweenContainers(t *testing.T) {
	p := newTestStats(100, 24)
	p.SetService("api")
	if ids := p.VisibleIDs(); strings.Join(ids, ",") != "a1,a2,a3" {
		t.Fatalf("visible %v", ids)
	}
	if got := statsPlain(p); !strings.Contains(got, "▸ demo-api-1") {
		t.Fatalf("first replica not selected:\n%s", got)
	}
	p.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	p.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	p.Update(tea.KeyPressMsg{Code: 'j', Text: "j"}) // stays on the last
	if p.selected != "a3" || !strings.Contains(statsPlain(p), "▸ demo-api-3") {
		t.Fatalf("selected %q after j j j:\n%s", p.selected, statsPlain(p))
	}
	p.Update(tea.KeyPressMsg{Code: 'k', Text: "k"})
	if p.selected != "a2" {
		t.Fatalf("selected %q after k", p.selected)
	}
	// A click on the first replica's line selects it.
	lines := strings.Split(statsPlain(p), "\n")
	for y, l := range lines {
		if strings.Contains(l, "demo-api-1") {
			p.Update(tea.MouseClickMsg{X: 3, Y: y, Button: tea.MouseLeft})
		}
	}
	if p.selected != "a1" {
		t.Fatalf("selected %q after a click on demo-api-1", p.selected)
	}
	// Another service starts on its first running container.
	p.SetService("trainer")
	if p.current(p.rows()) != 0 || p.selected != "" {
		t.Fatalf("selection kept across services: %q", p.selected)
	}
}

func TestStatsUnlimitedMemoryHasNoLimitLine(t *testing.T) {
	p := newTestStats(100, 24)
	p.SetService("api") // no mem_limit: docker stats' limit is the machine's memory
	got := statsPlain(p)
	if strings.Contains(got, "limit") || strings.Contains(got, sparkLineGlyph) {
		t.Fatalf("a limit line for a container without a limit:\n%s", got)
	}
}

func TestStatsDockerDesktopMemory(t *testing.T) {
	p := newTestStats(100, 30)
	p.SetEngine(stack.EngineInfo{OS: "linux", Arch: "arm64", OperatingSystem: "Docker Desktop", MemTotal: 8 * 1024 * statsMiB, Local: true})
	p.SetService("api")
	got := statsPlain(p)
	for _, want := range []string{"engine linux/arm64 · 8GiB memory · no GPU runtime", "Docker Desktop VM has 8GiB of this machine's 16GiB", "limited by the VM's memory"} {
		if !strings.Contains(strings.Join(strings.Fields(got), " "), want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

func TestStatsViewIsCachedUntilSomethingChanges(t *testing.T) {
	p := newTestStats(80, 20)
	p.SetService("trainer")
	first := p.View()
	if p.dirty {
		t.Fatal("View left the pane dirty")
	}
	u := statsUsage(resources.DefaultHistory)
	u.Containers[0].Latest.CPUPercent = 3
	p.SetUsage(u)
	if second := p.View(); second == first || !strings.Contains(ansi.Strip(second), "CPU 3.0%") {
		t.Fatalf("new figures not drawn:\n%s", ansi.Strip(second))
	}
}

func TestFmtShort(t *testing.T) {
	for in, want := range map[uint64]string{0: "0B", 999: "999B", 1000: "1.0K", 64 * statsMiB: "64M", 58*statsMiB + 200*1024: "58M",
		1536 * statsMiB: "1.5G", 1023 * statsMiB: "1.0G", 10 * 1024 * statsMiB: "10G", 1 << 62: "4.0E"} {
		if got := byteSize(in, sizeShort); got != want || len(got) > 4 {
			t.Errorf("byteSize(%d, sizeShort) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkStatsView is the cost of one redraw after new figures arrive:
// three containers with five minutes of statsHistory each.
func BenchmarkStatsView(b *testing.B) {
	p := newTestStats(100, 40)
	p.SetService("api")
	u := statsUsage(resources.DefaultHistory)
	b.ReportAllocs()
	for b.Loop() {
		p.SetUsage(u)
		_ = p.View()
	}
}

func TestStatsSmallGoldens(t *testing.T) {
	for _, c := range []struct {
		service string
		w, h    int
	}{{"trainer", 40, 8}, {"api", 60, 15}, {"db", 50, 10}} {
		p := newTestStats(c.w, c.h)
		p.SetService(c.service)
		statsGolden(t, fmt.Sprintf("pane-%s-%dx%d", c.service, c.w, c.h), statsTrim(statsPlain(p)))
	}
}
