package ui

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/ui/logbuf"
)

// LogStreamer streams a container's log lines; *docker.Client is one. fn
// runs on the streaming goroutine.
type LogStreamer interface {
	Logs(ctx context.Context, containerID string, opts stack.LogOptions, fn func(stack.LogLine) error) error
}

// logFrameDelay is how long waitLogs holds a "lines arrived" signal before
// reporting it. Lines that arrive meanwhile only re-arm the coalesced
// signal, so a burst becomes one frame. It is a delay after a signal, not a
// ticker: when no lines arrive, nothing runs.
const logFrameDelay = 33 * time.Millisecond

// logFrameInterval is the least time between two "lines arrived" reports:
// the first line after a quiet spell shows within logFrameDelay, but a
// steady trickle (the merged logs of 100 containers, each logging every
// 5 s, bring 20 lines a second) redraws the screen twice a second, not
// once per line. A frame of the whole screen cost more than the lines in
// it (issue 11, item 12), and each costs its wakes as well as its work:
// with those merged logs, 2 frames a second against 3 took 0.2-0.25 % of
// a core less (1.74-1.75 % against 1.98-2.01 %, perf stat over 40 s, 2
// alternating runs each).
const logFrameInterval = time.Second / 2

// logsChangedMsg says new log lines are in the store; at is when it was
// sent, from which the next report keeps logFrameInterval.
type logsChangedMsg struct{ at time.Time }

// waitLogs is the self re-arming command that carries "lines arrived" into
// Update: it blocks on the store's coalesced signal (or done), then waits
// delay, and longer if needed so that it reports no sooner than notBefore.
// Everything that arrived meanwhile is in the one report.
func waitLogs(changed <-chan struct{}, done <-chan struct{}, delay time.Duration, notBefore time.Time) tea.Cmd {
	return func() tea.Msg {
		select {
		case <-changed:
		case <-done:
			return nil
		}
		t := time.NewTimer(max(delay, time.Until(notBefore)))
		defer t.Stop()
		select {
		case <-t.C:
		case <-done:
			return nil
		}
		return logsChangedMsg{at: time.Now()}
	}
}

// logStreams keeps one follow stream per container whose logs are shown,
// feeding a logbuf.Store. The UI calls Sync with each snapshot and whenever
// what is shown changes; Sync only starts and cancels goroutines, so it
// never blocks. Goroutines write into the store, which signals the UI.
type logStreams struct {
	streamer LogStreamer
	store    *logbuf.Store

	mu      sync.Mutex
	streams map[string]*containerStream // by container ID
	closed  bool
	wg      sync.WaitGroup
	// tail is the backlog an attach asks for: the store's share for the
	// number of containers shown (see Sync); 0 before the first Sync.
	tail atomic.Int64
}

// containerStream is what is known about one container's log stream. Its
// fields are guarded by logStreams.mu, except last.
type containerStream struct {
	id      string
	name    string
	service string
	src     logbuf.SourceID
	// started is the StartedAt the current (or last) attach was made for;
	// latest is the newest one a snapshot reported. They differ after a
	// restart, which calls for a new attach.
	started, latest time.Time
	running         bool
	resume          bool // stopped early (cancelled, failed): attach again when wanted
	lastErr         string
	cancel          context.CancelFunc
	last            atomic.Int64 // Unix ns of the newest line seen; written by the stream
}

func newLogStreams(streamer LogStreamer, store *logbuf.Store) *logStreams {
	return &logStreams{streamer: streamer, store: store, streams: make(map[string]*containerStream)}
}

// Sync makes the running streams match what is shown: the containers of
// one service, or of every service when all is set. New containers attach
// with the last lines of their history: Capacity of them, or, when many
// containers are shown, their even share of the store's budget
// (logbuf.Store.AttachTail), since the store would trim the rest at once.
// A container seen before (restarted, re-selected, or after a failure)
// resumes after the last line it sent. Streams of containers no longer
// shown are cancelled.
func (m *logStreams) Sync(snap stack.Snapshot, service string, all bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	wanted := make(map[string]bool)
	exists := make(map[string]bool)
	for _, ss := range snap.Services {
		for _, c := range ss.Containers {
			exists[c.ID] = true
			if all || ss.Service.Name == service {
				wanted[c.ID] = true
			}
		}
	}
	m.tail.Store(int64(m.store.AttachTail(len(wanted))))
	if snap.Engine.Reachable {
		for color, ss := range snap.Services {
			for _, c := range ss.Containers {
				if wanted[c.ID] {
					m.want(c, color)
				}
			}
		}
	}
	for id, st := range m.streams {
		if wanted[id] {
			continue
		}
		if st.running {
			st.cancel()
			st.running, st.resume = false, true
		}
		if !exists[id] && !snap.Engine.Reachable {
			continue // keep what we know until the engine answers again
		}
		if !exists[id] {
			delete(m.streams, id)
		}
	}
}

