package stack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// liveFake is a scripted Engine: each list and inspect answer is queued by
// the test, and any call without a queued answer fails the test. Every call
// is logged, so a test can prove that an event cost exactly one inspect.
type liveFake struct {
	t *testing.T

	mu       sync.Mutex
	lists    []liveListAnswer
	inspects map[string][]liveInspectAnswer
	calls    []string
	open     int // event streams not yet closed

	subs chan *liveFakeSub
}

type liveListAnswer struct {
	cs  []Container
	err error
	// gate, when set, holds the answer back until the test closes it, so
	// that a state in between can be observed.
	gate chan struct{}
}

type liveInspectAnswer struct {
	c   Container
	err error
	// gate, when set, holds the answer back until the test closes it.
	gate chan struct{}
}

// liveFakeSub is one ProjectEvents subscription, driven by the test.
type liveFakeSub struct {
	project string
	in      chan Event
	fail    chan error
}

func newLiveFake(t *testing.T) *liveFake {
	return &liveFake{t: t, inspects: make(map[string][]liveInspectAnswer), subs: make(chan *liveFakeSub, 16)}
}

func (f *liveFake) queueList(cs []Container, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists = append(f.lists, liveListAnswer{cs: cs, err: err})
}

// queueGatedList queues an answer that is given only once the returned
// channel is closed.
func (f *liveFake) queueGatedList(cs []Container, err error) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	gate := make(chan struct{})
	f.lists = append(f.lists, liveListAnswer{cs: cs, err: err, gate: gate})
	return gate
}

func (f *liveFake) queueInspect(id string, c Container, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inspects[id] = append(f.inspects[id], liveInspectAnswer{c: c, err: err})
}

func (f *liveFake) log(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
}

// takeCalls returns the calls logged since the last takeCalls.
func (f *liveFake) takeCalls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

func (f *liveFake) openStreams() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.open
}

func (f *liveFake) ProjectContainers(ctx context.Context, project string) ([]Container, error) {
	f.log("list " + project)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.lists) == 0 {
		f.t.Errorf("unexpected ProjectContainers(%q)", project)
		return nil, errors.New("unexpected call")
	}
	a := f.lists[0]
	f.lists = f.lists[1:]
	if a.gate != nil {
		f.mu.Unlock()
		select {
		case <-a.gate:
		case <-ctx.Done():
		}
		f.mu.Lock()
	}
	return a.cs, a.err
}

func (f *liveFake) InspectContainer(ctx context.Context, id string) (Container, error) {
	f.log("inspect " + id)
	f.mu.Lock()
	defer f.mu.Unlock()
	q := f.inspects[id]
	if len(q) == 0 {
		f.t.Errorf("unexpected InspectContainer(%q)", id)
		return Container{}, errors.New("unexpected call")
	}
	f.inspects[id] = q[1:]
	if q[0].gate != nil {
		f.mu.Unlock()
		select {
		case <-q[0].gate:
		case <-ctx.Done():
		}
		f.mu.Lock()
	}
	return q[0].c, q[0].err
}

func (f *liveFake) ProjectEvents(ctx context.Context, project string) (<-chan Event, <-chan error) {
	f.log("events " + project)
	events := make(chan Event)
	errs := make(chan error, 1)
	sub := &liveFakeSub{project: project, in: make(chan Event), fail: make(chan error, 1)}
	f.mu.Lock()
	f.open++
	f.mu.Unlock()
	go func() {
		finish := func(err error) {
			f.mu.Lock()
			f.open--
			f.mu.Unlock()
			errs <- err
			close(errs)
			close(events)
		}
		for {
			select {
			case <-ctx.Done():
				finish(nil)
				return
			case err := <-sub.fail:
				finish(err)
				return
			case ev := <-sub.in:
				select {
				case events <- ev:
				case <-ctx.Done():
					finish(nil)
					return
				}
			}
		}
	}()
	f.subs <- sub
	return events, errs
}

// waitLiveSnap waits on Changed until the snapshot satisfies ok. The bound only
// turns a hang into a failure; it asserts nothing about speed.
func waitLiveSnap(t *testing.T, l *Live, what string, ok func(Snapshot) bool) Snapshot {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		s := l.Snapshot()
		if ok(s) {
			return s
		}
		select {
		case <-l.Changed():
		case <-deadline.C:
			t.Fatalf("snapshot never showed %s; last: %+v", what, s)
		}
	}
}

