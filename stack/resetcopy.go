package stack

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ReadsReset reports whether the CLI understands compose's `!reset` tag,
// which stackui's generated override files use: compose v2.18 and later.
// docker-compose 1.29 rejects the tag, and its merge of two files can only
// add to a list (an empty `devices: []` in a later file leaves the earlier
// reservation in place), so for it stackui applies the resets itself on
// private copies of the files (LoadOptions.ResetCopies).
func (c ComposeCLI) ReadsReset() bool {
	return c.Name == "" || c.AtLeast(2, 18)
}

// resetCopies fills p.CLIFiles for a compose CLI without `!reset`: every
// key an override resets is cut from copies of the user's files that set
// it, the override loses its `!reset` keys, and the copies (in dir, never
// next to the user's files) are what ComposeArgs hands the CLI. They are
// made again on every load, so an edit of the user's file reaches the CLI.
// Relative paths in the copies still work: both CLIs resolve them against
// --project-directory, which ComposeArgs passes.
func (p *Project) resetCopies(dir string) error {
	var resets [][]string
	isOverride := map[string]bool{}
	for _, o := range p.Options.Overrides {
		if abs, err := filepath.Abs(o); err == nil {
			isOverride[abs] = true
		}
	}
	if len(isOverride) == 0 {
		return nil
	}
	type doc struct {
		file string
		root *yaml.Node
	}
	var docs []doc
	for _, f := range p.Files {
		b, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("copy %s for docker-compose: %w", f, err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(b, &root); err != nil {
			return fmt.Errorf("copy %s: %w", f, err)
		}
		if isOverride[f] {
			resets = append(resets, cutResets(&root, nil)...)
		}
		docs = append(docs, doc{f, &root})
	}
	if len(resets) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("copies for docker-compose: %w", err)
	}
	p.CLIFiles = nil
	cutAny := false
	for i, d := range docs {
		changed := isOverride[d.file]
		if !changed {
			for _, path := range resets {
				if deletePath(d.root, path) {
					changed, cutAny = true, true
				}
			}
		}
		if !changed {
			p.CLIFiles = append(p.CLIFiles, d.file)
			continue
		}
		if isOverride[d.file] && emptyDoc(d.root) {
			continue
		}
		var b bytes.Buffer
		enc := yaml.NewEncoder(&b)
		enc.SetIndent(2)
		if err := enc.Encode(d.root); err != nil {
			return fmt.Errorf("copy %s for docker-compose: %w", d.file, err)
		}
		enc.Close()
		out := filepath.Join(dir, fmt.Sprintf("%d-%s", i, filepath.Base(d.file)))
		head := fmt.Sprintf("# Made by stackui from %s for docker-compose, which cannot read !reset.\n# Rewritten on every load; edit the original instead.\n", d.file)
		if err := os.WriteFile(out, append([]byte(head), b.Bytes()...), 0o600); err != nil {
			return fmt.Errorf("copy %s for docker-compose: %w", d.file, err)
		}
		p.CLIFiles = append(p.CLIFiles, out)
	}
	if !cutAny {
		var keys []string
		for _, r := range resets {
			keys = append(keys, strings.Join(r, "."))
		}
		p.Warnings = appendNewWarnings(p.Warnings, fmt.Sprintf("docker-compose cannot read the !reset of stackui's override files, and stackui found none of %s written out in your files (it comes from an anchor, extends or an include): the CLI still gets it",
			strings.Join(keys, ", ")))
	}
	return nil
}

// cutResets removes every key whose value is tagged !reset from the
// mapping n, and returns their paths.
func cutResets(n *yaml.Node, path []string) [][]string {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		return cutResets(n.Content[0], path)
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var out [][]string
	for i := 0; i+1 < len(n.Content); {
		k, v := n.Content[i], n.Content[i+1]
		p := append(slices.Clone(path), k.Value)
		if v.Tag == "!reset" {
			out = append(out, p)
			n.Content = slices.Delete(n.Content, i, i+2)
			continue
		}
		out = append(out, cutResets(v, p)...)
		i += 2
	}
	return out
}

// deletePath deletes the key at path from the document, if it is there
// as plain mappings (a key reached through an alias or a merge key is
// shared with other places, and left alone).
func deletePath(n *yaml.Node, path []string) bool {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	for depth, key := range path {
		if n.Kind != yaml.MappingNode {
			return false
		}
		i := slices.IndexFunc(n.Content, func(k *yaml.Node) bool { return k.Kind == yaml.ScalarNode && k.Value == key })
		if i < 0 || i%2 != 0 {
			return false
		}
		if depth == len(path)-1 {
			n.Content = slices.Delete(n.Content, i, i+2)
			return true
		}
		n = n.Content[i+1]
	}
	return false
}

// emptyDoc reports whether an override holds nothing once its resets are
// cut: only empty mappings.
func emptyDoc(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.DocumentNode, yaml.MappingNode:
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 0 {
				continue
			}
			if !emptyDoc(c) {
				return false
			}
		}
		return true
	}
	return false
}

// cliFiles are the files ComposeArgs names: the copies for a CLI without
// !reset, else the loaded files.
func (p *Project) cliFiles() []string {
	if len(p.CLIFiles) > 0 {
		return p.CLIFiles
	}
	return p.Files
}
