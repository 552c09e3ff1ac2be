package stack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LiveOptions tune a Live.
type LiveOptions struct {
	// OnEvent, when set, sees every project event after the state has been
	// updated for it, so it may call Snapshot. It runs on Run's goroutine
	// and must not block.
	OnEvent func(Event)
	// MinBackoff and MaxBackoff bound the wait between reconnect attempts
	// (a Backoff); zero means 250ms and 5s (MaxBackoffFor picks the cap
	// for a host). The wait doubles after each failure and starts again
	// from MinBackoff once a connection succeeds.
	MinBackoff, MaxBackoff time.Duration
}

// Live keeps the project's services joined to their containers. It lists the
// containers once, then follows the events stream and re-inspects only the
// container an event is about (a container first met in an event is shown
// from the event until that inspect answers); it never polls. When the
// engine goes away it records that and reconnects with backoff, listing
// again on success.
//
// All methods are safe from any goroutine.
type Live struct {
	eng     Engine
	opts    LiveOptions
	changed chan struct{}
	// reload asks Run to start over, after SetProject changed the project
	// name (and so the label the engine filters on).
	reload chan struct{}

	mu         sync.RWMutex
	project    *Project
	containers map[string]Container // by ID
	engine     EngineStatus
	snap       Snapshot
}

// NewLive returns a Live for p over eng. Nothing happens until Run.
func NewLive(p *Project, eng Engine, opts LiveOptions) *Live {
	l := &Live{
		eng:        eng,
		opts:       opts,
		changed:    make(chan struct{}, 1),
		reload:     make(chan struct{}, 1),
		project:    p,
		containers: make(map[string]Container),
		engine:     EngineStatus{Connecting: true},
	}
	l.snap = buildSnapshot(l.project, l.engine, l.containers)
	return l
}

// Snapshot returns the current state. It is cheap: the snapshot is built
// when something changes, not when it is read.
func (l *Live) Snapshot() Snapshot {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.snap
}

// Changed delivers a value after the snapshot changed. Notifications
// coalesce: one pending value stands for any number of changes, so a reader
// that re-arms after each receive and then calls Snapshot never misses the
// latest state.
func (l *Live) Changed() <-chan struct{} { return l.changed }

// SetProject swaps the model, after a profile toggle or a reload of the
// files. Containers are kept and joined again; if the project name changed,
// Run starts over with the new name.
func (l *Live) SetProject(p *Project) {
	l.mu.Lock()
	old := l.project
	l.project = p
	renamed := old == nil || p == nil || old.Name != p.Name
	if renamed {
		// Nothing is known about the new name's containers until Run has
		// listed them: say "connecting", not "not created".
		l.containers = make(map[string]Container)
		l.engine = EngineStatus{Connecting: true}
		// Sent under the lock so that session, which drains reload when
		// it reads the project, never sees a stale request.
		select {
		case l.reload <- struct{}{}:
		default:
		}
	}
	l.rebuildLocked()
	l.mu.Unlock()
	l.notify()
}

// errReload ends a session because the project name changed.
var errReload = errors.New("project changed")

// Run keeps the state current until ctx ends. Call it once.
func (l *Live) Run(ctx context.Context) {
	backoff := Backoff{Min: l.opts.MinBackoff, Max: l.opts.MaxBackoff}
	for ctx.Err() == nil {
		connected, err := l.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errReload) {
			backoff.Reset()
			continue
		}
		if connected {
			backoff.Reset()
		}
		wait := backoff.Next()
		next := time.Now().Add(wait)
		l.update(func() {
			l.engine = EngineStatus{Err: err, Retry: next}
		})
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-l.reload:
			t.Stop()
			backoff.Reset()
			continue
		case <-t.C:
		}
	}
}

// session subscribes to the project's events, lists its containers and then
// follows the events until the stream fails, the project is renamed or ctx
// ends. connected reports whether the list succeeded.
func (l *Live) session(ctx context.Context) (connected bool, err error) {
	l.mu.Lock()
	p := l.project
	// A rename requested before this point is already in p.
	select {
	case <-l.reload:
	default:
	}
	l.mu.Unlock()
	if p == nil {
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-l.reload:
			return false, errReload
		}
	}
	name := p.Name
	l.update(func() {
		l.engine.Connecting = true
		l.engine.Retry = time.Time{}
	})

	sctx, cancel := context.WithCancel(ctx)
	// Subscribe before listing so that nothing that happens in between is
	// missed; an event about a container the list already has is harmless.
	events, errs := l.eng.ProjectEvents(sctx, name)
	defer func() { drainEvents(cancel, events, errs) }()

	list, err := l.eng.ProjectContainers(sctx, name)
	if err != nil {
		// The engine names what failed ("list containers of project X:
		// ..."); wrapping it again printed that twice in the status line.
		return false, err
	}
	l.update(func() {
		l.containers = make(map[string]Container, len(list))
		for _, c := range list {
			l.containers[c.ID] = c
		}
		l.engine = EngineStatus{Reachable: true}
	})

	for {
		select {
		case <-ctx.Done():
			return true, nil
		case <-l.reload:
			return true, errReload
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if err := l.handle(sctx, name, ev); err != nil {
				return true, err
			}
		case err, ok := <-errs:
			if !ok {
				errs = nil
			}
			if err == nil {
				err = errors.New("stream closed")
			}
			return true, fmt.Errorf("events of project %s: %w", name, err)
		}
	}
}

