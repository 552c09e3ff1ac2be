package themes

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/stackui/stackui/internal/yamlconf"
)

// parseDoc parses data into its top-level mapping; nil for an empty
// document. Only the first document counts: a theme is one mapping.
func parseDoc(file string, data []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlconf.SyntaxError("theme", file, data, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil // only comments
	}
	if root.Kind != yaml.MappingNode {
		return nil, errAt(file, root, "want a mapping (description, base, colors), got a %s", kindName(root.Kind))
	}
	return root, nil
}

// checkKeys rejects keys a mapping may not have, and repeated ones: a typo
// that is silently ignored is worse than an error. where prefixes the
// message ("colors"), what names the kind of key ("colour").
func checkKeys(file string, m *yaml.Node, where, what string, allowed ...string) error {
	prefix := ""
	if where != "" {
		prefix = where + ": "
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind != yaml.ScalarNode {
			return errAt(file, k, "%swant a plain key, got a %s", prefix, kindName(k.Kind))
		}
		if !slices.Contains(allowed, k.Value) {
			return errAt(file, k, "%sunknown %s %q (want one of %s)", prefix, what, k.Value, strings.Join(allowed, ", "))
		}
		if seen[k.Value] {
			return errAt(file, k, "%s%s %q set twice", prefix, what, k.Value)
		}
		seen[k.Value] = true
	}
	return nil
}

func errAt(file string, n *yaml.Node, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if n == nil || n.Line == 0 {
		return errors.New("theme " + file + ": " + msg)
	}
	return fmt.Errorf("theme %s:%d: %s", file, n.Line, msg)
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "value"
	case yaml.AliasNode:
		return "alias"
	case yaml.DocumentNode:
		return "document"
	}
	return "node"
}
