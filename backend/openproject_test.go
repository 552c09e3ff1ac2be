package backend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stackui/stackui/stack"
)

// A project whose label names its compose file relative to its folder is
// loaded from that folder, not from the one stackui runs in (which holds
// a compose.yaml of its own here); a relative name without a folder is
// reported as gone, never looked up where stackui runs.
func TestOpenProjectResolvesRelativeLabels(t *testing.T) {
	other, here := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "compose.yaml"), []byte("services:\n  cart:\n    image: busybox\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(here, "compose.yaml"), []byte("services:\n  mine:\n    image: busybox\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(here)
	b := New(Options{})
	defer b.Close()
	ctx := context.Background()
	p, err := b.OpenProject(ctx, stack.ProjectSummary{Name: "shop", WorkingDir: other, Files: []string{"compose.yaml"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Service("cart"); !ok || p.Name != "shop" {
		t.Errorf("opened %s with %d services; want shop's cart", p.Name, len(p.Services))
	}
	_, err = b.OpenProject(ctx, stack.ProjectSummary{Name: "shop", Files: []string{"compose.yaml"}})
	var gone *FilesGoneError
	if !errors.As(err, &gone) {
		t.Errorf("a relative file without a folder: %v, want it reported gone", err)
	}
}
