package ui

import (
	"errors"
	"strings"

	"charm.land/bubbles/v2/spinner"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
)

// The drawer and the status line: how the actions component shows what
// runs and how it ended.

type drawerState int

const (
	drawerHidden drawerState = iota
	drawerLine               // one line: the latest output
	drawerOpen
)

type drawerEntry struct {
	who  string // the action the line came from
	text string
}

// Expanded reports whether the drawer shows more than nothing, so that the
// root lets it take esc.
func (a *actions) Expanded() bool { return a.state != drawerHidden }

// toggleDrawer opens the drawer on the output kept so far, or hides it.
func (a *actions) toggleDrawer() {
	if a.state == drawerOpen {
		a.state = drawerHidden
		return
	}
	if len(a.drawer) == 0 {
		a.note = "no action output yet"
		return
	}
	a.state = drawerOpen
}

// Height is how many lines the drawer wants: none when hidden, one when
// collapsed, its title and output when open.
func (a *actions) Height() int {
	switch {
	case a.state == drawerHidden || len(a.drawer) == 0:
		return 0
	case a.state == drawerLine:
		return 1
	}
	return 1 + min(len(a.drawer), drawerRows)
}

// composeV1Trailer is the line docker-compose 1.x ends every failed up
// with; the line before it says what went wrong.
const composeV1Trailer = "Encountered errors while bringing up the project."

// actionErrorText is what a failure says in one line. For the compose CLI that is
// its own error message, which comes last in its output: the command line
// and exit status say less.
func actionErrorText(err error) string {
	var ce *stack.ComposeError
	if !errors.As(err, &ce) || len(ce.Output) == 0 {
		return actionText(err.Error())
	}
	tail := ce.Output[max(0, len(ce.Output)-5):]
	var picked []string
	for _, l := range tail {
		// "ERROR: ..." (v1), "Error response from daemon: ..." (v2); not
		// progress lines such as "Creating x ... error".
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(l)), "error") && !strings.Contains(l, composeV1Trailer) {
			picked = append(picked, strings.Join(strings.Fields(l), " "))
		}
	}
	if len(picked) == 0 {
		picked = tail[len(tail)-1:]
	}
	return actionText(strings.Join(picked[max(0, len(picked)-2):], " · "))
}

func (a *actions) push(who, text string) {
	a.drawer = append(a.drawer, drawerEntry{who: who, text: actionText(text)})
	// Trim in bulk, so the copy happens once per drawerKeep lines.
	if len(a.drawer) >= 2*drawerKeep {
		a.drawer = append([]drawerEntry(nil), a.drawer[len(a.drawer)-drawerKeep:]...)
	}
}

// actionText keeps a line to one row of printable text: compose output is
// stripped of escapes already, but error texts come from anywhere.
func actionText(s string) string {
	s = ansi.Strip(s)
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		}
		return r
	}, s)
}

// Status is the one-line status: a spinner and what runs, else the note
// about the last key or the last result.
func (a *actions) Status() string {
	var s string
	switch {
	case a.Busy():
		var names []string
		for id := 1; id <= a.seq; id++ {
			if r := a.running[id]; r != nil {
				names = append(names, r.act.String())
			}
		}
		frames := spinner.MiniDot.Frames
		s = a.st.Key.Render(frames[a.frame%len(frames)]) + " " + strings.Join(names, ", ") + "…"
		if last := a.lastLine(); last != "" {
			s += a.st.Muted.Render("  " + last)
		}
		if a.note != "" {
			s += "  " + a.st.Warn.Render(a.note)
		}
	case a.note != "":
		s = a.st.Warn.Render(a.note)
	case a.failed:
		s = a.st.StatusError.Render(a.result)
	default:
		s = a.st.StatusBar.Render(a.result)
	}
	if a.width > 0 {
		s = ansi.Truncate(s, a.width, "…")
	}
	return s
}

func (a *actions) lastLine() string {
	if n := len(a.drawer); n > 0 {
		return a.drawer[n-1].text
	}
	return ""
}

// View renders the drawer at the height Height asked for, or less when
// SetSize gave less.
func (a *actions) View() string {
	h := a.Height()
	if a.height > 0 {
		h = min(h, a.height)
	}
	if h <= 0 || a.width <= 0 {
		return ""
	}
	fit := func(s string) string { return ansi.Truncate(s, a.width, "…") }
	if h == 1 {
		return fit(a.st.Muted.Render("output: " + a.lastLine() + "  (esc hides)"))
	}
	rows := a.drawer[len(a.drawer)-(h-1):]
	mixed := false
	for _, e := range rows {
		mixed = mixed || e.who != rows[0].who
	}
	lines := make([]string, 0, h)
	title := "output"
	if a.Busy() {
		title += " " + spinner.MiniDot.Frames[a.frame%len(spinner.MiniDot.Frames)]
	}
	rule := ansi.Truncate("── "+title+" (esc hides) "+strings.Repeat("─", a.width), a.width, "")
	lines = append(lines, a.st.Muted.Render(rule))
	for _, e := range rows {
		text := e.text
		if mixed {
			text = a.st.Dim.Render(e.who+" │ ") + text
		}
		lines = append(lines, fit(text))
	}
	return strings.Join(lines, "\n")
}
