package edit

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/stackui/stackui/stack"
	"gopkg.in/yaml.v3"
)

// Bounds on what a fix will walk: includes can form cycles and aliases can
// point at their own ancestors (compose-go reports those; the walk must
// just end).
const (
	maxFiles = 64
	maxDepth = 64
)

// files are a project's compose files in the order compose-go merges them:
// the -f files in order, each after the files it includes, so a later file
// overrides an earlier one.
type files struct {
	dir  string
	srcs []*source
	// ownDir is where stackui keeps the override files it generates
	// (the doctor's no-GPU override); a new key goes to the user's files.
	ownDir string
}

func readProject(p *stack.Project) (*files, error) {
	if p == nil || len(p.Files) == 0 {
		return nil, fmt.Errorf("the project has no compose files")
	}
	fs := &files{dir: p.WorkingDir}
	if cfg, err := os.UserConfigDir(); err == nil {
		fs.ownDir = filepath.Join(cfg, "stackui") + string(filepath.Separator)
	}
	seen := map[string]bool{}
	for _, f := range p.Files {
		// compose-go resolves the includes of every -f file against the
		// project directory, not the file's own folder.
		if err := fs.add(f, p.WorkingDir, seen); err != nil {
			return nil, err
		}
	}
	return fs, nil
}

func (fs *files) add(path, base string, seen map[string]bool) error {
	path = filepath.Clean(path)
	if seen[path] {
		return nil
	}
	seen[path] = true
	if len(seen) > maxFiles {
		return fmt.Errorf("more than %d compose files are included", maxFiles)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read compose file: %w", err)
	}
	src, err := parseSource(path, data)
	if err != nil {
		return err
	}
	for _, root := range src.docs {
		for _, inc := range includes(root) {
			childBase := ""
			for i, p := range inc.paths {
				p = absUnder(base, p)
				if i == 0 {
					childBase = filepath.Dir(p)
					if inc.projectDir != "" {
						childBase = absUnder(base, inc.projectDir)
					}
				}
				if err := fs.add(p, childBase, seen); err != nil {
					return err
				}
			}
		}
	}
	fs.srcs = append(fs.srcs, src)
	return nil
}

func absUnder(base, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}

type include struct {
	paths      []string
	projectDir string
}

// includes lists a document's local include entries. Entries with a
// variable or a remote (git, oci) path are left out: no fix edits them.
func includes(root *yaml.Node) []include {
	root, _ = deref(root, false)
	if root == nil || root.Kind != yaml.MappingNode {
		return nil
	}
	h, ok := find(root, false, false, []string{"include"})
	if !ok || h.val.Kind != yaml.SequenceNode {
		return nil
	}
	var out []include
	for _, item := range h.val.Content {
		item, _ = deref(item, false)
		var inc include
		switch {
		case item == nil:
			continue
		case item.Kind == yaml.ScalarNode:
			inc.paths = []string{item.Value}
		case item.Kind == yaml.MappingNode:
			if p, ok := find(item, false, false, []string{"path"}); ok {
				inc.paths = scalars(p.val)
			}
			if d, ok := find(item, false, false, []string{"project_directory"}); ok && d.val.Kind == yaml.ScalarNode {
				inc.projectDir = d.val.Value
			}
		}
		local := len(inc.paths) > 0 && !strings.Contains(inc.projectDir, "$")
		for _, p := range inc.paths {
			if p == "" || strings.Contains(p, "$") || strings.Contains(p, "://") || strings.HasPrefix(p, "oci:") || strings.HasPrefix(p, "git@") {
				local = false
			}
		}
		if local {
			out = append(out, inc)
		}
	}
	return out
}

func scalars(n *yaml.Node) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		return []string{n.Value}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if c, _ = deref(c, false); c != nil && c.Kind == yaml.ScalarNode {
				out = append(out, c.Value)
			}
		}
		return out
	}
	return nil
}

// layer is one document that defines a service.
type layer struct {
	src    *source
	doc    int
	svc    *yaml.Node // the service's mapping
	shared bool       // the mapping itself is an alias
	flow   bool       // the mapping sits inside a flow collection
	// generated: the file is one stackui generated, not the user's
	generated bool
}

