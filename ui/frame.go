package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// frameCache keeps what the last frame was made of where the next frame
// is likely the same: with the merged logs of 100 containers showing, a
// frame comes twice a second for new log lines and only the logs differ.
// The footer's help and the tabs' title row cost more than the logs pane
// itself. Nil caches nothing.
type frameCache struct {
	left         fittedBlock
	footer, tabs lineCache
}

// lineCache keeps the last line made and the key it was made for: every
// input the line depends on, written out.
type lineCache struct{ key, out string }

func (c *lineCache) get(key string, draw func() string) string {
	if key != c.key || c.out == "" {
		c.key, c.out = key, draw()
	}
	return c.out
}

// fittedBlock keeps the last block fitBlock made and what it was made
// from: the services pane is the same frame after frame while log lines
// arrive, and measuring its lines' widths every frame was a third of the
// UI's idle cost at 100 containers.
type fittedBlock struct {
	in, out string
	w, h    int
}

func (b *fittedBlock) fit(s string, w, h int) string {
	if b == nil {
		return fitBlock(s, w, h)
	}
	if s != b.in || w != b.w || h != b.h {
		b.in, b.w, b.h, b.out = s, w, h, fitBlock(s, w, h)
	}
	return b.out
}

// joinFitted puts two blocks that fitBlock made (every line exactly lw
// and rw cells wide) side by side with sep between them, as
// lipgloss.JoinHorizontal would, without measuring every line again.
func joinFitted(left string, lw int, sep string, right string, rw int) string {
	ls, rs := strings.Split(left, "\n"), strings.Split(right, "\n")
	n := max(len(ls), len(rs))
	var b strings.Builder
	b.Grow(len(left) + len(right) + n*(len(sep)+1))
	for i := range n {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(ls) {
			b.WriteString(ls[i])
		} else {
			b.WriteString(strings.Repeat(" ", lw))
		}
		b.WriteString(sep)
		if i < len(rs) {
			b.WriteString(rs[i])
		} else {
			b.WriteString(strings.Repeat(" ", rw))
		}
	}
	return b.String()
}

// fitBlock makes s exactly w cells wide and h lines tall: long lines are
// cut, short ones padded, missing lines added.
func fitBlock(s string, w, h int) string {
	if w <= 0 || h <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lw := cellWidth(l)
		switch {
		case lw > w:
			lines[i] = ansi.Truncate(l, w, "…")
		case lw < w:
			lines[i] = l + strings.Repeat(" ", w-lw)
		}
	}
	return strings.Join(lines, "\n")
}

// cellWidth is ansi.StringWidth, quicker for the common line: printable
// ASCII and CSI sequences (the colours), where every byte outside a
// sequence is one cell. Anything else (other escapes, control characters,
// any non-ASCII byte) is measured by ansi.StringWidth. Log lines are
// mostly ASCII, and measuring them grapheme by grapheme was most of
// fitting the logs pane every frame.
func cellWidth(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x20 && c < 0x7f:
			n++
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			j := i + 2
			for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
				j++
			}
			for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
				j++
			}
			if j >= len(s) || s[j] < 0x40 || s[j] > 0x7e {
				return ansi.StringWidth(s)
			}
			i = j
		default:
			return ansi.StringWidth(s)
		}
	}
	return n
}
