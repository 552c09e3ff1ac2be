package stack

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlSource is one compose file parsed into YAML nodes. It is only built
// after compose-go has failed, to find the line behind a key path that the
// loader's message names without one.
type yamlSource struct {
	path    string
	content []byte
	docs    []*yaml.Node // the root value of each document
	err     error        // why the file could not be read or parsed
}

func readYAML(path string) *yamlSource {
	src := &yamlSource{path: path}
	if err := checkInputFile("", path, "file", "", 0); err != nil {
		src.err = err
		return src
	}
	b, err := os.ReadFile(path)
	if err != nil {
		src.err = err
		return src
	}
	src.content = b
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			src.err = err
			break
		}
		if len(doc.Content) > 0 {
			src.docs = append(src.docs, doc.Content[0])
		}
	}
	return src
}

// empty reports whether the file parses to nothing compose-go would keep:
// no document, or only null and empty mappings.
func (s *yamlSource) empty() bool {
	if s.err != nil {
		return false
	}
	for _, d := range s.docs {
		d = yamlDeref(d, 0)
		if d == nil {
			continue
		}
		if d.Kind == yaml.MappingNode && len(d.Content) > 0 {
			return false
		}
		if d.Kind != yaml.MappingNode && d.Tag != "!!null" {
			return false
		}
	}
	return true
}

// notMapping returns the line of a document whose root is not a mapping.
func (s *yamlSource) notMapping() (int, bool) {
	for _, d := range s.docs {
		d = yamlDeref(d, 0)
		if d != nil && d.Kind != yaml.MappingNode && d.Tag != "!!null" {
			return d.Line, true
		}
	}
	return 0, false
}

// locate finds the line of the deepest key of path (segments as parsePath
// returns them) present in the file, and how many segments matched.
func (s *yamlSource) locate(path []string) (line, matched int) {
	w := &yamlWalk{}
	for _, d := range s.docs {
		if l, m := w.findKey(d, path, 0); m > matched {
			line, matched = l, m
		}
	}
	return line, matched
}

// maxYAMLDepth bounds the walk through aliases and merge keys, which can
// point back at their own ancestors; maxYAMLVisits bounds the whole walk,
// since merge keys that each merge the same anchor twice grow
// exponentially.
const (
	maxYAMLDepth  = 64
	maxYAMLVisits = 100000
)

// yamlWalk is one bounded walk through a file's nodes.
type yamlWalk struct{ visits int }

func (w *yamlWalk) spent() bool {
	w.visits++
	return w.visits > maxYAMLVisits
}

func yamlDeref(n *yaml.Node, depth int) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && depth < maxYAMLDepth {
		n = n.Alias
		depth++
	}
	if n != nil && n.Kind == yaml.AliasNode {
		return nil
	}
	return n
}

func (w *yamlWalk) findKey(n *yaml.Node, path []string, depth int) (line, matched int) {
	n = yamlDeref(n, depth)
	if w.spent() || n == nil || len(path) == 0 || depth > maxYAMLDepth {
		return 0, 0
	}
	switch n.Kind {
	case yaml.MappingNode:
		if path[0] == "*" {
			// any key: the first whose value holds the rest of the path
			for i := 1; i < len(n.Content); i += 2 {
				if l, m := w.findKey(n.Content[i], path[1:], depth+1); m == len(path)-1 && m > 0 {
					return l, 1 + m
				}
			}
			return 0, 0
		}
		// Service and network names may contain dots, so a key can span
		// several segments: try the longest first.
		for j := len(path); j >= 1; j-- {
			k, v := w.mapGet(n, strings.Join(path[:j], "."), depth)
			if k == nil {
				continue
			}
			if l, m := w.findKey(v, path[j:], depth+1); m > 0 {
				return l, j + m
			}
			return k.Line, j
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(path[0]); err == nil && i >= 0 && i < len(n.Content) {
			if l, m := w.findKey(n.Content[i], path[1:], depth+1); m > 0 {
				return l, 1 + m
			}
			return n.Content[i].Line, 1
		}
		// environment, labels and the like in their list form: "KEY=value".
		for _, item := range n.Content {
			item = yamlDeref(item, depth)
			if item != nil && item.Kind == yaml.ScalarNode &&
				(item.Value == path[0] || strings.HasPrefix(item.Value, path[0]+"=")) {
				return item.Line, 1
			}
		}
	}
	return 0, 0
}

// mapGet returns a mapping's key and value nodes for key, looking through
// merge keys (<<: *anchor) after the mapping's own keys, as YAML does.
func (w *yamlWalk) mapGet(n *yaml.Node, key string, depth int) (k, v *yaml.Node) {
	if w.spent() {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i].Tag != "!!merge" {
			return n.Content[i], n.Content[i+1]
		}
	}
	if depth > maxYAMLDepth {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Tag != "!!merge" {
			continue
		}
		merged := yamlDeref(n.Content[i+1], depth)
		if merged == nil {
			continue
		}
		sources := []*yaml.Node{merged}
		if merged.Kind == yaml.SequenceNode {
			sources = merged.Content
		}
		for _, src := range sources {
			if src = yamlDeref(src, depth); src != nil && src.Kind == yaml.MappingNode {
				if k, v := w.mapGet(src, key, depth+1); k != nil {
					return k, v
				}
			}
		}
	}
	return nil, nil
}

