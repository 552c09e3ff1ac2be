package edit

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/stackui/stackui/stack"
	"gopkg.in/yaml.v3"
)

// ServiceConfig is the service's effective configuration as the config tab
// shows it: compose-go's merged, interpolated model marshalled key by key,
// each key with the file:line of every layer that sets it (the -f files,
// their includes, override files, and the services they extend) and the
// variables interpolated into it. It reads the same files and walks the
// same layers as a fix does, so "where is this set" has one answer.
func ServiceConfig(p *stack.Project, service string) (stack.ServiceConfigView, error) {
	view := stack.ServiceConfigView{Service: service}
	if p == nil {
		return view, fmt.Errorf("config of %s: no project loaded", service)
	}
	svc, ok := p.Service(service)
	if !ok {
		return view, fmt.Errorf("config of %s: no such service", service)
	}
	var doc yaml.Node
	if err := doc.Encode(svc.Config); err != nil {
		return view, fmt.Errorf("config of %s: %w", service, err)
	}
	fs, err := readProject(p)
	if err != nil {
		return view, fmt.Errorf("config of %s: %w", service, err)
	}
	chain := fs.chain(service)
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		text, err := marshalKey(k, v)
		if err != nil {
			return view, fmt.Errorf("config of %s: %s: %w", service, k.Value, err)
		}
		ck := stack.ConfigKey{Key: k.Value, YAML: text}
		seen := map[string]bool{}
		for j := len(chain) - 1; j >= 0; j-- {
			l := chain[j]
			h, ok := find(l.svc, l.shared, l.flow, []string{k.Value})
			if !ok || h.key == nil || isEmptyNull(h.val) {
				continue
			}
			ck.Origins = append(ck.Origins, stack.Origin{File: p.DisplayPath(l.src.path), Line: h.key.Line})
			for _, name := range varsIn(l.src, h.key.Line, lastLine(h.val, 0)) {
				if !seen[name] {
					seen[name] = true
					ck.Vars = append(ck.Vars, stack.VarRef{Name: name, From: p.VarOrigin(name)})
				}
			}
		}
		view.Keys = append(view.Keys, ck)
	}
	return view, nil
}

func marshalKey(k, v *yaml.Node) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	m := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{k, v}}
	if err := enc.Encode(m); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return strings.TrimRight(b.String(), "\n"), nil
}

// chain is the layers that define service in merge order, each preceded
// by the layers of the service it extends (compose applies extends inside
// each file before it merges the files).
func (fs *files) chain(service string) []layer {
	var out []layer
	extra := map[string]*source{}
	for _, l := range fs.layers(service) {
		out = append(out, fs.extended(l, extra, 0)...)
		out = append(out, l)
	}
	return out
}

// extended is the layers of the service l extends, in merge order: a
// service of the same file, or of another (read here, since extended files
// are not among the project's files).
func (fs *files) extended(l layer, extra map[string]*source, depth int) []layer {
	h, ok := find(l.svc, l.shared, l.flow, []string{"extends"})
	if !ok || depth > maxDepth {
		return nil
	}
	var file, base string
	switch h.val.Kind {
	case yaml.ScalarNode:
		base = h.val.Value
	case yaml.MappingNode:
		if f, ok := find(h.val, false, false, []string{"file"}); ok && f.val.Kind == yaml.ScalarNode {
			file = f.val.Value
		}
		if s, ok := find(h.val, false, false, []string{"service"}); ok && s.val.Kind == yaml.ScalarNode {
			base = s.val.Value
		}
	}
	if base == "" || strings.Contains(file+base, "$") {
		return nil // a variable: compose-go resolved it, the origin stays unknown
	}
	src := l.src
	if file != "" {
		path := absUnder(filepath.Dir(l.src.path), file)
		if src = extra[path]; src == nil {
			if len(extra) >= maxFiles {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil
			}
			if src, err = parseSource(path, data); err != nil {
				return nil
			}
			extra[path] = src
		}
	}
	var out []layer
	for i, root := range src.docs {
		if bl, ok := serviceLayer(src, i, root, base); ok && bl.svc != l.svc {
			out = append(out, fs.extended(bl, extra, depth+1)...)
			out = append(out, bl)
		}
	}
	return out
}

// lastLine is the last line a node's value spans.
func lastLine(n *yaml.Node, depth int) int {
	last := n.Line
	if depth > maxDepth {
		return last
	}
	for _, c := range n.Content {
		if c.Kind != yaml.AliasNode {
			last = max(last, lastLine(c, depth+1))
		}
	}
	if n.Kind == yaml.ScalarNode && (n.Style&(yaml.LiteralStyle|yaml.FoldedStyle)) != 0 {
		last += strings.Count(n.Value, "\n")
	}
	return last
}

// varRef is `${NAME...}` or `$NAME`; `$$` is an escaped dollar.
var varRef = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)`)

// varsIn lists the variables referenced on lines from..to of src, as
// written, sorted.
func varsIn(src *source, from, to int) []string {
	seen := map[string]bool{}
	var out []string
	for l := from; l <= to && l <= len(src.lines); l++ {
		text := src.lineText(l)
		if i := strings.Index(text, " #"); i >= 0 {
			text = text[:i] // a comment's ${X} is no reference
		}
		for _, m := range varRef.FindAllStringSubmatch(text, -1) {
			name := m[1] + m[2]
			if name != "" && !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}
