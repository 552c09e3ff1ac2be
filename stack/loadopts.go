package stack

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/loader"
)

// loadPlan is LoadOptions worked out the way `docker compose` works out its
// flags and environment, before compose-go reads the compose files.
type loadPlan struct {
	opts       LoadOptions // as given, with WorkDir made absolute
	workDir    string
	projectDir string // "" until the files are known, then never ""
	files      []string
	env        map[string]string // opts.Env plus what the env files add
	envFiles   []string          // read, in the order that reproduces env
	profiles   []string          // requested: --profile or COMPOSE_PROFILES, split and deduplicated
	fromEnv    bool              // profiles came from COMPOSE_PROFILES
	warnings   []string
}

// resolveLoad follows docker compose v2's order: the process environment
// wins; then, when neither -f nor --project-directory is given, the .env of
// the starting directory (it may set COMPOSE_FILE); then the compose files
// (-f, COMPOSE_FILE, or discovery upwards); then the .env of the project
// directory, which only adds variables not set yet; then COMPOSE_PROFILES.
func resolveLoad(opts LoadOptions) (*loadPlan, error) {
	r := &loadPlan{}
	wd := opts.WorkDir
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			return nil, fmt.Errorf("load compose project: working directory: %w", err)
		}
	}
	wd, err := filepath.Abs(wd)
	if err != nil {
		return nil, fmt.Errorf("load compose project: working directory: %w", err)
	}
	r.workDir = wd
	r.opts = opts
	r.opts.WorkDir = wd

	r.env = map[string]string{}
	if opts.Env == nil {
		for _, kv := range os.Environ() {
			if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
				r.env[k] = v
			}
		}
	} else {
		for k, v := range opts.Env {
			r.env[k] = v
		}
	}

	if opts.ProjectDir != "" {
		r.projectDir = r.abs(opts.ProjectDir)
		if fi, err := os.Stat(r.projectDir); err != nil || !fi.IsDir() {
			return nil, newLoadError(wd, r.projectDir, 0, "project directory does not exist or is not a directory", err)
		}
	}
	var explicitEnv []string
	for _, f := range opts.EnvFiles {
		explicitEnv = append(explicitEnv, r.abs(f))
	}
	start := r.projectDir
	if start == "" {
		start = wd
	}
	// compose reads its first .env from GetWorkingDir(): the project
	// directory, else the first -f file's folder, else the current
	// directory. Only the last can differ from the project directory's
	// .env read below, so only then is there a first pass. Its .env may set
	// COMPOSE_FILE; compose reads it before looking at COMPOSE_FILE, so it is
	// read even when the environment sets COMPOSE_FILE.
	var first []string
	if r.projectDir == "" && len(opts.Files) == 0 {
		if first, err = r.readEnvFiles(explicitEnv, start); err != nil {
			return nil, err
		}
	}

	if err := r.findFiles(start); err != nil {
		return nil, err
	}
	if err := r.addOverrides(); err != nil {
		return nil, err
	}
	if r.projectDir == "" {
		r.projectDir = filepath.Dir(r.files[0])
	}
	second, err := r.readEnvFiles(explicitEnv, r.projectDir)
	if err != nil {
		return nil, err
	}
	// Merge keeps the first value set, so the first pass's files take
	// precedence; --env-file gives later files precedence, hence this order.
	for _, f := range append(second, first...) {
		if !slices.Contains(r.envFiles, f) {
			r.envFiles = append(r.envFiles, f)
		}
	}

	r.profiles = opts.Profiles
	if opts.Profiles == nil {
		if v := r.env[consts.ComposeProfiles]; v != "" {
			r.profiles, r.fromEnv = []string{v}, true
		}
	}
	r.profiles = splitProfiles(r.profiles)
	return r, nil
}

func (r *loadPlan) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(r.workDir, p)
}

// readEnvFiles reads the explicit env files, or dir/.env when there are none
// (unless COMPOSE_DISABLE_ENV_FILE), adding only variables not yet set.
func (r *loadPlan) readEnvFiles(explicit []string, dir string) ([]string, error) {
	files := explicit
	if len(files) == 0 {
		if v, ok := r.env[consts.ComposeDisableDefaultEnvFile]; ok {
			if off, err := strconv.ParseBool(v); err == nil && off {
				return nil, nil
			}
		}
		def := filepath.Join(dir, ".env")
		// a folder named .env is skipped as compose skips it; anything
		// else that is not a regular file is an error, not a hang
		if fi, err := os.Stat(def); err != nil || fi.IsDir() {
			return nil, nil
		}
		files = []string{def}
	}
	vars, err := readEnvFilesBounded(r.workDir, r.env, files, "env file")
	if err != nil {
		return nil, err
	}
	for k, v := range vars {
		if _, set := r.env[k]; !set {
			r.env[k] = v
		}
	}
	return files, nil
}

