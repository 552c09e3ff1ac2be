package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/docker/go-units"
	"gopkg.in/yaml.v3"

	"github.com/stackui/stackui/internal/yamlconf"

	"github.com/stackui/stackui/themes"
)

// Config is what config.yaml can change. The zero value is not usable; start
// from DefaultConfig or LoadConfig.
type Config struct {
	// Path is the file this was read from ("" when none); user themes live
	// in its folder, under themes/.
	Path string
	// Theme is a builtin theme name, a user theme name or a path to a
	// theme file (see themes.Load).
	Theme string
	// Keys overrides bindings by name ("services.stop": ["s"]); names are
	// Binding.Name. Keys are normalised ("Ctrl+S" is "ctrl+s").
	Keys map[string][]string
	Logs LogsConfig
	Exec ExecConfig
}

// LogsConfig is config.yaml's logs section.
type LogsConfig struct {
	// BufferLines is how many lines each service's ring buffer keeps.
	BufferLines int
	// BufferBytes caps the text each service's ring buffer keeps: lines
	// are capped in cells, and a cell of combining marks takes many bytes.
	BufferBytes int64
	// BufferTotal caps what every service's ring holds together, each
	// line counted as its text plus a fixed overhead: with many containers
	// followed, the busiest services give up their oldest lines.
	BufferTotal int64
}

// ExecConfig is config.yaml's exec section.
type ExecConfig struct {
	// Command runs as `docker exec -it CONTAINER <Command...>` for the exec
	// key.
	Command []string
}

// Bounds on logs.buffer_lines, buffer_bytes and buffer_total: fewer than a
// screenful is useless, and the upper bounds keep a typo from eating
// gigabytes. Under 1 MiB in all, 100 containers would keep a few dozen lines
// each.
const (
	minBufferLines = 100
	maxBufferLines = 1_000_000
	minBufferBytes = 64 << 10
	maxBufferBytes = 1 << 30
	minBufferTotal = 1 << 20
	maxBufferTotal = 4 << 30
	maxConfigSize  = 1 << 20
)

// DefaultConfig is what stackui uses with no config file.
func DefaultConfig() Config {
	return Config{
		Theme: themes.DefaultName,
		Logs:  LogsConfig{BufferLines: 10_000, BufferBytes: 8 << 20, BufferTotal: 8 << 20},
		Exec:  ExecConfig{Command: []string{"sh"}},
	}
}

// DefaultConfigPath is $XDG_CONFIG_HOME/stackui/config.yaml, else
// ~/.config/stackui/config.yaml (on every OS: the tools stackui's users know,
// k9s and lazydocker among them, read ~/.config too). "" when there is no
// home to find. env is os.Getenv in the program.
func DefaultConfigPath(env func(string) string) string {
	// The XDG spec says a relative XDG_CONFIG_HOME is invalid and ignored.
	if x := env("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "stackui", "config.yaml")
	}
	home := env("HOME")
	if home == "" {
		home = env("USERPROFILE") // Windows
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".config", "stackui", "config.yaml")
}

// LoadConfig reads a config file. A missing file (or path "") gives the
// defaults and no error. A bad one gives the defaults, whole, and an error
// of one line naming the file and line, fit for the status line.
func LoadConfig(path string) (Config, error) {
	def := DefaultConfig()
	def.Path = path
	if path == "" {
		return def, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return def, nil
	}
	if err != nil {
		return def, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return def, fmt.Errorf("config: %w", err)
	}
	if len(data) > maxConfigSize {
		return def, fmt.Errorf("config %s: larger than %d bytes; is this the config file?", path, maxConfigSize)
	}
	cfg, err := parseConfig(path, data)
	if err != nil {
		return def, err
	}
	return cfg, nil
}

// LoadTheme loads the theme a config names and builds its styles for dark
// and light backgrounds. A theme that does not load gives the default
// theme's styles and the error, so the UI still starts.
func LoadTheme(cfg Config, noColor bool) (dark, light themes.Styles, err error) {
	dir := ""
	if cfg.Path != "" {
		dir = filepath.Dir(cfg.Path)
	}
	p, err := themes.Load(cfg.Theme, dir)
	if err != nil {
		p = themes.Default()
	}
	dark, light = themes.BuildBoth(p, noColor)
	return dark, light, err
}

