package workload

import (
	"context"
	"os"
	"runtime"
	"time"
)

// allocate grows the workload's memory by step every interval until total is
// reached, then holds it until ctx ends. Every page of every chunk is
// written: untouched pages of a fresh allocation are not resident, so
// without the writes RSS (and the cgroup's usage, and the OOM killer) would
// never notice.
func allocate(ctx context.Context, o *output, total, step int64, every time.Duration) {
	if step <= 0 || step > total {
		step = total
	}
	page := os.Getpagesize()
	var chunks [][]byte
	var have int64
	for have < total {
		n := min(step, total-have)
		b := make([]byte, n)
		for i := 0; i < len(b); i += page {
			b[i] = 1
		}
		chunks = append(chunks, b)
		have += n
		o.logf("allocated %s of %s", formatSize(have), formatSize(total))
		if have >= total {
			break
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
	o.logf("holding %s", formatSize(have))
	<-ctx.Done()
	runtime.KeepAlive(chunks)
}
