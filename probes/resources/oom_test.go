package resources

import (
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
)

func TestParseOOM(t *testing.T) {
	cases := []struct {
		name, in string
		want     oomState
		ok       bool
	}{
		{"v1 oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n", oomState{kills: 2}, true},
		{"v1 under oom", "oom_kill_disable 0\nunder_oom 1\noom_kill 0\n", oomState{underOOM: true}, true},
		{"v2 memory.events", "low 0\nhigh 0\nmax 31\noom 1\noom_kill 1\noom_group_kill 0\n", oomState{kills: 1, ooms: 1}, true},
		{"v1 before 4.13: no counter", "oom_kill_disable 0\nunder_oom 0\n", oomState{}, false},
		{"garbage", "oom_kill x\n", oomState{}, true},
	}
	for _, c := range cases {
		got, ok := parseOOM([]byte(c.in))
		if got != c.want || ok != c.ok {
			t.Errorf("%s: %+v %v, want %+v %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// The watcher and the per-sample read both report the same counter; a
// rise is counted once, a new cgroup (restart) counts from its own
// baseline, and a report of an old cgroup still counts.
func TestNoteOOMCountsOnce(t *testing.T) {
	tr := &tracked{latest: Sample{MemUsed: 30 << 20, MemLimit: 32 << 20}}
	tr.oom.counted = map[int]uint64{1: 0}
	tr.oom.gen = 1
	at := time.Unix(100, 0)
	if !tr.noteOOM(1, 1, at) || tr.oom.seen.Kills != 1 || !tr.oom.seen.At.Equal(at) || tr.oom.seen.MemUsed != 30<<20 {
		t.Fatalf("first kill: %+v", tr.oom.seen)
	}
	if tr.noteOOM(1, 1, at.Add(time.Second)) || tr.oom.seen.Kills != 1 {
		t.Fatalf("the same count again counted: %+v", tr.oom.seen)
	}
	tr.oom.gen = 2
	tr.oom.counted[2] = 0 // restarted: a new cgroup
	if !tr.noteOOM(2, 1, at.Add(2*time.Second)) || tr.oom.seen.Kills != 2 {
		t.Fatalf("kill in the new cgroup: %+v", tr.oom.seen)
	}
	if !tr.noteOOM(1, 2, at.Add(3*time.Second)) || tr.oom.seen.Kills != 3 {
		t.Fatalf("late report of the old cgroup: %+v", tr.oom.seen)
	}
	if tr.noteOOM(3, 5, at) {
		t.Fatal("a cgroup without a baseline counted")
	}
}

func TestParseKmsgOOM(t *testing.T) {
	id := "6981e2a039696503bbfc839c30e76f983e426328912e4342c2291d439a196c91"
	rec := "6,1234,474769464,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=libpod-" + id +
		",mems_allowed=0,oom_memcg=/libpod_parent/libpod-" + id + ",task_memcg=/libpod_parent/libpod-" + id + ",task=stackui,pid=15898,uid=0\n"
	k, since, ok := parseKmsgOOM(rec, []string{"other", id})
	if !ok || k.ContainerID != id || k.Task != "stackui" || k.PID != 15898 || since != 474769464*time.Microsecond {
		t.Fatalf("got %+v %v %v", k, since, ok)
	}
	if _, _, ok := parseKmsgOOM(rec, []string{"other"}); ok {
		t.Error("another container's kill attributed")
	}
	if _, _, ok := parseKmsgOOM("6,1235,474769502,-;Memory cgroup out of memory: Killed process 15898 (stackui)", []string{id}); ok {
		t.Error("a line that is not the oom-kill record parsed")
	}
}

// The kernel's log and the cgroup's counter see the same kills: the
// count is the larger of the two, whichever reports first (At is the
// first report's), and a kill only the kernel's log saw (the cgroup
// watched too late, or never) counts, marked as the kernel log's.
func TestKernelKillAndCgroupCountOnce(t *testing.T) {
	at := time.Unix(100, 0)
	k := kernelKill{memcg: "/libpod_parent/libpod-c1", KernelOOM: KernelOOM{At: at}}
	cases := []struct {
		name       string
		run        func(tr *tracked)
		kills      uint64
		kernelLast bool
	}{
		{"kernel log only", func(tr *tracked) { tr.noteKernelKill(k) }, 1, true},
		{"kernel log, then the cgroup", func(tr *tracked) { tr.noteKernelKill(k); tr.noteOOM(1, 1, at.Add(time.Millisecond)) }, 1, false},
		{"the cgroup, then the kernel log", func(tr *tracked) { tr.noteOOM(1, 1, at); tr.noteKernelKill(k) }, 1, false},
		{"two kills, one seen by the cgroup", func(tr *tracked) { tr.noteOOM(1, 1, at); tr.noteKernelKill(k); tr.noteKernelKill(k) }, 2, true},
	}
	for _, c := range cases {
		tr := &tracked{}
		tr.oom.counted = map[int]uint64{1: 0}
		tr.oom.gen = 1
		c.run(tr)
		if tr.oom.seen.Kills != c.kills || tr.oom.seen.KernelLog != c.kernelLast || !tr.oom.seen.At.Equal(at) {
			t.Errorf("%s: %+v, want %d kills (kernel log %v) at %v", c.name, tr.oom.seen, c.kills, c.kernelLast, at)
		}
	}
}

// A kill the kernel logged in the cgroup of a container the stack state
// has not shown yet (Podman's inspect of a starting container can take
// seconds) is kept, and counted once the container is tracked; another
// engine's or an old one is not kept for ever.
func TestKernelKillClaimedLater(t *testing.T) {
	s := NewSampler(Options{})
	id := "50fd83a0754bd9ce6bfb044582a7cc68a46ae96648ae16d321c75999927adc00"
	now := time.Now()
	if s.handleKernelKill(kernelKill{memcg: "/libpod_parent/libpod-" + id, KernelOOM: KernelOOM{At: now}}) {
		t.Fatal("counted for no container")
	}
	s.handleKernelKill(kernelKill{memcg: "/docker/other", KernelOOM: KernelOOM{At: now.Add(-2 * unclaimedFor)}})
	s.Update(stack.Snapshot{Services: []stack.ServiceState{{Containers: []stack.Container{{ID: id, State: stack.StateExited}}}}})
	s.reconcile(t.Context())
	c := s.tracked[id]
	if c == nil || c.oom.seen.Kills != 1 || !c.oom.seen.KernelLog {
		t.Fatalf("tracked %+v", c)
	}
	if len(s.unclaimed) != 0 {
		t.Errorf("still kept: %+v", s.unclaimed)
	}
	// Once tracked, a kill is counted as it comes.
	if !s.handleKernelKill(kernelKill{memcg: "/libpod_parent/libpod-" + id, KernelOOM: KernelOOM{At: now.Add(time.Second)}}) || c.oom.seen.Kills != 2 {
		t.Errorf("second kill: %+v", c.oom.seen)
	}
}