func nextLiveSub(t *testing.T, f *liveFake) *liveFakeSub {
	t.Helper()
	select {
	case s := <-f.subs:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("Live never subscribed to events")
		return nil
	}
}

func liveProject(names ...string) *Project {
	p := &Project{Name: "proj"}
	for _, n := range names {
		p.Services = append(p.Services, Service{Name: n, Enabled: true})
	}
	return p
}

func liveCtr(id, service string, number int, state string) Container {
	return Container{ID: id, Name: "proj-" + service + "-" + fmt.Sprint(number), Service: service, Project: "proj",
		Number: number, State: state, Inspected: true}
}

// startLive runs l until the test ends and checks that Run returns and
// leaves no event stream open.
func startLive(t *testing.T, l *Live, f *liveFake) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		l.Run(ctx)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after its context ended")
		}
		if n := f.openStreams(); n != 0 {
			t.Errorf("%d event streams still open after Run returned", n)
		}
	})
}

func TestLiveInitialListJoinsServices(t *testing.T) {
	f := newLiveFake(t)
	f.queueList([]Container{
		liveCtr("a1", "api", 1, StateRunning),
		liveCtr("d1", "db", 1, StateExited),
		liveCtr("o1", "gone", 1, StateRunning),
		{ID: "r1", Service: "api", Project: "proj", Oneoff: true, State: StateRunning},
	}, nil)
	l := NewLive(liveProject("api", "db", "web"), f, LiveOptions{})
	if s := l.Snapshot(); s.Engine.Reachable || !s.Engine.Connecting || s.Services[0].State != StateUnknown {
		t.Fatalf("before Run: engine %+v, api %q; want connecting, unknown", s.Engine, s.Services[0].State)
	}
	startLive(t, l, f)
	nextLiveSub(t, f)
	s := waitLiveSnap(t, l, "reachable", func(s Snapshot) bool { return s.Engine.Reachable })

	if got := f.takeCalls(); !slices.Equal(got, []string{"events proj", "list proj"}) {
		t.Errorf("calls = %q; want the events subscription before the list", got)
	}
	want := map[string]string{"api": StateRunning, "db": StateExited, "web": StateMissing}
	for name, state := range want {
		st, ok := s.Service(name)
		if !ok || st.State != state {
			t.Errorf("service %s: state %q (found %v), want %q", name, st.State, ok, state)
		}
	}
	if api, _ := s.Service("api"); api.Total != 1 || api.Containers[0].ID != "a1" {
		t.Errorf("api containers = %+v; want only a1 (the one-off kept apart)", api.Containers)
	}
	if len(s.Orphans) != 1 || s.Orphans[0].ID != "o1" {
		t.Errorf("orphans = %+v, want o1", s.Orphans)
	}
	if len(s.Oneoffs) != 1 || s.Oneoffs[0].ID != "r1" {
		t.Errorf("oneoffs = %+v, want r1", s.Oneoffs)
	}
}

func TestLiveEventInspectsOnlyThatContainer(t *testing.T) {
	f := newLiveFake(t)
	f.queueList([]Container{liveCtr("a1", "api", 1, StateRunning), liveCtr("b1", "db", 1, StateRunning)}, nil)
	var seen []string
	var seenMu sync.Mutex
	l := NewLive(liveProject("api", "db"), f, LiveOptions{OnEvent: func(ev Event) {
		seenMu.Lock()
		seen = append(seen, ev.Action)
		seenMu.Unlock()
	}})
	startLive(t, l, f)
	sub := nextLiveSub(t, f)
	waitLiveSnap(t, l, "reachable", func(s Snapshot) bool { return s.Engine.Reachable })
	f.takeCalls()

	died := liveCtr("a1", "api", 1, StateExited)
	died.ExitCode, died.OOMKilled = 137, true
	f.queueInspect("a1", died, nil)
	// exec events come with every healthcheck run; they must cost nothing.
	sub.in <- Event{Action: "exec_start: /bin/true", ContainerID: "b1", Project: "proj", Service: "db"}
	sub.in <- Event{Action: "die", ContainerID: "a1", Project: "proj", Service: "api", ExitCode: 137}
	s := waitLiveSnap(t, l, "api exited", func(s Snapshot) bool {
		st, _ := s.Service("api")
		return st.State == StateExited
	})
	if st, _ := s.Service("api"); st.ExitCode != 137 || !st.OOMKilled {
		t.Errorf("api = exit %d oom %v; want 137 and true from inspect", st.ExitCode, st.OOMKilled)
	}
	if st, _ := s.Service("db"); st.State != StateRunning {
		t.Errorf("db = %q; an event about another container must not change it", st.State)
	}
	if got := f.takeCalls(); !slices.Equal(got, []string{"inspect a1"}) {
		t.Errorf("calls after the events = %q; want exactly one inspect of a1", got)
	}

	// destroy removes the container without asking the engine.
	sub.in <- Event{Action: "destroy", ContainerID: "a1", Project: "proj", Service: "api"}
	waitLiveSnap(t, l, "api missing", func(s Snapshot) bool {
		st, _ := s.Service("api")
		return st.State == StateMissing && st.Total == 0
	})
	// OnEvent runs after the update it follows, so the die has surely been
	// seen once the destroy after it was applied; the destroy may not yet.
	seenMu.Lock()
	if len(seen) < 2 || !slices.Equal(seen[:2], []string{"exec_start: /bin/true", "die"}) {
		t.Errorf("OnEvent saw %q", seen)
	}
	seenMu.Unlock()
	// A new container (create) is inspected and joined.
	f.queueInspect("a2", liveCtr("a2", "api", 2, StateCreated), nil)
	sub.in <- Event{Action: "create", ContainerID: "a2", Project: "proj", Service: "api"}
	waitLiveSnap(t, l, "api created", func(s Snapshot) bool {
		st, _ := s.Service("api")
		return st.State == StateCreated && st.Total == 1
	})
	if got := f.takeCalls(); !slices.Equal(got, []string{"inspect a2"}) {
		t.Errorf("calls after destroy and create = %q; want only the inspect of a2", got)
	}
}

