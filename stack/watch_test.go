package stack

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestWatchFilesSeesWritesAndRenames(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	other := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, []byte("services: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := WatchFiles(ctx, []string{file})
	if err != nil {
		t.Fatal(err)
	}
	expect := func(what string, want bool) {
		t.Helper()
		select {
		case <-ch:
			if !want {
				t.Fatalf("%s: reported a change", what)
			}
		case <-time.After(2 * time.Second): // bounds a hang; asserts nothing about speed
			if want {
				t.Fatalf("%s: no change reported", what)
			}
		}
	}
	// A file beside it that is not the project's does not count.
	os.WriteFile(other, []byte("x"), 0o644)
	expect("unrelated file", false)
	// A plain write does.
	os.WriteFile(file, []byte("services: {a: {image: x}}\n"), 0o644)
	expect("write", true)
	// So does an editor's save: a new file renamed over the old one.
	tmp := filepath.Join(dir, ".compose.yaml.swp")
	os.WriteFile(tmp, []byte("services: {b: {image: x}}\n"), 0o644)
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	expect("rename over", true)
	cancel()
	for range ch { // closes once ctx ends
	}
}

func TestWatchFilesMissingFolder(t *testing.T) {
	if _, err := WatchFiles(context.Background(), []string{"/nonexistent/dir/compose.yaml"}); err == nil {
		t.Fatal("watching a missing folder must fail")
	}
}