// drainEvents ends a subscription and waits until the engine has closed both
// channels, so no goroutine of it outlives the session.
func drainEvents(cancel context.CancelFunc, events <-chan Event, errs <-chan error) {
	cancel()
	for events != nil || errs != nil {
		select {
		case _, ok := <-events:
			if !ok {
				events = nil
			}
		case _, ok := <-errs:
			if !ok {
				errs = nil
			}
		}
	}
}

// handle applies one event. It returns an error only when the engine has
// become unreachable.
func (l *Live) handle(ctx context.Context, project string, ev Event) error {
	if ev.ContainerID == "" || (ev.Project != "" && ev.Project != project) {
		return nil
	}
	switch {
	case ev.Action == "destroy" || ev.Action == "remove":
		// Podman says remove where Docker says destroy.
		l.update(func() { delete(l.containers, ev.ContainerID) })
	case ignoredAction(ev.Action):
	default:
		// A container first met in an event is shown from the event
		// until its inspect answers: Podman holds the inspect of a
		// container that compose is starting, for seconds (4 s measured),
		// and the container may start and die meanwhile (the resources
		// sampler counts an OOM kill the kernel logged for it as soon
		// as it is shown).
		l.mu.RLock()
		_, known := l.containers[ev.ContainerID]
		l.mu.RUnlock()
		if !known && ev.Project != "" && ev.Service != "" {
			l.update(func() { l.addFromEventLocked(ev) })
		}
		c, err := l.eng.InspectContainer(ctx, ev.ContainerID)
		switch {
		case err == nil:
			l.update(func() { l.containers[c.ID] = c })
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrEngineUnavailable):
			return fmt.Errorf("inspect container %s: %w", shortID(ev.ContainerID), err)
		case IsNotFound(err):
			// Removed before we looked; the destroy event may be
			// filtered out or still on its way.
			l.update(func() { delete(l.containers, ev.ContainerID) })
		default:
			// Keep what the event itself says; the next event about
			// the container inspects it again.
			l.update(func() { l.applyEventLocked(ev) })
		}
	}
	if l.opts.OnEvent != nil {
		l.opts.OnEvent(ev)
	}
	return nil
}

// ignoredAction reports events that do not change a container's state. exec
// events in particular arrive with every healthcheck run, and inspecting on
// each would be the polling this type exists to avoid. kill is always
// followed by die (or nothing, if the signal was caught).
func ignoredAction(action string) bool {
	switch action {
	case "attach", "detach", "commit", "copy", "export", "resize", "top",
		"archive-path", "extract-to-dir", "kill":
		return true
	}
	return strings.HasPrefix(action, "exec_")
}

// applyEventLocked updates a known container from an event's own attributes,
// for when inspecting it failed.
func (l *Live) applyEventLocked(ev Event) {
	c, ok := l.containers[ev.ContainerID]
	if !ok {
		return
	}
	switch {
	case ev.Action == "start" || ev.Action == "restart" || ev.Action == "unpause":
		c.State = StateRunning
	case ev.Action == "die":
		c.State = StateExited
		c.ExitCode = ev.ExitCode
		c.FinishedAt = ev.Time
	case ev.Action == "oom":
		c.OOMKilled = true
	case ev.Action == "pause":
		c.State = StatePaused
	case strings.HasPrefix(ev.Action, "health_status"):
		if ev.Health != "" {
			c.Health = ev.Health
		}
	default:
		return
	}
	l.containers[c.ID] = c
}

// addFromEventLocked adds a container the state does not have yet as the
// event describes it (its labels are among the event's attributes),
// until its inspect answers.
func (l *Live) addFromEventLocked(ev Event) {
	if _, ok := l.containers[ev.ContainerID]; ok {
		return
	}
	c := Container{ID: ev.ContainerID, Name: ev.Name, Project: ev.Project, Service: ev.Service,
		Labels: ev.Attributes, State: StateCreated, Oneoff: strings.EqualFold(ev.Attributes[LabelOneoff], "true")}
	c.Number, _ = strconv.Atoi(ev.Attributes[LabelContainerNumber])
	if ev.Action == "create" {
		c.Created = ev.Time
	}
	l.containers[c.ID] = c
	l.applyEventLocked(ev)
}

// update changes the state under the lock, rebuilds the snapshot and
// notifies readers.
func (l *Live) update(f func()) {
	l.mu.Lock()
	f()
	l.rebuildLocked()
	l.mu.Unlock()
	l.notify()
}

func (l *Live) rebuildLocked() {
	l.snap = buildSnapshot(l.project, l.engine, l.containers)
}

func (l *Live) notify() {
	select {
	case l.changed <- struct{}{}:
	default:
	}
}

// IsNotFound matches the engine's "no such container" errors, which carry a
// NotFound method (containerd errdefs, as the moby client returns them).
// The UI uses it too: a log stream whose container was removed is no news.
func IsNotFound(err error) bool {
	var nf interface{ NotFound() }
	return errors.As(err, &nf)
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
