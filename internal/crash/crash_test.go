package crash

import (
	"strings"
	"testing"
)

// A panic under a guard with a handler reaches the handler with its stack
// instead of killing the process.
func TestGuardHandsThePanicOver(t *testing.T) {
	var g Guard
	got := make(chan Report, 1)
	g.Handle(func(r Report) { got <- r })
	g.Go(func() { panic("boom") })
	r := <-got
	if r.Value != "boom" || !strings.Contains(string(r.Stack), "crash_test.go") {
		t.Errorf("report %v", r)
	}
}

// Without a handler the panic goes on, so the CLI dies as it would have.
func TestGuardWithoutHandlerPanics(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "panic: boom") {
			t.Errorf("recovered %v, want the panic to go on", r)
		}
	}()
	func() {
		var g Guard
		defer g.Recover()
		panic("boom")
	}()
}
