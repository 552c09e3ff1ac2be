package backend

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
)

// Load loads the project opts name, with the override files the doctor
// generated for it earlier (a no-GPU fix), so every command and the TUI
// see, and pass to compose, the same project. The error is stack.Load's
// when the files do not load (a *stack.LoadError, stack.ErrNoComposeFile).
func (b *Backend) Load(ctx context.Context, opts stack.LoadOptions) (*stack.Project, error) {
	p, err := stack.Load(ctx, opts)
	if err != nil {
		return nil, err
	}
	return b.withOverrides(ctx, p)
}

// withOverrides loads p again with its override files; without any, p is
// returned as it is. For a compose CLI that cannot read their !reset
// (docker-compose 1.29) the load also makes the copies it is handed
// instead of the user's files.
func (b *Backend) withOverrides(ctx context.Context, p *stack.Project) (*stack.Project, error) {
	overrides, err := doctor.OverrideFiles(p.Name)
	if err != nil || len(overrides) == 0 {
		return p, nil
	}
	opts := p.Options
	opts.Overrides = append(opts.Overrides, overrides...)
	if cli, err := b.Compose(ctx); err == nil && !cli.ReadsReset() {
		if dir, err := doctor.OverrideDir(p.Name); err == nil {
			opts.ResetCopies = doctor.ResetCopiesDir(dir)
		}
	}
	q, err := stack.Load(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("with stackui's override files %s: %w", strings.Join(overrides, ", "), err)
	}
	return q, nil
}

// WithConfigHashes returns p with the compose CLI's hash of each service's
// configuration (stack.Project.ConfigHashes), which the snapshot compares
// with its containers' labels to show drift. It runs the CLI once, so it
// belongs with a load or reload, never a frame. Without a CLI, or when the
// CLI cannot say, p is returned as it is: drift unknown.
func (b *Backend) WithConfigHashes(ctx context.Context, p *stack.Project) *stack.Project {
	if p == nil {
		return nil
	}
	cli, err := b.Compose(ctx)
	if err != nil {
		return p
	}
	ctx, cancel := context.WithTimeout(ctx, hashTimeout)
	defer cancel()
	hashes, err := cli.ConfigHashes(ctx, p)
	if err != nil {
		return p
	}
	q := *p
	q.ConfigHashes = hashes
	return &q
}

// hashTimeout bounds the `config --hash` run: a wedged CLI must not hold a
// reload.
const hashTimeout = 20 * time.Second

// WatchedFiles are the files whose change should trigger a load: the
// project's files, or the broken file, or the names discovery looks for.
func WatchedFiles(p *stack.Project, loadErr error, opts stack.LoadOptions) []string {
	if p != nil {
		return append(append([]string{}, p.Files...), p.EnvFiles...)
	}
	var le *stack.LoadError
	if errors.As(loadErr, &le) && le.File != "" {
		return append([]string{le.File}, opts.Files...)
	}
	var nf *stack.NoComposeFileError
	if errors.As(loadErr, &nf) && len(nf.Searched) > 0 {
		files := make([]string, 0, len(nf.Names))
		for _, n := range nf.Names {
			files = append(files, filepath.Join(nf.Searched[0], n))
		}
		return files
	}
	return opts.Files
}
