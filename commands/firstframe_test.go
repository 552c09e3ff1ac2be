package commands

import (
	"context"
	"io"
	"os"
	"runtime/debug"
	"strings"
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
// cursor. Bubble Tea's own switch is what marks the launch frame as
// replaced.
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
	go io.Copy(io.Discard, r)
	// Not a terminal: no launch frame.
	if _, _, ok := launchSize(r, w, "linux"); ok {
		t.Error("launchSize says a pipe is a terminal")
	}
	order := &startOrder{drawn: make(chan struct{}), loaded: make(chan struct{})}
	term := terminal{File: w, order: order}
	if _, err := term.Write([]byte(ansi.RequestModeSynchronizedOutput)); err != nil {
		t.Fatal(err)
	}
	if order.bubbleDrew.Load() {
		t.Error("a query marked Bubble Tea's frame as drawn")
	}
	if _, err := term.Write([]byte(ansi.SetModeAltScreenSaveCursor)); err != nil {
		t.Fatal(err)
	}
	if !order.bubbleDrew.Load() {
		t.Error("Bubble Tea's switch to the alternate screen not noted")
	}
}
