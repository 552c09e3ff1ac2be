package edit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/stackui/stackui/stack"
)

// Validate loads the project as it would be after the plan, with
// compose-go and the options p was loaded with, and returns the loader's
// error (a *stack.LoadError naming the original file) if it would not
// load.
func Validate(p *stack.Project, plan Plan) error {
	if p == nil {
		return errors.New("check the fix: no project")
	}
	overlay := make(map[string][]byte, len(plan.Changes))
	for _, c := range plan.Changes {
		overlay[c.File] = c.After
	}
	if _, err := stack.LoadOverlay(context.Background(), p.Options, overlay); err != nil {
		return fmt.Errorf("check the fix: %w", err)
	}
	return nil
}

// Apply validates the plan, checks that every file still has the content
// the plan was computed from, backs each file up, writes the new contents
// atomically (keeping each file's permissions) and records the fix in the
// project's undo journal. Files a failed write had already changed are
// put back.
//
// A file whose mode does not let the user write it is refused with a
// *ReadOnlyError unless opts has Force; a file changed since the preview is
// a *ChangedError, a folder that refuses the new file a
// *FolderNotWritableError.
func Apply(p *stack.Project, plan Plan, opts ...Options) (Receipt, error) {
	o := optionsOf(opts)
	if len(plan.Changes) == 0 {
		return Receipt{}, errors.New("apply fix: the plan changes nothing")
	}
	if err := Validate(p, plan); err != nil {
		return Receipt{}, fmt.Errorf("apply %q: %w", plan.Title, err)
	}
	j, err := openJournal(p.Name)
	if err != nil {
		return Receipt{}, fmt.Errorf("apply %q: %w", plan.Title, err)
	}
	rec := Receipt{Project: p.Name, Title: plan.Title, When: time.Now(), Setting: plan.Setting}
	for _, c := range plan.Changes {
		target, err := realPath(c.File)
		if err != nil {
			return Receipt{}, fmt.Errorf("apply %q: %w", plan.Title, err)
		}
		if err := checkWritable(target, o); err != nil {
			return Receipt{}, fmt.Errorf("apply %q: %w", plan.Title, err)
		}
		cur, err := os.ReadFile(target)
		if err != nil {
			return Receipt{}, fmt.Errorf("apply %q: %w", plan.Title, err)
		}
		if !bytes.Equal(cur, c.Before) {
			return Receipt{}, fmt.Errorf("apply %q: %w", plan.Title, &ChangedError{File: c.File})
		}
		backup, err := j.backup(target, c.Before, rec.When, len(rec.Files))
		if err != nil {
			return Receipt{}, fmt.Errorf("apply %q: %w", plan.Title, err)
		}
		rec.Files = append(rec.Files, FileBackup{File: target, Backup: backup, Before: c.Before, After: c.After})
	}
	for i, f := range rec.Files {
		if err := WriteAtomic(f.File, f.After); err != nil {
			restore(rec.Files[:i])
			return Receipt{}, fmt.Errorf("apply %q: %w", plan.Title, err)
		}
	}
	if err := j.push(rec); err != nil {
		restore(rec.Files)
		return Receipt{}, fmt.Errorf("apply %q: %w", plan.Title, err)
	}
	return rec, nil
}

// restore puts back the content files had before a fix that failed half
// way; it is best effort, the backups stay either way.
func restore(files []FileBackup) {
	for _, f := range files {
		_ = WriteAtomic(f.File, f.Before)
	}
}

// checkWritable refuses a file whose mode bits deny the user writing it,
// unless forced.
func checkWritable(path string, o Options) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !o.Force && !writableByMode(fi) {
		return &ReadOnlyError{File: path, Mode: fi.Mode()}
	}
	return nil
}

// realPath follows a symlinked compose file, so that the rename replaces
// the file it points to rather than the link.
func realPath(path string) (string, error) {
	p, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", path, err)
	}
	return p, nil
}

// WriteAtomic replaces path with data so that at every moment, a crash
// included, the file holds either its whole old content or the whole new
// one: a temporary file in the same folder, written and synced, renamed
// over it, then the folder synced so the rename itself is durable. The
// file keeps its permission bits, owner and group (unix); when the owner
// cannot be kept (no privilege to give the file away), nothing is written.
func WriteAtomic(path string, data []byte) (err error) {
	perm := fs.FileMode(0o600) // a new file: the journal or a backup
	orig, statErr := os.Stat(path)
	if statErr == nil {
		perm = orig.Mode().Perm()
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".stackui-*")
	if err != nil {
		return createTempError(path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if statErr == nil {
		// before the chmod: chown clears setuid and setgid bits
		if err = keepOwner(f, orig); err != nil {
			return fmt.Errorf("write %s: keep its owner: %w", path, err)
		}
	}
	if err = f.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. Windows cannot open a folder for
// syncing, and its rename is already journaled by NTFS.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
