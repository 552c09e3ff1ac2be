package doctor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackui/stackui/stack"
)

// The no-GPU fix writes an override with !reset, which compose-go (and so
// compose v2) loads as the service without its GPU; the user's file is
// left alone.
func TestNoGPUOverrideLoads(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	orig := `services:
  trainer:  # wants a GPU
    image: stackui-demo/workload:latest
    deploy:
      resources:
        limits: { memory: 1G }
        reservations:
          devices:
            - driver: nvidia
              count: 1
              capabilities: [gpu]
`
	if err := os.WriteFile(file, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := stack.Load(ctx, stack.LoadOptions{Files: []string{file}, WorkDir: dir, ProjectName: "gpuproj", Profiles: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	ev := Evidence{Project: p.Name, EngineReachable: true, ComposeCLI: "docker compose 2.29.1", Engine: stack.EngineInfo{OS: "linux", Arch: "amd64"}}
	for _, s := range p.Services {
		ev.Services = append(ev.Services, ServiceEvidence{Model: ModelOf(s)})
	}
	overrides := filepath.Join(dir, "overrides")
	fs := PlanFixes(p, Diagnose(ev), overrides)
	if len(fs) != 1 || fs[0].ID != "trainer/gpu-unavailable" || len(fs[0].Fixes) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	fix := fs[0].Fixes[0]
	if !strings.Contains(fix.Diff, "+++ "+filepath.Join(overrides, "no-gpu-trainer.yaml")) || !strings.Contains(fix.Diff, "+          devices: !reset []") {
		t.Errorf("diff:\n%s", fix.Diff)
	}
	path, content, err := noGPUOverrideFile(p, "trainer", overrides)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeOverride(path, content); err != nil {
		t.Fatal(err)
	}
	opts := p.Options
	opts.Overrides = []string{path}
	np, err := stack.Load(ctx, opts)
	if err != nil {
		t.Fatalf("load with the override: %v", err)
	}
	s, _ := np.Service("trainer")
	if s.GPU {
		t.Error("the service still asks for a GPU")
	}
	if s.MemLimit != 1<<30 {
		t.Errorf("the override lost the memory limit: %d", s.MemLimit)
	}
	if got := np.ComposeArgs(nil); !strings.Contains(strings.Join(got, " "), "-f "+path) {
		t.Errorf("compose args %v do not pass the override", got)
	}
	if b, _ := os.ReadFile(file); string(b) != orig {
		t.Error("the user's file changed")
	}
}

func TestOverrideDirRejectsOddNames(t *testing.T) {
	for _, name := range []string{"", "../etc", "a/b", "UPPER"} {
		if _, err := OverrideDir(name); err == nil {
			t.Errorf("OverrideDir(%q) accepted", name)
		}
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	files, err := OverrideFiles("demo")
	if err != nil || len(files) != 0 {
		t.Errorf("OverrideFiles with none = %v, %v", files, err)
	}
}