// parsePath splits a loader key path such as `services[trainer].mem_limit`
// or `services.web.ports[0]` into segments.
func parseKeyPath(s string) []string {
	var segs []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			segs = append(segs, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '.':
			flush()
		case '[':
			flush()
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				cur.WriteString(s[i+1:])
				i = len(s)
				continue
			}
			segs = append(segs, s[i+1:i+end])
			i += end
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return segs
}

// fileRef is a compose file's reference to another file: an `include`
// entry or an `extends.file`.
type fileRef struct {
	from  string // the referencing file
	line  int
	kind  string // "include", "extends" or kindIncludeEnv
	value string // as written
	path  string // resolved against the referencing file's directory
}

// kindIncludeEnv is the fileRef kind of an include entry's env_file.
const kindIncludeEnv = "include env_file"

// maxRelatedFiles bounds the walk through includes and extends, which can
// form cycles (compose-go reports those; the walk must just not loop). A
// project with more files than this does not load (see preflight).
const maxRelatedFiles = 256

// relatedSources parses the project's files and, transitively, the files
// they include or extend, returning them with every reference found.
func relatedSources(files []string) ([]*yamlSource, []fileRef) {
	sources, refs, _, _ := relatedSourcesAll(files)
	return sources, refs
}

// relatedSourcesAll is relatedSources, also saying whether the walk
// stopped at maxRelatedFiles with files left (truncated), or at the file
// (tooBig) that took the files' sizes past MaxProjectBytes: that one is
// not read, so a project over the bound is not parsed here either.
func relatedSourcesAll(files []string) (sources []*yamlSource, refs []fileRef, truncated bool, tooBig string) {
	seen, counted := map[string]bool{}, map[string]bool{}
	var total int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil && !counted[f] {
			counted[f] = true
			if total += fi.Size(); total > MaxProjectBytes {
				return nil, nil, false, f
			}
		}
	}
	queue := append([]string(nil), files...)
	for len(queue) > 0 && len(sources) < maxRelatedFiles {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		src := readYAML(path)
		sources = append(sources, src)
		for _, r := range src.refs() {
			refs = append(refs, r)
			// only what checkInputFile would let compose-go read
			if fi, err := os.Stat(r.path); err == nil && fi.Mode().IsRegular() && fi.Size() <= MaxFileBytes && r.kind != kindIncludeEnv {
				// counted when first named, so a project over the bound
				// is refused before its files are parsed
				if !counted[r.path] {
					counted[r.path] = true
					if total += fi.Size(); total > MaxProjectBytes {
						return sources, refs, false, r.path
					}
				}
				queue = append(queue, r.path)
			}
		}
	}
	for _, q := range queue {
		if !seen[q] {
			truncated = true
		}
	}
	return sources, refs, truncated, ""
}

func (s *yamlSource) refs() []fileRef {
	w := &yamlWalk{}
	var refs []fileRef
	add := func(kind string, n *yaml.Node) {
		n = yamlDeref(n, 0)
		if n == nil || n.Kind != yaml.ScalarNode || n.Value == "" {
			return
		}
		p := n.Value
		if !filepath.IsAbs(p) {
			p = filepath.Join(filepath.Dir(s.path), p)
		}
		refs = append(refs, fileRef{from: s.path, line: n.Line, kind: kind, value: n.Value, path: filepath.Clean(p)})
	}
	for _, d := range s.docs {
		d = yamlDeref(d, 0)
		if d == nil || d.Kind != yaml.MappingNode {
			continue
		}
		if _, inc := w.mapGet(d, "include", 0); inc != nil && yamlDeref(inc, 0) != nil && yamlDeref(inc, 0).Kind == yaml.SequenceNode {
			for _, item := range yamlDeref(inc, 0).Content {
				item = yamlDeref(item, 0)
				if item == nil {
					continue
				}
				if item.Kind == yaml.ScalarNode {
					add("include", item)
					continue
				}
				if item.Kind == yaml.MappingNode {
					if _, e := w.mapGet(item, "env_file", 0); e != nil {
						if e = yamlDeref(e, 0); e != nil && e.Kind == yaml.SequenceNode {
							for _, x := range e.Content {
								add(kindIncludeEnv, x)
							}
						} else {
							add(kindIncludeEnv, e)
						}
					}
					if _, p := w.mapGet(item, "path", 0); p != nil {
						if p = yamlDeref(p, 0); p != nil && p.Kind == yaml.SequenceNode {
							for _, e := range p.Content {
								add("include", e)
							}
						} else {
							add("include", p)
						}
					}
				}
			}
		}
		_, svcs := w.mapGet(d, "services", 0)
		if svcs = yamlDeref(svcs, 0); svcs == nil || svcs.Kind != yaml.MappingNode {
			continue
		}
		for i := 1; i < len(svcs.Content); i += 2 {
			svc := yamlDeref(svcs.Content[i], 0)
			if svc == nil || svc.Kind != yaml.MappingNode {
				continue
			}
			if _, ext := w.mapGet(svc, "extends", 0); ext != nil {
				if ext = yamlDeref(ext, 0); ext != nil && ext.Kind == yaml.MappingNode {
					if _, f := w.mapGet(ext, "file", 0); f != nil {
						add("extends", f)
					}
				}
			}
		}
	}
	return refs
}
