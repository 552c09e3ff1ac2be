package edit

import (
	"os"
	"path/filepath"
	"testing"
)

func benchProject(b *testing.B) (string, []string) {
	b.Helper()
	dir := copyDir(b, filepath.Join("..", "..", "testdata", "edit", "mem-comments"))
	return dir, []string{"before.yaml"}
}

// BenchmarkSetMemLimit is computing a fix and its preview: parse, splice,
// re-parse, diff.
func BenchmarkSetMemLimit(b *testing.B) {
	dir, files := benchProject(b)
	p := loadDir(b, dir, files...)
	for b.Loop() {
		plan, err := SetMemLimit(p, "trainer", 128<<20)
		if err != nil {
			b.Fatal(err)
		}
		_ = plan.Diff()
	}
}

// BenchmarkValidate is the compose-go check of a fix.
func BenchmarkValidate(b *testing.B) {
	dir, files := benchProject(b)
	p := loadDir(b, dir, files...)
	plan, err := SetMemLimit(p, "trainer", 128<<20)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := Validate(p, plan); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkApplyUndo is applying a fix (check, backup, atomic write with
// fsync, journal) and undoing it.
func BenchmarkApplyUndo(b *testing.B) {
	b.Setenv("XDG_STATE_HOME", b.TempDir())
	dir, files := benchProject(b)
	p := loadDir(b, dir, files...)
	plan, err := SetMemLimit(p, "trainer", 128<<20)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Apply(p, plan); err != nil {
			b.Fatal(err)
		}
		if _, err := Undo(p.Name); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "before.yaml")); err != nil {
		b.Fatal(err)
	}
}
