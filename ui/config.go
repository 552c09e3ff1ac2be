package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

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
}

// ExecConfig is config.yaml's exec section.
type ExecConfig struct {
	// Command runs as `docker exec -it CONTAINER <Command...>` for the exec
	// key.
	Command []string
}

// Bounds on logs.buffer_lines: fewer than a screenful is useless, and the
// upper bound keeps a typo from eating gigabytes.
const (
	minBufferLines = 100
	maxBufferLines = 1_000_000
	maxConfigSize  = 1 << 20
)

// DefaultConfig is what stackui uses with no config file.
func DefaultConfig() Config {
	return Config{
		Theme: themes.DefaultName,
		Logs:  LogsConfig{BufferLines: 10_000},
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
		return cfg, yamlSyntaxError(file, data, err)
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
	if n := fieldOf(root, "theme"); n != nil {
		if n.Kind != yaml.ScalarNode || isNull(n) || n.Value == "" {
			return cfg, c.errAt(n, "theme: want a theme name or a path to a theme file")
		}
		cfg.Theme = n.Value
	}
	if n := fieldOf(root, "keys"); n != nil && !isNull(n) {
		keys, err := c.bindings(n)
		if err != nil {
			return cfg, err
		}
		cfg.Keys = keys
	}
	if n := fieldOf(root, "logs"); n != nil && !isNull(n) {
		if err := c.section(n, "logs", "buffer_lines"); err != nil {
			return cfg, err
		}
		if v := fieldOf(n, "buffer_lines"); v != nil {
			lines, err := strconv.Atoi(strings.ReplaceAll(v.Value, "_", ""))
			if v.Kind != yaml.ScalarNode || err != nil {
				return cfg, c.errAt(v, "logs.buffer_lines: want a whole number of lines, got %s", describe(v))
			}
			if lines < minBufferLines || lines > maxBufferLines {
				return cfg, c.errAt(v, "logs.buffer_lines: %d is out of range (%d to %d)", lines, minBufferLines, maxBufferLines)
			}
			cfg.Logs.BufferLines = lines
		}
	}
	if n := fieldOf(root, "exec"); n != nil && !isNull(n) {
		if err := c.section(n, "exec", "command"); err != nil {
			return cfg, err
		}
		if v := fieldOf(n, "command"); v != nil {
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

// bindingError is a key override apply rejects, naming the binding at fault
// so the config loader can point at its line.
type bindingError struct{ name, msg string }

func (e *bindingError) Error() string { return e.msg }

// apply sets the keys (and the help's key text) of the named bindings. It
// changes nothing unless every override is good: names must exist, keys
// must be valid, and no override may give a key to two bindings that are
// live at the same time (unless the defaults already did).
func (k *keyMap) apply(overrides map[string][]string) error {
	next := *k
	byName := map[string]*Binding{}
	for _, b := range next.all() {
		byName[b.Name] = b
	}
	var unknown []string
	for name := range overrides {
		if byName[name] == nil {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return &bindingError{unknown[0], "unknown binding " + strings.Join(unknown, ", ")}
	}
	for _, name := range slices.Sorted(maps.Keys(overrides)) {
		keys := make([]string, 0, len(overrides[name]))
		for _, raw := range overrides[name] {
			norm, err := normalizeKey(raw)
			if err != nil {
				return &bindingError{name, name + ": " + err.Error()}
			}
			keys = append(keys, norm)
		}
		if len(keys) == 0 {
			return &bindingError{name, name + ": no keys; a binding needs at least one"}
		}
		b := byName[name]
		b.SetKeys(keys...)
		b.SetHelp(strings.Join(keys, "/"), b.Help().Desc)
	}
	if err := newConflicts(defaultKeys(), next, overrides); err != nil {
		return err
	}
	*k = next
	return nil
}

// newConflicts finds a key that an override made ambiguous: held by two
// bindings that are live together (same group, or one of them global or a
// move) and not already shared in the defaults (enter both opens and
// toggles on purpose).
func newConflicts(def, next keyMap, overrides map[string][]string) error {
	defKeys := map[string][]string{}
	for _, b := range def.all() {
		defKeys[b.Name] = b.Keys()
	}
	all := next.all()
	for _, a := range all {
		if _, ok := overrides[a.Name]; !ok {
			continue
		}
		for _, b := range all {
			if a == b || !liveTogether(a.Group, b.Group) {
				continue
			}
			for _, key := range a.Keys() {
				if slices.Contains(b.Keys(), key) &&
					!(slices.Contains(defKeys[a.Name], key) && slices.Contains(defKeys[b.Name], key)) {
					return &bindingError{a.Name, fmt.Sprintf("%s: %q is already %s's key", a.Name, key, b.Name)}
				}
			}
		}
	}
	return nil
}

func liveTogether(g1, g2 string) bool {
	everywhere := func(g string) bool { return g == groupGlobal || g == groupNav }
	return g1 == g2 || everywhere(g1) || everywhere(g2)
}

// keyNames are the named keys Bubble Tea reports (tea.Key.String), with the
// spellings people also write for them.
var keyNames = map[string]string{
	"enter": "enter", "return": "enter", "tab": "tab", "backspace": "backspace",
	"esc": "esc", "escape": "esc", "space": "space", "up": "up", "down": "down",
	"left": "left", "right": "right", "home": "home", "end": "end",
	"pgup": "pgup", "pageup": "pgup", "pgdown": "pgdown", "pgdn": "pgdown", "pagedown": "pgdown",
	"insert": "insert", "ins": "insert", "delete": "delete", "del": "delete",
}

var fnKey = regexp.MustCompile(`^f([1-9]|[1-5][0-9]|6[0-3])$`)

// modOrder is the order tea.Key.String writes modifiers in; a binding only
// matches if it is spelt the same way.
var modOrder = []string{"ctrl", "alt", "shift", "meta", "hyper", "super"}

// normalizeKey turns a key as a person writes it ("Ctrl+S", "PageDown",
// "alt+ctrl+x") into the string Bubble Tea reports for it ("ctrl+s",
// "pgdown", "ctrl+alt+x"), or says why no key press could ever match it.
func normalizeKey(s string) (string, error) {
	if s == " " {
		return "space", nil
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("empty key")
	}
	// The last character is the key itself even when it is "+".
	base, mods := s, []string(nil)
	if i := strings.LastIndex(s[:len(s)-1], "+"); i >= 0 {
		base, mods = s[i+1:], strings.Split(s[:i], "+")
	}
	seen := map[string]bool{}
	for _, m := range mods {
		m = strings.ToLower(strings.TrimSpace(m))
		if !slices.Contains(modOrder, m) {
			return "", fmt.Errorf("unknown key %q: %q is not a modifier (%s)", s, m, strings.Join(modOrder, ", "))
		}
		seen[m] = true
	}
	if utf8.RuneCountInString(base) == 1 {
		r, _ := utf8.DecodeRuneInString(base)
		if !unicode.IsPrint(r) {
			return "", fmt.Errorf("unknown key %q", s)
		}
		if len(mods) > 0 && unicode.IsLetter(r) {
			// With a modifier a letter arrives as its key, lower case, and
			// shift as a modifier: people write Ctrl+F and mean ctrl+f.
			if len(mods) == 1 && seen["shift"] {
				// Without another modifier it arrives as the text typed.
				return "", fmt.Errorf("key %q never arrives as such; write %q", s, string(unicode.ToUpper(r)))
			}
			base = string(unicode.ToLower(r))
		}
	} else {
		name, ok := keyNames[strings.ToLower(base)]
		if !ok && fnKey.MatchString(strings.ToLower(base)) {
			name, ok = strings.ToLower(base), true
		}
		if !ok {
			return "", fmt.Errorf("unknown key %q (want one character, or a name such as enter, esc, tab, space, up, pgdown, f1)", s)
		}
		base = name
	}
	var b strings.Builder
	for _, m := range modOrder {
		if seen[m] {
			b.WriteString(m + "+")
		}
	}
	b.WriteString(base)
	return b.String(), nil
}

// checker reports problems in one config file, at the line they are on.
type checker struct{ file string }

func (c checker) errAt(n *yaml.Node, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if n == nil || n.Line == 0 {
		return fmt.Errorf("config %s: %s", c.file, msg)
	}
	return fmt.Errorf("config %s:%d: %s", c.file, n.Line, msg)
}

// keys rejects unknown and repeated keys in a mapping: a typo silently
// ignored is worse than an error.
func (c checker) keys(m *yaml.Node, where string, allowed ...string) error {
	prefix := ""
	if where != "" {
		prefix = where + ": "
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind != yaml.ScalarNode || !slices.Contains(allowed, k.Value) {
			return c.errAt(k, "%sunknown key %s (want %s)", prefix, describe(k), strings.Join(allowed, ", "))
		}
		if seen[k.Value] {
			return c.errAt(k, "%s%s set twice", prefix, k.Value)
		}
		seen[k.Value] = true
	}
	return nil
}

// section checks a mapping section such as logs: or exec:.
func (c checker) section(n *yaml.Node, name string, allowed ...string) error {
	if n.Kind != yaml.MappingNode {
		return c.errAt(n, "%s: want a mapping (%s), got %s", name, strings.Join(allowed, ", "), describe(n))
	}
	return c.keys(n, name, allowed...)
}

// yamlLine pulls the line out of yaml.v3's syntax errors
// ("yaml: line 3: did not find expected key") so the message can lead with
// file:line like the others.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func yamlSyntaxError(file string, data []byte, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := ""
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, msg = ":"+m[1], m[2]
	}
	// yaml.v3 sometimes blames the line before a tab; a tab in the
	// indentation is the usual culprit, so point at it.
	if strings.Contains(msg, "tab") || strings.Contains(msg, "cannot start any token") {
		for i, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimLeft(l, " "), "\t") {
				return fmt.Errorf("config %s:%d: a tab in the indentation; YAML indents with spaces", file, i+1)
			}
		}
	}
	return fmt.Errorf("config %s%s: %s", file, line, msg)
}

func fieldOf(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindOf(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}

// describe quotes a value for a message, or names its kind.
func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		if isNull(n) {
			return "nothing"
		}
		return strconv.Quote(n.Value)
	}
	return "a " + kindOf(n)
}

// didYouMean suggests the binding a mistyped name was probably meant to be:
// the closest by edit distance, if close enough.
func didYouMean(name string, names []string) string {
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return " (the help overlay, ?, lists them)"
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
