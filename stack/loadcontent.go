package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// LoadOverlay loads a project as Load does, except that the files named in
// overlay (absolute paths of compose files, included files or extended
// files) are read with the given contents instead of what is on disk. It
// lets stack/edit check an edit with compose-go before writing it.
//
// compose-go reads every file itself, so each overlaid content is written
// for the duration of the load to a hidden temporary file next to the
// original: an included file's relative paths and project directory are
// then the same as the original's. Errors name the original files.
func LoadOverlay(ctx context.Context, opts LoadOptions, overlay map[string][]byte) (*Project, error) {
	return load(ctx, opts, overlay)
}

// overlayLoader is a compose-go resource loader that hands out the
// temporary copies of overlaid files. compose-go asks it about include and
// extends paths as written (often relative), so a path matches when it
// names an overlaid file from any folder that the project's files live in.
type overlayLoader struct {
	temp  map[string]string // original absolute path -> temporary copy
	orig  map[string]string // temporary copy -> original
	bases []string
}

func newOverlayLoader(plan *loadPlan, overlay map[string][]byte) (*overlayLoader, error) {
	ov := &overlayLoader{temp: map[string]string{}, orig: map[string]string{}}
	bases := map[string]bool{plan.projectDir: true, plan.workDir: true}
	for _, f := range plan.files {
		bases[filepath.Dir(f)] = true
	}
	sources, _ := relatedSources(plan.files)
	for _, s := range sources {
		bases[filepath.Dir(s.path)] = true
	}
	for path, content := range overlay {
		if !filepath.IsAbs(path) {
			ov.remove()
			return nil, fmt.Errorf("load compose project: overlay path %s is not absolute", path)
		}
		path = filepath.Clean(path)
		bases[filepath.Dir(path)] = true
		tmp, err := writeOverlayCopy(path, content)
		if err != nil {
			ov.remove()
			return nil, err
		}
		ov.temp[path] = tmp
		ov.orig[tmp] = path
	}
	for b := range bases {
		ov.bases = append(ov.bases, b)
	}
	sort.Strings(ov.bases)
	return ov, nil
}

func writeOverlayCopy(path string, content []byte) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".stackui-check-*")
	if err != nil {
		return "", fmt.Errorf("check %s: %w", path, err)
	}
	_, werr := f.Write(content)
	cerr := f.Close()
	if werr != nil || cerr != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("check %s: %w", path, errors.Join(werr, cerr))
	}
	return f.Name(), nil
}

// remove deletes the temporary copies; nil-safe so a deferred call works
// before the loader exists.
func (ov *overlayLoader) remove() {
	if ov == nil {
		return
	}
	for tmp := range ov.orig {
		os.Remove(tmp)
	}
}

func (ov *overlayLoader) match(p string) (string, bool) {
	if filepath.IsAbs(p) {
		tmp, ok := ov.temp[filepath.Clean(p)]
		return tmp, ok
	}
	for _, b := range ov.bases {
		if tmp, ok := ov.temp[filepath.Join(b, p)]; ok {
			return tmp, true
		}
	}
	return "", false
}

// Accept, Load and Dir implement compose-go's loader.ResourceLoader.
func (ov *overlayLoader) Accept(p string) bool {
	_, ok := ov.match(p)
	return ok
}

func (ov *overlayLoader) Load(_ context.Context, p string) (string, error) {
	tmp, ok := ov.match(p)
	if !ok {
		return "", fmt.Errorf("load %s: not an overlaid file", p)
	}
	return tmp, nil
}

// Dir is absolute: compose-go's local loader returns a folder relative to
// the including project, which the including load resolves later; an
// absolute folder resolves to the same place.
func (ov *overlayLoader) Dir(p string) string {
	if tmp, ok := ov.match(p); ok {
		return filepath.Dir(tmp)
	}
	return filepath.Dir(p)
}

// The methods below map between the originals and their copies; Load
// calls them on a nil *overlayLoader, which maps nothing.

func (ov *overlayLoader) original(path string) string {
	if ov == nil {
		return path
	}
	if o, ok := ov.orig[filepath.Clean(path)]; ok {
		return o
	}
	return path
}

// readFile reads path, or its temporary copy when it is overlaid.
func (ov *overlayLoader) readFile(path string) ([]byte, error) {
	if ov != nil {
		if tmp, ok := ov.temp[filepath.Clean(path)]; ok {
			path = tmp
		}
	}
	return os.ReadFile(path)
}

// tempFiles maps the project's files to what compose-go read, so the
// explainer finds lines in the overlaid content.
func (ov *overlayLoader) tempFiles(files []string) []string {
	if ov == nil {
		return files
	}
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f
		if tmp, ok := ov.temp[f]; ok {
			out[i] = tmp
		}
	}
	return out
}

func (ov *overlayLoader) replaceNames(s string) string {
	if ov == nil {
		return s
	}
	for tmp, orig := range ov.orig {
		s = strings.ReplaceAll(s, tmp, orig)
	}
	return s
}

func (ov *overlayLoader) restoreNames(le *LoadError, workDir string) *LoadError {
	if ov == nil {
		return le
	}
	out := *le
	out.File = ov.original(le.File)
	out.Msg = ov.replaceNames(le.Msg)
	out.shown = displayPath(workDir, out.File)
	return &out
}
