package ui

// What the doctor pane says, as text: badges, glyphs, cleaned container
// output and what a fix does beyond its diff.

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/internal/textsafe"
	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/themes"
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
	case doctor.KindKilled:
		// Exit 137 and nothing says whether for memory or by a stop.
		return "KILLED?"
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
	case doctor.KindHealthcheckBroken:
		return "PROBE"
	case doctor.KindGPUOOM:
		return "GPU OOM"
	case doctor.KindShmTooSmall:
		return "SHM"
	case doctor.KindMissingEnv:
		return "ENV"
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
// (textsafe.Sanitize), then plain, one entry per line.
func docCleanLines(s string) []string {
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		p, _ = textsafe.Sanitize(p, 0)
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
