package edit

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
)

// Options change how Apply and Undo treat the files they write.
type Options struct {
	// Force writes a file even when its mode gives no write permission
	// (a read-only compose file), as `:w!` does in an editor.
	Force bool
}

func optionsOf(opts []Options) Options {
	var o Options
	for _, x := range opts {
		o.Force = o.Force || x.Force
	}
	return o
}

// ReadOnlyError is why Apply or Undo refused a file whose mode does not let
// the user write it. Root could write it anyway, since it bypasses the
// permission bits, so the bits are checked, not access(2): a read-only file
// is a user's statement that it should not change without being asked.
type ReadOnlyError struct {
	File string
	Mode fs.FileMode
}

func (e *ReadOnlyError) Error() string {
	return fmt.Sprintf("%s is read-only (mode %04o); it is left as it is unless forced", e.File, e.Mode.Perm())
}

// ChangedError is why Apply or Undo refused a file that no longer holds
// what the preview (or the applied fix) left in it: another edit, or a
// concurrent fix, won.
type ChangedError struct {
	File string
	// Backup is the copy of the file's content from before the fix, when
	// undo refused; "" for Apply.
	Backup string
}

func (e *ChangedError) Error() string {
	if e.Backup != "" {
		return fmt.Sprintf("%s changed since the fix was applied; its backup is %s", e.File, e.Backup)
	}
	return fmt.Sprintf("%s changed on disk since the preview", e.File)
}

// FolderNotWritableError is why a file could not be replaced: the atomic
// write needs a new file next to it, and its folder refuses one.
type FolderNotWritableError struct {
	Dir  string
	File string
	Err  error
}

func (e *FolderNotWritableError) Error() string {
	return fmt.Sprintf("cannot write %s: its folder %s is not writable: %v", e.File, e.Dir, e.Err)
}

func (e *FolderNotWritableError) Unwrap() error { return e.Err }

// createTempError classifies the failure to create the temporary file next
// to path: a permission or read-only file system error is about the folder.
func createTempError(path string, err error) error {
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return &FolderNotWritableError{Dir: filepath.Dir(path), File: path, Err: err}
	}
	return fmt.Errorf("write %s: %w", path, err)
}
