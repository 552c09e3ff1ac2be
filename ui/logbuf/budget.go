package logbuf

import (
	"cmp"
	"slices"
)

// DefaultTotalBytes is what the services' rings hold together unless told
// otherwise, counting LineOverhead per line: 8 MiB. A ring of 10,000 lines
// of about 100 bytes costs about 1.5 MB, so one to five busy services
// keep their whole 10,000 lines, and with 100 containers followed each
// still keeps 500 or more. It bounds the logs' memory whatever the number
// of containers: before it, 100 services could hold 10,000 lines each
// (about 150 MB), and the TUI grew with log history past its 60 MB aim
// (issue 11).
const DefaultTotalBytes = 8 << 20

// typicalLineBytes is the text of a usual log line, for sizing backlogs.
const typicalLineBytes = 100

// minAttachTail is the fewest lines of backlog a stream asks for however
// many are attached at once: a few screenfuls.
const minAttachTail = 200

// AttachTail is how many lines of backlog each of n streams attached at
// once should ask for: Capacity, but no more than an even share of the
// store's budget (at typicalLineBytes a line), and no fewer than
// minAttachTail. Asking 100 containers for 10,000 lines each would load a
// million lines only to trim most of them.
func (s *Store) AttachTail(n int) int {
	c := s.opts.Capacity
	if s.opts.TotalBytes < 0 {
		return c
	}
	share := s.opts.TotalBytes / (typicalLineBytes + LineOverhead) / int64(max(n, 1))
	return int(min(int64(c), max(minAttachTail, share)))
}

// trimTotal brings the services' rings under nine tenths of the store's
// budget, so that it runs once per tenth of the budget at most. The rings
// that hold the most are trimmed to one level, the highest that frees
// enough: the busiest services lose their oldest lines, the quiet ones keep
// all of theirs. Each ring keeps its newest line, so the total can stay over
// only when every trimmed ring is down to one line. Callers hold mu.
func (s *Store) trimTotal() {
	need := s.total - (s.opts.TotalBytes - s.opts.TotalBytes/10)
	rings := make([]*Ring, 0, len(s.services))
	for _, sv := range s.services {
		rings = append(rings, sv.ring)
	}
	slices.SortFunc(rings, func(a, b *Ring) int { return cmp.Compare(b.cost(), a.cost()) })
	// Lowering the k largest to the next one's cost frees sum - k*next;
	// the level lies between that one and the k-th.
	var sum int64
	for k := 1; k <= len(rings); k++ {
		sum += rings[k-1].cost()
		var next int64
		if k < len(rings) {
			next = rings[k].cost()
		}
		if sum-int64(k)*next < need && k < len(rings) {
			continue
		}
		level := max((sum-need)/int64(k), 0)
		for _, r := range rings[:k] {
			r.trim(level, LineOverhead)
		}
		return
	}
}
