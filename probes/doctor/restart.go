package doctor

import (
	"sync"
	"time"
)

// RestartBudget limits automatic restarts (the restart fix of crash-loop
// and unhealthy findings): at most Max per service in any Window, each
// after a backoff that doubles with the restarts already made. Fixes whose
// Auto is false (data services) are never restarted through it. The zero
// value is not ready; use NewRestartBudget. It is safe for concurrent use.
type RestartBudget struct {
	Max     int
	Window  time.Duration
	Backoff time.Duration

	mu   sync.Mutex
	done map[string][]time.Time
}

// NewRestartBudget allows 3 automatic restarts per service per hour, the
// first after 5s, then 10s, then 20s.
func NewRestartBudget() *RestartBudget {
	return &RestartBudget{Max: 3, Window: time.Hour, Backoff: 5 * time.Second, done: map[string][]time.Time{}}
}

// Take asks for an automatic restart of service at now. ok is false when
// the budget is spent; otherwise the restart is booked, and the caller
// waits wait before restarting.
func (b *RestartBudget) Take(service string, now time.Time) (wait time.Duration, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	recent := b.done[service][:0]
	for _, t := range b.done[service] {
		if now.Sub(t) < b.Window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= b.Max {
		b.done[service] = recent
		return 0, false
	}
	wait = b.Backoff << len(recent)
	b.done[service] = append(recent, now.Add(wait))
	return wait, true
}
