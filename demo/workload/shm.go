package workload

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
)

// shmDir is where shared memory lives in a container: a tmpfs of the
// container's shm_size (64 MiB by default).
const shmDir = "/dev/shm"

// shmAlloc maps a file of size bytes in dir and writes every page, as a
// PyTorch DataLoader worker does with its shared tensors, then holds it
// until ctx ends. tmpfs hands out pages as they are first written, so a
// file larger than the tmpfs can be created and mapped, and the first page
// past its size faults with SIGBUS. The workload then dies of that signal
// (exit 135 in a container) as the Python process would, not of a Go panic:
// see dieOnSIGBUS.
func shmAlloc(ctx context.Context, o *output, dir string, size int64) error {
	f, err := os.CreateTemp(dir, "stackui-shm-")
	if err != nil {
		return fmt.Errorf("shm: %w", err)
	}
	name := f.Name()
	defer os.Remove(name)
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return fmt.Errorf("shm: size %s: %w", filepath.Base(name), err)
	}
	mem, err := mapShared(f, size)
	if err != nil {
		return fmt.Errorf("shm: map %s of %s: %w", formatSize(size), name, err)
	}
	defer unmapShared(mem)
	o.logf("shm: mapped %s at %s", formatSize(size), name)
	restore := dieOnSIGBUS()
	defer restore()
	// With the fault delivered as a signal the write below never returns;
	// the panic-on-fault setting only matters where dieOnSIGBUS cannot
	// take the default action (other systems), where it makes the fault a
	// panic that names the cause instead of a runtime crash.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	page := os.Getpagesize()
	for i := 0; i < len(mem); i += page {
		mem[i] = 1
	}
	o.logf("shm: holding %s in %s", formatSize(size), shmDir)
	<-ctx.Done()
	runtime.KeepAlive(mem)
	return nil
}
