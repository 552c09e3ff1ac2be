package themes

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/stackui/stackui/internal/yamlconf"
)

// DefaultName is the theme used when the config names none.
const DefaultName = "default"

//go:embed builtin/*.yaml
var builtinFS embed.FS

// maxFileSize bounds what a theme file may be: a theme is a few lines, and a
// typo pointing at a huge file should fail rather than be read whole.
const maxFileSize = 1 << 20

// Builtins lists the themes shipped inside the binary, sorted.
func Builtins() []string {
	entries, err := builtinFS.ReadDir("builtin")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// Load finds a theme by name and returns its palette. name is, in order:
//   - "" or a builtin name (see Builtins); a user file never shadows a
//     builtin, so a name means the same on every machine;
//   - a user theme, userDir/themes/NAME.yaml (userDir is stackui's config
//     folder, e.g. ~/.config/stackui);
//   - a path to a .yaml or .yml file; a relative path is taken from userDir,
//     because theme names come from config.yaml, which lives there.
//
// A user file may set only some colours, or only one variant of a colour;
// the rest come from its `base:` theme (default: the default theme). Errors
// name the file and line, on one line.
func Load(name, userDir string) (Palette, error) {
	if name == "" {
		name = DefaultName
	}
	if looksLikePath(name) {
		path := name
		if !filepath.IsAbs(path) && userDir != "" {
			path = filepath.Join(userDir, path)
		}
		return loadFile(path)
	}
	if data, err := builtinFS.ReadFile("builtin/" + name + ".yaml"); err == nil {
		return parseBuiltin(name, data)
	}
	builtins := strings.Join(Builtins(), ", ")
	if userDir == "" {
		return Palette{}, fmt.Errorf("unknown theme %q: not a builtin (%s)", name, builtins)
	}
	path := filepath.Join(userDir, "themes", name+".yaml")
	if _, err := os.Stat(path); err != nil {
		return Palette{}, fmt.Errorf("unknown theme %q: not a builtin (%s) and no file %s", name, builtins, path)
	}
	return loadFile(path)
}

func looksLikePath(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml" || strings.ContainsAny(name, `/\`)
}

func loadFile(path string) (Palette, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return Palette{}, fmt.Errorf("theme %s: no such file", path)
		}
		return Palette{}, fmt.Errorf("theme: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return Palette{}, fmt.Errorf("theme: %w", err)
	}
	if len(data) > maxFileSize {
		return Palette{}, fmt.Errorf("theme %s: larger than %d bytes; is this a theme file?", path, maxFileSize)
	}
	return Parse(path, data)
}

// Parse reads a theme file's contents; file names it in errors. Colours it
// leaves out come from its base theme; an empty file is its base theme.
func Parse(file string, data []byte) (Palette, error) {
	doc, err := parseDoc(file, data)
	if err != nil {
		return Palette{}, err
	}
	base := DefaultName
	baseNode := yamlconf.Field(doc, "base")
	if baseNode != nil {
		if baseNode.Kind != yaml.ScalarNode || baseNode.Value == "" {
			return Palette{}, errAt(file, baseNode, "base: want the name of a builtin theme (%s)", strings.Join(Builtins(), ", "))
		}
		base = baseNode.Value
	}
	baseData, err := builtinFS.ReadFile("builtin/" + base + ".yaml")
	if err != nil {
		return Palette{}, errAt(file, baseNode, "base: unknown builtin theme %q (want one of %s)",
			base, strings.Join(Builtins(), ", "))
	}
	p, err := parseBuiltin(base, baseData)
	if err != nil {
		return Palette{}, err
	}
	if err := apply(file, doc, &p); err != nil {
		return Palette{}, err
	}
	return p, nil
}

