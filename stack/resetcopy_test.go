package stack

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// For a CLI without !reset, the override's resets are applied to a copy of
// the user's file, which ComposeArgs names instead; the user's file is
// left alone and the override, empty once its resets are cut, is dropped.
func TestResetCopies(t *testing.T) {
	dir := t.TempDir()
	user := filepath.Join(dir, "compose.yaml")
	const yml = `services:
  gpu:
    image: busybox
    environment: {PRICE: "$$5"}
    deploy:
      resources:
        limits: {memory: 64m}
        reservations:
          devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]
`
	ov := filepath.Join(dir, "ov", "no-gpu.yaml")
	os.MkdirAll(filepath.Dir(ov), 0o755)
	os.WriteFile(user, []byte(yml), 0o644)
	os.WriteFile(ov, []byte("services:\n  gpu:\n    deploy:\n      resources:\n        reservations:\n          devices: !reset []\n    gpus: !reset []\n"), 0o644)
	copies := filepath.Join(dir, "ov", "docker-compose")
	opts := LoadOptions{Files: []string{user}, Overrides: []string{ov}, ProjectName: "rc", Env: map[string]string{}}

	p, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.CLIFiles) != 0 || !slices.Contains(p.ComposeArgs(nil), ov) {
		t.Errorf("without ResetCopies: CLIFiles %v, args %v", p.CLIFiles, p.ComposeArgs(nil))
	}

	opts.ResetCopies = copies
	p, err = Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.CLIFiles) != 1 || filepath.Dir(p.CLIFiles[0]) != copies {
		t.Fatalf("CLIFiles = %v; want one copy in %s", p.CLIFiles, copies)
	}
	args := strings.Join(p.ComposeArgs(nil), " ")
	if strings.Contains(args, user) || strings.Contains(args, ov) {
		t.Errorf("ComposeArgs %s still names the user's file or the override", args)
	}
	b, _ := os.ReadFile(p.CLIFiles[0])
	if c := string(b); strings.Contains(c, "nvidia") || !strings.Contains(c, "memory: 64m") || !strings.Contains(c, "$$5") {
		t.Errorf("copy:\n%s", c)
	}
	if got, _ := os.ReadFile(user); string(got) != yml {
		t.Errorf("the user's file changed:\n%s", got)
	}
	// The copy loads as the project stackui sees: no GPU.
	q, err := Load(context.Background(), LoadOptions{Files: p.CLIFiles, ProjectDir: dir, ProjectName: "rc", Env: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := q.Service("gpu"); s.GPU || s.MemLimit != 64<<20 {
		t.Errorf("the copy loads as %+v", s)
	}
}

// A reservation that comes from an anchor cannot be cut from a copy
// without touching what shares it: the load says so.
func TestResetCopiesAnchorWarns(t *testing.T) {
	dir := t.TempDir()
	user := filepath.Join(dir, "compose.yaml")
	os.WriteFile(user, []byte("x-gpu: &gpu\n  resources:\n    reservations:\n      devices: [{driver: nvidia, count: 1, capabilities: [gpu]}]\nservices:\n  gpu:\n    image: busybox\n    deploy: *gpu\n"), 0o644)
	ov := filepath.Join(dir, "no-gpu.yaml")
	os.WriteFile(ov, []byte("services:\n  gpu:\n    deploy:\n      resources:\n        reservations:\n          devices: !reset []\n"), 0o644)
	p, err := Load(context.Background(), LoadOptions{Files: []string{user}, Overrides: []string{ov}, ProjectName: "rc", Env: map[string]string{}, ResetCopies: filepath.Join(dir, "copies")})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, "services.gpu.deploy.resources.reservations.devices") }) {
		t.Errorf("warnings %q: want one naming the reservation", p.Warnings)
	}
}
