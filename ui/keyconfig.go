package ui

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/stackui/stackui/internal/suggest"
)

// Key overrides from config.yaml: checked, then applied to the key map.

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
		if d := suggest.Distance(name, n); d < bestD {
			best, bestD = n, d
		}
	}
	if best == "" {
		return " (the help overlay, ?, lists them)"
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}
