package commands

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/internal/textsafe"
)

// writeJSON prints v as indented JSON, the shape of every --json.
func writeJSON(f *Factory, v any) int {
	enc := json.NewEncoder(rawOut(f.Stdout))
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(f.Stderr, "stackui: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// nonNil makes a nil list print as [] rather than null: scripts iterate.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// rawOut is w without the text sanitizer: JSON is data, escaped by its
// encoder, and scripts must get the engine's strings exactly.
func rawOut(w io.Writer) io.Writer {
	if sw, ok := w.(*textsafe.Writer); ok {
		return sw.Unwrap()
	}
	return w
}

// dash stands in for an empty table cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// table prints rows as columns two cells apart, measuring cells as the
// terminal draws them: text/tabwriter counts runes, so a wide (CJK) name
// pushed its row out of line. Cells are cleaned first, so what is measured
// is what is printed.
func table(w io.Writer, rows [][]string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			r[i] = textsafe.Line(c)
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], ansi.StringWidth(r[i]))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		b.Reset()
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
	}
}
