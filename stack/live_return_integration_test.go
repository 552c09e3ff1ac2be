package stack_test

import (
	"context"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// socketProxy forwards a unix socket to the engine's, and can go away and
// come back, standing for an engine that restarts (the machine's real one
// is shared, and stays up).
type socketProxy struct {
	path, target string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func (p *socketProxy) open(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("unix", p.path)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *socketProxy) forward(c net.Conn) {
	e, err := net.Dial("unix", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[e] = true, true
	p.mu.Unlock()
	go func() { io.Copy(e, c); e.Close() }()
	io.Copy(c, e)
	c.Close()
}

// close stops listening and cuts every connection, as an engine that
// stops does.
func (p *socketProxy) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ln.Close()
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

// TestLiveEngineReturn measures how long Live takes to see the engine
// again once it answers: the engine goes away for a while (long enough
// for the backoff to reach its cap, 500 ms for a local socket), comes
// back, and the time from then until the snapshot says reachable is
// logged, for the closing note. It asserts only that it comes back.
func TestLiveEngineReturn(t *testing.T) {
	testenv.Engine(t)
	target := "/var/run/docker.sock"
	if h := testenv.DockerHost(); h != "" {
		target = strings.TrimPrefix(h, "unix://")
	}
	p := &socketProxy{path: filepath.Join(t.TempDir(), "docker.sock"), target: target, conns: map[net.Conn]bool{}}
	p.open(t)
	t.Cleanup(p.close)
	host := "unix://" + p.path
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
		p.close()
		waitLive(t, l, "the engine gone", func(s stack.Snapshot) bool { return !s.Engine.Reachable })
		time.Sleep(3 * time.Second) // the backoff reaches its cap
		back := time.Now()
		p.open(t)
		waitLive(t, l, "the engine back", reachable)
		took := time.Since(back)
		worst = max(worst, took)
		t.Logf("round %d: engine back after %s", round, took.Round(time.Millisecond))
	}
	t.Logf("engine return: at most %s over 5 rounds (backoff cap %s)", worst.Round(time.Millisecond), stack.MaxBackoffFor(host))
}
