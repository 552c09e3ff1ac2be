package edit

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stackui/stackui/stack"
)

const applyBase = `services:
  trainer:
    image: stackui-demo/workload:latest
    mem_limit: 64m   # small
`

func applyProject(t *testing.T) (string, *stack.Project) {
	t.Helper()
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(applyBase), 0o640); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		// the umask must not decide what the test checks
		if err := os.Chmod(file, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	return file, loadDir(t, dir, "compose.yaml")
}

func TestApplyAndUndo(t *testing.T) {
	file, p := applyProject(t)
	plan, err := SetMemLimit(p, "trainer", 128<<20)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Apply(p, plan)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(file)
	if want := strings.Replace(applyBase, "64m", "128m", 1); string(got) != want {
		t.Fatalf("after Apply:\n%s\nwant:\n%s", got, want)
	}
	if fi, _ := os.Stat(file); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after Apply = %v, want 0640", fi.Mode().Perm())
	}
	if len(rec.Files) != 1 {
		t.Fatalf("receipt files = %d", len(rec.Files))
	}
	backup, err := os.ReadFile(rec.Files[0].Backup)
	if err != nil || string(backup) != applyBase {
		t.Fatalf("backup %s = %q, %v", rec.Files[0].Backup, backup, err)
	}
	if !strings.HasPrefix(rec.Files[0].Backup, os.Getenv("XDG_STATE_HOME")) {
		t.Errorf("backup %s is not under XDG_STATE_HOME", rec.Files[0].Backup)
	}
	last, ok, err := LastReceipt(p.Name)
	if err != nil || !ok || last.Title != plan.Title {
		t.Fatalf("LastReceipt = %+v, %v, %v", last, ok, err)
	}

	// the same plan again: the file no longer has its Before content
	var ce *ChangedError
	if _, err := Apply(p, plan); !errors.As(err, &ce) || ce.File != file || !strings.Contains(err.Error(), "changed on disk since the preview") {
		t.Fatalf("second Apply: %v, want a *ChangedError naming %s", err, file)
	}

	undone, err := Undo(p.Name)
	if err != nil {
		t.Fatal(err)
	}
	if undone.Title != plan.Title {
		t.Errorf("Undo undid %q", undone.Title)
	}
	got, _ = os.ReadFile(file)
	if string(got) != applyBase {
		t.Fatalf("after Undo:\n%s", got)
	}
	if fi, _ := os.Stat(file); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after Undo = %v, want 0640", fi.Mode().Perm())
	}
	if _, ok, _ := LastReceipt(p.Name); ok {
		t.Error("the receipt is still in the journal after Undo")
	}
	if _, err := Undo(p.Name); err == nil {
		t.Error("a second Undo succeeded with nothing to undo")
	}
}

func TestUndoRefusesChangedFile(t *testing.T) {
	file, p := applyProject(t)
	plan, err := SetPlatform(p, "trainer", "linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(p, plan); err != nil {
		t.Fatal(err)
	}
	edited := append(plan.Changes[0].After, []byte("# edited by hand\n")...)
	if err := os.WriteFile(file, edited, 0o640); err != nil {
		t.Fatal(err)
	}
	var ce *ChangedError
	if _, err := Undo(p.Name); !errors.As(err, &ce) || ce.Backup == "" || !strings.Contains(err.Error(), "changed since the fix was applied") {
		t.Fatalf("Undo over a hand edit: %v, want a *ChangedError with the backup", err)
	}
	if got, _ := os.ReadFile(file); string(got) != string(edited) {
		t.Fatal("a refused Undo changed the file")
	}
	if _, ok, _ := LastReceipt(p.Name); !ok {
		t.Fatal("a refused Undo dropped the receipt")
	}
}

func TestApplyRefusesInvalidResult(t *testing.T) {
	file, p := applyProject(t)
	plan, err := SetMemLimit(p, "trainer", 128<<20)
	if err != nil {
		t.Fatal(err)
	}
	// a plan that no longer loads: compose-go must refuse it before
	// anything is written
	plan.Changes[0].After = []byte(strings.Replace(string(plan.Changes[0].After), "128m", "lots", 1))
	_, err = Apply(p, plan)
	var le *stack.LoadError
	if !errors.As(err, &le) || le.File != file {
		t.Fatalf("Apply of a broken plan: %v (want a LoadError about %s)", err, file)
	}
	if got, _ := os.ReadFile(file); string(got) != applyBase {
		t.Fatal("a refused Apply changed the file")
	}
	if _, ok, _ := LastReceipt(p.Name); ok {
		t.Fatal("a refused Apply left a receipt")
	}
}

func TestApplyFollowsSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	dir := t.TempDir()
	real := filepath.Join(dir, "real.yaml")
	if err := os.WriteFile(real, []byte(applyBase), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.yaml", filepath.Join(dir, "compose.yaml")); err != nil {
		t.Fatal(err)
	}
	p := loadDir(t, dir, "compose.yaml")
	plan, err := SetMemLimit(p, "trainer", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(p, plan); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "compose.yaml")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("compose.yaml is no longer a symlink: %v", err)
	}
	if got, _ := os.ReadFile(real); !strings.Contains(string(got), "mem_limit: 1g") {
		t.Fatalf("the link's target was not edited:\n%s", got)
	}
}
