package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/probes/doctor"
)

// doctorView draws the doctor pane's state: the list of findings, one
// diagnosis, a fix's preview, and the foot with the fixes running, the
// last outcome (where a post-fix check's verdict belongs too) and the
// mode's keys. It only reads the pane, except for the scroll offset
// scrollToFix keeps in view.
type doctorView struct{ p *doctorPane }

// View renders the current mode within the pane's size.
func (m *doctorPane) View() string { return doctorView{m}.render() }

// render draws the current mode within the pane's size.
func (v doctorView) render() string {
	m := v.p
	w, h := m.width, m.height
	if w <= 0 {
		w = 80
	}
	if h <= 0 {
		h = 20
	}
	foot := v.footLines(w, h)
	bodyH := max(h-len(foot), 0)
	var body []string
	switch {
	case m.mode == doctorPreview:
		body = v.window(v.previewLines(w), bodyH)
	case m.mode == doctorDetail || m.mode == doctorAskUndo && m.askFrom == doctorDetail:
		lines, _ := v.detailLines(w)
		body = v.window(lines, bodyH)
	default:
		body = v.listLines(w, bodyH)
	}
	// The keys and the question sit at the bottom, where the eye expects
	// them, whatever the content's length.
	for len(body) < bodyH {
		body = append(body, "")
	}
	lines := append(body, foot...)
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return strings.Join(lines, "\n")
}

// window is the h lines of a scrolled view from the current offset.
func (v doctorView) window(lines []string, h int) []string {
	m := v.p
	off := min(max(m.offset, 0), max(len(lines)-h, 0))
	return slices.Clone(lines[off:min(off+h, len(lines))])
}

// listTop is the first finding shown when rows fit on screen.
func (v doctorView) listTop(rows int) int {
	m := v.p
	return max(0, m.cursor-rows+1)
}

func (v doctorView) listLines(w, h int) []string {
	m := v.p
	st := m.st
	var head string
	switch {
	case m.fixes.doc == nil:
		return []string{st.Muted.Render("The doctor is not available here.")}
	case m.diag.snap.Project == nil:
		return []string{st.Muted.Render("No project loaded.")}
	case m.diag.err != nil:
		head = st.StatusError.Render("diagnosis failed: " + docCleanLine(m.diag.err.Error()))
	case len(m.findings) == 0 && !m.diag.haveResult():
		head = st.Muted.Render("diagnosing…")
	case len(m.findings) == 0:
		head = st.OK.Render("No findings: no container died, loops or is unhealthy.")
	default:
		head = st.Header.Render(plural(len(m.findings), "finding"))
		if n := v.countFor(m.service); n > 0 {
			head += st.Muted.Render(fmt.Sprintf(" · %d for %s", n, m.service))
		}
	}
	if m.diag.running && m.diag.haveResult() {
		head += st.Dim.Render(" · diagnosing…")
	}
	out := []string{head}
	rows := max(h-1, 0)
	svcW, kindW := 4, 0
	for _, f := range m.findings {
		svcW = max(svcW, min(ansi.StringWidth(f.Service), 16))
		kindW = max(kindW, len(f.Kind))
	}
	top := v.listTop(rows)
	for i := top; i < len(m.findings) && i < top+rows; i++ {
		out = append(out, v.findingRow(m.findings[i], i == m.cursor, svcW, kindW, w))
	}
	return out
}

// listRows is how many findings the list shows at the pane's size.
func (v doctorView) listRows() int {
	m := v.p
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return 1 << 20
	}
	return max(h-len(v.footLines(w, h))-1, 0)
}

// maxOffset is how far the diagnosis or the preview can scroll.
func (v doctorView) maxOffset() int {
	m := v.p
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return 0
	}
	var lines []string
	if m.mode == doctorPreview {
		lines = v.previewLines(w)
	} else {
		lines, _ = v.detailLines(w)
	}
	return max(len(lines)-(h-len(v.footLines(w, h))), 0)
}

func (v doctorView) countFor(service string) int {
	m := v.p
	n := 0
	for _, f := range m.findings {
		if service != "" && f.Service == service {
			n++
		}
	}
	return n
}

func (v doctorView) findingRow(f doctor.Finding, selected bool, svcW, kindW, w int) string {
	m := v.p
	svc := f.Service
	if svc == "" {
		svc = "(project)"
	}
	svc = ansi.Truncate(svc, svcW, "…")
	svc += strings.Repeat(" ", max(svcW-ansi.StringWidth(svc), 0))
	text := fmt.Sprintf("%s %-*s %s", svc, kindW, f.Kind, docCleanLine(f.Summary))
	text = ansi.Truncate(text, max(w-2, 1), "…")
	if selected {
		text = m.st.Selected.Render(text)
	}
	return findingGlyph(m.st, f.Severity) + " " + text
}

