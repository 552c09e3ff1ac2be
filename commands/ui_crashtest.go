package commands

import (
	"context"
	"os"
	"runtime/pprof"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/internal/crash"
)

// crashTestEnv, a hidden switch for the end-to-end test, makes the TUI
// panic on the key "!", so after a frame the test has seen: "update" in
// Update (Bubble Tea's own recovery), "goroutine" in a goroutine of the
// backend's guard.
const crashTestEnv = "STACKUI_TEST_PANIC"

// crashTest wraps the TUI's model to panic as crashTestEnv says.
type crashTest struct {
	tea.Model
	how   string
	guard *crash.Guard
}

func (c crashTest) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "!" {
		if c.how == "update" {
			panic("stackui crash test: a panic in Update")
		}
		c.guard.Go(func() { panic("stackui crash test: a panic in a goroutine") })
		return c, nil
	}
	m, cmd := c.Model.Update(msg)
	c.Model = m
	return c, cmd
}

// loadDelayEnv delays the TUI's first load by a duration, for the
// end-to-end test that proves the first frame and q never wait for
// loading: the loader itself now refuses what used to hang it (a FIFO), so
// a slow load has to be made.
const loadDelayEnv = "STACKUI_TEST_LOAD_DELAY"

func testLoadDelay(ctx context.Context) {
	d, err := time.ParseDuration(os.Getenv(loadDelayEnv))
	if err != nil || d <= 0 {
		return
	}
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// cpuProfileEnv names a file to write a CPU profile of the whole run to
// (pprof), for measuring what the TUI costs idle with many containers, or
// what `ps --json` spends its time on.
const cpuProfileEnv = "STACKUI_CPUPROFILE"

// startCPUProfile starts profiling when cpuProfileEnv names a file; the
// function it returns stops and writes it. STACKUI_CPUPROFILE_AFTER (a
// duration) starts it that late, for the steady state without the start.
func startCPUProfile() func() {
	path := os.Getenv(cpuProfileEnv)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if d, err := time.ParseDuration(os.Getenv("STACKUI_CPUPROFILE_AFTER")); err == nil {
		t := time.AfterFunc(d, func() { _ = pprof.StartCPUProfile(f) })
		return func() { t.Stop(); pprof.StopCPUProfile(); f.Close() }
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// memProfileEnv names a file to write a heap profile to when the run
// ends (pprof, in-use and allocated), for what the TUI holds with the
// merged logs of many containers.
const memProfileEnv = "STACKUI_MEMPROFILE"

// writeMemProfile writes the heap profile memProfileEnv asks for. Its
// in-use figures are those of the last collection while the program ran
// (one forced now would find the TUI's model already gone).
func writeMemProfile() {
	path := os.Getenv(memProfileEnv)
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.Lookup("heap").WriteTo(f, 0)
}
