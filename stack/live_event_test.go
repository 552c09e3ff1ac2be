package stack

import "testing"

// A container first met in an event is in the state at once, as the event
// describes it, while its inspect is held (Podman holds the inspect of a
// container compose is starting, for seconds); the inspect's answer then
// replaces it.
func TestLiveShowsANewContainerBeforeItsInspectAnswers(t *testing.T) {
	f := newLiveFake(t)
	f.queueList(nil, nil)
	l := NewLive(liveProject("api"), f, LiveOptions{})
	startLive(t, l, f)
	sub := nextLiveSub(t, f)
	waitLiveSnap(t, l, "reachable", func(s Snapshot) bool { return s.Engine.Reachable })
	gate := make(chan struct{})
	running := liveCtr("a2", "api", 2, StateRunning)
	running.Pid = 42
	f.mu.Lock()
	f.inspects["a2"] = append(f.inspects["a2"], liveInspectAnswer{c: running, gate: gate})
	f.mu.Unlock()
	sub.in <- Event{Action: "create", ContainerID: "a2", Name: "proj-api-2", Project: "proj", Service: "api",
		Attributes: map[string]string{LabelProject: "proj", LabelService: "api", LabelContainerNumber: "2"}}
	s := waitLiveSnap(t, l, "api's container from the event", func(s Snapshot) bool {
		st, _ := s.Service("api")
		return st.Total == 1
	})
	st, _ := s.Service("api")
	if c := st.Containers[0]; c.ID != "a2" || c.Number != 2 || c.State != StateCreated || c.Inspected {
		t.Errorf("from the event: %+v", c)
	}
	close(gate)
	waitLiveSnap(t, l, "the inspected container", func(s Snapshot) bool {
		st, _ := s.Service("api")
		return st.Total == 1 && st.Containers[0].Pid == 42
	})
}