// liveNotFound is shaped like the engine's "no such container" error.
type liveNotFound struct{}

func (liveNotFound) Error() string { return "No such container" }
func (liveNotFound) NotFound()     {}

func TestLiveInspectFailures(t *testing.T) {
	f := newLiveFake(t)
	f.queueList([]Container{liveCtr("a1", "api", 1, StateRunning), liveCtr("b1", "db", 1, StateRunning)}, nil)
	l := NewLive(liveProject("api", "db"), f, LiveOptions{})
	startLive(t, l, f)
	sub := nextLiveSub(t, f)
	waitLiveSnap(t, l, "reachable", func(s Snapshot) bool { return s.Engine.Reachable })

	// Gone before we looked: dropped.
	f.queueInspect("a1", Container{}, fmt.Errorf("inspect: %w", liveNotFound{}))
	sub.in <- Event{Action: "die", ContainerID: "a1", Project: "proj"}
	waitLiveSnap(t, l, "api missing", func(s Snapshot) bool {
		st, _ := s.Service("api")
		return st.State == StateMissing
	})
	// Any other failure: the event's own attributes are applied.
	f.queueInspect("b1", Container{}, errors.New("bad gateway"))
	sub.in <- Event{Action: "die", ContainerID: "b1", Project: "proj", ExitCode: 3}
	s := waitLiveSnap(t, l, "db exited", func(s Snapshot) bool {
		st, _ := s.Service("db")
		return st.State == StateExited
	})
	if st, _ := s.Service("db"); st.ExitCode != 3 || !s.Engine.Reachable {
		t.Errorf("db exit %d, engine %+v; want 3 from the event, engine still reachable", st.ExitCode, s.Engine)
	}
}

