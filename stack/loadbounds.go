package stack

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
)

// Bounds on what a project may make the loader hold. compose-go reads
// whatever it is pointed at and expands variables without limit, so a
// hostile project (an .env whose variables double forty times, an include
// of /dev/zero, an env_file that is a FIFO) would take the process down or
// hang it. Checking the inputs before compose-go sees them is what keeps
// memory bounded: the blow-up never starts. The load deadline (loadrun.go)
// is the backstop for what is left, such as YAML that compose-go is slow on.
const (
	// MaxFileBytes is the largest compose, included, extended, .env,
	// env_file or label_file file that is loaded.
	MaxFileBytes = 16 << 20
	// MaxProjectBytes is the most that a project's compose, included and
	// extended files may hold together.
	MaxProjectBytes = 64 << 20
	// MaxValueBytes is the largest value interpolation may produce, in an
	// env file's variable or in a compose file's string.
	MaxValueBytes = 1 << 20
	// maxExpandBytes bounds what all of one env file's variable
	// references may expand to together: memory stays within a few times
	// MaxFileBytes, even before a single value is found too large.
	maxExpandBytes = MaxFileBytes
)

// checkInputFile makes sure path is a regular file of at most MaxFileBytes
// before anything opens it: opening a FIFO blocks until a writer comes,
// and reading /dev/zero never ends. what says what the file is for;
// from and line, when set, are the file and line that name it.
func checkInputFile(workDir, path, what, from string, line int) error {
	fi, err := os.Stat(path)
	fault := func(msg string, err error) *LoadError {
		if !strings.HasPrefix(msg, ":") {
			msg = " " + msg
		}
		if from != "" {
			return newLoadError(workDir, from, line, fmt.Sprintf("%s %s%s", what, path, msg), err)
		}
		return newLoadError(workDir, path, 0, what+msg, err)
	}
	switch {
	case err != nil:
		return fault(fmt.Sprintf(": %v", pathErrCause(err)), err)
	case !fi.Mode().IsRegular():
		return fault(fmt.Sprintf("is not a regular file (it is %s)", fileKind(fi.Mode())), nil)
	case fi.Size() > MaxFileBytes:
		return fault(fmt.Sprintf("is %s; stackui loads files of up to %s", sizeText(fi.Size()), sizeText(MaxFileBytes)), nil)
	}
	return nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "not a plain file"
}

func sizeText(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}

// expandBudget counts what variable lookups hand out during one parse;
// once over, lookups answer "" so that values stop growing, and the parse
// is reported as too large afterwards.
type expandBudget struct {
	limit, used int
	over        string // the first variable whose value broke the budget
}

func (b *expandBudget) take(key, v string) (string, bool) {
	if b.over != "" || b.used+len(v) > b.limit {
		if b.over == "" {
			b.over = key
		}
		return "", true
	}
	b.used += len(v)
	return v, true
}

// parseEnvBounded parses one env file into vars as compose-go's dotenv
// does, with lookup answering first (compose-go looks a variable up, then
// in vars; here vars is folded into lookup so every reference is counted).
// A value over MaxValueBytes, or references expanding past maxExpandBytes
// in all, is a *LoadError naming the file and the variable's line.
func parseEnvBounded(workDir, file string, content []byte, vars map[string]string, lookup func(string) (string, bool)) error {
	b := &expandBudget{limit: maxExpandBytes}
	counted := func(k string) (string, bool) {
		v, ok := lookup(k)
		if !ok {
			v, ok = vars[k]
		}
		if !ok {
			return "", false
		}
		return b.take(k, v)
	}
	before := make(map[string]int, len(vars))
	for k, v := range vars {
		before[k] = len(v)
	}
	if err := dotenv.ParseWithFormat(bytes.NewReader(content), file, vars, counted, dotenv.DotEnv); err != nil {
		return newExplainer(workDir, nil).explain(err)
	}
	for _, k := range envKeysInOrder(content) {
		if n := len(vars[k]); n > MaxValueBytes && n != before[k] {
			return newLoadError(workDir, file, envKeyLine(content, k, false),
				fmt.Sprintf("variable %s expands to %s; stackui allows values of up to %s", k, sizeText(int64(n)), sizeText(MaxValueBytes)), nil)
		}
	}
	if b.over != "" {
		return newLoadError(workDir, file, envKeyLine(content, b.over, false),
			fmt.Sprintf("variable references expand to more than %s in all (at ${%s}); stackui stops there", sizeText(maxExpandBytes), b.over), nil)
	}
	return nil
}

// envKeysInOrder lists the keys assigned at the start of a line, in file
// order, to report the first value that is too large.
func envKeysInOrder(content []byte) []string {
	var keys []string
	for _, l := range strings.Split(string(content), "\n") {
		l = strings.TrimPrefix(strings.TrimSpace(l), "export ")
		if k, _, ok := strings.Cut(l, "="); ok && k != "" && !strings.HasPrefix(k, "#") {
			keys = append(keys, strings.TrimSpace(k))
		}
	}
	return keys
}

// envKeyLine is the 1-based line that assigns key (the first, or with
// last the last, which is the one that counts), or 0.
func envKeyLine(content []byte, key string, last bool) int {
	found := 0
	for i, l := range strings.Split(string(content), "\n") {
		if isEnvAssign(l, key) {
			if !last {
				return i + 1
			}
			found = i + 1
		}
	}
	return found
}

