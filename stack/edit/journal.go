package edit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// maxReceipts bounds a project's undo journal; older fixes keep their
// backup files but can no longer be undone with one key.
const maxReceipts = 50

// Receipt records one applied fix.
type Receipt struct {
	Project string       `json:"project"`
	Title   string       `json:"title"`
	Files   []FileBackup `json:"files"`
	When    time.Time    `json:"when"`
	// Setting is the plan's Setting, if it had one.
	Setting *Setting `json:"setting,omitempty"`
}

// FileBackup is one file a fix wrote: its content before and after, and
// where the copy of the old content was kept.
type FileBackup struct {
	File   string `json:"file"`
	Backup string `json:"backup"`
	Before []byte `json:"before"`
	After  []byte `json:"after"`
}

// StateDir is where backups and undo journals live:
// $XDG_STATE_HOME/stackui, by default ~/.local/state/stackui.
func StateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "stackui"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the state folder: %w", err)
	}
	return filepath.Join(home, ".local", "state", "stackui"), nil
}

// ProjectFile is the path of a per-project state file under the state
// folder: StateDir/sub/PROJECT.json, the project's name made safe.
func ProjectFile(sub, project string) (string, error) {
	dir, err := StateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, sub, journalKey(project)+".json"), nil
}

// journal is one project's undo journal (a JSON list of receipts, oldest
// first) and its folder of backups.
type journal struct {
	path    string
	backups string
}

func openJournal(project string) (*journal, error) {
	dir, err := StateDir()
	if err != nil {
		return nil, err
	}
	key := journalKey(project)
	return &journal{
		path:    filepath.Join(dir, "undo", key+".json"),
		backups: filepath.Join(dir, "backups", key),
	}, nil
}

// journalKey makes a project name safe as a file name.
func journalKey(project string) string {
	if project == "" {
		return "_"
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '_'
	}, project)
}

func (j *journal) load() ([]Receipt, error) {
	b, err := os.ReadFile(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read undo journal: %w", err)
	}
	var recs []Receipt
	if err := json.Unmarshal(b, &recs); err != nil {
		return nil, fmt.Errorf("read undo journal %s: %w", j.path, err)
	}
	return recs, nil
}

func (j *journal) save(recs []Receipt) error {
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return fmt.Errorf("write undo journal: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(j.path), 0o700); err != nil {
		return fmt.Errorf("write undo journal: %w", err)
	}
	return WriteAtomic(j.path, b)
}

func (j *journal) push(rec Receipt) error {
	recs, err := j.load()
	if err != nil {
		return err
	}
	recs = append(recs, rec)
	if len(recs) > maxReceipts {
		recs = recs[len(recs)-maxReceipts:]
	}
	return j.save(recs)
}

// backup keeps a copy of a file's content before a fix, named by when the
// fix was made, so the user can find it by hand too.
func (j *journal) backup(file string, data []byte, when time.Time, i int) (string, error) {
	if err := os.MkdirAll(j.backups, 0o700); err != nil {
		return "", fmt.Errorf("back up %s: %w", file, err)
	}
	name := fmt.Sprintf("%s-%d-%s", when.UTC().Format("20060102T150405.000000000Z"), i, filepath.Base(file))
	path := filepath.Join(j.backups, name)
	if err := WriteAtomic(path, data); err != nil {
		return "", fmt.Errorf("back up %s: %w", file, err)
	}
	return path, nil
}

// LastReceipt returns the last fix applied to the project that can still
// be undone.
func LastReceipt(project string) (Receipt, bool, error) {
	j, err := openJournal(project)
	if err != nil {
		return Receipt{}, false, err
	}
	recs, err := j.load()
	if err != nil || len(recs) == 0 {
		return Receipt{}, false, err
	}
	return recs[len(recs)-1], true, nil
}

// Receipts returns the fixes applied to the project that can still be
// undone, oldest first.
func Receipts(project string) ([]Receipt, error) {
	j, err := openJournal(project)
	if err != nil {
		return nil, err
	}
	return j.load()
}

// Undo restores the files of the last fix applied to the project and drops
// it from the journal. It refuses when a file was changed after the fix,
// since restoring would throw that change away (a *ChangedError), and a
// file made read-only since unless opts has Force (a *ReadOnlyError).
func Undo(project string, opts ...Options) (Receipt, error) {
	o := optionsOf(opts)
	j, err := openJournal(project)
	if err != nil {
		return Receipt{}, fmt.Errorf("undo: %w", err)
	}
	recs, err := j.load()
	if err != nil {
		return Receipt{}, fmt.Errorf("undo: %w", err)
	}
	if len(recs) == 0 {
		return Receipt{}, fmt.Errorf("undo: no fix of project %q to undo", project)
	}
	rec := recs[len(recs)-1]
	for _, f := range rec.Files {
		if err := checkWritable(f.File, o); err != nil {
			return Receipt{}, fmt.Errorf("undo %q: %w", rec.Title, err)
		}
		cur, err := os.ReadFile(f.File)
		if err != nil {
			return Receipt{}, fmt.Errorf("undo %q: %w", rec.Title, err)
		}
		if !bytes.Equal(cur, f.After) {
			return Receipt{}, fmt.Errorf("undo %q: %w", rec.Title, &ChangedError{File: f.File, Backup: f.Backup})
		}
	}
	for i, f := range rec.Files {
		if err := WriteAtomic(f.File, f.Before); err != nil {
			for _, done := range rec.Files[:i] {
				_ = WriteAtomic(done.File, done.After)
			}
			return Receipt{}, fmt.Errorf("undo %q: %w", rec.Title, err)
		}
	}
	if err := j.save(recs[:len(recs)-1]); err != nil {
		return Receipt{}, fmt.Errorf("undo %q: the files are restored, but %w", rec.Title, err)
	}
	return rec, nil
}
