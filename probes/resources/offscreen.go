package resources

import "time"

// offscreenEvery is how many ticks apart a container that is not on
// screen (neither visible nor listed) is read: every fifth second at the
// TUI's interval. Its row shows
// CPU and memory that much older, and its history has a point every five
// seconds until it is shown. At 100 running containers, reading each every
// second was a third of the TUI's idle CPU.
const offscreenEvery = 5

// youngFor is how long after its start a container is read every tick,
// shown or not: most containers that die, die early, and the doctor's
// evidence for a kill is the memory at the last sample.
const youngFor = 15 * time.Second

// listedEvery is how many ticks apart a container whose row is listed
// (on screen in the services list, not in the stats tab) is read: its
// row's CPU and memory change every other second, as k9s's do, and the
// stats tab's containers every second. At 30 listed rows this halves
// their reads, each four system calls or more.
const listedEvery = 2

// SetListed names the containers whose rows are on screen (the services
// list): they are read every listedEvery ticks, but get no Engine API
// stream where cgroups cannot be read.
func (s *Sampler) SetListed(ids ...string) {
	l := idSet(ids)
	s.inMu.Lock()
	s.listed = l
	s.inMu.Unlock()
}

func idSet(ids []string) map[string]bool {
	set := make(map[string]bool, len(ids))
	for _, id := range ids {
		set[id] = true
	}
	return set
}

// due says whether t is read on this tick: while it is in the stats tab,
// on every listedEvery-th tick while its row is listed, before its first
// read, in its first youngFor, while its memory is at 80% of its
// limit or more (the sample before an OOM kill is evidence), and
// otherwise on one tick in offscreenEvery, its own (slots spread the
// containers over the ticks, so no tick reads them all). OOM kills do not
// wait for any of this: the cgroup watch and the kernel log bring them.
func (s *Sampler) due(t *tracked, visible, listed bool, now time.Time) bool {
	young := t.c.StartedAt.IsZero() || now.Sub(t.c.StartedAt) < youngFor
	nearLimit := t.latest.MemLimit > 0 && t.latest.MemUsed >= t.latest.MemLimit/10*8
	listedTick := listed && (s.ticks+t.slot)%listedEvery == 0
	return visible || !t.havePrev || young || nearLimit || listedTick || s.slotTick(t)
}

// slotTick says this tick is t's own, one in offscreenEvery: the tick an
// off-screen container is read on, and the one on which a shown
// container's rarely changing files are read again (its memory limit,
// and its OOM counter when the kernel's notification is armed: the
// notification brings kills at once, and this read is the backstop).
func (s *Sampler) slotTick(t *tracked) bool { return (s.ticks+t.slot)%offscreenEvery == 0 }

// filesFor is what this tick reads of t, and whether it is t's slot tick.
// Containers not in the stats tab need only CPU and memory (the services
// rows); their network, block I/O and PID counts are read while they are
// shown, and otherwise carry the last figures. Off its slot, their memory
// limit is carried too.
func (s *Sampler) filesFor(t *tracked, visible bool) (cgroupFiles, bool) {
	f := *t.files
	f.brief = !visible && t.havePrev
	slot := s.slotTick(t)
	if f.brief && !slot {
		f.limit = &t.prev.MemLimit
	}
	return f, slot
}
