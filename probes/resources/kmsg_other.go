//go:build !linux

package resources

import (
	"context"
	"errors"
	"sync"
)

// KernelOOMs needs Linux's kernel log.
func KernelOOMs([]string) ([]KernelOOM, error) {
	return nil, errors.New("kernel log: only on Linux")
}

// followKernelOOMs needs Linux's kernel log.
func followKernelOOMs(context.Context, func(kernelKill), *sync.WaitGroup) error {
	return errors.New("kernel log: only on Linux")
}
