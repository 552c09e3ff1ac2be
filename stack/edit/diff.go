package edit

import (
	"fmt"
	"path/filepath"
	"strings"
)

// diffContext is how many unchanged lines a hunk shows around a change.
const diffContext = 3

// maxLCSCells bounds the quadratic part of the line diff; past it the
// changed middle is shown as removed and added whole, which is still a
// correct diff. Fixes change a few lines, so it is never reached by them.
const maxLCSCells = 4 << 20

// Diff is the plan as a unified diff: ---/+++ with each file's path
// relative to the project directory when it lies below it, @@ hunks with 3
// lines of context.
func (p Plan) Diff() string {
	var b strings.Builder
	for _, c := range p.Changes {
		name := c.File
		if p.Dir != "" {
			if rel, err := filepath.Rel(p.Dir, c.File); err == nil && !strings.HasPrefix(rel, "..") {
				name = filepath.ToSlash(rel)
			}
		}
		b.WriteString(unifiedDiff(name, c.Before, c.After))
	}
	return b.String()
}

// line is one line of a file, and whether it ends with a line break.
type line struct {
	text string
	nl   bool
}

func splitLines(data []byte) []line {
	var out []line
	s := string(data)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, line{s, false})
			break
		}
		out = append(out, line{s[:i], true})
		s = s[i+1:]
	}
	return out
}

// op is one line of an edit script: ' ' kept, '-' removed, '+' added; ai
// and bi are its index in the old and the new file.
type op struct {
	kind   byte
	ai, bi int
}

// lineOps is the edit script from a to b: the common prefix and suffix
// kept, and a longest common subsequence of the middle.
func lineOps(a, b []line) []op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []op
	for i := 0; i < pre; i++ {
		ops = append(ops, op{' ', i, i})
	}
	am, bm := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(am)*len(bm) > maxLCSCells {
		for i := range am {
			ops = append(ops, op{'-', pre + i, pre})
		}
		for j := range bm {
			ops = append(ops, op{'+', pre + len(am), pre + j})
		}
	} else {
		ops = append(ops, lcsOps(am, bm, pre)...)
	}
	for i := 0; i < suf; i++ {
		ops = append(ops, op{' ', len(a) - suf + i, len(b) - suf + i})
	}
	return ops
}

func lcsOps(a, b []line, base int) []op {
	n, m := len(a), len(b)
	// table[i][j] is the LCS length of a[i:] and b[j:]
	table := make([][]int, n+1)
	for i := range table {
		table[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				table[i][j] = table[i+1][j+1] + 1
			} else {
				table[i][j] = max(table[i+1][j], table[i][j+1])
			}
		}
	}
	var ops []op
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a[i] == b[j]:
			ops = append(ops, op{' ', base + i, base + j})
			i++
			j++
		case i < n && (j == m || table[i+1][j] >= table[i][j+1]):
			ops = append(ops, op{'-', base + i, base + j})
			i++
		default:
			ops = append(ops, op{'+', base + i, base + j})
			j++
		}
	}
	return ops
}

// unifiedDiff writes one file's diff; "" when nothing changed.
func unifiedDiff(name string, before, after []byte) string {
	a, b := splitLines(before), splitLines(after)
	ops := lineOps(a, b)
	var out strings.Builder
	for start := 0; start < len(ops); {
		// find the next change, then extend the hunk while changes are
		// within 2*context lines of each other
		first := start
		for first < len(ops) && ops[first].kind == ' ' {
			first++
		}
		if first == len(ops) {
			break
		}
		lo := max(first-diffContext, start)
		hi, kept := first, 0
		for i := first; i < len(ops); i++ {
			if ops[i].kind != ' ' {
				hi, kept = i, 0
				continue
			}
			if kept++; kept > 2*diffContext {
				break
			}
		}
		hi = min(hi+diffContext, len(ops)-1)
		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", name, name)
		}
		writeHunk(&out, a, b, ops[lo:hi+1])
		start = hi + 1
	}
	return out.String()
}

func writeHunk(out *strings.Builder, a, b []line, ops []op) {
	aStart, bStart, aN, bN := ops[0].ai, ops[0].bi, 0, 0
	for _, o := range ops {
		if o.kind != '+' {
			aN++
		}
		if o.kind != '-' {
			bN++
		}
	}
	// an empty side is numbered by the line before it, as diff -u does
	if aN > 0 {
		aStart++
	}
	if bN > 0 {
		bStart++
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aN), hunkRange(bStart, bN))
	for _, o := range ops {
		var l line
		if o.kind == '+' {
			l = b[o.bi]
		} else {
			l = a[o.ai]
		}
		out.WriteByte(o.kind)
		out.WriteString(l.text)
		out.WriteByte('\n')
		if !l.nl {
			out.WriteString("\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
