package stack

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// VarOrigin says where the value of an interpolated variable came from,
// as compose looks it up: the environment stackui was started with first,
// then the env files, the last one that assigns it winning. It is
// "environment", "<file>:<line>" (the file relative to the project), or
// "" when the variable is unset (the expression's default, if any, was
// used).
func (p *Project) VarOrigin(name string) string {
	if p == nil || name == "" {
		return ""
	}
	if p.Options.Env != nil {
		if _, ok := p.Options.Env[name]; ok {
			return "environment"
		}
	} else if _, ok := os.LookupEnv(name); ok {
		return "environment"
	}
	for i := len(p.EnvFiles) - 1; i >= 0; i-- {
		f := p.EnvFiles[i]
		content, err := readCapped(f)
		if err != nil {
			continue
		}
		if line := envKeyLine(content, name, true); line > 0 {
			return fmt.Sprintf("%s:%d", displayPath(p.WorkingDir, f), line)
		}
	}
	return ""
}

// readCapped reads a file of the project again, no further than the
// loader's bound on one file (it may have grown since the load).
func readCapped(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s: not a regular file", path)
	}
	return io.ReadAll(io.LimitReader(f, MaxFileBytes))
}

// DisplayPath is path relative to the project's folder when it lies
// inside it, else as is: how file:line origins are shown.
func (p *Project) DisplayPath(path string) string {
	if p == nil {
		return path
	}
	return displayPath(p.WorkingDir, path)
}

// isEnvAssign reports whether an env file line assigns key.
func isEnvAssign(line, key string) bool {
	line = strings.TrimPrefix(strings.TrimSpace(line), "export ")
	k, _, ok := strings.Cut(line, "=")
	return ok && strings.TrimSpace(k) == key
}