// parseBuiltin reads a shipped theme, which must set every colour, both
// variants, and has no base.
func parseBuiltin(name string, data []byte) (Palette, error) {
	file := "builtin/" + name + ".yaml"
	doc, err := parseDoc(file, data)
	if err != nil {
		return Palette{}, err
	}
	if n := yamlconf.Field(doc, "base"); n != nil {
		return Palette{}, errAt(file, n, "a builtin theme has no base")
	}
	var p Palette
	if err := apply(file, doc, &p); err != nil {
		return Palette{}, err
	}
	for _, e := range entries(&p) {
		if e.c.Dark == "" || e.c.Light == "" {
			return Palette{}, fmt.Errorf("theme %s: colour %s needs both dark and light", file, e.name)
		}
	}
	return p, nil
}

// entry ties a palette field to its name in theme files.
type entry struct {
	name string
	c    *Color
}

func entries(p *Palette) []entry {
	return []entry{
		{"accent", &p.Accent}, {"muted", &p.Muted}, {"ok", &p.OK}, {"warn", &p.Warn},
		{"bad", &p.Bad}, {"text", &p.Text}, {"dim", &p.Dim},
	}
}

// apply checks a theme document and copies the colours it sets into p. A nil
// doc (an empty file) sets nothing.
func apply(file string, doc *yaml.Node, p *Palette) error {
	if doc == nil {
		return nil
	}
	if err := checkKeys(file, doc, "", "key", "description", "base", "colors"); err != nil {
		return err
	}
	if n := yamlconf.Field(doc, "description"); n != nil && n.Kind != yaml.ScalarNode {
		return errAt(file, n, "description: want a string")
	}
	colors := yamlconf.Field(doc, "colors")
	if colors == nil || (colors.Kind == yaml.ScalarNode && colors.Tag == "!!null") {
		return nil
	}
	es := entries(p)
	names := make([]string, len(es))
	for i, e := range es {
		names[i] = e.name
	}
	if colors.Kind != yaml.MappingNode {
		return errAt(file, colors, "colors: want a mapping of colour names (%s)", strings.Join(names, ", "))
	}
	if err := checkKeys(file, colors, "colors", "colour", names...); err != nil {
		return err
	}
	for _, e := range es {
		if n := yamlconf.Field(colors, e.name); n != nil {
			if err := applyColor(file, "colors."+e.name, n, e.c); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyColor reads either one colour for both backgrounds or a
// {dark, light} mapping that may set only one of them.
func applyColor(file, key string, n *yaml.Node, c *Color) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if err := checkColor(file, key, n); err != nil {
			return err
		}
		c.Dark, c.Light = n.Value, n.Value
		return nil
	case yaml.MappingNode:
		if err := checkKeys(file, n, key, "key", "dark", "light"); err != nil {
			return err
		}
		for _, v := range []struct {
			name string
			dst  *string
		}{{"dark", &c.Dark}, {"light", &c.Light}} {
			vn := yamlconf.Field(n, v.name)
			if vn == nil {
				continue
			}
			if err := checkColor(file, key+"."+v.name, vn); err != nil {
				return err
			}
			*v.dst = vn.Value
		}
		return nil
	}
	return errAt(file, n, `%s: want a colour ("#rrggbb") or {dark: COLOUR, light: COLOUR}`, key)
}

var hexColor = regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// checkColor accepts what lipgloss.Color understands and nothing else:
// lipgloss turns anything it cannot parse into no colour, silently.
func checkColor(file, key string, n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		if hexColor.MatchString(n.Value) {
			return nil
		}
		if i, err := strconv.Atoi(n.Value); err == nil && i >= 0 && i <= 255 && n.Value == strconv.Itoa(i) {
			return nil
		}
		if n.Tag == "!!null" {
			return errAt(file, n, "%s: no colour (quote hex colours: a bare # starts a comment)", key)
		}
	}
	got := strconv.Quote(n.Value)
	if n.Kind != yaml.ScalarNode {
		got = "a " + kindName(n.Kind)
	}
	return errAt(file, n, `%s: bad colour %s (want "#rrggbb", "#rgb" or an ANSI number 0-255)`, key, got)
}
