package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/themes"
	"github.com/stackui/stackui/ui/logbuf"
)

// findingBadge is the short mark the services pane puts on a row whose
// service has a finding: "OOM", "ARCH", "EXIT 2", ...
func findingBadge(st themes.Styles, f doctor.Finding) string {
	return st.Badge.Render(" " + badgeText(f) + " ")
}

func badgeText(f doctor.Finding) string {
	switch f.Kind {
	case doctor.KindOOM:
		return "OOM"
	case doctor.KindSigkill:
		return "KILLED"
	case doctor.KindArchMismatch:
		return "ARCH"
	case doctor.KindGPUUnavailable:
		return "GPU"
	case doctor.KindCUDADriver:
		return "CUDA"
	case doctor.KindPortConflict:
		return "PORT"
	case doctor.KindCrashLoop:
		return "LOOP"
	case doctor.KindUnhealthy:
		return "UNHEALTHY"
	case doctor.KindNoSpace:
		return "DISK"
	case doctor.KindImageMissing:
		return "IMAGE"
	case doctor.KindMountError:
		return "MOUNT"
	case doctor.KindCommandNotFound:
		return "NO CMD"
	case doctor.KindBlocked:
		return "BLOCKED"
	case doctor.KindNotStarted:
		return "CREATED"
	case doctor.KindListenLocalhost:
		return "LOCALHOST"
	case doctor.KindDependencyUnreachable:
		return "DEP DOWN"
	case doctor.KindUnknownHost:
		return "DNS"
	case doctor.KindErrorExit:
		if code, ok := exitCodeOf(f); ok {
			return "EXIT " + code
		}
		return "EXIT"
	}
	return strings.ToUpper(string(f.Kind))
}

// exitCodeOf reads the exit code from the finding's evidence, where the
// doctor writes "exit code N".
func exitCodeOf(f doctor.Finding) (string, bool) {
	const marker = "exit code "
	for _, e := range append(slices.Clone(f.Evidence), f.Summary) {
		i := strings.Index(e, marker)
		if i < 0 {
			continue
		}
		rest := e[i+len(marker):]
		n := 0
		for n < len(rest) && n < 4 && rest[n] >= '0' && rest[n] <= '9' {
			n++
		}
		if n > 0 {
			return rest[:n], true
		}
	}
	return "", false
}

func findingGlyph(st themes.Styles, s doctor.Severity) string {
	switch s {
	case doctor.SeverityHigh:
		return st.Bad.Render("✖")
	case doctor.SeverityMedium:
		return st.Warn.Render("▲")
	}
	return st.Muted.Render("•")
}

// docCleanLines makes text that may hold container output safe to print
// (logbuf.Sanitize), then plain, one entry per line.
func docCleanLines(s string) []string {
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		p, _ = logbuf.Sanitize(p, 0)
		parts[i] = ansi.Strip(p)
	}
	return parts
}

func docCleanLine(s string) string { return strings.Join(docCleanLines(s), " ") }

// docWrapped wraps plain text to w cells, with indent before every line.
func docWrapped(s string, w int, indent string, style lipgloss.Style) []string {
	var out []string
	inner := max(w-ansi.StringWidth(indent), 8)
	for _, l := range docCleanLines(s) {
		for _, part := range strings.Split(ansi.Wrap(l, inner, ""), "\n") {
			out = append(out, indent+style.Render(part))
		}
	}
	return out
}

// View renders the current mode within the pane's size.
func (m *doctorPane) View() string {
	w, h := m.width, m.height
	if w <= 0 {
		w = 80
	}
	if h <= 0 {
		h = 20
	}
	foot := m.footLines(w, h)
	bodyH := max(h-len(foot), 0)
	var body []string
	switch {
	case m.mode == doctorPreview:
		body = m.window(m.previewLines(w), bodyH)
	case m.mode == doctorDetail || m.mode == doctorAskUndo && m.askFrom == doctorDetail:
		lines, _ := m.detailLines(w)
		body = m.window(lines, bodyH)
	default:
		body = m.listLines(w, bodyH)
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
func (m *doctorPane) window(lines []string, h int) []string {
	off := min(max(m.offset, 0), max(len(lines)-h, 0))
	return slices.Clone(lines[off:min(off+h, len(lines))])
}

// listTop is the first finding shown when rows fit on screen.
func (m *doctorPane) listTop(rows int) int {
	return max(0, m.cursor-rows+1)
}

func (m *doctorPane) listLines(w, h int) []string {
	st := m.st
	var head string
	switch {
	case m.doc == nil:
		return []string{st.Muted.Render("The doctor is not available here.")}
	case m.snap.Project == nil:
		return []string{st.Muted.Render("No project loaded.")}
	case m.diagErr != nil:
		head = st.StatusError.Render("diagnosis failed: " + docCleanLine(m.diagErr.Error()))
	case len(m.findings) == 0 && !m.haveResult():
		head = st.Muted.Render("diagnosing…")
	case len(m.findings) == 0:
		head = st.OK.Render("No findings: no container died, loops or is unhealthy.")
	default:
		head = st.Header.Render(plural(len(m.findings), "finding"))
		if n := m.countFor(m.service); n > 0 {
			head += st.Muted.Render(fmt.Sprintf(" · %d for %s", n, m.service))
		}
	}
	if m.running && m.haveResult() {
		head += st.Dim.Render(" · diagnosing…")
	}
	out := []string{head}
	rows := max(h-1, 0)
	svcW := 4
	for _, f := range m.findings {
		svcW = max(svcW, min(ansi.StringWidth(f.Service), 16))
	}
	top := m.listTop(rows)
	for i := top; i < len(m.findings) && i < top+rows; i++ {
		out = append(out, m.findingRow(m.findings[i], i == m.cursor, svcW, w))
	}
	return out
}

func (m *doctorPane) haveResult() bool { return m.results > 0 }

// listRows is how many findings the list shows at the pane's size.
func (m *doctorPane) listRows() int {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return 1 << 20
	}
	return max(h-len(m.footLines(w, h))-1, 0)
}

// maxOffset is how far the diagnosis or the preview can scroll.
func (m *doctorPane) maxOffset() int {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		return 0
	}
	var lines []string
	if m.mode == doctorPreview {
		lines = m.previewLines(w)
	} else {
		lines, _ = m.detailLines(w)
	}
	return max(len(lines)-(h-len(m.footLines(w, h))), 0)
}

