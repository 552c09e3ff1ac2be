package backend

import (
	"context"
	"sync"

	"github.com/stackui/stackui/internal/crash"
	"github.com/stackui/stackui/stack"
)

// FileWatcher watches one set of files at a time and reports changes on a
// single channel, so the TUI can keep waiting on the same channel while
// the set changes (after a broken file was fixed, say).
type FileWatcher struct {
	ctx    context.Context // ends the watching
	guard  *crash.Guard
	out    chan struct{}
	mu     sync.Mutex
	cancel context.CancelFunc
}

// NewFileWatcher makes a watcher that watches nothing until Set; it stops
// when ctx ends. Its goroutines run under guard (nil: none).
func NewFileWatcher(ctx context.Context, guard *crash.Guard) *FileWatcher {
	return &FileWatcher{ctx: ctx, guard: guard, out: make(chan struct{}, 1)}
}

// Changed fires (coalesced) when a watched file changes.
func (w *FileWatcher) Changed() <-chan struct{} { return w.out }

// Set replaces the watched files. A set that cannot be watched (a folder
// that is gone) is not an error: the project works, it just does not
// reload by itself.
func (w *FileWatcher) Set(files []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.cancel != nil {
		w.cancel()
	}
	ctx, cancel := context.WithCancel(w.ctx)
	w.cancel = cancel
	in, err := stack.WatchFiles(ctx, files)
	if err != nil {
		return
	}
	w.guard.Go(func() {
		for range in {
			select {
			case w.out <- struct{}{}:
			default:
			}
		}
	})
}
