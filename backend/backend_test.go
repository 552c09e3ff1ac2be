package backend

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// Many callers at once get one connection and one detection; a caller
// that gives up waiting does not spoil the detection for the others.
func TestEngineAndComposeOnce(t *testing.T) {
	var connects, detects atomic.Int32
	release := make(chan struct{})
	cli := stack.ComposeCLI{Name: "docker-compose", Path: "/nonexistent/docker-compose", Version: "1.29.2"}
	b := New(Options{
		Connect: func(ctx context.Context) (*docker.Client, error) {
			connects.Add(1)
			return docker.Connect(ctx, docker.Options{Host: "unix:///nonexistent/docker.sock"})
		},
		DetectCompose: func(ctx context.Context) (stack.ComposeCLI, error) {
			detects.Add(1)
			<-release
			return cli, nil
		},
	})
	defer b.Close()

	impatient, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Compose(impatient); !errors.Is(err, context.Canceled) {
		t.Errorf("a caller that gave up: %v", err)
	}
	var wg sync.WaitGroup
	got := make([]stack.ComposeCLI, 8)
	engines := make([]*docker.Client, 8)
	for i := range got {
		wg.Go(func() {
			engines[i], _ = b.Engine()
			got[i], _ = b.Compose(context.Background())
		})
	}
	close(release)
	wg.Wait()
	for i := range got {
		if got[i].String() != cli.String() || engines[i] == nil || engines[i] != engines[0] {
			t.Errorf("caller %d: %v, engine %p (first %p)", i, got[i], engines[i], engines[0])
		}
	}
	if c, d := connects.Load(), detects.Load(); c != 1 || d != 1 {
		t.Errorf("%d connects, %d detections; want one each", c, d)
	}
}

// A broken engine configuration is remembered, and the live state gets an
// engine whose every call says why.
func TestEngineConfigError(t *testing.T) {
	cause := errors.New(`unknown docker context "nope"`)
	var connects atomic.Int32
	b := New(Options{Connect: func(context.Context) (*docker.Client, error) { connects.Add(1); return nil, cause }})
	defer b.Close()
	for range 3 {
		if _, err := b.Engine(); !errors.Is(err, cause) {
			t.Fatalf("Engine: %v", err)
		}
	}
	eng := b.LiveEngine()
	if _, err := eng.ProjectContainers(context.Background(), "x"); !errors.Is(err, cause) {
		t.Errorf("ProjectContainers: %v", err)
	}
	events, errs := eng.ProjectEvents(context.Background(), "x")
	if _, ok := <-events; ok {
		t.Error("an event from a broken engine")
	}
	if err := <-errs; !errors.Is(err, cause) {
		t.Errorf("ProjectEvents: %v", err)
	}
	if b.Usage(context.Background(), nil) != nil {
		t.Error("usage from a broken engine")
	}
	if n := connects.Load(); n != 1 {
		t.Errorf("%d connects, want 1", n)
	}
}

// Close stops a detection that is still running and answers errClosed
// afterwards, without starting anything.
func TestClose(t *testing.T) {
	started := make(chan struct{})
	b := New(Options{DetectCompose: func(ctx context.Context) (stack.ComposeCLI, error) {
		close(started)
		<-ctx.Done()
		return stack.ComposeCLI{}, ctx.Err()
	}})
	b.StartCompose()
	<-started
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Compose(context.Background()); !errors.Is(err, context.Canceled) {
		t.Errorf("Compose after Close: %v", err)
	}

	var connects atomic.Int32
	c := New(Options{Connect: func(context.Context) (*docker.Client, error) { connects.Add(1); return nil, nil }})
	c.Close()
	if _, err := c.Engine(); !errors.Is(err, errClosed) || connects.Load() != 0 {
		t.Errorf("Engine after Close: %v, %d connects", err, connects.Load())
	}
	if _, err := c.Compose(context.Background()); !errors.Is(err, errClosed) {
		t.Errorf("Compose after Close: %v", err)
	}
}

// Live's reconnect cap follows the engine's host: half a second for a
// local socket, so the engine's return shows within a second; the default
// for a remote one.
func TestLiveOptionsCapByHost(t *testing.T) {
	for host, want := range map[string]time.Duration{
		"unix:///nonexistent/docker.sock": stack.LocalMaxBackoff,
		"tcp://192.0.2.1:2376":            stack.DefaultMaxBackoff,
	} {
		b := New(Options{Connect: func(ctx context.Context) (*docker.Client, error) {
			return docker.Connect(ctx, docker.Options{Host: host})
		}})
		if got := b.LiveOptions().MaxBackoff; got != want {
			t.Errorf("%s: cap %v, want %v", host, got, want)
		}
		b.Close()
	}
}
