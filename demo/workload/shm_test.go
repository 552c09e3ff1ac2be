package workload

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Within the space there is, the mapping is written and held, and the file
// is gone afterwards. (Past it the process dies of SIGBUS: the engine test
// TestEngineRuntimeKinds shows exit code 135.)
func TestShmAllocHolds(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("--shm-alloc maps a file with Linux calls")
	}
	dir := t.TempDir()
	var buf syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- shmAlloc(ctx, newOutput(&buf), dir, 4<<20) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(buf.String(), "holding 4MiB") {
		if time.Now().After(deadline) {
			t.Fatalf("no holding line: %q", buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "stackui-shm-*")); len(m) != 1 {
		t.Errorf("files while holding: %v", m)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "stackui-shm-*")); len(m) != 0 {
		t.Errorf("left behind: %v", m)
	}
}

func TestShmAllocBadDir(t *testing.T) {
	err := shmAlloc(context.Background(), newOutput(os.Stderr), filepath.Join(t.TempDir(), "none"), 1<<20)
	if err == nil || !strings.Contains(err.Error(), "shm:") {
		t.Errorf("err %v", err)
	}
}
