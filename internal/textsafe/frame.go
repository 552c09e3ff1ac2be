package textsafe

import (
	"strings"
	"unicode/utf8"
)

// Frame cleans a whole screen the TUI is about to draw, line by line, as
// Lines does. A frame is mostly lipgloss output, which is already safe, so
// a line that holds only printable text and well-formed SGR is kept as it
// is (no reset added, nothing copied); only a line that carries something
// else goes through Sanitize. That keeps the check cheap enough to run on
// every frame.
func Frame(s string) string {
	if safe(s) {
		return s
	}
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		if !safe(p) {
			parts[i] = Line(strings.ReplaceAll(p, "\r", ""))
		}
	}
	return strings.Join(parts, "\n")
}

// safe reports whether s holds only printable text, line breaks and
// well-formed SGR: nothing Sanitize would change but tabs and the cap.
func safe(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			if i+1 >= len(s) || s[i+1] != '[' {
				return false
			}
			end := skipCSI(s, i+2)
			if !isSGR(s[i:end]) {
				return false
			}
			i = end
		case c == '\n':
			i++
		case c < 0x20 || c == 0x7f:
			return false
		case c < 0x80:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if (r == utf8.RuneError && size <= 1) || (r >= 0x80 && r <= 0x9f) || invisible(r) {
				return false
			}
			i += size
		}
	}
	return true
}
