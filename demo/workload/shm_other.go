//go:build !linux

package workload

import (
	"errors"
	"os"
)

func mapShared(*os.File, int64) ([]byte, error) {
	return nil, errors.New("--shm-alloc needs Linux")
}

func unmapShared([]byte) {}

func dieOnSIGBUS() func() { return func() {} }
