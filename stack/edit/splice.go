package edit

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// splice replaces the bytes of a span with text.
type splice struct {
	span
	text string
}

// insertKey returns the splice that adds `key: value` to mapping m: a new
// line after the whole value of m's last key, at the indentation of m's
// keys, for a block mapping; in place before the closing brace for a flow
// mapping.
func (s *source) insertKey(m *yaml.Node, key, value string) (splice, error) {
	if m.Style&yaml.FlowStyle != 0 {
		return s.insertFlow(m, key+": "+value)
	}
	if len(m.Content) < 2 {
		return splice{}, fmt.Errorf("%s:%d: %w: empty block mapping", s.path, m.Line, ErrUnsupported)
	}
	first, last := m.Content[0], m.Content[len(m.Content)-2]
	if last.Column != first.Column || first.Column < 2 {
		return splice{}, fmt.Errorf("%s:%d: %w: keys are not aligned", s.path, m.Line, ErrUnsupported)
	}
	indent := first.Column - 1
	end := s.blockEnd(last.Line, indent)
	if v := m.Content[len(m.Content)-1]; v.Style&yaml.FlowStyle != 0 {
		// a flow value may close on a line indented no deeper than its key
		if open, err := s.offset(v.Line, v.Column); err == nil {
			if closing, _, err := s.flowEnd(s.skipProps(open)); err == nil {
				end = max(end, s.lineOf(closing))
			}
		}
	}
	line := strings.Repeat(" ", indent) + key + ": " + value + s.nl
	if end < len(s.lines) {
		off := s.lines[end]
		return splice{span{off, off}, line}, nil
	}
	// the mapping ends on the last line, which has no line ending: the
	// file keeps ending without one
	if s.endingChangesValues() {
		return splice{}, fmt.Errorf("%s: %w: a new line would change the block scalar that ends the file", s.path, ErrUnsupported)
	}
	return splice{span{len(s.data), len(s.data)}, s.nl + strings.TrimSuffix(line, s.nl)}, nil
}

// endingChangesValues reports whether a line ending added to the file
// would change what it says: a block scalar (`|`, `>`) that ends the file
// without one would gain a trailing newline.
func (s *source) endingChangesValues() bool {
	more, err := parseSource(s.path, append(bytes.Clone(s.data), s.nl...))
	if err != nil || len(more.docs) != len(s.docs) {
		return true
	}
	for i := range s.docs {
		if !sameTree(s.docs[i], more.docs[i]) {
			return true
		}
	}
	return false
}

// sameTree compares two parses of a document: kinds, values and shape
// (aliases by name, not followed).
func sameTree(a, b *yaml.Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.Kind != b.Kind || a.Value != b.Value || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameTree(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

// blockEnd returns the last line of the value of the key on line keyLine,
// whose mapping is indented by indent: every later line that is indented
// deeper (or is a `- ` item at the same indentation, YAML's compact
// sequence), then the comments indented deeper that follow it directly.
// Blank lines and comments at the mapping's level or above stay after the
// insertion, with whatever they introduce.
func (s *source) blockEnd(keyLine, indent int) int {
	last := keyLine
	n := len(s.lines)
	for l := keyLine + 1; l <= n; l++ {
		text := s.lineText(l)
		body := strings.TrimLeft(text, " ")
		if strings.TrimSpace(body) == "" || strings.HasPrefix(strings.TrimLeft(body, "\t"), "#") {
			continue
		}
		ind := len(text) - len(body)
		if ind > indent || (ind == indent && (body == "-" || strings.HasPrefix(body, "- ") || strings.HasPrefix(body, "-\t"))) {
			last = l
			continue
		}
		break
	}
	for l := last + 1; l <= n; l++ {
		text := s.lineText(l)
		body := strings.TrimLeft(text, " ")
		if !strings.HasPrefix(body, "#") || len(text)-len(body) <= indent {
			break
		}
		last = l
	}
	return last
}

// insertFlow adds an entry to the flow mapping m, after its last entry and
// before the closing brace.
func (s *source) insertFlow(m *yaml.Node, entry string) (splice, error) {
	open, err := s.offset(m.Line, m.Column)
	if err != nil {
		return splice{}, err
	}
	open = s.skipProps(open)
	if open >= len(s.data) || s.data[open] != '{' {
		return splice{}, fmt.Errorf("%s:%d: %w: flow mapping not found", s.path, m.Line, ErrUnsupported)
	}
	closing, lastTok, err := s.flowEnd(open)
	if err != nil {
		return splice{}, err
	}
	switch {
	case lastTok == open+1 && closing == open+1: // {}
		return splice{span{closing, closing}, entry}, nil
	case lastTok == open+1: // { }
		return splice{span{open + 1, open + 1}, " " + entry}, nil
	case s.data[lastTok-1] == ',':
		return splice{span{lastTok, lastTok}, " " + entry}, nil
	default:
		return splice{span{lastTok, lastTok}, ", " + entry}, nil
	}
}

// flowEnd finds the brace or bracket that closes the flow collection
// opened at open, and the end of its last token (comments and white space
// skipped).
func (s *source) flowEnd(open int) (closing, lastTok int, err error) {
	depth := 0
	lastTok = open + 1
	prev := byte(' ')
	for i := open; i < len(s.data); i++ {
		c := s.data[i]
		switch {
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return i, lastTok, nil
			}
		case c == '#' && (isSpace(prev) || prev == '\n' || prev == '\r'):
			for i < len(s.data) && s.data[i] != '\n' {
				i++
			}
			prev = '\n'
			continue
		case (c == '"' || c == '\'') && (isSpace(prev) || strings.IndexByte("{[,:\n\r", prev) >= 0):
			j := i + 1
			for ; j < len(s.data); j++ {
				if c == '"' && s.data[j] == '\\' {
					j++
					continue
				}
				if s.data[j] == c {
					if c == '\'' && j+1 < len(s.data) && s.data[j+1] == '\'' {
						j++
						continue
					}
					break
				}
			}
			i = j
		}
		if i < len(s.data) && !isSpace(s.data[i]) && s.data[i] != '\n' && s.data[i] != '\r' {
			lastTok = i + 1
			prev = s.data[i]
		} else if i < len(s.data) {
			prev = s.data[i]
		}
	}
	return 0, 0, fmt.Errorf("%s: %w: unterminated flow collection", s.path, ErrUnsupported)
}

// apply returns data with the splices made; they must not overlap.
func apply(data []byte, splices []splice) ([]byte, error) {
	sorted := append([]splice(nil), splices...)
	// insertion order for equal starts is kept: stable sort by start
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j].start < sorted[j-1].start; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	var out []byte
	pos := 0
	for _, sp := range sorted {
		if sp.start < pos || sp.end < sp.start || sp.end > len(data) {
			return nil, fmt.Errorf("%w: two edits overlap", ErrUnsupported)
		}
		out = append(out, data[pos:sp.start]...)
		out = append(out, sp.text...)
		pos = sp.end
	}
	return append(out, data[pos:]...), nil
}
