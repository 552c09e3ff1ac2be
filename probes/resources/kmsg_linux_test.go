//go:build linux

package resources

import (
	"errors"
	"io/fs"
	"os"
	"testing"
	"time"
)

// Reading the kernel log ends at its last record (the descriptor is
// non-blocking: a blocking read there waits for the next message), and
// without the right to read it (not root where dmesg_restrict is set) it
// says so as a permission error, which the doctor lists as a gap.
func TestKernelOOMsEndsAndSaysWhyNot(t *testing.T) {
	done := make(chan error, 1)
	go func() {
		_, err := KernelOOMs([]string{"no-such-container"})
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(time.Minute):
		t.Fatal("the read of /dev/kmsg did not end")
	}
	switch {
	case os.Geteuid() == 0 && err != nil:
		t.Errorf("as root: %v", err)
	case err != nil && !errors.Is(err, fs.ErrPermission):
		t.Errorf("not root: %v, want a permission error", err)
	}
	t.Logf("uid %d: %v", os.Geteuid(), err)
}