// want makes sure a shown container's stream runs. Callers hold mu.
func (m *logStreams) want(c stack.Container, color int) {
	st := m.streams[c.ID]
	if st == nil {
		num := max(c.Number, 1)
		st = &containerStream{id: c.ID, name: c.Service + "-" + strconv.Itoa(num), service: c.Service, src: m.store.Source(c.Service, num, color), latest: c.StartedAt}
		m.streams[c.ID] = st
		m.start(st)
		return
	}
	st.latest = c.StartedAt
	if !st.running && (st.resume || !st.latest.Equal(st.started)) {
		m.start(st)
	}
}

// start attaches to a container's logs. Callers hold mu.
func (m *logStreams) start(st *containerStream) {
	ctx, cancel := context.WithCancel(context.Background())
	st.cancel, st.running, st.resume, st.started = cancel, true, false, st.latest
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer cancel()
		m.follow(ctx, st)
	}()
}

// attachOptions: the last lines (tail, see Sync), after the newest line
// already held so a re-attach adds no duplicates, with timestamps for
// ordering and for the `t` toggle. A resume (after an outage, a restart)
// asks for up to Capacity lines of the gap, not the share: the lines it
// missed are newer than what the store holds of it.
func (m *logStreams) attachOptions(st *containerStream) stack.LogOptions {
	tail := int(m.tail.Load())
	last := st.last.Load()
	if tail == 0 || last != 0 {
		tail = m.store.Capacity()
	}
	opts := stack.LogOptions{Follow: true, Timestamps: true, Tail: tail}
	if last != 0 {
		opts.Since = time.Unix(0, last+1)
	}
	return opts
}

// follow streams one container until ctx ends, the engine fails, or the
// container stops; after a stop, a restart seen meanwhile attaches again.
func (m *logStreams) follow(ctx context.Context, st *containerStream) {
	for {
		err := m.streamer.Logs(ctx, st.id, m.attachOptions(st), func(l stack.LogLine) error {
			m.store.Append(st.src, l.Time, logbuf.Stream(l.Stream), l.Text)
			if !l.Time.IsZero() {
				st.last.Store(l.Time.UnixNano())
			}
			return nil
		})
		m.mu.Lock()
		if ctx.Err() != nil {
			m.mu.Unlock()
			return // cancelled: Sync or Close set the state
		}
		if err != nil {
			st.running, st.resume = false, true
			msg := err.Error()
			report := msg != st.lastErr && !stack.IsNotFound(err) && !errors.Is(err, stack.ErrEngineUnavailable)
			st.lastErr = msg
			m.mu.Unlock()
			if report {
				m.store.Note(st.src, "stackui: logs of "+st.name+": "+msg)
			}
			return
		}
		st.lastErr = ""
		if st.latest.Equal(st.started) {
			st.running = false // the container stopped; a restart will show in a snapshot
			m.mu.Unlock()
			// Its whole history is in: a pane waiting for it may stop
			// saying "loading", even if no line came.
			m.store.Signal()
			return
		}
		st.started = st.latest // it restarted while we read: carry on
		m.mu.Unlock()
	}
}

// streaming reports whether a stream of one of the service's containers
// is attached: its history may still be arriving.
func (m *logStreams) streaming(service string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, st := range m.streams {
		if st.running && st.service == service {
			return true
		}
	}
	return false
}

// Close cancels every stream and waits for their goroutines.
func (m *logStreams) Close() {
	m.mu.Lock()
	m.closed = true
	for _, st := range m.streams {
		if st.running {
			st.cancel()
			st.running = false
		}
	}
	m.mu.Unlock()
	m.wg.Wait()
}

// running counts the streams attached now, for tests.
func (m *logStreams) running() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, st := range m.streams {
		if st.running {
			n++
		}
	}
	return n
}