// detailLines is the open finding's diagnosis, and the line its
// highlighted fix is on.
func (v doctorView) detailLines(w int) ([]string, int) {
	m := v.p
	st, f := m.st, m.open
	svc := f.Service
	if svc == "" {
		svc = "project"
	}
	out := []string{findingGlyph(st, f.Severity) + " " + st.Title.Render(fmt.Sprintf("%s · %s · %s", svc, f.Kind, f.Severity))}
	out = append(out, docWrapped(f.Summary, w, "", lipgloss.NewStyle())...)
	if m.gone {
		out = append(out, st.OK.Render("No longer found by the latest diagnosis."))
	}
	if len(f.Evidence) > 0 {
		out = append(out, "", st.Header.Render("evidence"))
		for _, e := range f.Evidence {
			out = append(out, docWrapped(e, w, st.Dim.Render("  │ "), lipgloss.NewStyle())...)
		}
	}
	if f.Explanation != "" {
		out = append(out, "")
		out = append(out, docWrapped(f.Explanation, w, "", st.Muted)...)
	}
	out = append(out, "", st.Header.Render("fixes"))
	fixLine := len(out)
	if len(f.Fixes) == 0 {
		out = append(out, st.Muted.Render("No fix stackui can apply; the explanation says what to do."))
		return out, fixLine
	}
	idW := 0
	for _, x := range f.Fixes {
		idW = max(idW, ansi.StringWidth(x.ID))
	}
	for i, x := range f.Fixes {
		text := fmt.Sprintf("%-*s  %s", idW, docCleanLine(x.ID), docCleanLine(x.Title))
		if i == m.fix {
			fixLine = len(out)
			out = append(out, st.Key.Render("›")+" "+st.Selected.Render(ansi.Truncate(text, max(w-2, 1), "…")))
			continue
		}
		out = append(out, "  "+text)
	}
	return out, fixLine
}

// scrollToFix scrolls the diagnosis so its highlighted fix shows.
func (v doctorView) scrollToFix() {
	m := v.p
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		m.offset = 0
		return
	}
	lines, fixLine := v.detailLines(w)
	bodyH := max(h-len(v.footLines(w, h)), 1)
	off := min(max(m.offset, 0), max(len(lines)-bodyH, 0))
	switch {
	case fixLine < off:
		off = fixLine
	case fixLine >= off+bodyH:
		off = fixLine - bodyH + 1
	}
	m.offset = off
}

// previewLines show what the highlighted fix changes: its diff, coloured,
// or, for a fix that edits no file, what it does.
func (v doctorView) previewLines(w int) []string {
	m := v.p
	st, f := m.st, m.open
	fix := f.Fixes[m.fix]
	out := []string{st.Title.Render("fix " + docCleanLine(fix.ID) + " · " + f.ID)}
	out = append(out, docWrapped(fix.Title, w, "", lipgloss.NewStyle())...)
	out = append(out, "")
	for _, l := range strings.Split(strings.TrimRight(fix.Diff, "\n"), "\n") {
		if fix.Diff == "" {
			break
		}
		l = docCleanLine(l)
		switch {
		case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
			l = st.Header.Render(l)
		case strings.HasPrefix(l, "+"):
			l = st.OK.Render(l)
		case strings.HasPrefix(l, "-"):
			l = st.Bad.Render(l)
		case strings.HasPrefix(l, "@@"):
			l = st.Muted.Render(l)
		}
		out = append(out, l)
	}
	if fix.Diff != "" {
		out = append(out, "")
	}
	for _, e := range fixEffect(m.fixes.budget, fix) {
		out = append(out, docWrapped(e, w, "", st.Muted)...)
	}
	return out
}

// footLines are the pane's last lines: fixes running with their latest
// output, the last result, and the question or the keys of the mode.
func (v doctorView) footLines(w, h int) []string {
	m := v.p
	st := m.st
	var out []string
	if len(m.fixes.applying) > 0 {
		names := make([]string, 0, len(m.fixes.applying))
		for _, what := range m.fixes.applying {
			names = append(names, what)
		}
		slices.Sort(names)
		out = append(out, st.Warn.Render("applying "+strings.Join(names, ", ")+"…"))
		lines := m.fixes.out.last()
		for _, l := range lines[max(0, len(lines)-max(h/4, 1)):] {
			out = append(out, st.Dim.Render("  │ "+docCleanLine(l)))
		}
	} else if m.fixes.note != "" {
		style := st.OK
		if m.fixes.noteErr {
			style = st.StatusError
		}
		out = append(out, style.Render(m.fixes.note))
	}
	for _, l := range m.fixes.checkingLines() {
		out = append(out, st.Warn.Render(l))
	}
	k := m.keys
	hint := func(b Binding, what string) string {
		return st.Key.Render(b.Help().Key) + st.Muted.Render(" "+what)
	}
	switch m.mode {
	case doctorPreview:
		out = append(out, st.Warn.Render("Apply this fix?")+" "+st.Key.Render("y")+st.Muted.Render(" yes  ")+
			st.Key.Render("n")+st.Muted.Render(" no (default)  ")+hint(k.Down, "scroll"))
	case doctorAskUndo:
		out = append(out, st.Warn.Render("Undo the last fix's file edit, restoring the file from its backup?")+" "+
			st.Key.Render("y")+st.Muted.Render(" yes  ")+st.Key.Render("n")+st.Muted.Render(" no (default)"))
	case doctorDetail:
		out = append(out, strings.Join([]string{hint(k.Down, "fix"), hint(k.Fix, "preview & apply"), hint(k.Undo, "undo"), hint(k.Back, "back")}, "  "))
	default:
		if len(m.findings) > 0 {
			out = append(out, strings.Join([]string{hint(k.Open, "diagnosis"), hint(k.Fix, "fix"), hint(k.Undo, "undo")}, "  "))
		}
	}
	// The question must show even in a short pane.
	if len(out) > h {
		out = out[len(out)-h:]
	}
	return out
}
