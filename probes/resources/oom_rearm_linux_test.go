//go:build linux

package resources

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
)

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// A container that restarts gets a new cgroup and a new watch each time.
// A watch whose cgroup was removed and made again under the same path
// (Docker's /docker/<id> on a restart) is never signalled again, so only
// the newest two are kept (the one before may still report the kill that
// caused the restart; older ones cannot count, see noteOOM): a crash loop
// no longer piles up a descriptor and a goroutine per restart until the
// container is removed.
func TestOOMWatchesOfOldCgroupsAreStopped(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "memory.events"), []byte("oom 0\noom_kill 0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := &Sampler{ooms: make(chan oomMsg, 16)}
	tr := &tracked{c: stack.Container{ID: "c1"}, files: &cgroupFiles{v2: true, mem: dir}}
	before := openFDs(t)
	for range 20 {
		s.armOOM(context.Background(), tr)
	}
	if tr.oom.seen.Watch != "inotify" {
		t.Fatalf("the watch is %q, want inotify", tr.oom.seen.Watch)
	}
	if n := len(tr.oom.stops); n > 2 {
		t.Errorf("%d watches kept after 20 restarts, want at most 2", n)
	}
	// A stopped watch closes its descriptor from its own goroutine.
	for i := 0; openFDs(t)-before > 2 && i < 500; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if n := openFDs(t) - before; n > 2 {
		t.Errorf("%d descriptors open after 20 restarts, want at most 2", n)
	}
	tr.stopOOM()
	s.streams.Wait()
	if n := openFDs(t) - before; n != 0 {
		t.Errorf("%d descriptors left open after the container went", n)
	}
}
