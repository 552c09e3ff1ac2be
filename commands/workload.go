package commands

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/stackui/stackui/demo/workload"
)

// runWorkload is the demo images' entrypoint. Signals are caught here, not
// left to their default action, because the workload decides whether
// SIGTERM stops it (and as PID 1 in a container an unhandled SIGTERM would
// be dropped by the kernel anyway).
func runWorkload(f *Factory, args []string) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, os.Interrupt)
	defer signal.Stop(sigs)
	return workload.Run(context.Background(), args, rawOut(f.Stdout), rawOut(f.Stderr), sigs)
}
