package stack

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// LoadError is the one error Load returns for bad input: a compose or env
// file that does not parse or validate, a missing required variable, an
// unknown profile, a flag naming a file that is not there. The CLI exits with
// status 2 on it; match it with errors.As.
type LoadError struct {
	// File is the absolute path of the file at fault; "" when the error is
	// not about one file (an unknown profile, a bad project name).
	File string
	// Line and Column are 1-based; 0 when the loader gave no position and
	// none could be found.
	Line   int
	Column int
	// Msg says what is wrong, without the file and line.
	Msg string
	// Err is the loader's original error.
	Err error

	// shown is File as the user should read it: relative to the directory
	// stackui was started in when the file lies below it.
	shown string
}

func (e *LoadError) Error() string {
	name := e.shown
	if name == "" {
		name = e.File
	}
	switch {
	case name == "":
		return e.Msg
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", name, e.Line, e.Msg)
	default:
		return fmt.Sprintf("%s: %s", name, e.Msg)
	}
}

func (e *LoadError) Unwrap() error { return e.Err }

// ErrUnknownProfile is matched (errors.Is) by the LoadError for a requested
// profile that no service names. docker compose silently ignores such a
// profile; stackui refuses it, because a typo would otherwise look like a
// stack with nothing to start.
var ErrUnknownProfile = errors.New("unknown profile")

// ErrProfileSelection is matched by the LoadError for a selection of
// profiles that compose refuses: an enabled service needs a disabled one.
var ErrProfileSelection = errors.New("profile selection compose refuses")

// ErrNoComposeFile is matched (errors.Is) by the error Load returns when no
// -f, no COMPOSE_FILE and no compose file in the directory or its parents
// says which project to load. It is not bad input but an expected state:
// the TUI shows a "no compose file" screen for it.
var ErrNoComposeFile = errors.New("no compose file found")

// NoComposeFileError says where default discovery looked.
type NoComposeFileError struct {
	// Names are the file names looked for, in order of preference.
	Names []string
	// Searched are the directories searched, nearest first.
	Searched []string
}

func (e *NoComposeFileError) Error() string {
	return fmt.Sprintf("no compose file found: looked for %s in %s",
		strings.Join(e.Names, ", "), strings.Join(e.Searched, ", "))
}

// Is makes errors.Is(err, ErrNoComposeFile) true.
func (e *NoComposeFileError) Is(target error) bool { return target == ErrNoComposeFile }

// newLoadError builds a LoadError about file, shown relative to workDir.
func newLoadError(workDir, file string, line int, msg string, err error) *LoadError {
	return &LoadError{File: file, Line: line, Msg: msg, Err: err, shown: displayPath(workDir, file)}
}

// displayPath is path relative to workDir when it lies below it, so errors
// read like the compose CLI's ("compose.yaml:7: ...") instead of carrying a
// long absolute prefix.
func displayPath(workDir, path string) string {
	if path == "" || workDir == "" || !filepath.IsAbs(path) {
		return path
	}
	rel, err := filepath.Rel(workDir, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}
