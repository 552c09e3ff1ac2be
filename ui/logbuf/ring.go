// Package logbuf keeps container log lines for the logs pane: sanitized once
// on the way in, held in bounded ring buffers (one per service and one for
// all services merged), searched incrementally, and laid out one visible
// page at a time. It is kept free of Bubble Tea and Lip Gloss so ingestion
// stays cheap: styles come in as precomputed SGR strings (Decor).
package logbuf

import (
	"sort"

	"github.com/stackui/stackui/internal/textsafe"
)

// DefaultCapacity is how many lines a ring keeps unless told otherwise.
const DefaultCapacity = 10000

// LineOverhead is what the store's budget counts for a line besides its
// text: the 32-byte Line in a ring's array, plus the rounding of the text's
// allocation up to its size class and the array's spare room, about 16.
const LineOverhead = 48

// shrinkMinCap is the array size, in lines, above which a ring that a trim
// left holding under a quarter of its array moves to a right-sized one.
// Smaller arrays (8 KiB) are not worth the copy.
const shrinkMinCap = 256

// DefaultByteBudget is how many bytes of text a ring keeps unless told
// otherwise. Lines are capped in cells, not bytes, and a line of combining
// marks holds about 16 KiB in 4,096 cells: the line count alone would let
// one service hold 160 MB.
const DefaultByteBudget = 8 << 20

// Stream says where a line came from. StreamNote lines are stackui's own
// remarks (a stream that failed), shown dimmed.
type Stream uint8

const (
	StreamNote   Stream = 0
	StreamStdout Stream = 1
	StreamStderr Stream = 2
)

// Line is one stored line, kept small (32 bytes plus its text) because a
// buffer holds tens of thousands of them.
type Line struct {
	Text   string // sanitized: printable text and SGR only
	Time   int64  // Unix nanoseconds: the engine's timestamp, else arrival
	Src    uint32 // index into the store's sources
	Stream Stream
	Flags  textsafe.Flags
}

// Ring is a bounded, time-ordered buffer of lines. Lines are addressed by
// absolute index: the first line ever added is 0, and indices stay valid
// while lines are appended, so a paused view does not drift as the oldest
// lines fall out.
type Ring struct {
	buf     []Line // grows to cap, then wraps
	head    int    // position of the oldest line once full
	cap     int
	dropped int64 // lines before Start: evicted or cleared
	// bytes is the text held in buf and late; past budget (when > 0) the
	// oldest lines go, down to nine tenths of it so that trimming, which
	// moves the kept lines, is rare.
	bytes, budget int64
	// late holds lines older than the newest one in buf (a second replica's
	// backlog, a re-attach): they are merged in, in time order, before the
	// ring is read, instead of shifting the ring for each one.
	late []Line
	// gen changes whenever lines move other than by appending, which
	// invalidates match caches.
	gen uint64
	// total, when set (a service's ring), is the store-wide cost this ring
	// adds to: LineOverhead per line plus its text, buf and late alike.
	total *int64
	match matchCache
	mark  matchCache
}

func newRing(capacity int, budget int64) *Ring { return &Ring{cap: capacity, budget: budget} }

// account adds text bytes and lines to what the ring holds, and their cost
// to the store's total when the ring counts towards it.
func (r *Ring) account(bytes int64, lines int) {
	r.bytes += bytes
	if r.total != nil {
		*r.total += bytes + LineOverhead*int64(lines)
	}
}

// cost is what the ring counts against the store's budget.
func (r *Ring) cost() int64 { return r.bytes + LineOverhead*int64(len(r.buf)+len(r.late)) }

// Start is the absolute index of the oldest line kept.
func (r *Ring) Start() int64 { return r.dropped }

// End is one past the absolute index of the newest line.
func (r *Ring) End() int64 { return r.dropped + int64(len(r.buf)) }

// Len is the number of lines kept.
func (r *Ring) Len() int { return len(r.buf) }

// At returns the line at absolute index abs, which must be in [Start, End).
func (r *Ring) At(abs int64) *Line {
	i := int(abs - r.dropped)
	if len(r.buf) == r.cap {
		i = (r.head + i) % r.cap
	}
	return &r.buf[i]
}

func (r *Ring) newest() *Line { return r.At(r.End() - 1) }

