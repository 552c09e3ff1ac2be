package logbuf

import (
	"strconv"
	"sync"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/internal/textsafe"
)

// Source is where lines come from: one replica of a service. Number 0 is
// the service itself, for stackui's notes about it.
type Source struct {
	Service string
	Number  int
	Name    string // "api-1", as docker compose logs prefixes lines
	Color   int    // index into Decor.Prefixes, modulo its length
	width   int
}

// SourceID names a registered Source.
type SourceID uint32

// Options configure a Store.
type Options struct {
	// Capacity is the number of lines each ring keeps (each service's and
	// the merged one); DefaultCapacity when <= 0.
	Capacity int
	// ByteBudget caps the text each ring keeps, in bytes; DefaultByteBudget
	// when 0, no cap when < 0.
	ByteBudget int64
	// TotalBytes caps what the services' rings hold together: each line
	// counts its text plus LineOverhead. Over it, the ring that holds the
	// most loses its oldest lines first. DefaultTotalBytes when 0, no cap
	// when < 0. The merged ring has only its own bounds.
	TotalBytes int64
	// MaxCells caps a line's displayed width; DefaultMaxCells when <= 0.
	MaxCells int
	// Now stamps lines that arrive without a timestamp; time.Now when nil.
	Now func() time.Time
}

// Store holds the log lines of a project's services. It is safe for
// concurrent use: streaming goroutines Append, the UI reads. Every Append
// signals Changed, coalesced: the channel holds at most one signal, so a
// burst of lines wakes the reader once.
type Store struct {
	mu       sync.Mutex
	opts     Options
	sources  []Source
	bySource map[sourceKey]SourceID
	services map[string]*service
	all      *Ring
	changed  chan struct{}
	scratch  []byte // for searching colour lines, under mu
	// total is what the services' rings cost, against opts.TotalBytes;
	// the rings keep it up to date.
	total int64
}

type sourceKey struct {
	service string
	number  int
}

// service is one service's ring and what its prefixes need.
type service struct {
	ring     *Ring
	replicas int // sources with Number > 0
	width    int // widest source name
}

// NewStore makes an empty store.
func NewStore(o Options) *Store {
	if o.Capacity <= 0 {
		o.Capacity = DefaultCapacity
	}
	if o.ByteBudget == 0 {
		o.ByteBudget = DefaultByteBudget
	}
	if o.TotalBytes == 0 {
		o.TotalBytes = DefaultTotalBytes
	}
	if o.MaxCells <= 0 {
		o.MaxCells = textsafe.DefaultMaxCells
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Store{
		opts:     o,
		bySource: make(map[sourceKey]SourceID),
		services: make(map[string]*service),
		all:      newRing(o.Capacity, o.ByteBudget),
		changed:  make(chan struct{}, 1),
	}
}

// Capacity is the number of lines each ring keeps.
func (s *Store) Capacity() int { return s.opts.Capacity }

// Changed is signalled after lines are added or cleared, and by Signal.
func (s *Store) Changed() <-chan struct{} { return s.changed }

// Signal wakes the reader without new lines: a stream ended, so what the
// pane says about loading may change.
func (s *Store) Signal() { s.signal() }

func (s *Store) signal() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// Source registers a replica of a service (or finds it: a recreated
// container keeps its replica's source) and returns its ID. Color is
// updated when it changes.
func (s *Store) Source(svc string, number, color int) SourceID {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := sourceKey{svc, number}
	if id, ok := s.bySource[k]; ok {
		s.sources[id].Color = color
		return id
	}
	name := svc
	if number > 0 {
		name = svc + "-" + strconv.Itoa(number)
	}
	src := Source{Service: svc, Number: number, Name: name, Color: color, width: ansi.StringWidth(name)}
	id := SourceID(len(s.sources))
	s.sources = append(s.sources, src)
	s.bySource[k] = id
	sv := s.service(svc)
	if number > 0 {
		sv.replicas++
	}
	sv.width = max(sv.width, src.width)
	return id
}

// SourceInfo returns a registered source.
func (s *Store) SourceInfo(id SourceID) Source {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sources[id]
}

// service returns the named service's entry, creating it. Callers hold mu.
func (s *Store) service(name string) *service {
	sv := s.services[name]
	if sv == nil {
		sv = &service{ring: newRing(s.opts.Capacity, s.opts.ByteBudget)}
		sv.ring.total = &s.total
		s.services[name] = sv
	}
	return sv
}

// Append sanitizes one line of output and stores it in its service's ring
// and the merged one. A zero t means the line's arrival time.
func (s *Store) Append(id SourceID, t time.Time, stream Stream, text string) {
	text, flags := textsafe.Sanitize(text, s.opts.MaxCells)
	if t.IsZero() {
		t = s.opts.Now()
	}
	l := Line{Text: text, Time: t.UnixNano(), Src: uint32(id), Stream: stream, Flags: flags}
	s.mu.Lock()
	if int(id) < len(s.sources) {
		s.services[s.sources[id].Service].ring.add(l)
		s.all.add(l)
		if s.opts.TotalBytes > 0 && s.total > s.opts.TotalBytes {
			s.trimTotal()
		}
	}
	s.mu.Unlock()
	s.signal()
}

// Note stores one of stackui's own remarks about a source, such as a log
// stream that failed.
func (s *Store) Note(id SourceID, text string) {
	s.Append(id, time.Time{}, StreamNote, text)
}

// Clear empties what v shows: one service's ring, or every ring when v
// shows all services.
func (s *Store) Clear(v View) {
	s.mu.Lock()
	if v.All {
		s.all.clear()
		for _, sv := range s.services {
			sv.ring.clear()
		}
	} else if sv := s.services[v.Service]; sv != nil {
		sv.ring.clear()
	}
	s.mu.Unlock()
	s.signal()
}

// Len is the number of lines v shows (after its filter).
func (s *Store) Len(v View) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq(v).n()
}
