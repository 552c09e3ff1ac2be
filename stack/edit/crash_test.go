package edit

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
)

// crashDirEnv names the project folder TestHelperApplyLoop works in; it is
// set only in the child process TestCrashSafety starts.
const crashDirEnv = "STACKUI_EDIT_CRASH_DIR"

const (
	crashSmall = "services:\n  trainer:\n    image: stackui-demo/workload:latest\n    mem_limit: 64m # small\n"
	crashLarge = "services:\n  trainer:\n    image: stackui-demo/workload:latest\n    mem_limit: 128m # small\n"
)

// TestHelperApplyLoop is not a test: run as a child by TestCrashSafety, it
// applies fixes in a loop, flipping the memory limit between 64m and 128m,
// and prints a line after each one, until it is killed.
func TestHelperApplyLoop(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		return
	}
	for i := 0; ; i++ {
		p, err := stack.Load(context.Background(), stack.LoadOptions{Files: []string{"compose.yaml"}, WorkDir: dir, Env: map[string]string{}})
		if err != nil {
			fmt.Println("load:", err)
			os.Exit(3)
		}
		size := int64(128 << 20)
		if s, _ := p.Service("trainer"); s.MemLimit == size {
			size = 64 << 20
		}
		plan, err := SetMemLimit(p, "trainer", size)
		if err == nil {
			_, err = Apply(p, plan)
		}
		if err != nil {
			fmt.Println("apply:", err)
			os.Exit(3)
		}
		fmt.Println("applied", i)
	}
}

// TestCrashSafety kills (SIGKILL on Unix) a process that applies fixes
// in a loop at random moments, and checks that the compose file always
// holds the whole old or the whole new content, still loads, and that the
// undo journal still reads.
func TestCrashSafety(t *testing.T) {
	state := t.TempDir()
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(crashSmall), 0o644); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const kills = 15
	for k := 0; k < kills; k++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperApplyLoop$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, "XDG_STATE_HOME="+state)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// let it apply a few fixes, then kill it somewhere in the middle
		// of the next ones
		lines := bufio.NewScanner(out)
		for n := 1 + rng.IntN(4); n > 0 && lines.Scan(); n-- {
			if strings.HasPrefix(lines.Text(), "load:") || strings.HasPrefix(lines.Text(), "apply:") {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("child failed: %s", lines.Text())
			}
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		go func() { // drain, so the child never blocks on a full pipe
			for lines.Scan() {
			}
		}()
		cmd.Wait()

		got, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("kill %d: %v", k, err)
		}
		if string(got) != crashSmall && string(got) != crashLarge {
			t.Fatalf("kill %d left a torn file:\n%q", k, got)
		}
		t.Setenv("XDG_STATE_HOME", state)
		p := loadDir(t, dir, "compose.yaml")
		if _, _, err := LastReceipt(p.Name); err != nil {
			t.Fatalf("kill %d left a broken journal: %v", k, err)
		}
	}
}
