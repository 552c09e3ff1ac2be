// Package edit makes the doctor's one-key fixes to a project's compose
// files: raise a memory limit, set a platform, remap a host port, raise a
// stop grace period. Each fix is computed as a Plan of byte splices of the
// file that defines the value (an override or an included file included),
// at positions taken from yaml.v3's nodes, so that every line it does not
// touch keeps its comments, order, anchors and formatting. A plan is shown
// as a unified diff, checked with compose-go, written atomically with a
// backup, and recorded in an undo journal.
package edit

import "errors"

// Errors a fix can match (errors.Is) when it cannot be made safely; the
// doctor then offers no one-key fix and says why.
var (
	// ErrShared: the value lives in an anchor or merged mapping that other
	// services may use too, and cannot be overridden in the service itself.
	ErrShared = errors.New("the value is shared through a YAML anchor")
	// ErrVariable: the value is written as a ${VARIABLE}; the variable is
	// what should change.
	ErrVariable = errors.New("the value comes from a variable")
	// ErrUnsupported: the value is written in a form the editor does not
	// splice (a block scalar, a multi-line value).
	ErrUnsupported = errors.New("the value is written in a form that cannot be edited in place")
	// ErrNoChange: the files already say what the fix would write.
	ErrNoChange = errors.New("the compose files already say so")
	// ErrNotFound: the service or the port is not in the project.
	ErrNotFound = errors.New("not found")
)
