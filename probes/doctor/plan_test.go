package doctor

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackui/stackui/demo"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/edit"
)

// planFor loads a one-file project and plans the fixes of an OOM finding
// for its service "trainer".
func planFor(t *testing.T, composeYAML string) Finding {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(composeYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := stack.Load(context.Background(), stack.LoadOptions{Files: []string{file}, WorkDir: dir, ProjectName: "planproj"})
	if err != nil {
		t.Fatal(err)
	}
	c := exited(137)
	c.OOMKilled = true
	s, _ := p.Service("trainer")
	ev := evidence(ModelOf(s), c)
	fs := PlanFixes(p, Diagnose(ev), t.TempDir())
	if len(fs) != 1 || fs[0].Kind != KindOOM {
		t.Fatalf("findings %+v", fs)
	}
	return fs[0]
}

func TestPlanRaiseMemory(t *testing.T) {
	f := planFor(t, `services:
  trainer:
    image: stackui-demo/workload:latest
    deploy:
      resources:
        limits: { cpus: '1.0', memory: 96M }  # flow style
`)
	if len(f.Fixes) != 1 || f.Fixes[0].Plan == nil {
		t.Fatalf("fixes %+v", f.Fixes)
	}
	if d := f.Fixes[0].Diff; !strings.Contains(d, "memory: 256m") && !strings.Contains(d, "memory: 256M") {
		t.Errorf("diff does not raise 96M to 256M:\n%s", d)
	}
}

// The engine refuses a memory limit above memswap_limit, so the raise of
// the demo's trainer (64m of memory and of memory plus swap) moves both
// lines; checkMemSwap then lets it through.
func TestPlanRaiseMemoryRaisesMemswap(t *testing.T) {
	f := planFor(t, string(demo.ComposeYAML()))
	if len(f.Fixes) != 1 || f.Fixes[0].Plan == nil {
		t.Fatalf("no memory fix offered for the demo's trainer: fixes %+v, explanation %q", f.Fixes, f.Explanation)
	}
	d := f.Fixes[0].Diff
	for _, want := range []string{"-    mem_limit: 64m\n", "+    mem_limit: 128m\n", "-    memswap_limit: 64m\n", "+    memswap_limit: 128m\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(f.Explanation, "cannot offer") {
		t.Errorf("explanation still refuses a fix: %q", f.Explanation)
	}
}

// A fix that cannot be planned is dropped with its reason kept, typed, so
// `stackui fix` can say why instead of "has no fix" (after a concurrent
// fix wrote the value, the plan is edit.ErrNoChange; a variable, here, is
// edit.ErrVariable).
func TestPlanKeepsWhyAFixIsNotOffered(t *testing.T) {
	f := planFor(t, `services:
  trainer:
    image: stackui-demo/workload:latest
    mem_limit: ${TRAINER_MEM:-96m}
`)
	if len(f.Fixes) != 0 || len(f.Unoffered) != 1 {
		t.Fatalf("fixes %+v, unoffered %+v; want the raise unoffered", f.Fixes, f.Unoffered)
	}
	u := f.Unoffered[0]
	if u.FixID != "raise-memory" || !errors.Is(u.Err, edit.ErrVariable) || u.Reason != u.Err.Error() {
		t.Errorf("unoffered %+v, want raise-memory with edit.ErrVariable", u)
	}
}
