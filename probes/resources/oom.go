package resources

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// OOM kills are read from the container's memory cgroup, not from the
// engine: Docker reports them (OOMKilled, an oom event), Podman 4.3 on
// cgroup v1 does not (exit 137, OOMKilled false, no event). The kernel
// counts them in the cgroup itself: memory.oom_control's oom_kill on v1
// (kernels from 4.13), memory.events' oom_kill on v2. The Sampler reads
// that counter when it starts measuring a container (the baseline), at
// once when the kernel signals the cgroup (see watchOOM), because the
// cgroup is removed moments after the container dies and a sample a
// second later finds nothing, and with the container's samples as a
// backstop: every sample where the signal could not be armed, else on
// the container's own tick (offscreen.go).

// OOMKill is what the Sampler saw of OOM kills in one container's cgroup.
type OOMKill struct {
	// Kills counts the OOM kills in the container's cgroup since the
	// Sampler began watching it (across its restarts).
	Kills uint64 `json:"kills"`
	// At is when the last was seen: within milliseconds of the kill when
	// Watch says "eventfd" or "inotify" (within 5 s if the kernel counted
	// the kill after the watcher stopped reading), within a sample
	// otherwise; the
	// time the kernel logged it when its log reported it first.
	At time.Time `json:"at"`
	// Watch says how the cgroup was watched: "eventfd" (v1),
	// "inotify" (v2), or "sample" (the counter read once a second, when
	// the kernel's notification could not be armed).
	Watch string `json:"watch"`
	// KernelLog says the kernel's log (its oom-kill line naming the
	// container's cgroup, read as it was written) counted kills the
	// cgroup did not: a container killed before its cgroup was watched.
	KernelLog bool `json:"kernel_log,omitempty"`
	// MemUsed and MemLimit are the last sample's before the kill.
	MemUsed  uint64 `json:"mem_used_bytes"`
	MemLimit uint64 `json:"mem_limit_bytes"`
}

// oomCounterFile is the file whose oom_kill line counts the kills.
func oomCounterFile(f cgroupFiles) string {
	if f.v2 {
		return filepath.Join(f.mem, "memory.events")
	}
	return filepath.Join(f.mem, "memory.oom_control")
}

// oomState parses memory.oom_control (v1) or memory.events (v2): the
// kill count, and whether an OOM is under way (v1's under_oom; v2's oom
// count, which rises before the kill).
type oomState struct {
	kills    uint64
	underOOM bool
	ooms     uint64 // v2 only
}

func parseOOM(b []byte) (oomState, bool) {
	var st oomState
	found := false
	for line := range bytes.Lines(b) {
		k, v, ok := bytes.Cut(bytes.TrimSpace(line), []byte{' '})
		if !ok {
			continue
		}
		n := parseUint(v)
		switch string(k) {
		case "oom_kill":
			st.kills, found = n, true
		case "under_oom":
			st.underOOM = n > 0
		case "oom":
			st.ooms = n
		}
	}
	return st, found
}

func parseUint(b []byte) uint64 {
	var n uint64
	for _, c := range bytes.TrimSpace(b) {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + uint64(c-'0')
	}
	return n
}

// oomMsg is a watcher's report: the kill count of one of the container's
// cgroups (gen tells which), read right after the kernel signalled it.
type oomMsg struct {
	id    string
	gen   int
	kills uint64
	at    time.Time
}

// oomSettle is how long a v1 watcher keeps reading after a notification
// for the kill count to rise: the kernel signals the eventfd when the OOM
// starts, and counts the kill a moment later.
const oomSettle = 100 * time.Millisecond

// oomTrack is a tracked container's OOM state, owned by Run's goroutine.
type oomTrack struct {
	seen OOMKill
	// cgroupKills and kernelKills count the kills each source saw; both
	// see the same kills when both work, so seen.Kills is the larger.
	cgroupKills, kernelKills uint64
	// gen numbers the cgroups the container has had (a restart makes a
	// new one); counted is, per cgroup, the count already accounted for.
	// The watcher and the per-sample read both report; whoever reads a
	// rise first counts it.
	gen     int
	counted map[int]uint64
	stops   []context.CancelFunc
}

