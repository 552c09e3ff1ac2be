package commands

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stackui/stackui/backend"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
	"github.com/stackui/stackui/ui"
)

// One process connects to the engine once and detects the compose CLI
// once, however many commands and TUI adapters ask: ps --json, top --json
// (which measures after observing), doctor, and the TUI's options (ops,
// doctor, usage, engine info, the status line's compose name) all share
// one backend, asking from several goroutines at once. The real connect
// and detection run, counted.
func TestOneConnectionAndDetectionPerProcess(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var connects, detects atomic.Int32
	b := backend.New(backend.Options{
		Connect: func(ctx context.Context) (*docker.Client, error) {
			connects.Add(1)
			return docker.Connect(ctx, docker.Options{})
		},
		DetectCompose: func(ctx context.Context) (stack.ComposeCLI, error) {
			detects.Add(1)
			return stack.DetectCompose(ctx)
		},
	})
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			b.Engine()
			b.Compose(ctx)
		})
	}
	for _, args := range [][]string{{"ps", "--json"}, {"top", "--json"}, {"doctor", "--json"}} {
		var out, errOut bytes.Buffer
		f := &Factory{Stdout: &out, Stderr: &errOut, Version: "dev", Backend: b}
		if code := Run(f, append([]string{"--project-directory", basicDir}, args...)); code != exitOK && (args[0] != "doctor" || code != exitFailure) {
			t.Errorf("%v: exit %d: %s", args, code, errOut.String())
		}
	}
	wg.Wait()

	opts := stack.LoadOptions{ProjectDir: basicDir}
	p, err := b.Load(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	live := stack.NewLive(p, b.LiveEngine(), stack.LiveOptions{})
	o := tuiOptions(ctx, b, live, opts, ui.Config{}, nil)
	if o.DetectCompose() == "" {
		t.Error("the status line got no compose CLI name")
	}
	if _, err := o.Ops.ProfileOn(ctx, "nosuch", nil); err == nil {
		t.Error("turning on a profile the project lacks succeeded")
	}
	if _, err := o.Doctor.Diagnose(ctx, stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: true}}, nil); err != nil {
		t.Errorf("diagnose: %v", err)
	}
	if o.Usage == nil || o.EngineInfo == nil || o.Logs == nil {
		t.Fatalf("with a usable engine configuration the TUI gets usage, engine info and logs: %+v", o)
	}
	o.Usage.SetVisible()
	o.EngineInfo()

	if n := connects.Load(); n != 1 {
		t.Errorf("connected to the engine %d times, want once", n)
	}
	if n := detects.Load(); n != 1 {
		t.Errorf("detected the compose CLI %d times, want once", n)
	}
}
