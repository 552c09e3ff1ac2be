package edit

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/stackui/stackui/stack"
	"gopkg.in/yaml.v3"
)

// Where finds the line that writes a service's key (entrypoint, command,
// volumes, ...) holding text, in the last file that sets the key, as
// "FILE:LINE" with FILE relative to the project folder. It is for
// findings that point at a line rather than fix it; ok is false when no
// value of the key holds text.
func Where(p *stack.Project, service, key, text string) (at string, ok bool) {
	return NewLocator(p).Where(service, key, text)
}

// Locator answers Where for many services of one project, reading and
// parsing its files once: the doctor asks for every service's command,
// and parsing a 300-service file 300 times was most of a diagnosis.
type Locator struct {
	fs *files // nil when the files could not be read
}

// NewLocator reads p's files; a file that cannot be read makes every
// Where answer false.
func NewLocator(p *stack.Project) *Locator {
	fs, err := readProject(p)
	if err != nil {
		fs = nil
	}
	return &Locator{fs: fs}
}

// Where is the package's Where over the files read once.
func (l *Locator) Where(service, key, text string) (at string, ok bool) {
	fs := l.fs
	if fs == nil {
		return "", false
	}
	ls := fs.layers(service)
	for i := len(ls) - 1; i >= 0; i-- {
		h, found := find(ls[i].svc, ls[i].shared, ls[i].flow, []string{key})
		if !found {
			continue
		}
		for _, n := range scalarNodes(h.val, 0) {
			if strings.Contains(n.Value, text) {
				name := ls[i].src.path
				if rel, err := filepath.Rel(fs.dir, name); err == nil && !strings.HasPrefix(rel, "..") {
					name = rel
				}
				return fmt.Sprintf("%s:%d", name, n.Line), true
			}
		}
	}
	return "", false
}

// scalarNodes are the scalars at or under n, in file order.
func scalarNodes(n *yaml.Node, depth int) []*yaml.Node {
	n, _ = deref(n, false)
	if n == nil || depth > maxDepth {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return []*yaml.Node{n}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, c := range n.Content {
			out = append(out, scalarNodes(c, depth+1)...)
		}
		return out
	case yaml.MappingNode:
		var out []*yaml.Node
		for i := 1; i < len(n.Content); i += 2 {
			out = append(out, scalarNodes(n.Content[i], depth+1)...)
		}
		return out
	}
	return nil
}

// SetRestart sets the service's restart policy (no, always, on-failure,
// unless-stopped).
func SetRestart(p *stack.Project, service, policy string) (_ Plan, err error) {
	defer recoverFix(&err)
	if !regexp.MustCompile(`^(no|always|unless-stopped|on-failure(:\d+)?)$`).MatchString(policy) {
		return Plan{}, fmt.Errorf("set %s's restart policy: %q is not a policy", service, policy)
	}
	b, ls, err := newBuilder(p, service)
	if err != nil {
		return Plan{}, fmt.Errorf("set %s's restart policy: %w", service, err)
	}
	if err := b.set(ls, []string{"restart"}, func(*yaml.Node) string { return policy }, true); err != nil {
		return Plan{}, fmt.Errorf("set %s's restart policy: %w", service, err)
	}
	return b.plan(fmt.Sprintf("set %s's restart policy to %s", service, policy))
}

// SetDependsOnCondition sets the condition of the service's depends_on
// entry for dep. The entry must be written as a mapping (`depends_on: {db:
// {condition: ...}}` in block or flow style); the short list form is
// refused with ErrUnsupported, so the user rewrites it by hand.
func SetDependsOnCondition(p *stack.Project, service, dep, condition string) (_ Plan, err error) {
	defer recoverFix(&err)
	b, ls, err := newBuilder(p, service)
	if err != nil {
		return Plan{}, fmt.Errorf("set %s's depends_on %s: %w", service, dep, err)
	}
	l, h, ok := lastSet(ls, "depends_on", dep)
	if !ok {
		if l, h, ok := lastSet(ls, "depends_on"); ok && h.val.Kind == yaml.SequenceNode {
			return Plan{}, fmt.Errorf("%s:%d: %s's depends_on is a list: %w; write it as a mapping (%s: {condition: %s})",
				l.src.path, h.val.Line, service, ErrUnsupported, dep, condition)
		}
		return Plan{}, fmt.Errorf("set %s's depends_on %s: %w", service, dep, ErrNotFound)
	}
	if h.val.Kind != yaml.MappingNode {
		return Plan{}, fmt.Errorf("%s:%d: %s's depends_on %s: %w", l.src.path, h.val.Line, service, dep, ErrUnsupported)
	}
	if err := b.set([]layer{l}, []string{"depends_on", dep, "condition"}, func(*yaml.Node) string { return condition }, true); err != nil {
		return Plan{}, fmt.Errorf("set %s's depends_on %s: %w", service, dep, err)
	}
	return b.plan(fmt.Sprintf("make %s wait for %s with depends_on condition %s", service, dep, condition))
}

// hostKeys are where a service's own configuration names other hosts.
var hostKeys = []string{"entrypoint", "command", "environment"}

// ReplaceHost replaces the host name old with new wherever it appears as a
// whole name in the service's entrypoint, command or environment values
// (databse:5432, postgres://u@databse/db, DB_HOST=databse), in every file
// that writes one.
func ReplaceHost(p *stack.Project, service, old, new string) (_ Plan, err error) {
	defer recoverFix(&err)
	if old == "" || new == "" || old == new {
		return Plan{}, fmt.Errorf("replace host %q with %q in %s: want two different names", old, new, service)
	}
	re := regexp.MustCompile(`(^|[^A-Za-z0-9_.-])` + regexp.QuoteMeta(old) + `($|[^A-Za-z0-9_-])`)
	b, ls, err := newBuilder(p, service)
	if err != nil {
		return Plan{}, fmt.Errorf("replace host %s in %s: %w", old, service, err)
	}
	for _, l := range ls {
		for _, key := range hostKeys {
			for _, path := range scalarPaths(l, key) {
				h, ok := find(l.svc, l.shared, l.flow, path)
				if !ok || h.val.Kind != yaml.ScalarNode || !re.MatchString(h.val.Value) {
					continue
				}
				if h.shared {
					return Plan{}, fmt.Errorf("%s:%d: %s: %w; change it by hand", l.src.path, h.val.Line, strings.Join(path, "."), ErrShared)
				}
				v := re.ReplaceAllString(h.val.Value, "${1}"+strings.ReplaceAll(new, "$", "$$")+"${2}")
				if err := b.replace(l, h, path, v, true); err != nil {
					return Plan{}, fmt.Errorf("replace host %s in %s: %w", old, service, err)
				}
			}
		}
	}
	return b.plan(fmt.Sprintf("replace the host name %s with %s in %s's settings", old, new, service))
}

// scalarPaths are the paths of the scalars directly under key: key itself,
// its list items, or its mapping's values.
func scalarPaths(l layer, key string) [][]string {
	h, ok := find(l.svc, l.shared, l.flow, []string{key})
	if !ok {
		return nil
	}
	switch h.val.Kind {
	case yaml.ScalarNode:
		return [][]string{{key}}
	case yaml.SequenceNode:
		out := make([][]string, 0, len(h.val.Content))
		for i := range h.val.Content {
			out = append(out, []string{key, strconv.Itoa(i)})
		}
		return out
	case yaml.MappingNode:
		var out [][]string
		for i := 0; i+1 < len(h.val.Content); i += 2 {
			if k := h.val.Content[i]; k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
				out = append(out, []string{key, k.Value})
			}
		}
		return out
	}
	return nil
}
