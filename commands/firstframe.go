package commands

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"
)

// frameGateFallback opens the gate when no frame has switched to the
// alternate screen by then (output that is not a terminal, a renderer that
// changed): the background work waits at most this long.
const frameGateFallback = 250 * time.Millisecond

// startOrder is the order the TUI's work starts in on a busy machine with
// two cores, where whatever runs at the same time takes the CPU another
// needs. The project's load (the services list) starts at once, as the
// TUI's first command: the frame that says what is loading needs little
// CPU, and holding the load back until that frame is drawn (a render tick,
// 33 ms, and more on a busy machine) made the list later without making
// the frame sooner. drawn closes when the first frame is on the terminal:
// the engine's connection and description and the resource sampler wait
// for it. loaded closes when the first load returned (or failed): the
// compose CLI's detection (three processes: docker, its plugin's
// metadata, the plugin) waits for it; the status line names the CLI a
// moment later. Until the first load returns, the garbage collector runs
// less often (firstLoadGC), and after it more often (steadyGC). A nil
// startOrder starts everything at once.
type startOrder struct {
	drawn, loaded chan struct{}
	drawOnce      sync.Once
	loadOnce      sync.Once
	restoreGC     func() // after the first load; nil: nothing to restore
	// launched says the launch frame switched to the alternate screen;
	// bubbleDrew that Bubble Tea's renderer has written its switch (left
	// out after a launch frame), after which it leaves the alternate
	// screen when it stops. Until then, the launch frame's alternate
	// screen is the TUI's to leave (undoLaunchFrame).
	launched, bubbleDrew atomic.Bool
}

// firstLoadGC is the collector's target until the first load returns,
// unless GOGC is set. The 300-service load allocates 74 MB to keep a few:
// at the default 100 it runs about twenty collections, whose marking takes
// the CPU the load needs on a busy machine with two cores (the load's
// benchmark: 112-130 ms against 176-224 ms; the services list on screen:
// median 408 ms against 493 ms, 15 alternating runs at load 17). The
// peak RSS is ~10 MB higher, the RSS after the same.
const firstLoadGC = 400

// steadyGC is the collector's target once the first load returned, unless
// GOGC is set. The TUI then allocates little (a few log lines a second
// and the frames), so collecting at half the live heap's growth instead
// of all of it costs little CPU and keeps RSS lower: the merged logs of
// 100 containers at 58.8-60.3 MB against 66.6-69.3 MB at 100 (the same
// build, alternating runs; own CPU 1.93-2.22 % against 1.93-1.97 %).
const steadyGC = 50

func newStartOrder() *startOrder {
	s := &startOrder{drawn: make(chan struct{}), loaded: make(chan struct{})}
	if os.Getenv("GOGC") == "" { // a GOGC the user set stays
		debug.SetGCPercent(firstLoadGC)
		s.restoreGC = func() { debug.SetGCPercent(steadyGC) }
	}
	time.AfterFunc(frameGateFallback, s.frameDrawn)
	return s
}

func (s *startOrder) frameDrawn() { s.drawOnce.Do(func() { close(s.drawn) }) }

// loadDone says the first load returned: the compose CLI's detection may
// start, and the collector goes back to its usual target.
func (s *startOrder) loadDone() {
	if s != nil {
		s.loadOnce.Do(func() {
			close(s.loaded)
			if s.restoreGC != nil {
				s.restoreGC()
			}
		})
	}
}

// afterFrame waits for the first frame and reports whether ctx is still
// live.
func (s *startOrder) afterFrame(ctx context.Context) bool {
	if s == nil {
		return ctx.Err() == nil
	}
	return wait(ctx, s.drawn)
}

// afterLoad waits for the first load to return and reports whether ctx is
// still live.
func (s *startOrder) afterLoad(ctx context.Context) bool {
	if s == nil {
		return ctx.Err() == nil
	}
	return wait(ctx, s.loaded)
}