// readEnvFilesBounded is dotenv.GetEnvFromFile with the bounds: each file
// is checked before it is opened, and expansion is counted.
func readEnvFilesBounded(workDir string, current map[string]string, files []string, what string) (map[string]string, error) {
	vars := map[string]string{}
	for _, f := range files {
		if _, err := os.Stat(f); os.IsNotExist(err) {
			// compose's own words for it
			return nil, newLoadError(workDir, f, 0, "couldn't find env file: "+displayPath(workDir, f), err)
		}
		if err := checkInputFile(workDir, f, what, "", 0); err != nil {
			return nil, err
		}
		content, err := os.ReadFile(f)
		if err != nil {
			return nil, newLoadError(workDir, f, 0, fmt.Sprintf("%s: %v", what, pathErrCause(err)), err)
		}
		lookup := func(k string) (string, bool) { v, ok := current[k]; return v, ok }
		if err := parseEnvBounded(workDir, f, content, vars, lookup); err != nil {
			return nil, err
		}
	}
	return vars, nil
}

// boundedSubstitute wraps compose-go's interpolation so that one value
// cannot grow past MaxValueBytes: `${A}` written a million times in a
// 16 MiB file would otherwise be a million copies of A.
func boundedSubstitute(sub func(string, template.Mapping) (string, error)) func(string, template.Mapping) (string, error) {
	return func(tmpl string, mapping template.Mapping) (string, error) {
		b := &expandBudget{limit: MaxValueBytes}
		out, err := sub(tmpl, func(k string) (string, bool) {
			v, ok := mapping(k)
			if !ok {
				return "", false
			}
			return b.take(k, v)
		})
		if err != nil {
			return out, err
		}
		if b.over != "" || len(out) > MaxValueBytes {
			short := tmpl
			if len(short) > 40 {
				short = short[:40] + "..."
			}
			return "", fmt.Errorf("%q interpolates to more than %s, stackui's bound for one value", short, sizeText(MaxValueBytes))
		}
		return out, nil
	}
}

// withBounds is the compose-go option that applies the bounds inside its
// loader: interpolation is bounded, and services' env_file and label_file
// are not read by compose-go, but by resolveServiceFiles after checks.
func withBounds(o *loader.Options) {
	if o.Interpolate != nil {
		sub := o.Interpolate.Substitute
		if sub == nil {
			sub = template.Substitute
		}
		o.Interpolate.Substitute = boundedSubstitute(sub)
	}
	o.SkipResolveEnvironment = true
	o.SkipResolveLabels = true
}

// resolveServiceFiles checks every service's env_file and label_file (and
// their pre_start hooks'), then lets compose-go read them as it would have.
func resolveServiceFiles(workDir string, p *types.Project) (*types.Project, error) {
	for _, svc := range p.Services {
		specs := []types.ContainerSpec{svc.ContainerSpec}
		for _, h := range svc.PreStart {
			specs = append(specs, h.ContainerSpec)
		}
		for _, spec := range specs {
			if err := checkServiceEnvFiles(workDir, svc.Name, p.Environment, spec); err != nil {
				return nil, err
			}
		}
	}
	p, err := p.WithServicesEnvironmentResolved(false)
	if err != nil {
		return nil, err
	}
	return p.WithServicesLabelsResolved(false)
}

// checkServiceEnvFiles parses spec's env files with compose-go's lookup
// order (the project environment, the service's environment, the files'
// own variables), counting what they expand to; label files likewise.
func checkServiceEnvFiles(workDir, name string, projectEnv types.Mapping, spec types.ContainerSpec) error {
	vars := map[string]string{}
	for k, v := range spec.Environment {
		if v != nil {
			vars[k] = *v
		}
	}
	lookup := func(k string) (string, bool) {
		if v, ok := projectEnv.Resolve(k); ok {
			return v, true
		}
		if v, ok := spec.Environment[k]; ok && v != nil {
			return *v, true
		}
		return "", false
	}
	what := fmt.Sprintf("env_file of service %q:", name)
	for _, ef := range spec.EnvFiles {
		if _, err := os.Lstat(ef.Path); os.IsNotExist(err) {
			continue // compose-go reports a missing required file
		}
		if err := checkEnvFile(workDir, ef.Path, what, ef.Format, vars, lookup); err != nil {
			return err
		}
	}
	labels := map[string]string{}
	what = fmt.Sprintf("label_file of service %q:", name)
	for _, lf := range spec.LabelFiles {
		if _, err := os.Lstat(lf); os.IsNotExist(err) {
			continue
		}
		if err := checkEnvFile(workDir, lf, what, "", labels, func(string) (string, bool) { return "", false }); err != nil {
			return err
		}
	}
	return nil
}

func checkEnvFile(workDir, path, what, format string, vars map[string]string, lookup func(string) (string, bool)) error {
	if err := checkInputFile(workDir, path, strings.TrimSuffix(what, ":"), "", 0); err != nil {
		return err
	}
	if format != "" && format != dotenv.DotEnv {
		return nil // compose-go refuses formats it has no parser for
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return newLoadError(workDir, path, 0, fmt.Sprintf("%s %v", what, pathErrCause(err)), err)
	}
	return parseEnvBounded(workDir, path, content, vars, lookup)
}
