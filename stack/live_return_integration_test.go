package stack_test

import (
	"context"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// TestLiveEngineReturn measures how long Live takes to see the engine
// again once it answers: the engine goes away for a while (long enough
// for the backoff to reach its cap, 500 ms for a local socket), comes
// back, and the time from then until the snapshot says reachable is
// logged, for the closing note. It asserts only that it comes back.
func TestLiveEngineReturn(t *testing.T) {
	testenv.Engine(t)
	p := testenv.NewSocketProxy(t)
	host := p.Host
	eng, err := docker.Connect(context.Background(), docker.Options{Host: host})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := stack.NewLive(&stack.Project{Name: testenv.ProjectName(t)}, eng, stack.LiveOptions{MaxBackoff: stack.MaxBackoffFor(host)})
	done := make(chan struct{})
	go func() { defer close(done); l.Run(ctx) }()
	defer func() { cancel(); <-done }()
	reachable := func(s stack.Snapshot) bool { return s.Engine.Reachable }
	waitLive(t, l, "the engine", reachable)

	var worst time.Duration
	for round := range 5 {
		p.Close()
		waitLive(t, l, "the engine gone", func(s stack.Snapshot) bool { return !s.Engine.Reachable })
		time.Sleep(3 * time.Second) // the backoff reaches its cap
		back := time.Now()
		p.Open(t)
		waitLive(t, l, "the engine back", reachable)
		took := time.Since(back)
		worst = max(worst, took)
		t.Logf("round %d: engine back after %s", round, took.Round(time.Millisecond))
	}
	t.Logf("engine return: at most %s over 5 rounds (backoff cap %s)", worst.Round(time.Millisecond), stack.MaxBackoffFor(host))
}