// layers returns the documents that define service, in merge order.
func (fs *files) layers(service string) []layer {
	var out []layer
	for _, src := range fs.srcs {
		for i, root := range src.docs {
			if l, ok := serviceLayer(src, i, root, service); ok {
				l.generated = fs.ownDir != "" && strings.HasPrefix(src.path, fs.ownDir)
				out = append(out, l)
			}
		}
	}
	return out
}

// newKeyLayer is where a key no file sets goes: the last of the user's
// files that defines the service, rather than an override stackui
// generated, which it may replace or drop.
func newKeyLayer(ls []layer) layer {
	for i := len(ls) - 1; i >= 0; i-- {
		if !ls[i].generated {
			return ls[i]
		}
	}
	return ls[len(ls)-1]
}

func serviceLayer(src *source, doc int, root *yaml.Node, service string) (layer, bool) {
	root, _ = deref(root, false)
	if root == nil || root.Kind != yaml.MappingNode {
		return layer{}, false
	}
	h, ok := find(root, false, false, []string{"services", service})
	if !ok || h.val.Kind != yaml.MappingNode {
		return layer{}, false
	}
	return layer{src: src, doc: doc, svc: h.val, shared: h.shared, flow: h.flow}, true
}

// hit is a key found under a mapping.
type hit struct {
	key    *yaml.Node
	val    *yaml.Node // dereferenced
	parent *yaml.Node // the mapping or sequence that holds it
	shared bool       // reached through an alias or a merge key
	flow   bool       // val sits inside a flow collection
}

func deref(n *yaml.Node, shared bool) (*yaml.Node, bool) {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > maxDepth {
			return nil, true
		}
		n, shared = n.Alias, true
	}
	return n, shared
}

// find follows path (mapping keys, or indexes into sequences) from n, as
// YAML reads it: a mapping's own keys first, then its merge keys.
func find(n *yaml.Node, shared, flow bool, path []string) (hit, bool) {
	var h hit
	cur := n
	for _, seg := range path {
		cur, shared = deref(cur, shared)
		if cur == nil {
			return hit{}, false
		}
		flow = flow || cur.Style&yaml.FlowStyle != 0
		switch cur.Kind {
		case yaml.MappingNode:
			k, v, parent := mapGet(cur, seg, 0)
			if k == nil {
				return hit{}, false
			}
			h = hit{key: k, parent: parent}
			if parent != cur {
				// merged from an anchor: shared, and in flow only if the
				// anchored mapping is
				shared = true
				flow = parent.Style&yaml.FlowStyle != 0
			}
			cur = v
		case yaml.SequenceNode:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(cur.Content) {
				return hit{}, false
			}
			h = hit{parent: cur}
			cur = cur.Content[i]
		default:
			return hit{}, false
		}
	}
	cur, shared = deref(cur, shared)
	if cur == nil {
		return hit{}, false
	}
	h.val, h.shared, h.flow = cur, shared, flow
	return h, true
}

// mapGet returns key's key and value nodes in mapping m and the mapping
// that holds them: m itself, or one merged in by a merge key (<<: *anchor).
func mapGet(m *yaml.Node, key string, depth int) (k, v, parent *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if kn := m.Content[i]; kn.Tag != "!!merge" && kn.Kind == yaml.ScalarNode && kn.Value == key {
			return kn, m.Content[i+1], m
		}
	}
	if depth > maxDepth {
		return nil, nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag != "!!merge" {
			continue
		}
		src, _ := deref(m.Content[i+1], true)
		if src == nil {
			continue
		}
		list := []*yaml.Node{src}
		if src.Kind == yaml.SequenceNode {
			list = src.Content
		}
		for _, s := range list {
			if s, _ = deref(s, true); s != nil && s.Kind == yaml.MappingNode {
				if k, v, p := mapGet(s, key, depth+1); k != nil {
					return k, v, p
				}
			}
		}
	}
	return nil, nil, nil
}

// lastSet returns the last layer whose service sets path, and the hit.
func lastSet(ls []layer, path ...string) (layer, hit, bool) {
	for i := len(ls) - 1; i >= 0; i-- {
		if h, ok := find(ls[i].svc, ls[i].shared, ls[i].flow, path); ok && !isEmptyNull(h.val) {
			return ls[i], h, true
		}
	}
	return layer{}, hit{}, false
}

// isEmptyNull is `key:` or `key: null`: compose-go reads it as unset.
func isEmptyNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}
