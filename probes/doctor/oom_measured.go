package doctor

import (
	"fmt"
	"time"
)

// growthHeadroom is how much more growth a measured raise leaves room for:
// a program that was still climbing when it was killed needs its peak
// plus a few seconds more at the rate it climbed.
const growthHeadroom = 5 * time.Second

// oomRaise is the raise-memory fix for a service killed at its own limit,
// sized from what stackui measured (the peak and the growth before the
// kill) when it measured it, else about twice the limit. A service killed
// again at a limit stackui raised is said to be, with what it would need;
// without a measurement it gets no second blind raise.
func oomRaise(d *diag, f *Finding) []Fix {
	m := d.s.Model
	if m.MemLimit <= 0 {
		return nil
	}
	peak, growth := d.s.PeakMem, d.s.MemGrowth
	again := false
	if r := d.s.LastRaise; r != nil && r.To == m.MemLimit && (d.c.StartedAt.IsZero() || !d.c.StartedAt.Before(r.When)) {
		again = true
		f.Summary += fmt.Sprintf("; killed again at %s after stackui raised it from %s", humanSize(m.MemLimit), humanSize(r.From))
		f.Evidence = append(f.Evidence, fmt.Sprintf("edit journal: stackui raised the limit from %s to %s at %s",
			humanSize(r.From), humanSize(r.To), r.When.UTC().Format("15:04:05")))
	}
	var n int64
	switch {
	case growth > 0:
		rate := humanSize(int64(growth)) + "/s"
		f.Evidence = append(f.Evidence, "memory growth before the kill: "+rate+" (stackui's stats)")
		need := float64(max(m.MemLimit, int64(min(peak, uint64(1)<<62)))) + growth*growthHeadroom.Seconds()
		n = cleanSizeUp(int64(min(need, float64(int64(1)<<62))))
		if eng := d.ev.Engine.MemTotal; eng > 0 {
			n = min(n, cleanSizeDown(int64(min(eng, uint64(1)<<62))))
		}
		f.Summary += fmt.Sprintf("; it grew %s until the kill", rate)
		if again {
			f.Summary += fmt.Sprintf(", so it would need about %s for %s more", humanSize(n), growthHeadroom)
		}
		if n <= m.MemLimit {
			return nil
		}
		return []Fix{{ID: "raise-memory",
			Title: fmt.Sprintf("raise %s's memory limit from %s to %s (its peak plus %s more at %s), then recreate it",
				m.Name, composeSize(m.MemLimit), composeSize(n), growthHeadroom, rate),
			Action: Action{Kind: ActSetMemLimit, Service: m.Name, Bytes: n, Then: ThenRecreate}}}
	case again:
		f.Explanation += "\n\nstackui raised this limit before and did not see how fast the memory grows, so it offers no " +
			"second raise: watch the service in stackui (its stats measure the growth) and diagnose again, or find the leak."
		return nil
	}
	if n = raisedLimit(m.MemLimit, peak, d.ev.Engine.MemTotal); n <= 0 {
		return nil
	}
	return []Fix{{ID: "raise-memory",
		Title:  fmt.Sprintf("raise %s's memory limit from %s to %s, then recreate it", m.Name, composeSize(m.MemLimit), composeSize(n)),
		Action: Action{Kind: ActSetMemLimit, Service: m.Name, Bytes: n, Then: ThenRecreate}}}
}
