package resources

import (
	"cmp"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"

	"github.com/stackui/stackui/probes/gpu"
	"github.com/stackui/stackui/stack"
)

// StatsStreamer is the Engine API's stats call; *docker.Client has it.
type StatsStreamer interface {
	Stats(ctx context.Context, id string, stream bool, fn func(stack.Stats) error) error
}

// GPUQuerier reads the GPUs; *gpu.Runner is one.
type GPUQuerier interface {
	Query(ctx context.Context) gpu.Reading
}

// Options configure a Sampler.
type Options struct {
	// Local says the engine runs on this Linux host, so its containers'
	// cgroups and PIDs are this host's (see LocalEngine). Each container
	// is still checked before its cgroup is trusted.
	Local bool
	// Engine streams stats for containers whose cgroups cannot be read,
	// and only while they are visible (SetVisible). Nil: none.
	Engine StatsStreamer
	// GPU, when set, is queried once per interval while containers run.
	GPU GPUQuerier
	// MemTotal is the engine's memory (stack.EngineInfo.MemTotal), which
	// stands for the limit of containers without one, as in docker stats.
	// Zero: this host's.
	MemTotal uint64
	// Interval between cgroup samples; zero means one second. A one-shot
	// measurement (ps, top) uses a shorter one, so it need not wait a
	// second; tests too.
	Interval time.Duration
	// History is how many points each container keeps; zero means
	// DefaultHistory (five minutes at one a second).
	History int
	// ProcRoot is where /proc is; empty means "/proc".
	ProcRoot string
}

// LocalEngine reports whether an engine's containers run on this host, so
// that their cgroup files and PIDs can be read here: a local socket, a
// Linux host, and not Docker Desktop (whose engine runs in a VM).
func LocalEngine(info stack.EngineInfo, goos string) bool {
	return info.Local && goos == "linux" && info.OS == "linux" && info.OperatingSystem != "Docker Desktop"
}

// Sampler measures the project's running containers. Feed it stack
// snapshots with Update (after every stack.Live change); it samples cgroups
// at most once per interval and only while some container runs, opens
// Engine API streams only for visible containers it cannot read directly,
// and does nothing while nothing runs. Read it like stack.Live: wait on
// Changed, then call Snapshot.
//
// All methods are safe from any goroutine; Run must be called once.
type Sampler struct {
	opts    Options
	changed chan struct{}
	wake    chan struct{}

	inMu    sync.Mutex
	in      stack.Snapshot
	visible map[string]bool
	listed  map[string]bool // SetListed's, for due
	mu      sync.RWMutex
	snap    Snapshot

	// Owned by Run's goroutine.
	tracked   map[string]*tracked
	mounts    []cgroupMount
	mountErr  error
	mounted   bool
	rd        reader
	ticks     int // cgroup samples taken, for due
	host      HostUsage
	hostAt    time.Time
	hostCPU   cpu.TimesStat
	gpu       gpu.Reading
	streams   sync.WaitGroup
	messages  chan streamMsg
	ooms      chan oomMsg
	kernel    chan kernelKill
	unclaimed []kernelKill // kernel-logged kills of no tracked container yet, kept a while
}

// tracked is the Sampler's state for one container.
type tracked struct {
	c       stack.Container
	running bool
	source  Source
	err     string

	files       *cgroupFiles
	failedPid   int // the PID whose cgroup could not be resolved
	failedTries int // how often, for that PID
	prev        Counters
	havePrev    bool

	stream    context.CancelFunc
	streamGen int

	latest     Sample
	gpuMem     uint64
	gpuUnknown bool
	hist       history
	slot       int // its tick in offscreenEvery, for due

	oom oomTrack
}

// NewSampler returns a Sampler; nothing happens until Run.
func NewSampler(opts Options) *Sampler {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.History <= 0 {
		opts.History = DefaultHistory
	}
	if opts.ProcRoot == "" {
		opts.ProcRoot = "/proc"
	}
	return &Sampler{
		opts:     opts,
		changed:  make(chan struct{}, 1),
		wake:     make(chan struct{}, 1),
		tracked:  map[string]*tracked{},
		messages: make(chan streamMsg, 16),
		ooms:     make(chan oomMsg, 16),
		kernel:   make(chan kernelKill, 16),
	}
}

// Update hands the Sampler the project's current state. It does not
// block; the Sampler starts and stops measuring containers as they start
// and stop.
func (s *Sampler) Update(snap stack.Snapshot) {
	s.inMu.Lock()
	s.in = snap
	s.inMu.Unlock()
	s.poke()
}

// SetVisible names the containers the UI shows or has selected. Only those
// get Engine API streams when their cgroups cannot be read; cgroup reads
// are cheap enough for all.
func (s *Sampler) SetVisible(ids ...string) {
	v := idSet(ids)
	s.inMu.Lock()
	s.visible = v
	s.inMu.Unlock()
	s.poke()
}

// Snapshot returns the current figures. It is cheap: it is built when
// something changes, not when it is read.
func (s *Sampler) Snapshot() Snapshot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.snap
}

