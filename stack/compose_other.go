//go:build !unix

package stack

import "os/exec"

// setProcessGroup leaves the default: cancellation kills the CLI itself.
// There are no process groups to signal here.
func setProcessGroup(cmd *exec.Cmd) {}
