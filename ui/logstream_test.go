package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
	"github.com/stackui/stackui/ui/logbuf"
)

// *docker.Client is the LogStreamer stackui runs with.
var _ LogStreamer = (*docker.Client)(nil)

// fakeLogs is a scripted LogStreamer: each container has lines (with
// timestamps) and an ending. It honours Since and Tail as the engine does.
type fakeLogs struct {
	mu      sync.Mutex
	lines   map[string][]stack.LogLine
	end     map[string]string // "follow" (default): until cancelled; "exit": stream ends; else: an error
	calls   []fakeLogsCall
	cancels map[string]int
}

type fakeLogsCall struct {
	id   string
	opts stack.LogOptions
}

func newFakeLogs() *fakeLogs {
	return &fakeLogs{lines: map[string][]stack.LogLine{}, end: map[string]string{}, cancels: map[string]int{}}
}

func (f *fakeLogs) add(id string, t time.Time, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lines[id] = append(f.lines[id], stack.LogLine{ContainerID: id, Stream: stack.Stdout, Time: t, Text: text})
}

func (f *fakeLogs) setEnd(id, end string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.end[id] = end
}

func (f *fakeLogs) Logs(ctx context.Context, id string, opts stack.LogOptions, fn func(stack.LogLine) error) error {
	f.mu.Lock()
	f.calls = append(f.calls, fakeLogsCall{id, opts})
	var send []stack.LogLine
	for _, l := range f.lines[id] {
		if !l.Time.Before(opts.Since) {
			send = append(send, l)
		}
	}
	if opts.Tail >= 0 && len(send) > opts.Tail {
		send = send[len(send)-opts.Tail:]
	}
	end := f.end[id]
	f.mu.Unlock()
	for _, l := range send {
		if err := fn(l); err != nil {
			return err
		}
	}
	switch end {
	case "", "follow":
		<-ctx.Done()
		f.mu.Lock()
		f.cancels[id]++
		f.mu.Unlock()
		return ctx.Err()
	case "exit":
		return nil
	case "down":
		return &stack.EngineError{Host: "unix:///fake.sock", Err: errors.New("connection refused")}
	}
	return errors.New(end)
}

func (f *fakeLogs) callsFor(id string) []stack.LogOptions {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []stack.LogOptions
	for _, c := range f.calls {
		if c.id == id {
			out = append(out, c.opts)
		}
	}
	return out
}

func (f *fakeLogs) cancelled(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cancels[id]
}

// eventually polls cond, failing after a generous deadline: streams run on
// their own goroutines.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestLogStreamsAttachSwitchResume(t *testing.T) {
	f := newFakeLogs()
	for i := range 3 {
		f.add("api-1-id", logsT0.Add(time.Duration(i)*time.Second), fmt.Sprintf("api1 %d", i))
		f.add("api-2-id", logsT0.Add(time.Duration(i)*time.Second+time.Millisecond), fmt.Sprintf("api2 %d", i))
		f.add("trainer-1-id", logsT0.Add(time.Duration(i)*time.Second), fmt.Sprintf("epoch %d", i))
	}
	store := logbuf.NewStore(logbuf.Options{Capacity: 50})
	ls := newLogStreams(f, store)
	t.Cleanup(ls.Close)
	snap := logsSnapshot()

	ls.Sync(snap, "api", false)
	api := logbuf.View{Service: "api"}
	eventually(t, "api's 6 lines", func() bool { return store.Len(api) == 6 })
	if n := ls.running(); n != 2 {
		t.Errorf("%d streams run, want api's 2", n)
	}
	first := f.callsFor("api-1-id")
	if len(first) != 1 || first[0] != (stack.LogOptions{Follow: true, Timestamps: true, Tail: 50}) {
		t.Errorf("first attach = %+v, want follow, timestamps, tail = capacity", first)
	}
	if len(f.callsFor("trainer-1-id")) != 0 {
		t.Error("trainer attached while only api is shown")
	}
	// The merged rows are in time order, replica by replica.
	if got := store.Export(api); !strings.HasPrefix(got, "api-1  | api1 0\napi-2  | api2 0\napi-1  | api1 1\n") {
		t.Errorf("api export:\n%s", got)
	}

	// Another service: api's streams stop, trainer's starts.
	ls.Sync(snap, "trainer", false)
	eventually(t, "api's streams to stop", func() bool { return f.cancelled("api-1-id") == 1 && f.cancelled("api-2-id") == 1 })
	eventually(t, "trainer's lines", func() bool { return store.Len(logbuf.View{Service: "trainer"}) == 3 })

	// Back to api: it resumes after the last line it had, no duplicates.
	f.add("api-1-id", logsT0.Add(10*time.Second), "api1 new")
	ls.Sync(snap, "api", false)
	eventually(t, "the new api line", func() bool { return store.Len(api) == 7 })
	again := f.callsFor("api-1-id")
	if len(again) != 2 || !again[1].Since.Equal(logsT0.Add(2*time.Second+time.Nanosecond)) {
		t.Errorf("re-attach = %+v, want Since just after the last line", again)
	}

	// All services: every container streams.
	ls.Sync(snap, "api", true)
	eventually(t, "three streams", func() bool { return ls.running() == 3 })
	if n := store.Len(logbuf.View{All: true}); n != 10 {
		t.Errorf("merged view has %d lines, want 10", n)
	}

	ls.Close()
	if n := ls.running(); n != 0 {
		t.Errorf("%d streams after Close", n)
	}
	ls.Sync(snap, "api", true) // after Close: nothing starts
	if n := ls.running(); n != 0 {
		t.Errorf("Sync after Close started %d streams", n)
	}
}