// armOOM starts on t's freshly resolved cgroup: the baseline count, and
// the kernel's notification where it can be armed (else the per-sample
// read is all).
func (s *Sampler) armOOM(ctx context.Context, t *tracked) {
	if t.files == nil {
		return
	}
	o := &t.oom
	o.gen++
	if o.counted == nil {
		o.counted = map[int]uint64{}
	}
	delete(o.counted, o.gen-2)
	f := *t.files
	b, err := s.rd.read(oomCounterFile(f))
	st, ok := parseOOM(b)
	if err != nil || !ok {
		o.seen.Watch = ""
		return
	}
	o.counted[o.gen] = st.kills
	id, gen := t.c.ID, o.gen
	wctx, cancel := context.WithCancel(ctx)
	how, err := watchOOM(wctx, f, st.kills, func(kills uint64) {
		select {
		case s.ooms <- oomMsg{id: id, gen: gen, kills: kills, at: time.Now()}:
		case <-wctx.Done():
		}
	}, &s.streams)
	if err != nil {
		cancel()
		o.seen.Watch = "sample"
		return
	}
	// The watch is left running when the container stops: the kernel
	// signals the cgroup's removal too, which ends it, and stopping it at
	// the die event could drop the report of the kill that caused it.
	o.stops = append(o.stops, cancel)
	// The watch before this one may still report the kill that ended its
	// cgroup; older ones cannot count (noteOOM has no baseline for them),
	// and one whose cgroup was made again under the same path (Docker's
	// /docker/<id> on a restart) is never signalled again: without this a
	// crash loop kept a descriptor and a goroutine per restart.
	for len(o.stops) > 2 {
		o.stops[0]()
		o.stops = o.stops[1:]
	}
	o.seen.Watch = how
}

// sampleOOM reads the counter with a sample, through the container's kept
// files like the counters (an open and close per container per second was
// a tenth of stackui's idle CPU at 100 containers).
func (s *Sampler) sampleOOM(t *tracked, now time.Time) {
	if b, err := s.rd.keptRead(t.files.kept, oomCounterFile(*t.files)); err == nil {
		if st, ok := parseOOM(b); ok {
			t.noteOOM(t.oom.gen, st.kills, now)
		}
	}
}

// oomWatched says the kernel's notification is armed for t's cgroup, so
// its OOM counter need not be read with every sample.
func (t *tracked) oomWatched() bool {
	return t.oom.seen.Watch == "eventfd" || t.oom.seen.Watch == "inotify"
}

// stopOOM ends every watch of t's cgroups.
func (t *tracked) stopOOM() {
	for _, stop := range t.oom.stops {
		stop()
	}
	t.oom.stops = nil
}

// noteOOM takes a count read from cgroup gen; it reports whether t's OOM
// figures changed.
func (t *tracked) noteOOM(gen int, kills uint64, at time.Time) bool {
	o := &t.oom
	base, ok := o.counted[gen]
	if !ok || kills <= base {
		return false
	}
	o.counted[gen] = kills
	o.cgroupKills += kills - base
	return t.settleOOM(at)
}

// settleOOM makes seen.Kills the larger count of the two sources, and
// says whether it and KernelLog changed. At is when the count rose.
func (t *tracked) settleOOM(at time.Time) bool {
	o := &t.oom
	n := max(o.cgroupKills, o.kernelKills)
	kernel := o.cgroupKills < n
	if n == o.seen.Kills && kernel == o.seen.KernelLog {
		return false
	}
	if n > o.seen.Kills {
		o.seen.Kills, o.seen.At = n, at
		o.seen.MemUsed, o.seen.MemLimit = t.latest.MemUsed, t.latest.MemLimit
	}
	o.seen.KernelLog = kernel
	return true
}

// handleOOM applies a watcher's report.
func (s *Sampler) handleOOM(m oomMsg) bool {
	t := s.tracked[m.id]
	return t != nil && t.noteOOM(m.gen, m.kills, m.at)
}

// unclaimedFor is how long a kernel-logged kill waits for its container
// to show up in the stack state (Podman's events can lag by seconds).
const unclaimedFor = time.Minute

// followKernel follows the kernel's log for OOM kills while Run runs, on
// an engine whose cgroups are this host's. Without the kernel's log (no
// root, no CAP_SYSLOG) the cgroup watches are all there is.
func (s *Sampler) followKernel(ctx context.Context) {
	if !s.opts.Local {
		return
	}
	_ = followKernelOOMs(ctx, func(k kernelKill) {
		select {
		case s.kernel <- k:
		case <-ctx.Done():
		}
	}, &s.streams)
}

// handleKernelKill applies an OOM kill the kernel logged: to the tracked
// container whose cgroup it names, or kept for one to come.
func (s *Sampler) handleKernelKill(k kernelKill) bool {
	for id, t := range s.tracked {
		if strings.Contains(k.memcg, id) {
			return t.noteKernelKill(k)
		}
	}
	s.unclaimed = append(s.unclaimed, k)
	if len(s.unclaimed) > 32 {
		s.unclaimed = s.unclaimed[1:]
	}
	return false
}

// claimKernelKills hands the kept kernel-logged kills to the containers
// now tracked, and forgets those kept too long.
func (s *Sampler) claimKernelKills() {
	now := time.Now()
	s.unclaimed = slices.DeleteFunc(s.unclaimed, func(k kernelKill) bool {
		for id, t := range s.tracked {
			if strings.Contains(k.memcg, id) {
				t.noteKernelKill(k)
				return true
			}
		}
		return now.Sub(k.At) > unclaimedFor
	})
}

func (t *tracked) noteKernelKill(k kernelKill) bool {
	t.oom.kernelKills++
	return t.settleOOM(k.At)
}