// frame is closed once the first frame is up; nil for a nil startOrder.
func (s *startOrder) frame() <-chan struct{} {
	if s == nil {
		return nil
	}
	return s.drawn
}

func wait(ctx context.Context, ch <-chan struct{}) bool {
	select {
	case <-ch:
	case <-ctx.Done():
	}
	return ctx.Err() == nil
}

// terminal is the terminal Bubble Tea draws on, telling order when the
// first frame has reached it: the write that switches to the alternate
// screen carries it.
//
// When the launch frame has switched to the alternate screen, Bubble
// Tea's own first switch is left out: the terminal then sees one switch
// at the start and one back at the end, as from Bubble Tea alone. A
// second switch would save the cursor again, on the alternate screen,
// and a terminal that keeps one saved cursor for both screens would put
// the shell's prompt back there when stackui quits.
type terminal struct {
	*os.File // Bubble Tea reads the terminal's size and modes through Fd
	order    *startOrder
}

func (t terminal) Write(p []byte) (int, error) {
	i := bytes.Index(p, []byte(ansi.SetModeAltScreenSaveCursor))
	if i < 0 {
		return t.File.Write(p)
	}
	defer t.order.frameDrawn()
	if t.order.bubbleDrew.Swap(true) || !t.order.launched.Load() {
		return t.File.Write(p)
	}
	rest := slices.Concat(p[:i], p[i+len(ansi.SetModeAltScreenSaveCursor):])
	if _, err := t.File.Write(rest); err != nil {
		return 0, err
	}
	return len(p), nil
}

// launchFrame is the TUI's first frame, put on the terminal before Bubble
// Tea starts: Bubble Tea's start (its terminal's modes, its queries) and
// its renderer's first tick took 50-150 ms more on a busy machine with
// two cores (tui-measure, marker "loading": 141-172 ms against 188-327
// ms, 6 alternating runs; the harness alone 75-117 ms). It switches to
// the alternate screen, hides the cursor and draws frame from the top
// left; Bubble Tea's own switch is left out (terminal), and its first
// frame, the same text, erases this one. The frame's colours go through
// the profile the process detected (out is lipgloss.Writer on the
// terminal).
func launchFrame(out io.Writer, frame string) {
	var b strings.Builder
	b.WriteString(ansi.SetModeAltScreenSaveCursor + ansi.HideCursor + ansi.CursorHomePosition + ansi.EraseEntireScreen)
	// The terminal is still in cooked mode, but a newline that moves to
	// the start of the line is the terminal's setting, not a given.
	b.WriteString(strings.ReplaceAll(frame, "\n", "\r\n"))
	_, _ = io.WriteString(out, b.String())
}

// undoLaunchFrame leaves the alternate screen launchFrame entered and shows
// the cursor again, for a Bubble Tea that did not start: one that did
// leaves the screen as it found it, alternate or not.
func undoLaunchFrame(out io.Writer) {
	_, _ = io.WriteString(out, ansi.ResetModeAltScreenSaveCursor+ansi.ShowCursor)
}

// launchSize is the terminal's size when both ends are terminals, as
// Bubble Tea needs them; ok is false elsewhere, and on Windows, whose
// console takes these sequences only once Bubble Tea has turned on its
// virtual terminal processing.
func launchSize(in, out *os.File, goos string) (w, h int, ok bool) {
	if goos == "windows" || !term.IsTerminal(in.Fd()) || !term.IsTerminal(out.Fd()) {
		return 0, 0, false
	}
	w, h, err := term.GetSize(out.Fd())
	return w, h, err == nil && w > 0 && h > 0
}

// guardLaunch covers the moment between the launch frame and Bubble Tea's
// own handling of SIGINT and SIGTERM, which would otherwise end the
// process on the launch frame's alternate screen: until Bubble Tea's first
// frame is up, such a signal asks the program to quit, which it does as
// soon as it runs, leaving the screen as it found it.
func guardLaunch(order *startOrder, quit func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		defer signal.Stop(sig)
		select {
		case <-sig:
			quit()
		case <-order.drawn:
		}
	}()
}
