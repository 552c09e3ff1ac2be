//go:build unix

package edit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// ownerOf returns a file's mode bits, uid and gid.
func ownerOf(t *testing.T, file string) (os.FileMode, uint32, uint32) {
	t.Helper()
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fi.Mode().Perm(), st.Uid, st.Gid
}

// TestApplyUndoKeepOwner: a fix made as root (sudo stackui fix) must not
// hand the user's compose file to root, nor widen or narrow its mode.
func TestApplyUndoKeepOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("giving a file to another user needs root")
	}
	file, p := applyProject(t)
	if err := os.Chown(file, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		mode, uid, gid := ownerOf(t, file)
		if mode != 0o640 || uid != 1234 || gid != 5678 {
			t.Errorf("after %s: mode %04o owner %d:%d, want 0640 1234:5678", when, mode, uid, gid)
		}
	}
	plan, err := SetMemLimit(p, "trainer", 128<<20)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(p, plan); err != nil {
		t.Fatal(err)
	}
	check("Apply")
	if _, err := Undo(p.Name); err != nil {
		t.Fatal(err)
	}
	check("Undo")
	if got, _ := os.ReadFile(file); string(got) != applyBase {
		t.Fatalf("after Undo:\n%s", got)
	}
}

// TestReadOnlyRefused: a 0444 file is refused by Apply and Undo with a
// *ReadOnlyError (root could write it, so the bits are what counts), and
// written, keeping 0444, when forced.
func TestReadOnlyRefused(t *testing.T) {
	file, p := applyProject(t)
	if err := os.Chmod(file, 0o444); err != nil {
		t.Fatal(err)
	}
	plan, err := SetMemLimit(p, "trainer", 128<<20)
	if err != nil {
		t.Fatal(err)
	}
	var ro *ReadOnlyError
	_, err = Apply(p, plan)
	if !errors.As(err, &ro) || ro.File != file || ro.Mode.Perm() != 0o444 || !strings.Contains(err.Error(), "0444") {
		t.Fatalf("Apply on a 0444 file: %v, want a *ReadOnlyError naming %s and its mode", err, file)
	}
	if got, _ := os.ReadFile(file); string(got) != applyBase {
		t.Fatal("a refused Apply changed the file")
	}
	if _, ok, _ := LastReceipt(p.Name); ok {
		t.Fatal("a refused Apply left a receipt")
	}
	if _, err := Apply(p, plan, Options{Force: true}); err != nil {
		t.Fatalf("forced Apply: %v", err)
	}
	if got, _ := os.ReadFile(file); string(got) != string(plan.Changes[0].After) {
		t.Fatal("forced Apply did not write the fix")
	}
	if mode, _, _ := ownerOf(t, file); mode != 0o444 {
		t.Errorf("mode after forced Apply = %04o, want 0444", mode)
	}

	if _, err := Undo(p.Name); !errors.As(err, &ro) || ro.File != file {
		t.Fatalf("Undo on a 0444 file: %v, want a *ReadOnlyError", err)
	}
	if _, err := Undo(p.Name, Options{Force: true}); err != nil {
		t.Fatalf("forced Undo: %v", err)
	}
	if got, _ := os.ReadFile(file); string(got) != applyBase {
		t.Fatal("forced Undo did not restore the file")
	}
}

// TestWriteAtomicFolderNotWritable: with no room for the temporary file
// next to the target, the error says the folder is the reason. A
// read-only mount is the one refusal root gets too.
func TestWriteAtomicFolderNotWritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte("services: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	err := WriteAtomic(file, []byte("x"))
	if os.Getuid() == 0 {
		// root writes into a 0555 folder; classify the error the kernel
		// gives everyone else
		err = createTempError(file, &os.PathError{Op: "open", Path: filepath.Join(dir, ".x"), Err: syscall.EACCES})
	}
	var fe *FolderNotWritableError
	if !errors.As(err, &fe) || fe.Dir != dir || !strings.Contains(err.Error(), "not writable") {
		t.Fatalf("WriteAtomic in a 0555 folder: %v, want a *FolderNotWritableError naming %s", err, dir)
	}
}
