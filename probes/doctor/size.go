package doctor

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

const (
	mib = int64(1) << 20
	gib = int64(1) << 30
)

// cleanSizeUp rounds a memory size up to a size people write: a power of
// two of MiB up to 1GiB (48m becomes 64m), whole GiB above (1.5g becomes 2g).
func cleanSizeUp(b int64) int64 {
	switch {
	case b <= 4*mib:
		return 4 * mib
	case b <= gib:
		n := (b + mib - 1) / mib
		return int64(1) << bits.Len64(uint64(n-1)) * mib
	}
	return (b + gib - 1) / gib * gib
}

// cleanSizeDown rounds down the same way; 0 stays 0.
func cleanSizeDown(b int64) int64 {
	switch {
	case b < 4*mib:
		return 0
	case b < 2*gib:
		n := b / mib
		return int64(1) << (bits.Len64(uint64(n)) - 1) * mib
	}
	return b / gib * gib
}

// raisedLimit is the memory limit the oom fix proposes: about twice the old
// limit or the peak, whichever is larger, clean, and never beyond the
// engine's memory. 0 means no raise is possible.
func raisedLimit(limit int64, peak uint64, engineMem uint64) int64 {
	base := max(limit, int64(min(peak, uint64(1)<<62)))
	if base <= 0 {
		return 0
	}
	n := cleanSizeUp(2 * base)
	if engineMem > 0 {
		n = min(n, cleanSizeDown(int64(min(engineMem, uint64(1)<<62))))
	}
	if n <= limit {
		return 0
	}
	return n
}

// composeSize writes bytes the way compose files do: "64m", "2g".
func composeSize(b int64) string {
	switch {
	case b >= gib && b%gib == 0:
		return strconv.FormatInt(b/gib, 10) + "g"
	case b >= mib && b%mib == 0:
		return strconv.FormatInt(b/mib, 10) + "m"
	case b >= 1024 && b%1024 == 0:
		return strconv.FormatInt(b/1024, 10) + "k"
	}
	return strconv.FormatInt(b, 10)
}

// humanSize writes bytes for sentences: "64MiB", "1.5GiB".
func humanSize(b int64) string {
	switch {
	case b >= gib:
		return trimZero(fmt.Sprintf("%.1f", float64(b)/float64(gib))) + "GiB"
	case b >= mib:
		return trimZero(fmt.Sprintf("%.1f", float64(b)/float64(mib))) + "MiB"
	case b >= 1024:
		return trimZero(fmt.Sprintf("%.1f", float64(b)/1024)) + "KiB"
	}
	return strconv.FormatInt(b, 10) + "B"
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// raisedGrace is the stop grace period the sigkill fix proposes: twice the
// current one, and at least twice the default.
func raisedGrace(cur time.Duration) time.Duration {
	return max(2*cur, 2*defaultStopGrace)
}
