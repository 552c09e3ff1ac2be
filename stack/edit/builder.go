package edit

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/stackui/stackui/stack"
	"gopkg.in/yaml.v3"
)

// Change is one proposed edit of one file.
type Change struct {
	File   string // absolute path of the file to write
	Before []byte // file content the change was computed from
	After  []byte
}

// Plan is a set of changes made by one fix, plus a one-line description.
type Plan struct {
	Title   string // e.g. "raise trainer's memory limit from 64 MiB to 128 MiB"
	Changes []Change
	// Dir is the project directory; Diff names files relative to it.
	Dir string
	// Setting is the one size the fix changes, when it changes one; the
	// journal keeps it, so a later diagnosis knows what was raised.
	Setting *Setting
}

// Setting is a size setting of a service that a fix changed.
type Setting struct {
	Service string `json:"service"`
	Key     string `json:"key"`  // "memory", "shm_size"
	From    int64  `json:"from"` // bytes in effect before; 0 when unset
	To      int64  `json:"to"`
}

// builder collects the splices of one fix, file by file, with what each
// edited value must read as afterwards.
type builder struct {
	fs      *files
	service string
	edits   []*fileEdit
}

type fileEdit struct {
	src     *source
	splices []splice
	checks  []check
}

// check is what a value must read as once the file is edited: the fix
// re-parses its result and refuses it if the splice said something else.
type check struct {
	doc  int
	path []string // from the service's mapping
	want string
}

func newBuilder(p *stack.Project, service string) (*builder, []layer, error) {
	fs, err := readProject(p)
	if err != nil {
		return nil, nil, err
	}
	b := &builder{fs: fs, service: service}
	ls := fs.layers(service)
	if len(ls) == 0 {
		return nil, nil, fmt.Errorf("service %q: %w in the compose files", service, ErrNotFound)
	}
	return b, ls, nil
}

func (b *builder) file(src *source) *fileEdit {
	for _, e := range b.edits {
		if e.src == src {
			return e
		}
	}
	e := &fileEdit{src: src}
	b.edits = append(b.edits, e)
	return e
}

// reVariable matches an interpolation: ${VAR}, $VAR; `$$` is a literal $.
var reVariable = regexp.MustCompile(`(^|[^$])(\$\$)*\$[{A-Za-z_]`)

// replace rewrites the scalar of h in l's file to value, in its style.
func (b *builder) replace(l layer, h hit, path []string, value string, wantString bool) error {
	if h.val.Kind != yaml.ScalarNode {
		return fmt.Errorf("%s:%d: %s: %w: not a single value", l.src.path, h.val.Line, strings.Join(path, "."), ErrUnsupported)
	}
	if reVariable.MatchString(h.val.Value) {
		return fmt.Errorf("%s:%d: %s is %q: %w", l.src.path, h.val.Line, strings.Join(path, "."), h.val.Value, ErrVariable)
	}
	sp, err := l.src.scalarSpan(h.val, h.flow)
	if err != nil {
		return err
	}
	text := quoteStyle(h.val, value, wantString)
	if sp.start == sp.end && sp.start > 0 && l.src.data[sp.start-1] == ':' {
		text = " " + text
	}
	e := b.file(l.src)
	e.splices = append(e.splices, splice{sp, text})
	e.checks = append(e.checks, check{doc: l.doc, path: path, want: value})
	return nil
}

// insert adds `key: value` to the mapping at parentPath (nil: the service
// mapping itself) in l's file.
func (b *builder) insert(l layer, parentPath []string, key, value string, wantString bool) error {
	m, shared := l.svc, l.shared
	if len(parentPath) > 0 {
		h, ok := find(l.svc, l.shared, l.flow, parentPath)
		if !ok || h.val.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: %s is not a mapping", l.src.path, strings.Join(parentPath, "."))
		}
		m, shared = h.val, h.shared
	}
	if shared {
		return fmt.Errorf("%s:%d: service %q: %w; change it by hand", l.src.path, m.Line, b.service, ErrShared)
	}
	// a `key:` left empty is replaced, not repeated
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i]; k.Tag != "!!merge" && k.Value == key {
			return b.replace(l, hit{key: k, val: m.Content[i+1], parent: m, flow: m.Style&yaml.FlowStyle != 0},
				append(append([]string(nil), parentPath...), key), value, wantString)
		}
	}
	sp, err := l.src.insertKey(m, key, quoteStyle(nil, value, wantString))
	if err != nil {
		return err
	}
	e := b.file(l.src)
	e.splices = append(e.splices, sp)
	e.checks = append(e.checks, check{doc: l.doc, path: append(append([]string(nil), parentPath...), key), want: value})
	return nil
}

// set makes path (under the service) read value: in place in the last
// file that sets it; as the service's own key when the value only comes
// from a merge key, which the service's own key overrides without touching
// the anchor other services share; or as a new key of the last file that
// defines the service.
func (b *builder) set(ls []layer, path []string, value func(old *yaml.Node) string, wantString bool) error {
	l, h, ok := lastSet(ls, path...)
	switch {
	case ok && !h.shared:
		return b.replace(l, h, path, value(h.val), wantString)
	case ok && len(path) == 1:
		return b.insert(l, nil, path[0], value(h.val), wantString)
	case ok:
		return fmt.Errorf("%s:%d: service %q: %s: %w; change it by hand", l.src.path, h.val.Line, b.service, strings.Join(path, "."), ErrShared)
	case len(path) == 1:
		return b.insert(newKeyLayer(ls), nil, path[0], value(nil), wantString)
	default:
		return b.insert(newKeyLayer(ls), path[:len(path)-1], path[len(path)-1], value(nil), wantString)
	}
}

// plan makes the splices and checks that each file still parses and that
// every edited value reads as intended.
func (b *builder) plan(title string) (Plan, error) {
	p := Plan{Title: title, Dir: b.fs.dir}
	for _, e := range b.edits {
		after, err := apply(e.src.data, e.splices)
		if err != nil {
			return Plan{}, fmt.Errorf("%s: %w", e.src.path, err)
		}
		res, err := parseSource(e.src.path, after)
		if err != nil {
			return Plan{}, fmt.Errorf("%w: the edit would break the file: %v", ErrUnsupported, err)
		}
		if len(res.docs) != len(e.src.docs) {
			return Plan{}, fmt.Errorf("%s: %w: the edit would change the documents", e.src.path, ErrUnsupported)
		}
		for _, c := range e.checks {
			l, ok := serviceLayer(res, c.doc, res.docs[c.doc], b.service)
			var h hit
			if ok {
				h, ok = find(l.svc, l.shared, l.flow, c.path)
			}
			if !ok || h.val.Kind != yaml.ScalarNode || h.val.Value != c.want {
				return Plan{}, fmt.Errorf("%s: %w: service %q: %s would not read %q after the edit",
					e.src.path, ErrUnsupported, b.service, strings.Join(c.path, "."), c.want)
			}
		}
		if !bytes.Equal(after, e.src.data) {
			p.Changes = append(p.Changes, Change{File: e.src.path, Before: e.src.data, After: after})
		}
	}
	if len(p.Changes) == 0 {
		return Plan{}, fmt.Errorf("%s: %w", title, ErrNoChange)
	}
	return p, nil
}
