// Package textsafe makes untrusted text (container output, compose strings,
// engine messages, file names) safe to print on a terminal. Every surface,
// the TUI's panes and the CLI's text output alike, cleans through it: only
// SGR colour sequences and printable text survive, and characters that are
// invisible but change how a line reads (bidi overrides, zero-width spaces)
// are shown escaped, as <U+202E>.
package textsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// Flags describe a stored line so rendering can take shortcuts.
type Flags uint8

const (
	// Plain: printable ASCII only, so its width is its length and it can be
	// cut and searched byte by byte.
	Plain Flags = 1 << iota
	// SGR: the line carries colour sequences (and ends with a reset).
	SGR
)

// DefaultMaxCells caps the displayed width of one line. The engine side
// already caps a line at 64 KiB; nobody reads further than this in a pane,
// and it bounds the work a single line can cost when wrapped.
const DefaultMaxCells = 4096

// Ellipsis marks a line cut at the display cap.
const Ellipsis = "…"

// SGRReset ends every line that carries colours, so they never bleed into
// the next line or the rest of the screen.
const SGRReset = "\x1b[m"

// maxSGRLen bounds one kept colour sequence; anything longer is not a
// colour a program meant to send.
const maxSGRLen = 64

// Sanitize makes one line of container output safe to print: only SGR
// colour sequences and printable text survive. Cursor movement, erasing,
// OSC (titles, clipboard, hyperlinks), DCS, APC, PM, SOS, C0 and C1
// controls and bare ESC are dropped; tabs become spaces to the next 8-column
// stop; invalid UTF-8 becomes U+FFFD. A line longer than maxCells cells is
// cut with Ellipsis (maxCells <= 0 means DefaultMaxCells).
//
// Printable ASCII that fits, by far the common case, comes back as the same
// string without allocating.
func Sanitize(s string, maxCells int) (string, Flags) {
	if maxCells <= 0 {
		maxCells = DefaultMaxCells
	}
	if len(s) <= maxCells && isPlain(s) {
		return s, Plain
	}
	return sanitizeSlow(s, maxCells)
}

func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// sanitizer is the state of one slow-path run.
type sanitizer struct {
	out      strings.Builder
	col      int // cells up to byte colAt of out
	colAt    int
	ascii    bool // no multi-byte rune written
	visible  int  // bytes of text written (not counting SGR)
	sgr      bool
	limit    int // stop copying text past this many bytes
	overflow bool
}

func sanitizeSlow(s string, maxCells int) (string, Flags) {
	z := sanitizer{ascii: true, limit: maxCells*utf8.UTFMax + 1}
	z.out.Grow(min(len(s), z.limit) + len(SGRReset))
	for i := 0; i < len(s) && !z.overflow; {
		c := s[i]
		switch {
		case c == 0x1b:
			i = z.escape(s, i)
		case c == '\t':
			z.tab()
			i++
		case c < 0x20 || c == 0x7f:
			i++ // C0 control or DEL
		case c < 0x80:
			z.text(s[i : i+1])
			i++
		default:
			i = z.rune(s, i)
		}
	}
	out := z.out.String()
	if z.overflow || z.visible > maxCells {
		out = cut(out, maxCells, z.ascii && !z.sgr)
		z.ascii = false // the ellipsis
	}
	var f Flags
	if z.sgr {
		f |= SGR
		out += SGRReset
	} else if z.ascii {
		f |= Plain
	}
	return out, f
}

// cut shortens a sanitized line to maxCells cells including the ellipsis.
func cut(s string, maxCells int, plain bool) string {
	if plain {
		if len(s) <= maxCells {
			return s
		}
		return s[:maxCells-1] + Ellipsis
	}
	if ansi.StringWidth(s) <= maxCells {
		return s
	}
	return ansi.Truncate(s, maxCells, Ellipsis)
}

func (z *sanitizer) text(t string) {
	if z.visible+len(t) > z.limit {
		z.overflow = true
		return
	}
	z.out.WriteString(t)
	z.visible += len(t)
}

// tab pads to the next multiple of 8 columns, as a terminal would.
// Widths are measured from the previous tab on, so many tabs in a long
// line cost linear time.
func (z *sanitizer) tab() {
	out := z.out.String()
	if z.ascii && !z.sgr {
		z.col += len(out) - z.colAt
	} else {
		z.col += ansi.StringWidth(out[z.colAt:])
	}
	n := 8 - z.col%8
	z.text("        "[:n])
	z.col += n
	z.colAt = z.out.Len()
}

