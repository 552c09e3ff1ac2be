package edit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// source is one compose file: its bytes, where each line starts, and its
// YAML documents. Edits are computed as byte splices of data at positions
// taken from the nodes, so everything else in the file stays as written.
type source struct {
	path  string
	data  []byte
	lines []int        // byte offset where each line starts
	docs  []*yaml.Node // root node of each document (nil for an empty one)
	nl    string       // the file's line ending
}

func parseSource(path string, data []byte) (src *source, err error) {
	// yaml.v3 is fed the user's bytes; a panic in it is bad input to
	// report, not a crash of the fix.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("parse %s: %v", path, r)
		}
	}()
	s := &source{path: path, data: data, lines: []int{0}, nl: "\n"}
	for i, c := range data {
		if c == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
	if bytes.Contains(data, []byte("\r\n")) {
		s.nl = "\r\n"
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", path, err)
		}
		var root *yaml.Node
		if len(doc.Content) > 0 {
			root = doc.Content[0]
		}
		s.docs = append(s.docs, root)
	}
	return s, nil
}

// lineText is line l (1-based) without its line ending.
func (s *source) lineText(l int) string {
	if l < 1 || l > len(s.lines) {
		return ""
	}
	end := len(s.data)
	if l < len(s.lines) {
		end = s.lines[l]
	}
	return strings.TrimRight(string(s.data[s.lines[l-1]:end]), "\r\n")
}

// offset turns a node's line and column (1-based, the column counted in
// characters as yaml.v3 counts them) into a byte offset.
func (s *source) offset(line, col int) (int, error) {
	if line < 1 || line > len(s.lines) || col < 1 {
		return 0, fmt.Errorf("%s: position %d:%d is outside the file", s.path, line, col)
	}
	off := s.lines[line-1]
	for i := 1; i < col; i++ {
		if off >= len(s.data) || s.data[off] == '\n' {
			return 0, fmt.Errorf("%s: position %d:%d is outside the line", s.path, line, col)
		}
		_, w := utf8.DecodeRune(s.data[off:])
		off += w
	}
	return off, nil
}

// lineOf is the 1-based line of a byte offset.
func (s *source) lineOf(off int) int {
	return sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off })
}

// span is a byte range [start, end) of the file.
type span struct{ start, end int }

// skipProps moves past a node's anchor (&a) and tag (!!str, !reset), which
// yaml.v3 counts as the start of the node.
func (s *source) skipProps(off int) int {
	for off < len(s.data) && (s.data[off] == '&' || s.data[off] == '!') {
		for off < len(s.data) && !isSpace(s.data[off]) && s.data[off] != '\n' && s.data[off] != '\r' {
			off++
		}
		for off < len(s.data) && isSpace(s.data[off]) {
			off++
		}
	}
	return off
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// scalarSpan finds the bytes of a scalar value as written, without its
// anchor or tag (but with a !reset tag, which the edit must drop). flow
// says the scalar sits inside a flow collection, where `,` `]` `}` end a
// plain scalar. An empty null (`key:` with nothing after it) is an empty
// span right after the colon.
func (s *source) scalarSpan(n *yaml.Node, flow bool) (span, error) {
	start, err := s.offset(n.Line, n.Column)
	if err != nil {
		return span{}, err
	}
	if n.Tag == "!!null" && n.Value == "" {
		return span{start, start}, nil
	}
	if n.Tag != "!reset" {
		start = s.skipProps(start)
	}
	body := s.skipProps(start)
	if body >= len(s.data) {
		return span{}, fmt.Errorf("%s:%d: %w: value not found", s.path, n.Line, ErrUnsupported)
	}
	end := body
	switch c := s.data[body]; {
	case c == '"' || c == '\'':
		end = body + 1
		for ; end < len(s.data); end++ {
			switch s.data[end] {
			case '\n', '\r':
				return span{}, fmt.Errorf("%s:%d: %w: multi-line quoted value", s.path, n.Line, ErrUnsupported)
			case '\\':
				if c == '"' {
					end++
					continue
				}
			case c:
				if c == '\'' && end+1 < len(s.data) && s.data[end+1] == '\'' {
					end++
					continue
				}
				return span{start, end + 1}, nil
			}
		}
		return span{}, fmt.Errorf("%s:%d: %w: unterminated quoted value", s.path, n.Line, ErrUnsupported)
	case c == '|' || c == '>':
		return span{}, fmt.Errorf("%s:%d: %w: block scalar", s.path, n.Line, ErrUnsupported)
	default:
		for end < len(s.data) {
			b := s.data[end]
			if b == '\n' || b == '\r' || (flow && (b == ',' || b == ']' || b == '}')) {
				break
			}
			if b == '#' && end > 0 && isSpace(s.data[end-1]) {
				break
			}
			end++
		}
		for end > body && isSpace(s.data[end-1]) {
			end--
		}
		if string(s.data[body:end]) != n.Value {
			return span{}, fmt.Errorf("%s:%d: %w: value %q spans several lines", s.path, n.Line, ErrUnsupported, n.Value)
		}
		if end == body {
			// only a tag (`key: !reset`): drop the blanks after it too
			for end > start && isSpace(s.data[end-1]) {
				end--
			}
		}
	}
	return span{start, end}, nil
}

// quoteStyle returns v written as a YAML scalar in the style of old:
// quoted the same way, or plain when old was plain and v stays a plain
// scalar of the same meaning.
func quoteStyle(old *yaml.Node, v string, wantString bool) string {
	switch {
	case old != nil && old.Style&yaml.SingleQuotedStyle != 0:
		return "'" + strings.ReplaceAll(v, "'", "''") + "'"
	case old != nil && old.Style&yaml.DoubleQuotedStyle != 0:
		return doubleQuote(v)
	case plainSafe(v, wantString):
		return v
	default:
		return doubleQuote(v)
	}
}

func doubleQuote(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// plainSafe reports whether v can be written without quotes and still read
// back as the same string (or, when wantString is false, as whatever YAML
// makes of it, e.g. a number).
func plainSafe(v string, wantString bool) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '/' || c == '_' || c == '-' || c == ':'
		if !ok || (i == 0 && (c == '-' || c == ':')) {
			return false
		}
	}
	if !wantString {
		return true
	}
	var out any
	if yaml.Unmarshal([]byte("v: "+v), &struct{ V *any }{V: &out}) != nil {
		return false
	}
	got, ok := out.(string)
	return ok && got == v
}
