package stack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/template"
)

// DefaultLoadTimeout is how long Load waits for compose-go when
// LoadOptions.Timeout is zero.
const DefaultLoadTimeout = 20 * time.Second

// loadSlot lets one load run at a time. compose-go logs its warnings
// through logrus's process-wide logger, which captureWarnings swaps out for
// the length of a load; it is also what an abandoned load holds until
// compose-go returns (see runBounded). This and logrus's own are the
// package's only mutable global state, and it exists only because
// logrus's does.
var loadSlot = make(chan struct{}, 1)

// loadProgress says which file a load is at, for the error when it runs
// out of time.
type loadProgress struct {
	slot chan string // holds the latest file, capacity 1
}

func newLoadProgress() *loadProgress {
	p := &loadProgress{slot: make(chan string, 1)}
	p.slot <- ""
	return p
}

func (p *loadProgress) set(file string) { <-p.slot; p.slot <- file }

func (p *loadProgress) get() string { f := <-p.slot; p.slot <- f; return f }

// runBounded runs one load with a deadline. compose-go cannot be stopped
// in the middle of a parse, so the load runs in its own goroutine and, when
// time is up, the caller gets a *LoadError while the goroutine is
// abandoned: it keeps its CPU and memory until compose-go returns, which
// the input bounds (loadbounds.go) keep finite. It keeps loadSlot too, so
// at most one abandoned load exists; a later load waits for it, within its
// own deadline.
func runBounded(ctx context.Context, opts LoadOptions, fn func(ctx context.Context, prog *loadProgress) (*Project, error)) (*Project, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultLoadTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	prog := newLoadProgress()
	late := func(what string) error {
		if ctx.Err() == context.DeadlineExceeded {
			file := prog.get()
			return newLoadError(opts.WorkDir, file, 0, fmt.Sprintf("%s %s; stackui gave up on it (a project this slow to load is likely hostile or broken, e.g. YAML anchors that merge each other)", what, timeout), context.DeadlineExceeded)
		}
		return fmt.Errorf("load compose project: %w", ctx.Err())
	}
	select {
	case loadSlot <- struct{}{}:
	case <-ctx.Done():
		cancel()
		return nil, late("an earlier load of a project is still running after")
	}
	type result struct {
		p   *Project
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-loadSlot }()
		defer cancel()
		p, err := fn(ctx, prog)
		done <- result{p, err}
	}()
	select {
	case r := <-done:
		return r.p, r.err
	case <-ctx.Done():
		// the goroutine may have finished at the same moment
		select {
		case r := <-done:
			return r.p, r.err
		default:
		}
		return nil, late("loading took longer than")
	}
}

// preflight checks, before compose-go reads anything, the files the
// project's files include or extend and the env files of its includes:
// each must be a regular file of at most MaxFileBytes, and an env file's
// variables must stay within the expansion bounds. compose-go reads these
// itself, with no such checks. A reference written with variables is
// interpolated first; one that cannot be is left to compose-go.
func preflight(plan *loadPlan) error {
	// each file is bounded; so must their sum and number be, or a thousand
	// includes of 16 MiB files add up to 16 GB
	sources, refs, truncated, tooBig := relatedSourcesAll(plan.files)
	if truncated {
		return newLoadError(plan.workDir, plan.files[0], 0, fmt.Sprintf("the project includes or extends more than %d files; stackui loads up to that many", maxRelatedFiles), nil)
	}
	if tooBig != "" {
		return newLoadError(plan.workDir, tooBig, 0, fmt.Sprintf("with this file the project's compose files add up to more than %s; stackui loads up to that much", sizeText(MaxProjectBytes)), nil)
	}
	for _, src := range sources {
		if src.err == nil {
			if err := checkAnchors(plan.workDir, src); err != nil {
				return err
			}
		}
	}
	sub := boundedSubstitute(template.Substitute)
	for _, ref := range refs {
		value := ref.value
		if strings.Contains(value, "$") {
			v, err := sub(value, func(k string) (string, bool) { v, ok := plan.env[k]; return v, ok })
			if err != nil {
				return newLoadError(plan.workDir, ref.from, ref.line, fmt.Sprintf("%s %s: %v", ref.kind, ref.value, err), err)
			}
			value = v
		}
		if value == "" || value == "/dev/null" || strings.Contains(value, "://") || strings.HasPrefix(value, "git@") {
			continue // empty, compose's "no env file", or a remote resource
		}
		for _, path := range refCandidates(plan, ref, value) {
			if _, err := os.Lstat(path); err != nil {
				continue // missing: compose-go says so, with its own message
			}
			if err := checkInputFile(plan.workDir, path, ref.kind+" file", ref.from, ref.line); err != nil {
				return err
			}
			if ref.kind == kindIncludeEnv {
				if _, err := readEnvFilesBounded(plan.workDir, plan.env, []string{path}, "env file"); err != nil {
					return err
				}
			}
		}
		if ref.kind == "include" {
			// an included project reads the .env next to it, unbounded
			def := filepath.Join(filepath.Dir(absFrom(ref.from, value)), ".env")
			if fi, err := os.Stat(def); err == nil && !fi.IsDir() {
				if _, err := readEnvFilesBounded(plan.workDir, plan.env, []string{def}, "env file of an included project"); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// refCandidates are the paths a reference may resolve to: against the
// referencing file's folder, and for the project's own files against the
// project directory too (they differ with --project-directory).
func refCandidates(plan *loadPlan, ref fileRef, value string) []string {
	if filepath.IsAbs(value) {
		return []string{filepath.Clean(value)}
	}
	out := []string{absFrom(ref.from, value)}
	for _, f := range plan.files {
		if f == ref.from {
			if p := filepath.Join(plan.projectDir, value); p != out[0] {
				out = append(out, p)
			}
			break
		}
	}
	return out
}

func absFrom(from, value string) string {
	if filepath.IsAbs(value) {
		return filepath.Clean(value)
	}
	return filepath.Join(filepath.Dir(from), value)
}
