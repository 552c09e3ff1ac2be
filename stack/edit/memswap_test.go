package edit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMemLimitDemoTrainer is the demo's headline fix: its trainer caps
// memory and swap at 64m, and raising the limit alone would give a
// container the engine refuses to create.
func TestMemLimitDemoTrainer(t *testing.T) {
	demo, err := os.ReadFile(filepath.Join("..", "..", "demo", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), demo, 0o644); err != nil {
		t.Fatal(err)
	}
	p := loadDir(t, dir, "compose.yaml")
	plan, err := SetMemLimit(p, "trainer", 128<<20)
	if err != nil {
		t.Fatal(err)
	}
	if err := Validate(p, plan); err != nil {
		t.Fatal(err)
	}
	if len(plan.Changes) != 1 {
		t.Fatalf("%d files changed:\n%s", len(plan.Changes), plan.Diff())
	}
	diff := plan.Diff()
	for _, want := range []string{"-    mem_limit: 64m\n", "+    mem_limit: 128m\n", "-    memswap_limit: 64m\n", "+    memswap_limit: 128m\n"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
	changed := 0
	for _, l := range strings.Split(diff, "\n") {
		if (strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+")) && !strings.HasPrefix(l, "---") && !strings.HasPrefix(l, "+++") {
			changed++
		}
	}
	if changed != 4 {
		t.Errorf("%d changed lines, want the two limits only:\n%s", changed, diff)
	}
	checkSemantics(t, p, fix{kind: "mem", service: "trainer", bytes: 128 << 20}, plan)
	if want := "raise trainer's memory limit from 64 MiB to 128 MiB and its memswap_limit to 128 MiB"; plan.Title != want {
		t.Errorf("title %q, want %q", plan.Title, want)
	}
}

// A memswap_limit written as a variable is the user's to change: it is
// left alone while its value still allows the new limit, and the fix is
// refused when it would not.
func TestMemLimitMemswapVariable(t *testing.T) {
	const compose = "services:\n  trainer:\n    image: stackui-demo/workload:latest\n    mem_limit: 64m\n    memswap_limit: ${SWAP:-1g}\n"
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	p := loadDir(t, dir, "compose.yaml")
	plan, err := SetMemLimit(p, "trainer", 512<<20)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(plan.Changes[0].After); got != strings.Replace(compose, "64m", "512m", 1) {
		t.Errorf("after the fix:\n%s", got)
	}
	if _, err := SetMemLimit(p, "trainer", 2<<30); !errors.Is(err, ErrVariable) {
		t.Errorf("raise past the variable's 1g: error %v, want ErrVariable", err)
	}
}

func TestMemSwapFor(t *testing.T) {
	const mi = 1 << 20
	tests := []struct {
		oldMem, oldSwap, mem int64
		want                 int64
		edit                 bool
	}{
		{64 * mi, 64 * mi, 128 * mi, 128 * mi, true}, // no swap stays no swap
		{64 * mi, 96 * mi, 128 * mi, 160 * mi, true}, // 32m of swap kept
		{1 << 30, 3 << 29, 512 * mi, 1 << 30, true},  // lowered too
		{64 * mi, 32 * mi, 128 * mi, 128 * mi, true}, // below the old limit: never below the new one
		{0, 1 << 30, 128 * mi, 1<<30 + 128*mi, true}, // no old limit: all of it is headroom
		{64 * mi, -1, 128 * mi, 0, false},            // unlimited
		{64 * mi, 0, 128 * mi, 0, false},             // unset
		{64 * mi, 96 * mi, 64 * mi, 0, false},        // the same limit
	}
	for _, tt := range tests {
		got, edit, err := memSwapFor(tt.oldMem, tt.oldSwap, tt.mem)
		if err != nil || edit != tt.edit || (edit && got != tt.want) {
			t.Errorf("memSwapFor(%d, %d, %d) = %d, %v, %v; want %d, %v", tt.oldMem, tt.oldSwap, tt.mem, got, edit, err, tt.want, tt.edit)
		}
	}
	if _, _, err := memSwapFor(1, 1<<62, 1<<62+1<<61); !errors.Is(err, ErrUnsupported) {
		t.Errorf("overflow: error %v, want ErrUnsupported", err)
	}
}