// add stores a line; an out-of-order one waits in late.
func (r *Ring) add(l Line) {
	if len(r.buf) == 0 || l.Time >= r.newest().Time {
		r.push(l)
	} else {
		r.account(int64(len(l.Text)), 1)
		r.late = append(r.late, l)
		if len(r.late) >= r.cap {
			r.settle()
		}
	}
	if r.budget > 0 && r.bytes > r.budget {
		r.trim(r.budget-r.budget/10, 0)
	}
}

func (r *Ring) push(l Line) {
	if len(r.buf) < r.cap {
		r.account(int64(len(l.Text)), 1)
		r.buf = append(r.buf, l)
		return
	}
	r.account(int64(len(l.Text)-len(r.buf[r.head].Text)), 0)
	r.buf[r.head] = l
	r.head++
	if r.head == r.cap {
		r.head = 0
	}
	r.dropped++
}

// settle merges the late lines in, keeping the newest cap lines in time
// order. It is linear in the ring's size, and runs at most once per read.
func (r *Ring) settle() {
	if len(r.late) == 0 {
		return
	}
	sort.SliceStable(r.late, func(i, j int) bool { return r.late[i].Time < r.late[j].Time })
	cur := r.linear()
	total := len(cur) + len(r.late)
	skip := max(total-r.cap, 0) // the oldest, which no longer fit
	merged := make([]Line, 0, total-skip)
	i, j := 0, 0
	for n := 0; n < total; n++ {
		var l Line
		if j == len(r.late) || (i < len(cur) && cur[i].Time <= r.late[j].Time) {
			l = cur[i]
			i++
		} else {
			l = r.late[j]
			j++
		}
		if n >= skip {
			merged = append(merged, l)
		}
	}
	r.dropped += int64(skip)
	r.buf = merged
	r.head = 0
	if cap(r.late) > shrinkMinCap {
		r.late = nil // a big backlog's batch: give its array back
	} else {
		clear(r.late) // drop the texts' references before reuse
		r.late = r.late[:0]
	}
	var bytes int64
	for i := range r.buf {
		bytes += int64(len(r.buf[i].Text))
	}
	r.account(bytes-r.bytes, -skip)
	r.gen++
}

// trim drops the oldest lines until the ring's text plus overhead per
// line is at most limit; the newest line always stays. The ring's own byte
// budget trims to nine tenths of it (overhead 0), the store's budget to a
// level it picks (overhead LineOverhead). A ring left with far fewer lines
// than its array holds moves to a right-sized one, so the memory goes back.
func (r *Ring) trim(limit, overhead int64) {
	r.settle()
	lines := r.linear()
	bytes, n := r.bytes, 0
	for n < len(lines)-1 && bytes+overhead*int64(len(lines)-n) > limit {
		bytes -= int64(len(lines[n].Text))
		n++
	}
	if n == 0 {
		return
	}
	kept := len(lines) - n
	switch {
	case cap(r.buf) > shrinkMinCap && kept < cap(r.buf)/4:
		buf := make([]Line, kept)
		copy(buf, lines[n:])
		r.buf = buf
	case &lines[0] == &r.buf[0]:
		copy(r.buf, lines[n:])
		clear(r.buf[kept:]) // drop the texts' references
		r.buf = r.buf[:kept]
	default: // lines is linear's copy: drop the texts' references in it
		clear(lines[:n])
		r.buf = lines[n:]
	}
	r.account(bytes-r.bytes, -n)
	r.head = 0
	r.dropped += int64(n)
	r.gen++
}

// Bytes is the text the ring holds, in bytes.
func (r *Ring) Bytes() int64 { return r.bytes }

// linear returns the lines oldest first; it copies only when wrapped.
func (r *Ring) linear() []Line {
	if len(r.buf) < r.cap || r.head == 0 {
		return r.buf
	}
	out := make([]Line, 0, len(r.buf))
	out = append(out, r.buf[r.head:]...)
	return append(out, r.buf[:r.head]...)
}

// clear drops every line; absolute indices keep counting.
func (r *Ring) clear() {
	r.dropped += int64(len(r.buf))
	r.account(-r.bytes, -len(r.buf)-len(r.late))
	r.buf, r.head, r.late = nil, 0, nil
	r.gen++
}
