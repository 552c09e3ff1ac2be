package probes

import (
	"bufio"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// ReadHost must agree with what the kernel says in /proc/meminfo.
func TestReadHostAgreesWithProc(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("compares against /proc/meminfo")
	}
	h, err := ReadHost(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var totalKB uint64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
			totalKB, _ = strconv.ParseUint(strings.Fields(rest)[0], 10, 64)
		}
	}
	if h.MemTotal != totalKB*1024 {
		t.Errorf("MemTotal %d, /proc/meminfo says %d", h.MemTotal, totalKB*1024)
	}
	if h.MemAvailable == 0 || h.MemAvailable > h.MemTotal {
		t.Errorf("MemAvailable %d of %d", h.MemAvailable, h.MemTotal)
	}
	if h.CPUs != runtime.NumCPU() {
		t.Errorf("CPUs %d, runtime says %d", h.CPUs, runtime.NumCPU())
	}
}
