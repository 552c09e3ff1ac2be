package stack

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchSettle is how long the files must stay quiet before a change is
// reported: editors save in several steps (write a temp file, rename it,
// chmod), and one reload should follow them, not four.
const watchSettle = 150 * time.Millisecond

// WatchFiles reports, on the returned channel, each settled change to any of
// files (a project's compose and env files). It watches their folders rather
// than the files themselves, because editors replace a file by renaming a new
// one over it, which ends a watch on the old inode. The channel has a buffer
// of one and coalesces; it closes when ctx ends.
func WatchFiles(ctx context.Context, files []string) (<-chan struct{}, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch compose files: %w", err)
	}
	wanted := make(map[string]bool, len(files))
	dirs := make(map[string]bool)
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("watch %s: %w", f, err)
		}
		wanted[abs] = true
		dirs[filepath.Dir(abs)] = true
	}
	for d := range dirs {
		if err := w.Add(d); err != nil {
			w.Close()
			return nil, fmt.Errorf("watch %s: %w", d, err)
		}
	}
	out := make(chan struct{}, 1)
	go func() {
		defer close(out)
		defer w.Close()
		settle := time.NewTimer(time.Hour)
		settle.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if wanted[filepath.Clean(ev.Name)] && !ev.Has(fsnotify.Chmod) {
					settle.Reset(watchSettle)
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			case <-settle.C:
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out, nil
}
