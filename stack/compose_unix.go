//go:build unix

package stack

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts the CLI in a process group of its own and makes
// cancellation kill the whole group: docker-compose and the docker plugin
// start helpers (buildx, credential helpers) that would otherwise outlive it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
