//go:build !linux

package resources

import (
	"context"
	"errors"
	"sync"
)

// watchOOM needs Linux cgroups; elsewhere the per-sample read (which
// finds no cgroup either) is all there is.
func watchOOM(context.Context, cgroupFiles, uint64, func(uint64), *sync.WaitGroup) (string, error) {
	return "", errors.New("oom watch: cgroups are Linux's")
}
