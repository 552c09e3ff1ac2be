//go:build linux

package resources

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// watchOOM arms the kernel's notification of an OOM in cgroup f: on v1 an
// eventfd registered for memory.oom_control through cgroup.event_control,
// which the kernel signals when an OOM starts there and when the cgroup is
// removed; on v2 inotify on memory.events, which the kernel marks modified
// at each change of its counts. After each signal it reads the kill count
// and calls report with it when it rose past from. It returns how it
// watches; the watch ends with ctx or when the cgroup goes away.
func watchOOM(ctx context.Context, f cgroupFiles, from uint64, report func(kills uint64), wg *sync.WaitGroup) (string, error) {
	var (
		wake *os.File
		how  string
		err  error
	)
	if f.v2 {
		wake, err = inotifyModify(oomCounterFile(f))
		how = "inotify"
	} else {
		wake, err = oomEventfd(f.mem)
		how = "eventfd"
	}
	if err != nil {
		return "", err
	}
	stop := context.AfterFunc(ctx, func() { wake.Close() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer stop()
		defer wake.Close()
		path := oomCounterFile(f)
		buf := make([]byte, 4096)
		last := from
		for {
			if _, err := wake.Read(buf); err != nil {
				return // closed: ctx ended
			}
			st, ok := readOOM(path)
			if !ok {
				return // the cgroup went away
			}
			// v1 signals as the OOM starts; the kill is counted a moment
			// later, and the cgroup may be removed just after.
			for deadline := time.Now().Add(oomSettle); !f.v2 && st.kills <= last && time.Now().Before(deadline); {
				time.Sleep(2 * time.Millisecond)
				next, ok := readOOM(path)
				if !ok {
					if st.underOOM {
						// Under OOM, then gone: its processes were killed.
						st.kills = last + 1
					}
					break
				}
				st = next
			}
			if st.kills > last {
				last = st.kills
				report(last)
			}
		}
	}()
	return how, nil
}

func readOOM(path string) (oomState, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return oomState{}, false
	}
	return parseOOM(b)
}

// oomEventfd registers an eventfd for a v1 memory cgroup's OOM
// notifications (Documentation/admin-guide/cgroup-v1/memory.rst, 11).
func oomEventfd(dir string) (*os.File, error) {
	ctl, err := os.Open(filepath.Join(dir, "memory.oom_control"))
	if err != nil {
		return nil, fmt.Errorf("oom watch: %w", err)
	}
	defer ctl.Close()
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("oom watch: eventfd: %w", err)
	}
	ev := os.NewFile(uintptr(efd), "oom eventfd")
	w, err := os.OpenFile(filepath.Join(dir, "cgroup.event_control"), os.O_WRONLY, 0)
	if err == nil {
		_, err = fmt.Fprintf(w, "%d %d", efd, ctl.Fd())
		err = errors.Join(err, w.Close())
	}
	if err != nil {
		ev.Close()
		return nil, fmt.Errorf("oom watch: register with %s: %w", dir, err)
	}
	return ev, nil
}

// inotifyModify watches one file for modification.
func inotifyModify(path string) (*os.File, error) {
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("oom watch: inotify: %w", err)
	}
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_MODIFY); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("oom watch: %s: %w", path, err)
	}
	return os.NewFile(uintptr(fd), "oom inotify"), nil
}
