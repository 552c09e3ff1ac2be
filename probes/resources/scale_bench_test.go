package resources

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
)

// BenchmarkSampleSecond100 is the sampler's work in one second with 100
// running containers off screen (issue 11, item 12): one tick's cgroup
// samples (their files kept open; each container on one tick in
// offscreenEvery) and the snapshot published to the UI, with five
// minutes of history each. The cgroup files are a recorded v1 tree,
// copied per container.
func BenchmarkSampleSecond100(b *testing.B) { benchSampleSecond100(b, 0) }

// BenchmarkSampleSecond100Listed is the same second with 30 of the rows
// on screen (the services list at 36 lines): those are read every
// listedEvery ticks, their memory limit and OOM counter on their own tick
// only.
func BenchmarkSampleSecond100Listed(b *testing.B) { benchSampleSecond100(b, 30) }

func benchSampleSecond100(b *testing.B, listed int) {
	const n = 100
	files := map[string]string{}
	var cs []stack.Container
	for i := range n {
		id := fmt.Sprintf("%064x", i+1)
		pid := 10_000 + i
		for p, content := range v1Host {
			if p == "proc/self/mountinfo" && i > 0 {
				continue
			}
			p = strings.ReplaceAll(strings.ReplaceAll(p, testID, id), "7678", fmt.Sprint(pid))
			files[p] = strings.ReplaceAll(content, testID, id)
		}
		cs = append(cs, stack.Container{ID: id, Name: fmt.Sprintf("p-svc%03d-1", i+1), Service: fmt.Sprintf("svc%03d", i+1), Number: 1, State: stack.StateRunning, Pid: pid,
			StartedAt: time.Now().Add(-time.Hour)})
	}
	root := fakeTree(b, files)
	s := NewSampler(Options{Local: true, ProcRoot: filepath.Join(root, "proc"), MemTotal: 1 << 34})
	p := &stack.Project{Name: "p"}
	for _, c := range cs {
		p.Services = append(p.Services, stack.Service{Name: c.Service, Enabled: true})
	}
	s.Update(stack.SnapshotOf(p, stack.EngineStatus{Reachable: true}, cs))
	var ids []string
	for _, c := range cs[:listed] {
		ids = append(ids, c.ID)
	}
	s.SetListed(ids...)
	s.reconcile(context.Background())
	if len(s.tracked) != n || !s.anyCgroupRunning() {
		b.Fatalf("%d containers tracked", len(s.tracked))
	}
	defer func() {
		for _, t := range s.tracked {
			t.dropFiles()
		}
	}()
	// Fill the history, as after five minutes.
	for _, t := range s.tracked {
		for j := range DefaultHistory {
			t.hist.add(Point{Time: time.Unix(int64(j), 0)})
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, t := range s.tracked {
			t.prev.Time = t.prev.Time.Add(-time.Second) // a second has passed
		}
		s.sampleCgroups()
		s.publish()
	}
	b.StopTimer()
	// Off screen, a container is read on one tick in offscreenEvery: a
	// second's work is a fifth of them, each tick another fifth.
	measured := 0
	for _, c := range cs {
		if u, ok := s.Snapshot().Container(c.ID); ok && u.Latest.MemUsed > 0 {
			measured++
		}
	}
	if want := min(n, listed+b.N*(n-listed)/offscreenEvery); measured < want {
		b.Fatalf("%d containers measured after %d ticks, want %d", measured, b.N, want)
	}
}

// A container off screen is sampled for CPU and memory only, its network
// counters carried from the last full read; once shown, they are read
// every interval again.
func TestSamplerReadsDetailOnlyWhileShown(t *testing.T) {
	root := fakeTree(t, v1Host)
	netFile := filepath.Join(root, "proc/7678/net/dev")
	memFile := filepath.Join(root, "cg/memory/docker", testID, "memory.usage_in_bytes")
	s := NewSampler(Options{Local: true, ProcRoot: filepath.Join(root, "proc"), Interval: 20 * time.Millisecond, MemTotal: 1 << 30})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	s.Update(projectSnap(stack.Container{ID: testID, Name: "p-trainer-1", Service: "trainer", Number: 1, State: stack.StateRunning, Pid: 7678}))
	waitFor(t, s, 10*time.Second, func(sn Snapshot) bool {
		c, ok := sn.Container(testID)
		return ok && c.Latest.NetRx == 1042
	})
	grown := strings.Replace(v1Host["proc/7678/net/dev"], "1042", "5000", 1)
	if err := os.WriteFile(netFile, []byte(grown), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(memFile, []byte("99999744\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sn := waitFor(t, s, 10*time.Second, func(sn Snapshot) bool {
		c, ok := sn.Container(testID)
		return ok && c.Latest.MemUsed == 99999744-10092544
	})
	if c, _ := sn.Container(testID); c.Latest.NetRx != 1042 {
		t.Errorf("off screen: NetRx %d, want the last full read's 1042", c.Latest.NetRx)
	}
	s.SetVisible(testID)
	waitFor(t, s, 10*time.Second, func(sn Snapshot) bool {
		c, ok := sn.Container(testID)
		return ok && c.Latest.NetRx == 5000
	})
}

// A container off screen is read on one tick in offscreenEvery; shown,
// young, or near its memory limit, on every tick. Ticks are driven by
// hand, each a second after the last.
func TestSamplerReadsOffScreenLessOften(t *testing.T) {
	for _, tc := range []struct {
		name      string
		shown     bool
		started   time.Duration // ago
		nearLimit bool
		want      int // reads in 4*offscreenEvery ticks
	}{
		{"off screen", false, time.Hour, false, 4},
		{"shown", true, time.Hour, false, 4 * offscreenEvery},
		{"just started", false, time.Second, false, 4 * offscreenEvery},
		{"start unknown", false, 0, false, 4 * offscreenEvery},
		{"near its limit", false, time.Hour, true, 4 * offscreenEvery},
		// every listedEvery-th tick (10), and the two of its own four
		// slot ticks that fall between them
		{"its row listed", false, time.Hour, false, 4*offscreenEvery/listedEvery + 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := fakeTree(t, v1Host)
			s := NewSampler(Options{Local: true, ProcRoot: filepath.Join(root, "proc"), MemTotal: 1 << 30})
			c := stack.Container{ID: testID, Name: "p-trainer-1", Service: "trainer", Number: 1, State: stack.StateRunning, Pid: 7678}
			if tc.started > 0 {
				c.StartedAt = time.Now().Add(-tc.started)
			}
			s.Update(projectSnap(c))
			if tc.shown {
				s.SetVisible(testID)
			}
			if tc.name == "its row listed" {
				s.SetListed(testID)
			}
			tr := trackOne(t, s)
			const ticks = 4 * offscreenEvery
			for range ticks {
				if tc.nearLimit { // as the last sample read it
					tr.latest.MemLimit, tr.latest.MemUsed = 100, 90
				}
				tr.prev.Time = tr.prev.Time.Add(-time.Second)
				s.sampleCgroups()
			}
			if got := len(tr.hist.points()); got != tc.want {
				t.Errorf("%d samples in %d ticks, want %d", got, ticks, tc.want)
			}
		})
	}
}

// A listed container (its row on screen, not in the stats tab) is read
// every listedEvery ticks, but its memory limit, and its OOM counter while the
// kernel's notification is armed, only on its own slot tick: a limit
// changed by `docker update` shows within offscreenEvery ticks, and so
// does a kill the notification missed.
func TestSamplerListedReadsLimitAndOOMOnItsSlot(t *testing.T) {
	root := fakeTree(t, v1Host)
	memDir := filepath.Join(root, "cg/memory/docker", testID)
	s := NewSampler(Options{Local: true, ProcRoot: filepath.Join(root, "proc"), MemTotal: 1 << 30})
	c := stack.Container{ID: testID, Name: "p-trainer-1", Service: "trainer", Number: 1, State: stack.StateRunning, Pid: 7678, StartedAt: time.Now().Add(-time.Hour)}
	s.Update(projectSnap(c))
	s.SetListed(testID)
	tr := trackOne(t, s)
	tr.oom.seen.Watch = "eventfd" // as armed on a kernel that signals
	tr.oom.counted[tr.oom.gen] = 0
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(memDir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tick := func() {
		tr.prev.Time = tr.prev.Time.Add(-time.Second)
		s.sampleCgroups()
	}
	// Step to the container's slot: the next offscreenEvery-1 ticks are
	// not its own.
	for !s.slotTick(tr) {
		tick()
	}
	write("memory.limit_in_bytes", "536870912\n")
	write("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n")
	reads := len(tr.hist.points())
	for range offscreenEvery - 1 { // the ticks before its slot
		tick()
		if (s.ticks+tr.slot)%listedEvery == 0 {
			reads++
		}
		if s.slotTick(tr) {
			t.Fatal("stepped onto the slot early")
		}
		if tr.latest.MemLimit == 512<<20 || tr.oom.seen.Kills != 0 {
			t.Fatalf("off its slot the limit (%d) or the OOM counter (%d) was read", tr.latest.MemLimit, tr.oom.seen.Kills)
		}
	}
	if got := len(tr.hist.points()); got != reads || reads < 2 {
		t.Errorf("%d samples, want %d: a listed container is read every %d ticks", got, reads, listedEvery)
	}
	tick() // its slot
	if tr.latest.MemLimit != 512<<20 || tr.oom.seen.Kills != 1 {
		t.Errorf("on its slot: limit %d, kills %d; want 512 MiB and 1", tr.latest.MemLimit, tr.oom.seen.Kills)
	}
}

// trackOne reconciles s, which was given testID's container, and returns
// its tracked entry with the cgroup resolved and a first read done; its
// kept files are closed when the test ends.
func trackOne(t *testing.T, s *Sampler) *tracked {
	t.Helper()
	s.reconcile(context.Background())
	tr := s.tracked[testID]
	if tr == nil || tr.files == nil || !tr.havePrev {
		t.Fatal("the container's cgroup was not resolved and read")
	}
	t.Cleanup(tr.dropFiles)
	return tr
}
