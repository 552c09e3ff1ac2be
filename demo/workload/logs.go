package workload

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"sync"
	"time"
)

// flushEvery bounds how stale buffered log lines may get when the workload
// writes as fast as it can; a viewer tailing the container should still see
// lines arrive smoothly.
const flushEvery = 50 * time.Millisecond

// maxLineSize keeps --log-size from asking for absurd single lines.
const maxLineSize = 1 << 20

// output serialises everything the workload prints to stdout: the log lines
// and the event lines (alloc steps, signals) come from different goroutines.
type output struct {
	mu  sync.Mutex
	w   *bufio.Writer
	err error
}

func newOutput(w io.Writer) *output { return &output{w: bufio.NewWriterSize(w, 64<<10)} }

// logf prints one event line and flushes it, so events are never stuck
// behind a buffer.
func (o *output) logf(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return
	}
	fmt.Fprintf(o.w, format+"\n", args...)
	o.err = o.w.Flush()
}

func (o *output) flush() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err == nil {
		o.err = o.w.Flush()
	}
	return o.err
}

// lineGen makes numbered log lines of a fixed size: "line 000123 abcd...".
type lineGen struct {
	n      int64
	size   int
	filler []byte
	buf    []byte
}

const fillerText = "abcdefghijklmnopqrstuvwxyz0123456789"

func newLineGen(size int) *lineGen {
	filler := make([]byte, size)
	for i := range filler {
		filler[i] = fillerText[i%len(fillerText)]
	}
	return &lineGen{size: size, filler: filler, buf: make([]byte, 0, size+32)}
}

// next returns the next line, newline included. The slice is reused by the
// following call.
func (g *lineGen) next() []byte {
	g.n++
	b := append(g.buf[:0], "line "...)
	for d := digits(g.n); d < 6; d++ {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, g.n, 10)
	b = append(b, ' ')
	if len(b) < g.size {
		b = append(b, g.filler[:g.size-len(b)]...)
	}
	g.buf = append(b, '\n')
	return g.buf
}

func digits(n int64) int {
	d := 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d
}

// linesDue is how many lines a writer at rate lines per second should have
// written elapsed after it started: the first one at once, then one every
// 1/rate seconds.
func linesDue(elapsed time.Duration, rate float64) int64 {
	if elapsed < 0 {
		return 0
	}
	return int64(math.Floor(elapsed.Seconds()*rate)) + 1
}

// writeLines writes numbered lines until ctx ends or limit lines are out
// (limit 0: no limit). rate 0 means as fast as the writer takes them.
func writeLines(ctx context.Context, o *output, rate float64, size int, limit int64) error {
	g := newLineGen(size)
	done := func() bool { return limit > 0 && g.n >= limit }
	if rate == 0 {
		return writeFast(ctx, o, g, done)
	}
	start := time.Now()
	for !done() {
		due := linesDue(time.Since(start), rate)
		o.mu.Lock()
		for g.n < due && !done() && o.err == nil {
			_, o.err = o.w.Write(g.next())
		}
		if o.err == nil {
			o.err = o.w.Flush()
		}
		err := o.err
		o.mu.Unlock()
		if err != nil {
			return err
		}
		// Sleep until the next line is due rather than ticking, so that
		// high rates do not depend on timer resolution.
		next := start.Add(time.Duration(float64(g.n) / rate * float64(time.Second)))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Until(next)):
		}
	}
	return nil
}

func writeFast(ctx context.Context, o *output, g *lineGen, done func() bool) error {
	const batch = 512
	lastFlush := time.Now()
	for ctx.Err() == nil && !done() {
		o.mu.Lock()
		for i := 0; i < batch && !done() && o.err == nil; i++ {
			_, o.err = o.w.Write(g.next())
		}
		if o.err == nil && (done() || time.Since(lastFlush) >= flushEvery) {
			o.err = o.w.Flush()
			lastFlush = time.Now()
		}
		err := o.err
		o.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return o.flush()
}
