package commands

import (
	"context"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// The TUI's background work waits for the write that switches to the
// alternate screen (the first frame), not for the queries before it.
func TestStartOrderOpensOnTheFirstFrame(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	go io.Copy(io.Discard, r)
	order := &startOrder{drawn: make(chan struct{}), loaded: make(chan struct{})}
	term := terminal{File: w, order: order}
	if _, err := term.Write([]byte(ansi.RequestModeSynchronizedOutput)); err != nil {
		t.Fatal(err)
	}
	select {
	case <-order.frame():
		t.Fatal("open before the first frame")
	default:
	}
	if _, err := term.Write([]byte(ansi.SetModeAltScreenSaveCursor + "loading compose.yaml …")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if !order.afterFrame(ctx) {
		t.Fatal("afterFrame with a live context said no")
	}
	order.loadDone()
	order.loadDone() // a second load is no second close
	if !order.afterLoad(ctx) {
		t.Fatal("afterLoad with a live context said no")
	}

	// A nil order starts everything at once; an ended context says no.
	var none *startOrder
	none.loadDone()
	if !none.afterFrame(ctx) || !none.afterLoad(ctx) || none.frame() != nil {
		t.Error("a nil startOrder waits")
	}
	ended, cancel := context.WithCancel(ctx)
	cancel()
	if (&startOrder{drawn: make(chan struct{})}).afterFrame(ended) {
		t.Error("afterFrame with an ended context said yes")
	}
}

// With no frame (output that is not a terminal), the work starts anyway.
func TestStartOrderFallback(t *testing.T) {
	order := newStartOrder()
	t.Cleanup(order.loadDone) // the collector's target back
	select {
	case <-order.frame():
	case <-time.After(10 * time.Second):
		t.Fatalf("no start %s after no frame", frameGateFallback)
	}
}

// The collector runs rarely while the first load allocates, then more
// often than Go's default for the rest of the session; a GOGC the user
// set is left alone.
func TestStartOrderGC(t *testing.T) {
	was := debug.SetGCPercent(100)
	defer debug.SetGCPercent(was)
	t.Setenv("GOGC", "")
	s := newStartOrder()
	if got := debug.SetGCPercent(firstLoadGC); got != firstLoadGC {
		t.Errorf("GOGC %d during the first load, want %d", got, firstLoadGC)
	}
	s.loadDone()
	if got := debug.SetGCPercent(100); got != steadyGC {
		t.Errorf("GOGC %d after the first load, want %d", got, steadyGC)
	}
	t.Setenv("GOGC", "80")
	debug.SetGCPercent(80)
	newStartOrder().loadDone()
	if got := debug.SetGCPercent(100); got != 80 {
		t.Errorf("GOGC=80 set by the user became %d", got)
	}
}

// The launch frame switches to the alternate screen, hides the cursor and
// draws from the top left with explicit carriage returns (the terminal is
// still cooked); undoing it leaves the alternate screen and shows the
// cursor.
func TestLaunchFrame(t *testing.T) {
	var b strings.Builder
	launchFrame(&b, "stackui\nloading compose.yaml…")
	want := ansi.SetModeAltScreenSaveCursor + ansi.HideCursor + ansi.CursorHomePosition + ansi.EraseEntireScreen + "stackui\r\nloading compose.yaml…"
	if b.String() != want {
		t.Errorf("launch frame %q, want %q", b.String(), want)
	}
	b.Reset()
	undoLaunchFrame(&b)
	if b.String() != ansi.ResetModeAltScreenSaveCursor+ansi.ShowCursor {
		t.Errorf("undo %q", b.String())
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	// Not a terminal: no launch frame.
	if _, _, ok := launchSize(r, w, "linux"); ok {
		t.Error("launchSize says a pipe is a terminal")
	}
}

// After a launch frame, the terminal gets Bubble Tea's first frame without
// its switch to the alternate screen, which the launch frame made: one
// switch in, one back out, the cursor saved once. A later switch (after a
// suspend, or a shell run with e) passes.
func TestTerminalAfterALaunchFrame(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		got <- string(b)
	}()
	order := &startOrder{drawn: make(chan struct{}), loaded: make(chan struct{})}
	order.launched.Store(true)
	term := terminal{File: w, order: order}
	writes := []string{
		ansi.RequestModeSynchronizedOutput,
		ansi.HideCursor + ansi.SetModeAltScreenSaveCursor + "frame",
		ansi.ResetModeAltScreenSaveCursor,
		ansi.SetModeAltScreenSaveCursor + "again",
	}
	for i, s := range writes {
		if n, err := term.Write([]byte(s)); err != nil || n != len(s) {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
		if drew := order.bubbleDrew.Load(); drew != (i > 0) {
			t.Errorf("after write %d Bubble Tea's frame noted as drawn: %v", i, drew)
		}
	}
	w.Close()
	want := ansi.RequestModeSynchronizedOutput + ansi.HideCursor + "frame" +
		ansi.ResetModeAltScreenSaveCursor + ansi.SetModeAltScreenSaveCursor + "again"
	if s := <-got; s != want {
		t.Errorf("terminal got %q, want %q", s, want)
	}
	select {
	case <-order.frame():
	default:
		t.Error("Bubble Tea's first frame did not open the start order")
	}
}

// A SIGTERM after the launch frame and before Bubble Tea's first frame
// asks the program to quit instead of ending the process on the
// alternate screen.
func TestGuardLaunch(t *testing.T) {
	order := &startOrder{drawn: make(chan struct{}), loaded: make(chan struct{})}
	quit := make(chan struct{})
	guardLaunch(order, func() { close(quit) })
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-quit:
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM before the first frame did not ask the program to quit")
	}
}
