package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/docker/go-units"

	"github.com/stackui/stackui/probes"
	"github.com/stackui/stackui/themes"
)

// Figures as the panes write them. Byte counts go through byteSize in one
// of its formats, so each surface reads like the tool its users compare it
// with and no pane grows its own wrapper.

// sizeFormat is how byteSize writes a count.
type sizeFormat int

const (
	// sizeMem is docker stats' MEM USAGE / LIMIT: 58.23MiB.
	sizeMem sizeFormat = iota
	// sizeIO is docker stats' NET I/O and BLOCK I/O: 1.2kB.
	sizeIO
	// sizeShort fits a column in at most four cells: 58M, 1.5G.
	sizeShort
)

// byteSize writes b in format f.
func byteSize(b uint64, f sizeFormat) string {
	switch f {
	case sizeIO:
		return units.HumanSizeWithPrecision(float64(b), 3)
	case sizeShort:
		return shortSize(b)
	}
	return probes.Bytes(b)
}

func shortSize(b uint64) string {
	const unit = "BKMGTPE"
	v, i := float64(b), 0
	for v >= 999.5 && i < len(unit)-1 {
		v /= 1024
		i++
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%dB", b)
	case v < 9.95:
		return fmt.Sprintf("%.1f%c", v, unit[i])
	}
	return fmt.Sprintf("%.0f%c", v, unit[i])
}

// optf formats a figure nvidia-smi may not have ("[N/A]").
func optf(v *float64, format, missing string) string {
	if v == nil {
		return missing
	}
	return fmt.Sprintf(format, *v)
}

// optBytes is a memory figure nvidia-smi may not have.
func optBytes(v *uint64) string {
	if v == nil {
		return "n/a"
	}
	return byteSize(*v, sizeMem)
}

// memStyle marks memory near its limit: at 80% a warning, at 95% the OOM
// killer is close.
func memStyle(st themes.Styles, pct float64) lipgloss.Style {
	switch {
	case pct >= 95:
		return st.Bad
	case pct >= 80:
		return st.Warn
	}
	return lipgloss.NewStyle()
}

// fitLine makes a line exactly w cells wide.
func fitLine(s string, w int) string {
	if sw := ansi.StringWidth(s); sw > w {
		return ansi.Truncate(s, w, "…")
	} else if sw < w {
		return s + strings.Repeat(" ", w-sw)
	}
	return s
}

// flow packs segments into lines of at most w cells: first starts the
// first line, indent the others. A segment wider than a line stays whole;
// the line is cut when drawn.
func flow(first, indent string, segs []string, sep string, w int) []string {
	var lines []string
	line, lw, empty := first, ansi.StringWidth(first), true
	iw, sw := ansi.StringWidth(indent), ansi.StringWidth(sep)
	for _, s := range segs {
		n := ansi.StringWidth(s)
		if !empty && w > 0 && lw+sw+n > w {
			lines = append(lines, line)
			line, lw, empty = indent, iw, true
		}
		if !empty {
			line += sep
			lw += sw
		}
		line += s
		lw += n
		empty = false
	}
	return append(lines, line)
}
