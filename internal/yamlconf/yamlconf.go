// Package yamlconf holds what stackui's hand-checked YAML files (config.yaml
// and theme files) share: syntax errors that lead with file:line, and
// looking up a key in a mapping node.
package yamlconf

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlLine pulls the line out of yaml.v3's syntax errors
// ("yaml: line 3: did not find expected key") so the message can lead with
// file:line like the others.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// SyntaxError rewrites a yaml.v3 syntax error about file as
// "WHAT FILE:LINE: message", WHAT saying which kind of file it is.
func SyntaxError(what, file string, data []byte, err error) error {
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
				return fmt.Errorf("%s %s:%d: a tab in the indentation; YAML indents with spaces", what, file, i+1)
			}
		}
	}
	return fmt.Errorf("%s %s%s: %s", what, file, line, msg)
}

// Field returns the value of key in a mapping node, or nil.
func Field(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
