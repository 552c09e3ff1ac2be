package resources

import "time"

// offscreenEvery is how many ticks apart a container that is not on
// screen is read: every fifth second at the TUI's interval. Its row shows
// CPU and memory that much older, its history has a point every five
// seconds until it is shown, and OOM kills still arrive at once from the
// cgroup watch and the kernel log. At 100 running containers, reading
// each every second was a third of the TUI's idle CPU.
const offscreenEvery = 5

// due says whether t is read on this tick: always while it is shown, or
// before its first read; otherwise on one tick in offscreenEvery, its own
// (slots spread the containers over the ticks, so no tick reads them all).
func (s *Sampler) due(t *tracked, visible bool) bool {
	return visible || !t.havePrev || s.opts.Interval >= time.Second*offscreenEvery || (s.ticks+t.slot)%offscreenEvery == 0
}