func TestLogStreamsRestartAndErrors(t *testing.T) {
	f := newFakeLogs()
	f.add("api-1-id", logsT0, "first run")
	f.setEnd("api-1-id", "exit")
	f.setEnd("api-2-id", "permission denied")
	f.setEnd("trainer-1-id", "down")
	store := logbuf.NewStore(logbuf.Options{})
	ls := newLogStreams(f, store)
	t.Cleanup(ls.Close)
	snap := logsSnapshot()

	ls.Sync(snap, "", true)
	api := logbuf.View{Service: "api"}
	eventually(t, "api-1's line and api-2's error note", func() bool { return store.Len(api) == 2 })
	eventually(t, "the streams to end", func() bool { return ls.running() == 0 })
	if got := store.Export(api); !strings.Contains(got, "api-2  | stackui: logs of api-2: permission denied") {
		t.Errorf("no note for the failed stream:\n%s", got)
	}
	if n := store.Len(logbuf.View{Service: "trainer"}); n != 0 {
		t.Errorf("an unreachable engine made %d notes; the pane says it once", n)
	}

	// The same snapshot again: an exited container is not re-read, a
	// failed stream is retried and its unchanged error is not repeated.
	ls.Sync(snap, "", true)
	eventually(t, "the retry", func() bool { return len(f.callsFor("api-2-id")) == 2 })
	eventually(t, "the retry to end", func() bool { return ls.running() == 0 })
	if n := len(f.callsFor("api-1-id")); n != 1 {
		t.Errorf("exited api-1 attached %d times, want once", n)
	}
	if n := store.Len(api); n != 2 {
		t.Errorf("api has %d lines after the retry, want the same 2", n)
	}

	// api-1 restarts: a new StartedAt re-attaches after the last line.
	f.add("api-1-id", logsT0.Add(time.Minute), "second run")
	f.setEnd("api-1-id", "follow")
	snap.Services[0].Containers[0].StartedAt = logsT0.Add(time.Minute)
	ls.Sync(snap, "", true)
	eventually(t, "the second run's line", func() bool { return store.Len(api) == 3 })
	calls := f.callsFor("api-1-id")
	if len(calls) != 2 || !calls[1].Since.Equal(logsT0.Add(time.Nanosecond)) {
		t.Errorf("restart attach = %+v", calls)
	}

	// An unreachable engine starts nothing new; removed containers are
	// forgotten once the engine answers without them.
	down := snap
	down.Engine = stack.EngineStatus{Err: errors.New("down")}
	before := len(f.callsFor("api-2-id"))
	ls.Sync(down, "", true)
	if n := len(f.callsFor("api-2-id")); n != before {
		t.Error("attached while the engine is unreachable")
	}
	gone := logsSnapshot()
	gone.Services[0].Containers = nil
	ls.Sync(gone, "", true)
	eventually(t, "api-1's stream to stop", func() bool { return f.cancelled("api-1-id") == 1 })
}

func TestLogsPaneStreams(t *testing.T) {
	f := newFakeLogs()
	f.add("api-1-id", logsT0, "hello from api")
	f.add("trainer-1-id", logsT0.Add(time.Second), "epoch 1 loss=0.5")
	m := newTestLogs(t, LogsOptions{Streamer: f, FrameDelay: time.Millisecond})
	wait := m.Init()
	if _, ok := wait().(logsChangedMsg); !ok {
		t.Fatal("no logsChangedMsg after lines arrived")
	}
	eventually(t, "api's line", func() bool { return strings.Contains(logsPlain(m), "hello from api") })
	if strings.Contains(logsPlain(m), "epoch") {
		t.Error("trainer's lines shown while api is selected")
	}
	logsPress(m, "a")
	eventually(t, "the merged view", func() bool { return strings.Contains(logsPlain(m), "trainer-1  | epoch 1 loss=0.5") })
	m.Close()
	if n := m.streams.running(); n != 0 {
		t.Errorf("%d streams after Close", n)
	}
}

