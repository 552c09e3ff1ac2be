// Package themes turns a palette into the one Styles value the UI renders
// with. Palettes are data (YAML files: the builtin ones are embedded, users
// add their own); styles are built once, at start-up, never per frame.
package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Palette is a theme's colours, each with a variant for dark and for light
// terminal backgrounds.
type Palette struct {
	Accent, Muted, OK, Warn, Bad, Text, Dim Color
}

// Color is one palette entry: a colour for dark backgrounds and one for light
// ones, each "#rrggbb", "#rgb" or an ANSI number "0"-"255".
type Color struct{ Dark, Light string }

// Default is stackui's default palette (themes/builtin/default.yaml).
func Default() Palette {
	p, err := Load(DefaultName, "")
	if err != nil {
		// The file is embedded and covered by tests, so this is a build
		// mistake, not bad input.
		panic("themes: builtin default theme: " + err.Error())
	}
	return p
}

// Styles are the rendered styles the panes use.
type Styles struct {
	Title, Header, HeaderOn, HeaderOff  lipgloss.Style
	Selected, Dim, Muted, OK, Warn, Bad lipgloss.Style
	StatusBar, StatusError              lipgloss.Style
	// Pane frames: the focused pane's border stands out.
	Border, BorderFocus lipgloss.Style
	// Log search: every match, and the current one. Mark picks out whole
	// lines a doctor's finding quotes as evidence, distinct from both.
	Match, MatchCurrent, Mark lipgloss.Style
	// Prefixes colour service names in merged logs, by index modulo len.
	Prefixes []lipgloss.Style
	// Overlays (help, confirmations, the command line) and the action drawer.
	Overlay, Key, Input, Drawer lipgloss.Style
	// Badge marks a service the doctor has a finding for.
	Badge lipgloss.Style
}

// BuildBoth makes the Styles for both kinds of background at once, so the UI
// can switch when the terminal reports its background colour
// (tea.BackgroundColorMsg) without building anything then. Until the report
// arrives, use dark: most terminals are dark, and a terminal that never
// answers gets a usable screen either way.
func BuildBoth(p Palette, noColor bool) (dark, light Styles) {
	return Build(p, true, noColor), Build(p, false, noColor)
}

// Build makes the Styles for a palette. dark says whether the terminal's
// background is dark; noColor (NO_COLOR, no-color.org) drops every colour and
// keeps only bold, faint, reverse and underline, so that state and focus
// still show.
func Build(p Palette, dark, noColor bool) Styles {
	if noColor {
		return buildMono()
	}
	pick := func(c Color) color.Color {
		if dark {
			return lipgloss.Color(c.Dark)
		}
		return lipgloss.Color(c.Light)
	}
	fg := func(c Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(pick(c)) }
	border := func(b lipgloss.Border, c Color) lipgloss.Style {
		return lipgloss.NewStyle().Border(b).BorderForeground(pick(c))
	}
	return Styles{
		Title:        fg(p.Accent).Bold(true),
		Header:       fg(p.Muted).Bold(true),
		HeaderOn:     fg(p.OK).Bold(true),
		HeaderOff:    fg(p.Dim).Bold(true),
		Selected:     lipgloss.NewStyle().Reverse(true),
		Dim:          fg(p.Dim),
		Muted:        fg(p.Muted),
		OK:           fg(p.OK),
		Warn:         fg(p.Warn),
		Bad:          fg(p.Bad).Bold(true),
		StatusBar:    fg(p.Muted),
		StatusError:  fg(p.Bad),
		Border:       border(lipgloss.RoundedBorder(), p.Dim),
		BorderFocus:  border(lipgloss.RoundedBorder(), p.Accent),
		Match:        lipgloss.NewStyle().Reverse(true),
		MatchCurrent: fg(p.Warn).Reverse(true).Bold(true),
		Mark:         fg(p.Bad).Underline(true),
		Prefixes:     []lipgloss.Style{fg(p.Accent), fg(p.OK), fg(p.Warn), fg(p.Bad), fg(p.Muted), fg(p.Text)},
		Overlay:      border(lipgloss.RoundedBorder(), p.Accent).Padding(0, 1),
		Key:          fg(p.Accent).Bold(true),
		Input:        fg(p.Text),
		Drawer: lipgloss.NewStyle().Border(lipgloss.NormalBorder(), true, false, false, false).
			BorderForeground(pick(p.Dim)),
		Badge: fg(p.Bad).Bold(true).Reverse(true),
	}
}

// buildMono is Build without colour. Every distinction colour made must
// survive as an attribute: failure is bold, a warning underlined, what is off
// or unimportant faint, the focused frame thick (same width, so the layout
// does not move), the selection and search matches reversed and evidence
// lines bold and underlined.
func buildMono() Styles {
	plain := lipgloss.NewStyle()
	bold := plain.Bold(true)
	faint := plain.Faint(true)
	return Styles{
		Title:        bold,
		Header:       bold,
		HeaderOn:     bold,
		HeaderOff:    faint,
		Selected:     plain.Reverse(true),
		Dim:          faint,
		Muted:        plain,
		OK:           plain,
		Warn:         plain.Underline(true),
		Bad:          bold,
		StatusBar:    plain,
		StatusError:  bold,
		Border:       plain.Border(lipgloss.RoundedBorder()),
		BorderFocus:  plain.Border(lipgloss.ThickBorder()),
		Match:        plain.Reverse(true),
		MatchCurrent: plain.Reverse(true).Bold(true).Underline(true),
		Mark:         bold.Underline(true),
		Prefixes:     []lipgloss.Style{bold},
		Overlay:      plain.Border(lipgloss.RoundedBorder()).Padding(0, 1),
		Key:          bold,
		Input:        plain,
		Drawer:       plain.Border(lipgloss.NormalBorder(), true, false, false, false),
		Badge:        bold.Reverse(true),
	}
}