// Changed delivers a value after the snapshot changed; notifications
// coalesce, as stack.Live's do.
func (s *Sampler) Changed() <-chan struct{} { return s.changed }

func (s *Sampler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run measures until ctx ends.
func (s *Sampler) Run(ctx context.Context) {
	gpuReq := make(chan map[string]bool, 1)
	gpuRes := make(chan gpuResult, 1)
	var gpuDone chan struct{}
	if s.opts.GPU != nil {
		gpuDone = make(chan struct{})
		go func() {
			defer close(gpuDone)
			s.gpuLoop(ctx, gpuReq, gpuRes)
		}()
	}
	var ticker *time.Ticker
	var tick <-chan time.Time
	// Engine streams deliver samples at their own times; they are
	// published together a moment later, so the UI redraws once for all.
	flush := time.NewTimer(time.Hour)
	flush.Stop()
	flushArmed := false
	// New samples (a tick's, or the streams' flushed) that came with a
	// request for a GPU reading are published with its result, one redraw
	// for both, unless nvidia-smi takes longer than a quarter interval.
	gpuWait := time.NewTimer(time.Hour)
	gpuWait.Stop()
	sampled := func() {
		if s.requestGPU(gpuReq) {
			gpuWait.Reset(s.opts.Interval / 4)
		} else {
			s.publish()
		}
	}
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
		flush.Stop()
		gpuWait.Stop()
		for _, t := range s.tracked {
			t.stopStream()
			t.stopOOM()
			t.dropFiles()
		}
		s.streams.Wait()
		if gpuDone != nil {
			<-gpuDone
		}
	}()
	s.followKernel(ctx)
	// A cgroup that could not be resolved is tried again a few times: a
	// container that has just started (Podman's, seen through its slower
	// events) may not be in its own cgroup yet.
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	for {
		if s.resolvePending() {
			retry.Reset(resolveRetry)
		}
		need := s.anyCgroupRunning()
		switch {
		case need && ticker == nil:
			ticker = time.NewTicker(s.opts.Interval)
			tick = ticker.C
			s.sampleHost(ctx) // the baseline for the host's CPU figure
		case !need && ticker != nil:
			ticker.Stop()
			ticker, tick = nil, nil
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
			s.reconcile(ctx)
			s.publish()
		case <-retry.C:
			s.reconcile(ctx)
			s.publish()
		case <-tick:
			s.sampleCgroups()
			s.sampleHost(ctx)
			sampled()
		case <-gpuWait.C:
			s.publish()
		case m := <-s.ooms:
			// Published at once: an OOM kill is the news the UI's badge
			// and the doctor wait for.
			if s.handleOOM(m) {
				s.publish()
			}
		case k := <-s.kernel:
			if s.handleKernelKill(k) {
				s.publish()
			}
		case m := <-s.messages:
			s.handleStream(m)
			if !flushArmed {
				flush.Reset(s.opts.Interval / 4)
				flushArmed = true
			}
		case <-flush.C:
			flushArmed = false
			s.sampleHost(ctx)
			sampled()
		case r := <-gpuRes:
			gpuWait.Stop()
			s.applyGPU(r)
			s.publish()
		}
	}
}

// resolveTries and resolveRetry bound the retries of a cgroup that could
// not be resolved: about two seconds.
const (
	resolveTries = 8
	resolveRetry = 250 * time.Millisecond
)

func (s *Sampler) resolvePending() bool {
	if !s.opts.Local {
		return false
	}
	for _, t := range s.tracked {
		if t.running && t.files == nil && t.failedPid != 0 && t.failedTries < resolveTries {
			return true
		}
	}
	return false
}

func (s *Sampler) anyCgroupRunning() bool {
	for _, t := range s.tracked {
		if t.running && t.files != nil {
			return true
		}
	}
	return false
}

// reconcile starts and stops measuring containers to match the latest
// stack snapshot and visible set.
func (s *Sampler) reconcile(ctx context.Context) {
	s.inMu.Lock()
	snap, visible := s.in, s.visible
	s.inMu.Unlock()
	seen := map[string]bool{}
	each := func(c stack.Container) {
		seen[c.ID] = true
		t := s.tracked[c.ID]
		if t == nil {
			t = &tracked{hist: newHistory(s.opts.History), slot: len(s.tracked) % offscreenEvery}
			s.tracked[c.ID] = t
		}
		s.reconcileOne(ctx, t, c, visible[c.ID])
	}
	for _, st := range snap.Services {
		for _, c := range st.Containers {
			each(c)
		}
	}
	for _, c := range snap.Orphans {
		each(c)
	}
	for _, c := range snap.Oneoffs {
		each(c)
	}
	s.claimKernelKills()
	for id, t := range s.tracked {
		if !seen[id] {
			t.stopStream()
			t.stopOOM()
			t.dropFiles()
			delete(s.tracked, id)
		}
	}
}

