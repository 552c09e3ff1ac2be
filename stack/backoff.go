package stack

import (
	"strings"
	"time"
)

// Default reconnect backoff: quick enough that a restarted daemon is picked
// up at once, capped so a stopped remote one costs little.
const (
	DefaultMinBackoff = 250 * time.Millisecond
	DefaultMaxBackoff = 5 * time.Second
	// LocalMaxBackoff caps the wait for an engine on a local socket: a
	// failed dial of a unix socket or named pipe costs microseconds, so
	// retrying twice a second is nearly free and the engine's return shows
	// within a second.
	LocalMaxBackoff = 500 * time.Millisecond
)

// MaxBackoffFor is the cap on the reconnect wait for an engine at host
// (DOCKER_HOST's form): short for a local socket, DefaultMaxBackoff for
// ssh:// and tcp://, where each try costs a connection (and a login).
func MaxBackoffFor(host string) time.Duration {
	if host == "" || strings.HasPrefix(host, "unix://") || strings.HasPrefix(host, "npipe://") {
		return LocalMaxBackoff
	}
	return DefaultMaxBackoff
}

// Backoff is the wait between tries of something that keeps failing: it
// starts at Min, doubles after each try up to Max, and starts over after a
// success. The zero value uses the defaults. Live's reconnects and the
// usage sampler's wait for the engine share it.
type Backoff struct {
	Min, Max time.Duration
	next     time.Duration
}

// Next is the wait before the next try; each call doubles the one after.
func (b *Backoff) Next() time.Duration {
	lo, hi := b.bounds()
	if b.next < lo {
		b.next = lo
	}
	w := min(b.next, hi)
	b.next = min(2*w, hi)
	return w
}

// Reset starts over from Min, after a success.
func (b *Backoff) Reset() { b.next = 0 }

func (b *Backoff) bounds() (lo, hi time.Duration) {
	lo, hi = b.Min, b.Max
	if lo <= 0 {
		lo = DefaultMinBackoff
	}
	if hi <= 0 {
		hi = DefaultMaxBackoff
	}
	return lo, max(hi, lo)
}
