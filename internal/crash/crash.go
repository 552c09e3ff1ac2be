// Package crash keeps a panic in a background goroutine from killing the
// process while the TUI has the terminal in raw mode on the alternate
// screen. Bubble Tea recovers panics in Update, View and commands and
// restores the terminal itself; goroutines it did not start (the live
// state, the backend's samplers and watchers) run under a Guard, which
// hands the panic to whoever can restore the terminal (the TUI quits) and
// reports it afterwards.
package crash

import (
	"fmt"
	"runtime/debug"
	"sync"
)

// Report is a recovered panic with the stack it was raised on.
type Report struct {
	Value any
	Stack []byte
}

func (r Report) String() string { return fmt.Sprintf("panic: %v\n\n%s", r.Value, r.Stack) }

// Guard runs goroutines whose panics go to a handler. Until a handler is
// set (the CLI's commands), or with a nil Guard, a panic goes on as it
// would have: the process dies with the stack.
type Guard struct {
	mu      sync.Mutex
	handler func(Report)
}

// Handle sets what a recovered panic is handed to; nil removes it. The
// handler runs on the panicking goroutine, which ends after it.
func (g *Guard) Handle(h func(Report)) {
	g.mu.Lock()
	g.handler = h
	g.mu.Unlock()
}

// Go runs f on a new goroutine under the guard.
func (g *Guard) Go(f func()) {
	go func() {
		defer g.Recover()
		f()
	}()
}

// Recover is deferred by a goroutine the guard covers (Go does it).
func (g *Guard) Recover() {
	r := recover()
	if r == nil {
		return
	}
	rep := Report{Value: r, Stack: debug.Stack()}
	var h func(Report)
	if g != nil {
		g.mu.Lock()
		h = g.handler
		g.mu.Unlock()
	}
	if h == nil {
		panic(rep.String())
	}
	h(rep)
}