func (s *Sampler) reconcileOne(ctx context.Context, t *tracked, c stack.Container, visible bool) {
	pidChanged := t.c.Pid != c.Pid
	t.c = c
	t.running = c.State == stack.StateRunning
	if !t.running || pidChanged {
		t.dropFiles()
		t.havePrev = false
	}
	if !t.running {
		t.stopStream()
		t.source, t.err = SourceNone, ""
		return
	}
	var cgroupErr error
	if s.opts.Local && t.files == nil && (t.failedPid != c.Pid || t.failedTries < resolveTries) {
		f, err := s.resolve(c)
		if err == nil {
			f.kept = newKeptFiles()
			t.files, t.failedPid = &f, 0
			t.stopStream()
			t.source, t.err = SourceCgroup, ""
			s.armOOM(ctx, t)
			// The baseline read: the first sample follows one interval on.
			if cur, err := s.rd.counters(f, time.Now); err == nil {
				t.prev, t.havePrev = cur, true
			}
			return
		}
		if t.failedPid != c.Pid {
			t.failedTries = 0
		}
		t.failedPid, cgroupErr = c.Pid, err
		t.failedTries++
	}
	if t.files != nil {
		return
	}
	switch {
	case s.opts.Engine != nil && visible:
		if t.stream == nil {
			s.startStream(ctx, t)
		}
		t.source = SourceEngine
	default:
		t.stopStream()
		t.source = SourceNone
		if cgroupErr != nil && s.opts.Engine == nil {
			t.err = cgroupErr.Error()
		}
	}
}

// dropFiles forgets the container's cgroup, closing its kept files.
func (t *tracked) dropFiles() {
	if t.files != nil {
		t.files.kept.close()
	}
	t.files = nil
}

func (s *Sampler) resolve(c stack.Container) (cgroupFiles, error) {
	if !s.mounted {
		s.mounted = true
		var data []byte
		data, s.mountErr = s.rd.read(filepath.Join(s.opts.ProcRoot, "self", "mountinfo"))
		s.mounts = parseMountinfo(data)
		if s.mountErr == nil && len(s.mounts) == 0 {
			s.mountErr = errors.New("no cgroup hierarchy is mounted here")
		}
	}
	if s.mountErr != nil {
		return cgroupFiles{}, s.mountErr
	}
	return resolveCgroup(s.opts.ProcRoot, s.mounts, c.Pid, c.ID)
}

func (s *Sampler) sampleCgroups() {
	mem := s.machineMem()
	s.inMu.Lock()
	visible, listed := s.visible, s.listed
	s.inMu.Unlock()
	s.ticks++
	now := time.Now()
	for _, t := range s.tracked {
		if !t.running || t.files == nil || !s.due(t, visible[t.c.ID], listed[t.c.ID], now) {
			continue
		}
		f, slot := s.filesFor(t, visible[t.c.ID])
		cur, err := s.rd.counters(f, time.Now)
		if err == nil && f.brief {
			cur.NetRx, cur.NetTx, cur.BlkRead, cur.BlkWrite, cur.Pids = t.prev.NetRx, t.prev.NetTx, t.prev.BlkRead, t.prev.BlkWrite, t.prev.Pids
		}
		if err != nil {
			// Most likely the container is stopping and its cgroup
			// went first; the update about it follows.
			t.err = "read cgroup: " + err.Error()
			continue
		}
		if slot || !t.oomWatched() {
			s.sampleOOM(t, cur.Time)
		}
		if !t.havePrev {
			t.prev, t.havePrev = cur, true
			continue
		}
		// A tick right after the baseline read would make a noisy CPU
		// figure from a few milliseconds; wait for the next.
		if cur.Time.Sub(t.prev.Time) < s.opts.Interval/2 {
			continue
		}
		s.record(t, SampleBetween(t.prev, cur, mem))
		t.prev = cur
	}
}

func (s *Sampler) record(t *tracked, sm Sample) {
	t.latest = sm
	t.err = ""
	t.hist.add(Point{Time: sm.Time, CPUPercent: sm.CPUPercent, MemUsed: sm.MemUsed, MemLimit: sm.MemLimit, GPUMem: t.gpuMem})
}

func (s *Sampler) machineMem() uint64 {
	return cmp.Or(s.opts.MemTotal, s.host.MemTotal)
}

// publish builds the snapshot readers see and tells them.
func (s *Sampler) publish() {
	cs := make([]ContainerUsage, 0, len(s.tracked))
	for _, t := range s.tracked {
		cs = append(cs, ContainerUsage{
			ID: t.c.ID, Name: t.c.Name, Service: t.c.Service, Number: t.c.Number,
			Running: t.running, Source: t.source, Latest: t.latest,
			GPUMem: t.gpuMem, GPUMemUnknown: t.gpuUnknown, Err: t.err,
			History: t.hist.points(), OOM: t.oom.seen,
		})
	}
	slices.SortFunc(cs, func(a, b ContainerUsage) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.Number, b.Number), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	s.mu.Lock()
	s.snap = Snapshot{Containers: cs, Host: s.host, GPU: s.gpu}
	s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
}
