//go:build linux

package resources

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// KernelOOMs reads the kernel's log (/dev/kmsg, what dmesg shows) for
// the OOM kills in the memory cgroups of these containers. It is the
// evidence that outlives the cgroup, for a doctor run after the kill
// (stackui doctor) on an engine that does not report it (Podman): the
// cgroup is gone by then, the kernel's ring buffer still holds the line
// until newer messages push it out. Reading it needs root or CAP_SYSLOG
// where dmesg_restrict is set.
func KernelOOMs(ids []string) ([]KernelOOM, error) {
	// A raw descriptor: os.File's Fd would make it blocking, and the read
	// past the last record must say EAGAIN instead of waiting for one.
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	switch {
	case errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EACCES):
		// The doctor lists it as a gap under its check's name, "kernel log".
		return nil, fmt.Errorf("reading it needs root or CAP_SYSLOG here (kernel.dmesg_restrict): %w",
			&os.PathError{Op: "open", Path: "/dev/kmsg", Err: err})
	case err != nil:
		return nil, &os.PathError{Op: "open", Path: "/dev/kmsg", Err: err}
	}
	defer unix.Close(fd)
	boot := bootTime()
	var out []KernelOOM
	buf := make([]byte, 8192)
	for {
		n, err := unix.Read(fd, buf)
		switch {
		case errors.Is(err, syscall.EAGAIN):
			return out, nil
		case errors.Is(err, syscall.EPIPE):
			continue // overwritten while read: the next record follows
		case err != nil:
			return out, fmt.Errorf("read /dev/kmsg: %w", err)
		case n == 0:
			return out, nil
		}
		if k, since, ok := parseKmsgOOM(string(buf[:n]), ids); ok {
			k.At = boot.Add(since)
			out = append(out, k)
		}
	}
}

// followKernelOOMs reports each OOM kill the kernel logs from now on, as
// it is logged, until ctx ends: the Sampler's evidence for a container
// that the kernel killed before its cgroup was watched (on Podman the
// container's process and cgroup are known only after its slow events
// and inspects; one that dies in its first second is gone by then). It
// fails where the kernel log cannot be read (see KernelOOMs).
func followKernelOOMs(ctx context.Context, report func(kernelKill), wg *sync.WaitGroup) error {
	fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: "/dev/kmsg", Err: err}
	}
	// Only what is logged from now on: the kills before are the doctor's
	// to read (KernelOOMs).
	if _, err := unix.Seek(fd, 0, unix.SEEK_END); err != nil {
		unix.Close(fd)
		return &os.PathError{Op: "seek", Path: "/dev/kmsg", Err: err}
	}
	// Non-blocking, so os.File waits for records in the runtime's poller
	// (the kernel log can be polled) and Close ends a Read under way.
	f := os.NewFile(uintptr(fd), "/dev/kmsg")
	stop := context.AfterFunc(ctx, func() { f.Close() })
	boot := bootTime()
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer stop()
		defer f.Close()
		buf := make([]byte, 8192)
		for {
			n, err := f.Read(buf)
			switch {
			case errors.Is(err, syscall.EPIPE):
				continue // overwritten before it was read
			case err != nil:
				return // closed: ctx ended
			}
			if k, since, ok := parseKmsgKill(string(buf[:n])); ok {
				k.At = boot.Add(since)
				report(k)
			}
		}
	}()
	return nil
}

// bootTime is the wall time at which the kernel log's clock read zero.
func bootTime() time.Time {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return time.Time{}
	}
	return time.Now().Add(-time.Duration(ts.Nano()))
}
