package ui

import (
	"errors"
	"os"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
)

// launchScreen explains why there is no project to show: no compose file
// where stackui looked, or a file that does not load.
func (m Model) launchScreen() string {
	st := m.st
	var b strings.Builder
	var nf *stack.NoComposeFileError
	var le *stack.LoadError
	switch {
	case errors.As(m.loadErr, &nf):
		b.WriteString(st.Warn.Render("No compose file found.") + "\n\n")
		b.WriteString("Looked for " + strings.Join(nf.Names, ", ") + "\n")
		b.WriteString("in:\n")
		for _, d := range nf.Searched {
			b.WriteString("  " + d + "\n")
		}
		b.WriteString("\nRun stackui in a project folder, or point it at a file:\n")
		b.WriteString(st.Key.Render("  stackui -f path/to/compose.yaml") + "\n")
		b.WriteString("\nPress r to look again once the file is there.")
	case errors.As(m.loadErr, &le):
		b.WriteString(st.Bad.Render("The compose file does not load.") + "\n\n")
		b.WriteString(st.Bad.Render(le.Error()) + "\n\n")
		b.WriteString(excerpt(le, st.Warn.Render, st.Dim.Render))
		b.WriteString("\nstackui loads it again when the file changes, or on r.")
	case m.loadErr != nil:
		b.WriteString(st.Bad.Render(m.loadErr.Error()) + "\n\nPress r to try again.")
	default:
		what := "loading…"
		if m.opts.Loading != "" {
			what = "loading " + m.opts.Loading + "…"
		}
		b.WriteString(st.Muted.Render(what))
	}
	return wrapBlock(b.String(), m.width)
}

// excerpt shows the lines around a load error's line, the line itself
// marked, as an editor would.
func excerpt(le *stack.LoadError, mark, dim func(...string) string) string {
	if le.File == "" || le.Line <= 0 {
		return ""
	}
	data, err := os.ReadFile(le.File)
	if err != nil {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	from, to := max(le.Line-3, 1), min(le.Line+2, len(lines))
	var b strings.Builder
	for n := from; n <= to; n++ {
		// The file is untrusted too: keep only printable text.
		text := strings.ReplaceAll(ansi.Strip(lines[n-1]), "\t", "    ")
		num := strconv.Itoa(n)
		num = strings.Repeat(" ", max(len(strconv.Itoa(to))-len(num), 0)) + num
		if n == le.Line {
			b.WriteString(mark("> "+num+" │ "+text) + "\n")
		} else {
			b.WriteString(dim("  "+num+" │ ") + text + "\n")
		}
	}
	return b.String()
}

// wrapBlock wraps each line to w cells.
func wrapBlock(s string, w int) string {
	if w <= 0 {
		return s
	}
	return ansi.Wrap(s, w, "")
}

func itoa(n int) string { return strconv.Itoa(n) }