// rune copies one multi-byte rune, replacing invalid UTF-8 and dropping
// C1 controls written in their UTF-8 form.
func (z *sanitizer) rune(s string, i int) int {
	r, size := utf8.DecodeRuneInString(s[i:])
	z.ascii = false
	switch {
	case r == utf8.RuneError && size <= 1:
		z.text("\uFFFD")
		return i + 1
	case r == 0x9b: // CSI in its C1 form: drop it and its parameters
		return skipCSI(s, i+size)
	case r == 0x90 || r == 0x98 || r == 0x9d || r == 0x9e || r == 0x9f: // DCS, SOS, OSC, PM, APC
		return skipString(s, i+size)
	case r >= 0x80 && r <= 0x9f:
		return i + size
	case invisible(r):
		z.text(escapeRune(r))
		return i + size
	}
	z.text(s[i : i+size])
	return i + size
}

// invisible reports whether r changes how a line reads without showing:
// the bidi embeddings, overrides, isolates and marks (a line can then show
// "file<U+202E>txt.exe" as "fileexe.txt"), zero-width spaces and joiners
// that hide words, line and paragraph separators, and the interlinear
// annotation and invisible operator characters. ZWJ and ZWNJ are kept:
// emoji sequences and several scripts need them.
func invisible(r rune) bool {
	switch {
	case r == 0x061c, r == 0x180e, r == 0x200b, r == 0x200e, r == 0x200f, r == 0xfeff:
		return true
	case r >= 0x2028 && r <= 0x202e, r >= 0x2060 && r <= 0x206f, r >= 0xfff9 && r <= 0xfffb:
		return true
	}
	return false
}

// escapeRune writes r as <U+XXXX>.
func escapeRune(r rune) string { return fmt.Sprintf("<U+%04X>", r) }

// escape handles the sequence that starts with the ESC at s[i] and returns
// the index after it. Only well-formed SGR is copied.
func (z *sanitizer) escape(s string, i int) int {
	if i+1 >= len(s) {
		return i + 1 // bare ESC at the end
	}
	switch s[i+1] {
	case '[':
		end := skipCSI(s, i+2)
		if seq := s[i:end]; isSGR(seq) {
			z.out.WriteString(seq)
			z.sgr = true
		}
		return end
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC
		return skipString(s, i+2)
	}
	// Any other escape: intermediates 0x20–0x2f, then a final 0x30–0x7e.
	j := i + 1
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		j++
	}
	if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
		j++
	}
	return j
}

// skipCSI returns the index after a control sequence whose parameters start
// at s[i]. A sequence cut short by a byte that cannot be part of it ends
// before that byte, which is then handled on its own.
func skipCSI(s string, i int) int {
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f { // parameters, intermediates
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		i++
	}
	return i
}

// skipString returns the index after a control string (OSC, DCS, SOS, PM,
// APC) whose body starts at s[i]: it ends at BEL, ST (ESC \ or U+009C) or
// the end of the line. Any other ESC also ends it, as it does in a terminal,
// and is handled on its own.
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i
		case s[i] == 0xc2 && i+1 < len(s) && s[i+1] == 0x9c:
			return i + 2
		}
		i++
	}
	return i
}

// isSGR reports whether seq is ESC [ params m with params of digits, ';'
// and ':' only.
func isSGR(seq string) bool {
	if len(seq) < 3 || len(seq) > maxSGRLen || seq[len(seq)-1] != 'm' {
		return false
	}
	for _, c := range []byte(seq[2 : len(seq)-1]) {
		if (c < '0' || c > '9') && c != ';' && c != ':' {
			return false
		}
	}
	return true
}

// Line cleans one line for a CLI text surface: Sanitize with the default
// width cap, without the flags.
func Line(s string) string {
	out, _ := Sanitize(s, 0)
	return out
}

// Lines cleans text that may hold several lines, keeping the line breaks
// (CR LF and a lone CR become breaks too) and cleaning each line.
func Lines(s string) string {
	if len(s) <= DefaultMaxCells && isPlain(s) {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = Line(p)
	}
	return strings.Join(parts, "\n")
}
