package docker

import (
	"errors"
	"fmt"
	"testing"
)

// TestDiskUsageBusy: 20.10 answers a second disk usage call, while one
// runs, with a 500 whose text is all there is to go by; the call is then
// asked again, and no other failure is.
func TestDiskUsageBusy(t *testing.T) {
	for _, tc := range []struct {
		err  error
		busy bool
	}{
		{errors.New("Error response from daemon: a disk usage operation is already running"), true},
		{fmt.Errorf("disk usage: %w", errors.New("a disk usage operation is already running")), true},
		{errors.New("Error response from daemon: permission denied"), false},
		{errors.New("Cannot connect to the Docker daemon"), false},
	} {
		if got := diskUsageBusy(tc.err); got != tc.busy {
			t.Errorf("diskUsageBusy(%q) = %v, want %v", tc.err, got, tc.busy)
		}
	}
}