func TestLiveReconnects(t *testing.T) {
	f := newLiveFake(t)
	down := &EngineError{Host: "unix:///nowhere", Err: errors.New("connection refused")}
	f.queueList(nil, down)
	f.queueList(nil, down)
	up := f.queueGatedList([]Container{liveCtr("a1", "api", 1, StateRunning)}, nil)
	l := NewLive(liveProject("api"), f, LiveOptions{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	startLive(t, l, f)

	s := waitLiveSnap(t, l, "the engine error", func(s Snapshot) bool { return s.Engine.Err != nil })
	if s.Engine.Reachable || !errors.Is(s.Engine.Err, ErrEngineUnavailable) {
		t.Errorf("engine = %+v; want unreachable with an ErrEngineUnavailable", s.Engine)
	}
	if st, _ := s.Service("api"); st.State != StateUnknown {
		t.Errorf("api = %q while the engine is down; want %q", st.State, StateUnknown)
	}
	nextLiveSub(t, f)
	nextLiveSub(t, f)
	sub := nextLiveSub(t, f)
	close(up)
	s = waitLiveSnap(t, l, "reachable", func(s Snapshot) bool { return s.Engine.Reachable })
	if s.Engine.Err != nil {
		t.Errorf("engine error %v kept after reconnecting", s.Engine.Err)
	}
	if st, _ := s.Service("api"); st.State != StateRunning {
		t.Errorf("api = %q after reconnecting; want running from the new list", st.State)
	}

	// The daemon dies mid-stream: unreachable, the last known containers
	// stay, and a new subscription and list follow.
	relist := f.queueGatedList([]Container{liveCtr("a1", "api", 1, StateExited)}, nil)
	sub.fail <- &EngineError{Host: "unix:///nowhere", Err: errors.New("EOF")}
	s = waitLiveSnap(t, l, "unreachable", func(s Snapshot) bool { return !s.Engine.Reachable && s.Engine.Err != nil })
	if st, _ := s.Service("api"); st.State != StateRunning {
		t.Errorf("api = %q while disconnected; want the last known state", st.State)
	}
	nextLiveSub(t, f)
	close(relist)
	waitLiveSnap(t, l, "re-listed", func(s Snapshot) bool {
		st, _ := s.Service("api")
		return s.Engine.Reachable && st.State == StateExited
	})
	if got := f.takeCalls(); strings.Count(strings.Join(got, ","), "list proj") != 4 {
		t.Errorf("calls = %q; want 4 lists in all (2 failed, 1 ok, 1 after the drop)", got)
	}
}

func TestLiveSetProject(t *testing.T) {
	f := newLiveFake(t)
	f.queueList([]Container{liveCtr("a1", "api", 1, StateRunning), liveCtr("w1", "worker", 1, StateRunning)}, nil)
	l := NewLive(liveProject("api"), f, LiveOptions{})
	startLive(t, l, f)
	nextLiveSub(t, f)
	s := waitLiveSnap(t, l, "reachable", func(s Snapshot) bool { return s.Engine.Reachable })
	if len(s.Orphans) != 1 {
		t.Fatalf("orphans = %+v; want worker, which the model lacks", s.Orphans)
	}
	f.takeCalls()

	// Same name: re-joined from what is known, no engine call.
	l.SetProject(liveProject("api", "worker"))
	s = l.Snapshot()
	if st, _ := s.Service("worker"); st.State != StateRunning || len(s.Orphans) != 0 {
		t.Errorf("after adding worker: %q, orphans %+v", st.State, s.Orphans)
	}
	if got := f.takeCalls(); len(got) != 0 {
		t.Errorf("SetProject with the same name called the engine: %q", got)
	}

	// A new name: a new subscription and list under that name.
	other := liveProject("api")
	other.Name = "other"
	f.queueList([]Container{{ID: "x1", Service: "api", Project: "other", Number: 1, State: StateExited}}, nil)
	l.SetProject(other)
	if sub := nextLiveSub(t, f); sub.project != "other" {
		t.Errorf("subscribed to %q after the rename", sub.project)
	}
	waitLiveSnap(t, l, "other's api exited", func(s Snapshot) bool {
		st, _ := s.Service("api")
		return s.Project.Name == "other" && s.Engine.Reachable && st.State == StateExited
	})
}

func TestLiveNilProjectWaits(t *testing.T) {
	f := newLiveFake(t)
	l := NewLive(nil, f, LiveOptions{})
	startLive(t, l, f)
	if s := l.Snapshot(); s.Project != nil || len(s.Services) != 0 {
		t.Errorf("nil project snapshot = %+v", s)
	}
	f.queueList(nil, nil)
	l.SetProject(liveProject("api"))
	nextLiveSub(t, f)
	s := waitLiveSnap(t, l, "reachable", func(s Snapshot) bool { return s.Engine.Reachable })
	if st, _ := s.Service("api"); st.State != StateMissing {
		t.Errorf("api = %q, want %q", st.State, StateMissing)
	}
}

// Right after a rename nothing is known about the new name's containers:
// the snapshot says connecting and unknown, not "not created".
func TestLiveRenameSaysConnecting(t *testing.T) {
	l := NewLive(liveProject("api"), newLiveFake(t), LiveOptions{})
	l.mu.Lock()
	l.engine = EngineStatus{Reachable: true}
	l.rebuildLocked()
	l.mu.Unlock()
	other := liveProject("api")
	other.Name = "other"
	l.SetProject(other)
	if s := l.Snapshot(); s.Engine.Reachable || !s.Engine.Connecting || s.Services[0].State != StateUnknown {
		t.Errorf("engine %+v, api %q; want connecting and unknown", s.Engine, s.Services[0].State)
	}
}
