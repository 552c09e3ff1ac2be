// Package themes turns a palette into the one Styles value the UI renders
// with. Styles are built once, at start-up, never per frame.
package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Palette is a theme's colours, each with a variant for dark and for light
// terminal backgrounds.
type Palette struct {
	Accent, Muted, OK, Warn, Bad, Text, Dim adaptive
}

type adaptive struct{ Dark, Light string }

// Default is stackui's default palette.
func Default() Palette {
	return Palette{
		Accent: adaptive{"#7aa2f7", "#2e59b8"},
		Muted:  adaptive{"#8a8fa3", "#6b6f80"},
		OK:     adaptive{"#9ece6a", "#3b7a12"},
		Warn:   adaptive{"#e0af68", "#8a5a00"},
		Bad:    adaptive{"#f7768e", "#b3123a"},
		Text:   adaptive{"#c0caf5", "#1f2335"},
		Dim:    adaptive{"#565f89", "#9aa0b8"},
	}
}

// Styles are the rendered styles the panes use.
type Styles struct {
	Title, Header, HeaderOn, HeaderOff  lipgloss.Style
	Selected, Dim, Muted, OK, Warn, Bad lipgloss.Style
	StatusBar, StatusError              lipgloss.Style
}

// Build makes the Styles for a palette. dark says whether the terminal's
// background is dark; noColor (NO_COLOR) keeps only bold, faint and reverse.
func Build(p Palette, dark, noColor bool) Styles {
	pick := func(a adaptive) color.Color {
		if noColor {
			return lipgloss.NoColor{}
		}
		if dark {
			return lipgloss.Color(a.Dark)
		}
		return lipgloss.Color(a.Light)
	}
	fg := func(a adaptive) lipgloss.Style { return lipgloss.NewStyle().Foreground(pick(a)) }
	return Styles{
		Title:       fg(p.Accent).Bold(true),
		Header:      fg(p.Muted).Bold(true),
		HeaderOn:    fg(p.OK).Bold(true),
		HeaderOff:   fg(p.Dim).Bold(true),
		Selected:    lipgloss.NewStyle().Reverse(true),
		Dim:         fg(p.Dim).Faint(noColor),
		Muted:       fg(p.Muted),
		OK:          fg(p.OK),
		Warn:        fg(p.Warn),
		Bad:         fg(p.Bad).Bold(true),
		StatusBar:   fg(p.Muted),
		StatusError: fg(p.Bad),
	}
}