// findFiles sets r.files from -f, else COMPOSE_FILE, else discovery from
// start upwards, and checks that each is a readable regular file.
func (r *loadPlan) findFiles(start string) error {
	origin := "-f"
	for _, f := range r.opts.Files {
		r.files = append(r.files, r.abs(f))
	}
	if len(r.files) == 0 {
		if v, ok := r.env[consts.ComposeFilePath]; ok && v != "" {
			origin = "COMPOSE_FILE"
			sep := r.env[consts.ComposePathSeparator]
			if sep == "" {
				sep = string(os.PathListSeparator)
			}
			for _, f := range strings.Split(v, sep) {
				if f = strings.TrimSpace(f); f != "" {
					r.files = append(r.files, r.abs(f))
				}
			}
		}
	}
	if len(r.files) == 0 {
		return r.discover(start)
	}
	for _, f := range r.files {
		if filepath.Base(f) == "-" {
			return newLoadError(r.workDir, "", 0, "reading the compose file from standard input is not supported", nil)
		}
		if err := checkInputFile(r.workDir, f, "compose file named by "+origin, "", 0); err != nil {
			return err
		}
	}
	return nil
}

// addOverrides appends stackui's generated override files after the
// user's, so that they win, and checks that each exists.
func (r *loadPlan) addOverrides() error {
	for _, f := range r.opts.Overrides {
		f = r.abs(f)
		if err := checkInputFile(r.workDir, f, "stackui override file", "", 0); err != nil {
			return err
		}
		if !slices.Contains(r.files, f) {
			r.files = append(r.files, f)
		}
	}
	return nil
}

// discover looks for compose.yaml and its siblings in start and its parents,
// as docker compose does, with the first override file found next to it.
func (r *loadPlan) discover(start string) error {
	var searched []string
	for dir := start; ; {
		searched = append(searched, dir)
		found := existingFiles(dir, cli.DefaultFileNames)
		if len(found) == 0 {
			// a compose.yaml that is a dangling symlink is the project the
			// user meant: say so, instead of searching the parents
			if err := danglingComposeLink(r.workDir, dir); err != nil {
				return err
			}
		}
		if len(found) > 0 {
			for _, f := range found[:1] {
				if err := checkInputFile(r.workDir, f, "compose file", "", 0); err != nil {
					return err
				}
			}
			r.files = append(r.files, found[0])
			if len(found) > 1 {
				r.warnings = append(r.warnings, fmt.Sprintf("found multiple config files with supported names in %s: %s; using %s",
					dir, joinBaseNames(found), filepath.Base(found[0])))
			}
			overrides := existingFiles(dir, cli.DefaultOverrideFileNames)
			if len(overrides) > 0 {
				if err := checkInputFile(r.workDir, overrides[0], "compose override file", "", 0); err != nil {
					return err
				}
				r.files = append(r.files, overrides[0])
				if len(overrides) > 1 {
					r.warnings = append(r.warnings, fmt.Sprintf("found multiple override files with supported names in %s: %s; using %s",
						dir, joinBaseNames(overrides), filepath.Base(overrides[0])))
				}
			}
			return nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return &NoComposeFileError{Names: append([]string(nil), cli.DefaultFileNames...), Searched: searched}
		}
		dir = parent
	}
}

// danglingComposeLink is a *LoadError when one of the default compose
// file names in dir is a symlink whose target does not exist.
func danglingComposeLink(workDir, dir string) error {
	for _, n := range cli.DefaultFileNames {
		f := filepath.Join(dir, n)
		if isDanglingLink(f) {
			target, _ := os.Readlink(f)
			return newLoadError(workDir, f, 0, fmt.Sprintf("compose file is a symlink to %s, which does not exist", target), nil)
		}
	}
	return nil
}

func isDanglingLink(path string) bool {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return false
	}
	_, err = os.Stat(path)
	return errors.Is(err, os.ErrNotExist)
}

func existingFiles(dir string, names []string) []string {
	var found []string
	for _, n := range names {
		f := filepath.Join(dir, n)
		if fi, err := os.Stat(f); err == nil && !fi.IsDir() {
			found = append(found, f)
		}
	}
	return found
}

func joinBaseNames(paths []string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, ", ")
}

func pathErrCause(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// splitProfiles splits comma-separated values (as COMPOSE_PROFILES and
// `--profile a,b` allow), trims them and drops blanks and duplicates.
func splitProfiles(in []string) []string {
	var out []string
	for _, v := range in {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// LikelyName is the name the project will probably load with, worked out
// without reading a file: -p, else COMPOSE_PROJECT_NAME, else the name of
// the project folder (--project-directory, the first file's folder, or
// where discovery starts). A `name:` in the files, COMPOSE_PROJECT_NAME in
// .env, or a compose file found further up can still make it another; it
// is for fetching ahead, never for acting on.
func (o LoadOptions) LikelyName() string {
	if o.ProjectName != "" {
		return loader.NormalizeProjectName(o.ProjectName)
	}
	env := o.Env
	if env == nil {
		env = map[string]string{consts.ComposeProjectName: os.Getenv(consts.ComposeProjectName)}
	}
	if n := env[consts.ComposeProjectName]; n != "" {
		return loader.NormalizeProjectName(n)
	}
	dir := o.ProjectDir
	if dir == "" && len(o.Files) > 0 && o.Files[0] != "-" {
		dir = filepath.Dir(o.Files[0])
	}
	if dir == "" {
		dir = o.WorkDir
	}
	if !filepath.IsAbs(dir) {
		base := o.WorkDir
		if base == "" {
			base, _ = os.Getwd()
		}
		dir = filepath.Join(base, dir)
	}
	return loader.NormalizeProjectName(filepath.Base(dir))
}