// parseConfig checks a config document and reads it over the defaults.
func parseConfig(file string, data []byte) (Config, error) {
	cfg := DefaultConfig()
	cfg.Path = file
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return cfg, yamlconf.SyntaxError("config", file, data, err)
	}
	if len(doc.Content) == 0 || isNull(doc.Content[0]) {
		return cfg, nil // empty, or only comments
	}
	c := checker{file: file}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return cfg, c.errAt(root, "want a mapping (theme, keys, logs, exec), got a %s", kindOf(root))
	}
	if err := c.keys(root, "", "theme", "keys", "logs", "exec"); err != nil {
		return cfg, err
	}
	if n := yamlconf.Field(root, "theme"); n != nil {
		if n.Kind != yaml.ScalarNode || isNull(n) || n.Value == "" {
			return cfg, c.errAt(n, "theme: want a theme name or a path to a theme file")
		}
		cfg.Theme = n.Value
	}
	if n := yamlconf.Field(root, "keys"); n != nil && !isNull(n) {
		keys, err := c.bindings(n)
		if err != nil {
			return cfg, err
		}
		cfg.Keys = keys
	}
	if n := yamlconf.Field(root, "logs"); n != nil && !isNull(n) {
		if err := c.section(n, "logs", "buffer_lines", "buffer_bytes", "buffer_total"); err != nil {
			return cfg, err
		}
		if v := yamlconf.Field(n, "buffer_lines"); v != nil {
			lines, err := strconv.Atoi(strings.ReplaceAll(v.Value, "_", ""))
			if v.Kind != yaml.ScalarNode || err != nil {
				return cfg, c.errAt(v, "logs.buffer_lines: want a whole number of lines, got %s", describe(v))
			}
			if lines < minBufferLines || lines > maxBufferLines {
				return cfg, c.errAt(v, "logs.buffer_lines: %d is out of range (%d to %d)", lines, minBufferLines, maxBufferLines)
			}
			cfg.Logs.BufferLines = lines
		}
		var err error
		if cfg.Logs.BufferBytes, err = c.sizeField(n, "buffer_bytes", cfg.Logs.BufferBytes, minBufferBytes, maxBufferBytes, "64KiB to 1GiB"); err != nil {
			return cfg, err
		}
		if cfg.Logs.BufferTotal, err = c.sizeField(n, "buffer_total", cfg.Logs.BufferTotal, minBufferTotal, maxBufferTotal, "1MiB to 4GiB"); err != nil {
			return cfg, err
		}
	}
	if n := yamlconf.Field(root, "exec"); n != nil && !isNull(n) {
		if err := c.section(n, "exec", "command"); err != nil {
			return cfg, err
		}
		if v := yamlconf.Field(n, "command"); v != nil {
			words, err := c.strings(v, "exec.command", true)
			if err != nil {
				return cfg, err
			}
			if len(words) == 0 {
				return cfg, c.errAt(v, "exec.command: empty; want a command such as [bash, -l]")
			}
			cfg.Exec.Command = words
		}
	}
	return cfg, nil
}

// bindings reads the keys section: binding name → one key or a list.
func (c checker) bindings(n *yaml.Node) (map[string][]string, error) {
	if n.Kind != yaml.MappingNode {
		return nil, c.errAt(n, `keys: want a mapping of binding names to keys, e.g. services.stop: ["s"]`)
	}
	km := defaultKeys()
	names := make([]string, 0, len(km.all()))
	for _, b := range km.all() {
		names = append(names, b.Name)
	}
	out := map[string][]string{}
	lines := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		name := kn.Value
		if kn.Kind != yaml.ScalarNode {
			return nil, c.errAt(kn, "keys: want a binding name, got a %s", kindOf(kn))
		}
		if !slices.Contains(names, name) {
			return nil, c.errAt(kn, "keys: unknown binding %q%s", name, didYouMean(name, names))
		}
		if _, dup := out[name]; dup {
			return nil, c.errAt(kn, "keys: %s set twice", name)
		}
		keys, err := c.strings(vn, "keys."+name, false)
		if err != nil {
			return nil, err
		}
		out[name] = keys
		lines[name] = kn
	}
	// apply checks the keys, and conflicts, which only show once every
	// override is in place (swapping two keys is fine).
	if err := km.apply(out); err != nil {
		var be *bindingError
		if errors.As(err, &be) {
			return nil, c.errAt(lines[be.name], "keys: %v", err)
		}
		return nil, c.errAt(n, "keys: %v", err)
	}
	for _, b := range km.all() {
		if _, ok := out[b.Name]; ok {
			out[b.Name] = b.Keys() // normalised: "Ctrl+S" is stored as "ctrl+s"
		}
	}
	return out, nil
}

// strings reads one string or a list of them. split says a single string
// is split on spaces ("bash -l"), as a shell would.
func (c checker) strings(n *yaml.Node, key string, split bool) ([]string, error) {
	switch {
	case n.Kind == yaml.ScalarNode && !isNull(n):
		if split {
			return strings.Fields(n.Value), nil
		}
		return []string{n.Value}, nil
	case n.Kind == yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, e := range n.Content {
			if e.Kind != yaml.ScalarNode || isNull(e) {
				return nil, c.errAt(e, "%s: want a string, got %s", key, describe(e))
			}
			out = append(out, e.Value)
		}
		return out, nil
	case isNull(n):
		return nil, nil
	}
	return nil, c.errAt(n, "%s: want a string or a list of strings, got %s", key, describe(n))
}

// ColorProfile hands Bubble Tea the terminal's colour profile that Lip Gloss
// already detected when the process started (lipgloss.Writer: stdout and
// the environment, as Bubble Tea would look). Detecting it again costs the
// first frame a second `tmux info` inside tmux (20-35 ms on a busy machine).
func ColorProfile() tea.ProgramOption {
	return tea.WithColorProfile(lipgloss.Writer.Profile)
}

// sizeField reads logs.<key> as a size ("8MiB", "16m") within [lo, hi]
// (span says it in words); def when the key is absent.
func (c checker) sizeField(n *yaml.Node, key string, def, lo, hi int64, span string) (int64, error) {
	v := yamlconf.Field(n, key)
	if v == nil {
		return def, nil
	}
	size, err := units.RAMInBytes(v.Value)
	if v.Kind != yaml.ScalarNode || err != nil {
		return def, c.errAt(v, "logs.%s: want a size such as 8MiB or 16m, got %s", key, describe(v))
	}
	if size < lo || size > hi {
		return def, c.errAt(v, "logs.%s: %s is out of range (%s)", key, v.Value, span)
	}
	return size, nil
}
