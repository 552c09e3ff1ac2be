//go:build unix

package stack

import "syscall"

// The compose runner's tests drive shell scripts through FIFOs and
// signals; these keep the package's tests compiling for Windows.

func testMkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }

func testKill(pid int) { _ = syscall.Kill(pid, syscall.SIGKILL) }

func testSignalZero(pid int) error { return syscall.Kill(pid, 0) }
