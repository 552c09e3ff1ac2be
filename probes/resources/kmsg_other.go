//go:build !linux

package resources

import "errors"

// KernelOOMs needs Linux's kernel log.
func KernelOOMs([]string) ([]KernelOOM, error) {
	return nil, errors.New("kernel log: only on Linux")
}
