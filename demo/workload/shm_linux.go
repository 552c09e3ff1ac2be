package workload

import (
	"os"
	"syscall"
	"unsafe"
)

func mapShared(f *os.File, size int64) ([]byte, error) {
	return syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
}

func unmapShared(b []byte) { _ = syscall.Munmap(b) }

// kernelSigaction is the kernel's struct sigaction for rt_sigaction on
// Linux (handler, flags, restorer, mask); all zero is SIG_DFL.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// dieOnSIGBUS sets SIGBUS to its default action in the kernel, behind the
// Go runtime's back, so that a fault on the mapping kills the process with
// SIGBUS (the engine reports exit code 135) instead of the runtime turning
// it into "unexpected fault address" and exit 2. A fault is forced on the
// faulting thread, so this holds even for PID 1 in a container, which
// ignores SIGBUS sent with kill. The returned func puts the runtime's
// handler back.
func dieOnSIGBUS() func() {
	var old kernelSigaction
	def := kernelSigaction{}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGBUS),
		uintptr(unsafe.Pointer(&def)), uintptr(unsafe.Pointer(&old)), 8, 0, 0); e != 0 {
		return func() {}
	}
	return func() {
		syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGBUS), uintptr(unsafe.Pointer(&old)), 0, 8, 0, 0)
	}
}