// engineWorkload connects to the real engine and creates (not starts) a
// demo workload container labelled as replica 1 of service svc, removed
// with the test's project.
func engineWorkload(t testing.TB, svc string, args ...string) (*docker.Client, string) {
	t.Helper()
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := docker.Connect(ctx, docker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	project := testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, project) })
	res, err := c.API().ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{
			Image: "stackui-demo/workload:latest",
			Cmd:   args,
			Labels: map[string]string{
				stack.LabelProject:         project,
				stack.LabelService:         svc,
				stack.LabelContainerNumber: strconv.Itoa(1),
				stack.LabelOneoff:          "False",
			},
		},
		Name: project + "-" + svc + "-1",
	})
	if err != nil {
		t.Fatalf("create %s: %v", svc, err)
	}
	return c, res.ID
}

func inspectSnapshot(t *testing.T, c *docker.Client, id string) stack.Snapshot {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ctr, err := c.InspectContainer(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return stack.Snapshot{
		Engine:   stack.EngineStatus{Reachable: true},
		Services: []stack.ServiceState{{Service: stack.Service{Name: "web"}, Containers: []stack.Container{ctr}}},
	}
}

// countLines counts exported lines that contain s.
func countLines(store *logbuf.Store, v logbuf.View, s string) int {
	return strings.Count(store.Export(v), s)
}

// TestLogStreamsRealEngine streams a real container's logs through
// *docker.Client into the store, then restarts it: the re-attach resumes
// after the last line held, so nothing is duplicated.
func TestLogStreamsRealEngine(t *testing.T) {
	c, id := engineWorkload(t, "web", "--log-lines", "20", "--log-rate", "0", "--log-size", "30",
		"--print", "hello \x1b]0;pwned\x07from stderr")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.Start(ctx, id); err != nil {
		t.Fatal(err)
	}
	store := logbuf.NewStore(logbuf.Options{})
	ls := newLogStreams(c, store)
	t.Cleanup(ls.Close)
	web := logbuf.View{Service: "web"}

	ls.Sync(inspectSnapshot(t, c, id), "web", false)
	eventually(t, "20 lines and the stderr line", func() bool {
		return countLines(store, web, "line 0000") == 20 && countLines(store, web, "hello") == 1
	})
	if got := store.Export(web); strings.Contains(got, "pwned") || strings.Contains(got, "\x1b") {
		t.Errorf("control sequence reached the store:\n%s", got)
	}

	timeout := time.Duration(0)
	if err := c.Restart(ctx, id, &timeout); err != nil {
		t.Fatal(err)
	}
	snap := inspectSnapshot(t, c, id)
	ls.Sync(snap, "web", false)
	eventually(t, "the second run's 20 lines", func() bool {
		return countLines(store, web, "line 000020") == 2 && countLines(store, web, "hello") == 2
	})
	if n := countLines(store, web, "line 0000"); n != 40 {
		t.Errorf("%d numbered lines after a restart, want 40 (no duplicates):\n%s", n, store.Export(web))
	}
	if n := countLines(store, web, "workload started"); n != 2 {
		t.Errorf("%d start lines, want 2", n)
	}
}

// BenchmarkEngineFollow compares what the engine delivers with what the
// logs pane ingests from the same stream: "docker" reads a finished
// container's 100,000 lines through *docker.Client and drops them (what
// `docker logs -f` costs); "pane" does the same read and puts every line
// through the sanitizer into the store, as a log stream does. The pane
// keeps up when its lines/s are close to docker's.
func BenchmarkEngineFollow(b *testing.B) {
	const n = 100000
	c, id := engineWorkload(b, "web", "--log-lines", strconv.Itoa(n), "--log-rate", "0", "--log-size", "80")
	ctx := context.Background()
	if err := c.Start(ctx, id); err != nil {
		b.Fatal(err)
	}
	// Wait for the last line, then stop it (it idles after its lines): the
	// benchmark reads the finished log.
	last := fmt.Sprintf("line %06d ", n)
	found := errors.New("found")
	err := c.Logs(ctx, id, stack.LogOptions{Follow: true, Tail: 10}, func(l stack.LogLine) error {
		if strings.HasPrefix(l.Text, last) {
			return found
		}
		return nil
	})
	if err != found {
		b.Fatalf("waiting for %q: %v", last, err)
	}
	if err := c.Kill(ctx, id, ""); err != nil {
		b.Fatal(err)
	}
	opts := stack.LogOptions{Follow: true, Timestamps: true, Tail: stack.TailAll}
	run := func(b *testing.B, fn func(stack.LogLine) error) {
		lines := 0
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if err := c.Logs(ctx, id, opts, func(l stack.LogLine) error { lines++; return fn(l) }); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(lines)/b.Elapsed().Seconds(), "lines/s")
		if lines < n*b.N {
			b.Fatalf("%d lines, want at least %d", lines, n*b.N)
		}
	}
	b.Run("docker", func(b *testing.B) {
		run(b, func(stack.LogLine) error { return nil })
	})
	b.Run("pane", func(b *testing.B) {
		store := logbuf.NewStore(logbuf.Options{})
		src := store.Source("web", 1, 0)
		run(b, func(l stack.LogLine) error {
			store.Append(src, l.Time, logbuf.Stream(l.Stream), l.Text)
			return nil
		})
	})
}

