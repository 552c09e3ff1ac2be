package stack

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

// maxExpandedNodes bounds how many nodes a file may stand for once its
// aliases are expanded. compose-go expands them, and a few lines of
// anchors that each merge the previous one twice stand for 2^40 nodes.
const maxExpandedNodes = 1 << 20

// checkAnchors refuses, before compose-go sees the file, an alias used
// inside its own anchor (`x: &a {<<: *a}`), on which compose-go loops for
// minutes or forever, and aliases that expand to more than
// maxExpandedNodes. Both are a *LoadError at the alias's line.
func checkAnchors(workDir string, src *yamlSource) error {
	c := &anchorCheck{open: map[*yaml.Node]bool{}, size: map[*yaml.Node]int{}}
	for _, d := range src.docs {
		n := c.walk(d)
		if c.bad != nil {
			return newLoadError(workDir, src.path, c.bad.Line,
				fmt.Sprintf("YAML alias *%s is used inside its own anchor &%s; compose cannot load a recursive anchor", c.bad.Value, c.bad.Value), nil)
		}
		if n > maxExpandedNodes {
			line := d.Line
			if c.big != nil {
				line = c.big.Line
			}
			return newLoadError(workDir, src.path, line,
				fmt.Sprintf("YAML aliases expand this file to more than %d nodes; stackui stops there", maxExpandedNodes), nil)
		}
	}
	return nil
}

type anchorCheck struct {
	open map[*yaml.Node]bool // the nodes being walked: an alias to one is recursive
	size map[*yaml.Node]int  // expanded size of nodes walked, memoized
	bad  *yaml.Node          // the first recursive alias
	big  *yaml.Node          // the first alias that took the size past the bound
}

// walk returns the node's expanded size, capped just past the bound so the
// sums cannot overflow. Each node is walked once; an alias costs the
// memoized size of its target.
func (c *anchorCheck) walk(n *yaml.Node) int {
	if n == nil || c.bad != nil {
		return 0
	}
	if n.Kind == yaml.AliasNode {
		if c.open[n.Alias] {
			c.bad = n
			return 0
		}
		s, ok := c.size[n.Alias]
		if !ok {
			s = c.walk(n.Alias)
		}
		if s > maxExpandedNodes && c.big == nil {
			c.big = n
		}
		return s
	}
	if s, ok := c.size[n]; ok {
		return s
	}
	c.open[n] = true
	total := 1
	for _, child := range n.Content {
		total += c.walk(child)
		if total > maxExpandedNodes {
			total = maxExpandedNodes + 1
		}
	}
	delete(c.open, n)
	c.size[n] = total
	return total
}