func (m *doctorPane) countFor(service string) int {
	n := 0
	for _, f := range m.findings {
		if service != "" && f.Service == service {
			n++
		}
	}
	return n
}

func (m *doctorPane) findingRow(f doctor.Finding, selected bool, svcW, w int) string {
	svc := f.Service
	if svc == "" {
		svc = "(project)"
	}
	svc = ansi.Truncate(svc, svcW, "…")
	svc += strings.Repeat(" ", max(svcW-ansi.StringWidth(svc), 0))
	text := fmt.Sprintf("%s %-15s %s", svc, f.Kind, docCleanLine(f.Summary))
	text = ansi.Truncate(text, max(w-2, 1), "…")
	if selected {
		text = m.st.Selected.Render(text)
	}
	return findingGlyph(m.st, f.Severity) + " " + text
}

// detailLines is the open finding's diagnosis, and the line its
// highlighted fix is on.
func (m *doctorPane) detailLines(w int) ([]string, int) {
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
func (m *doctorPane) scrollToFix() {
	w, h := m.width, m.height
	if w <= 0 || h <= 0 {
		m.offset = 0
		return
	}
	lines, fixLine := m.detailLines(w)
	bodyH := max(h-len(m.footLines(w, h)), 1)
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
func (m *doctorPane) previewLines(w int) []string {
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
	for _, e := range fixEffect(m.budget, fix) {
		out = append(out, docWrapped(e, w, "", st.Muted)...)
	}
	return out
}

// fixEffect says what applying a fix does beyond its diff.
func fixEffect(b *doctor.RestartBudget, fix doctor.Fix) []string {
	a := fix.Action
	var out []string
	switch a.Kind {
	case doctor.ActRestart:
		if fix.Auto {
			out = append(out, fmt.Sprintf("No file changes. stackui restarts %s's containers after a backoff of %s, doubling each time, "+
				"at most %d times in an %s, and again by itself while %s keeps failing.", a.Service, b.Backoff, b.Max, doctorWindow(b.Window), a.Service))
		} else {
			out = append(out, fmt.Sprintf("No file changes. stackui restarts %s's containers once, now. Its image holds data, so stackui "+
				"never restarts it by itself.", a.Service))
		}
	case doctor.ActProfileOff:
		out = append(out, fmt.Sprintf("No file changes. stackui removes %s's containers (never its volumes) and turns profile %s off "+
			"for this session.", a.Service, strings.Join(a.Profiles, ", ")))
	case doctor.ActNoGPUOverride:
		out = append(out, "Your compose files stay as they are: stackui writes this override file and passes it to compose. "+
			"Delete the file to undo.")
	default:
		if fix.Diff != "" {
			out = append(out, "u undoes the edit from its backup.")
		}
	}
	switch a.Then {
	case doctor.ThenRecreate:
		out = append(out, "Then: recreate "+a.Service+" (up -d --force-recreate --no-deps).")
	case doctor.ThenBuild:
		out = append(out, "Then: rebuild "+a.Service+" and recreate it.")
	case doctor.ThenPull:
		out = append(out, "Then: pull "+a.Service+"'s image again and recreate it.")
	case doctor.ThenUp:
		out = append(out, "Then: start "+a.Service+" with its dependencies (up -d "+a.Service+"), once they are ready.")
	}
	return out
}

// footLines are the pane's last lines: fixes running with their latest
// output, the last result, and the question or the keys of the mode.
func (m *doctorPane) footLines(w, h int) []string {
	st := m.st
	var out []string
	if len(m.applying) > 0 {
		names := make([]string, 0, len(m.applying))
		for _, what := range m.applying {
			names = append(names, what)
		}
		slices.Sort(names)
		out = append(out, st.Warn.Render("applying "+strings.Join(names, ", ")+"…"))
		lines := m.out.last()
		for _, l := range lines[max(0, len(lines)-max(h/4, 1)):] {
			out = append(out, st.Dim.Render("  │ "+docCleanLine(l)))
		}
	} else if m.note != "" {
		style := st.OK
		if m.noteErr {
			style = st.StatusError
		}
		out = append(out, style.Render(m.note))
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