// TestLogStreamsTailShare: with 100 containers shown at once, each attach
// asks for its share of the store's budget, not the whole Capacity; one
// service shown alone asks for Capacity again.
func TestLogStreamsTailShare(t *testing.T) {
	f := newFakeLogs()
	snap := stack.Snapshot{Project: &stack.Project{Name: "many"}, Engine: stack.EngineStatus{Reachable: true}}
	for i := range 100 {
		svc := fmt.Sprintf("svc%02d", i)
		id := svc + "-1-id"
		for j := range 1000 {
			f.add(id, logsT0.Add(time.Duration(j)*time.Millisecond), fmt.Sprintf("%s %d", svc, j))
		}
		snap.Services = append(snap.Services, stack.ServiceState{
			Service:    stack.Service{Name: svc},
			Containers: []stack.Container{{ID: id, Service: svc, Number: 1, State: stack.StateRunning, StartedAt: logsT0}},
			State:      stack.StateRunning,
		})
	}
	store := logbuf.NewStore(logbuf.Options{})
	share := store.AttachTail(100)
	if share >= 1000 || share < 200 {
		t.Fatalf("AttachTail(100) = %d, want a share under the 1,000 lines each container has", share)
	}
	ls := newLogStreams(f, store)
	t.Cleanup(ls.Close)
	ls.Sync(snap, "", true)
	eventually(t, "every backlog", func() bool {
		for i := range 100 {
			if store.Len(logbuf.View{Service: fmt.Sprintf("svc%02d", i)}) != share {
				return false
			}
		}
		return true
	})
	for i := range 100 {
		id := fmt.Sprintf("svc%02d-1-id", i)
		if calls := f.callsFor(id); len(calls) != 1 || calls[0].Tail != share {
			t.Fatalf("%s attached with %+v, want tail %d", id, calls, share)
		}
	}
	// One service alone: a container new to the streams asks for Capacity.
	snap.Services[0].Containers = append(snap.Services[0].Containers, stack.Container{ID: "svc00-2-id", Service: "svc00", Number: 2, State: stack.StateRunning, StartedAt: logsT0})
	ls.Sync(snap, "svc00", false)
	eventually(t, "the new replica's attach", func() bool { return len(f.callsFor("svc00-2-id")) == 1 })
	if got := f.callsFor("svc00-2-id")[0].Tail; got != logbuf.DefaultCapacity {
		t.Errorf("alone, a new container asks for %d lines, want the capacity", got)
	}
	// All services again: a container seen before resumes after its last
	// line, and asks for up to Capacity lines of the gap, not the share.
	ls.Sync(snap, "", true)
	eventually(t, "svc01's resume", func() bool { return len(f.callsFor("svc01-1-id")) == 2 })
	if c := f.callsFor("svc01-1-id")[1]; c.Since.IsZero() || c.Tail != logbuf.DefaultCapacity {
		t.Errorf("svc01 resumed with %+v, want Since set and tail %d", c, logbuf.DefaultCapacity)
	}
	// The logs pane hands its TotalBytes to the store.
	if got := newTestLogs(t, LogsOptions{TotalBytes: 2 << 20}).store.AttachTail(10); got != 2<<20/(100+logbuf.LineOverhead)/10 {
		t.Errorf("with a 2 MiB budget AttachTail(10) = %d", got)
	}
}
