package stack

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The reconnect waits, computed, not timed: a local socket's engine is
// tried at least every 500 ms, so its return shows within a second; a
// remote one backs off to 5 s.
func TestBackoffCapsByHost(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		host string
		want []time.Duration
	}{
		{"unix:///var/run/docker.sock", []time.Duration{250 * ms, 500 * ms, 500 * ms, 500 * ms, 500 * ms}},
		{"npipe:////./pipe/docker_engine", []time.Duration{250 * ms, 500 * ms, 500 * ms}},
		{"", []time.Duration{250 * ms, 500 * ms, 500 * ms}},
		{"ssh://me@gpu-box", []time.Duration{250 * ms, 500 * ms, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second}},
		{"tcp://10.0.0.2:2376", []time.Duration{250 * ms, 500 * ms, time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}},
	} {
		b := Backoff{Max: MaxBackoffFor(c.host)}
		var got []time.Duration
		for range c.want {
			got = append(got, b.Next())
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%q: waits %v, want %v", c.host, got, c.want)
		}
		b.Reset()
		if w := b.Next(); w != 250*ms {
			t.Errorf("%q: after Reset the wait is %v, want 250ms", c.host, w)
		}
	}
}

// The engine's error already names the list that failed; the status line
// said "list containers of project proj:" twice.
func TestLiveStatusNamesTheListOnce(t *testing.T) {
	f := newLiveFake(t)
	down := &EngineError{Host: "unix:///nowhere", Err: errors.New("connection refused")}
	for range 6 {
		f.queueList(nil, fmt.Errorf("list containers of project proj: %w", down))
	}
	l := NewLive(liveProject("api"), f, LiveOptions{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	startLive(t, l, f)
	for range 6 {
		nextLiveSub(t, f)
	}
	s := waitLiveSnap(t, l, "the engine error", func(s Snapshot) bool { return s.Engine.Err != nil })
	if n := strings.Count(s.Engine.Err.Error(), "list containers of project"); n != 1 {
		t.Errorf("status %q says what failed %d times, want once", s.Engine.Err, n)
	}
}
