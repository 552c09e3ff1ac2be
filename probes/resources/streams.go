package resources

import (
	"context"

	"github.com/stackui/stackui/stack"
)

// streamMsg is a sample from an Engine API stream, or its end.
type streamMsg struct {
	id    string
	gen   int
	stats stack.Stats
	done  bool
	err   error
}

// startStream opens an Engine API stats stream for t, the fallback when its
// cgroup cannot be read; its samples come back to Run as streamMsg values.
func (s *Sampler) startStream(ctx context.Context, t *tracked) {
	sctx, cancel := context.WithCancel(ctx)
	t.streamGen++
	t.stream = cancel
	id, gen := t.c.ID, t.streamGen
	s.streams.Add(1)
	go func() {
		defer s.streams.Done()
		err := s.opts.Engine.Stats(sctx, id, true, func(st stack.Stats) error {
			select {
			case s.messages <- streamMsg{id: id, gen: gen, stats: st}:
				return nil
			case <-sctx.Done():
				return sctx.Err()
			}
		})
		if sctx.Err() != nil {
			return // stopped on purpose
		}
		select {
		case s.messages <- streamMsg{id: id, gen: gen, done: true, err: err}:
		case <-sctx.Done():
		}
	}()
}

func (t *tracked) stopStream() {
	if t.stream != nil {
		t.stream()
		t.stream = nil
	}
}

func (s *Sampler) handleStream(m streamMsg) {
	t := s.tracked[m.id]
	if t == nil || t.streamGen != m.gen || t.stream == nil {
		return // a stream stopped since
	}
	if m.done {
		// The container stopped (an update follows) or the engine went
		// away; the next update opens a new stream if still wanted.
		t.stream()
		t.stream = nil
		if m.err != nil {
			t.err = "stats stream: " + m.err.Error()
		}
		return
	}
	if sm, ok := FromStats(m.stats); ok {
		s.record(t, sm)
	}
}
