package logbuf

import (
	"sort"
	"strings"
	"unicode"

	"github.com/stackui/stackui/internal/textsafe"
)

// Query is a search over line text, case-insensitive unless it contains an
// upper-case letter (smart case, as in less and vim). Colour sequences are
// not searched. The zero Query matches nothing.
type Query struct {
	text   string
	needle string // lower-cased when fold
	fold   bool
}

// NewQuery makes a smart-case query.
func NewQuery(text string) Query {
	fold := strings.IndexFunc(text, unicode.IsUpper) < 0
	q := Query{text: text, needle: text, fold: fold}
	if fold {
		q.needle = strings.ToLower(text)
	}
	return q
}

// String is the query as typed.
func (q Query) String() string { return q.text }

// Empty reports whether the query matches nothing.
func (q Query) Empty() bool { return q.needle == "" }

// Matches reports whether a stored line contains the query.
func (q Query) Matches(l *Line, scratch *[]byte) bool {
	if q.Empty() {
		return false
	}
	hay := searchText(l, scratch)
	if q.fold {
		if l.Flags&textsafe.Plain != 0 || isASCII(hay) {
			return indexFoldASCII(hay, q.needle) >= 0
		}
		return strings.Contains(strings.ToLower(hay), q.needle)
	}
	return strings.Contains(hay, q.needle)
}

// spans calls fn with the byte ranges of the matches in hay (the line's
// searchText), left to right, not overlapping. When case folding changes
// byte lengths (a few non-ASCII letters) positions are unknown and no spans
// are reported; the line still counts as a match.
func (q Query) spans(hay string, fn func(a, b int)) {
	if q.Empty() {
		return
	}
	n := len(q.needle)
	find := func(s string) int { return strings.Index(s, q.needle) }
	if q.fold {
		if isASCII(hay) {
			find = func(s string) int { return indexFoldASCII(s, q.needle) }
		} else if lower := strings.ToLower(hay); len(lower) == len(hay) {
			hay = lower
		} else {
			return
		}
	}
	for at := 0; at <= len(hay)-n; {
		i := find(hay[at:])
		if i < 0 {
			return
		}
		fn(at+i, at+i+n)
		at += i + n
	}
}

// searchText is the line without its colour sequences.
func searchText(l *Line, scratch *[]byte) string {
	if l.Flags&textsafe.SGR == 0 {
		return l.Text
	}
	*scratch = stripSGR((*scratch)[:0], l.Text)
	return string(*scratch)
}

// stripSGR appends s without its escape sequences, which in a sanitized
// line are all ESC [ params m.
func stripSGR(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] != 0x1b {
			dst = append(dst, s[i])
			continue
		}
		for i < len(s) && s[i] != 'm' {
			i++
		}
	}
	return dst
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// indexFoldASCII finds a lower-case needle in ASCII s, ignoring case.
func indexFoldASCII(s, needle string) int {
	n := len(needle)
	if n == 0 {
		return 0
	}
	first := needle[0]
	for i := 0; i+n <= len(s); i++ {
		if lowerASCII(s[i]) != first {
			continue
		}
		j := 1
		for j < n && lowerASCII(s[i+j]) == needle[j] {
			j++
		}
		if j == n {
			return i
		}
	}
	return -1
}

// matchCache holds the absolute indices of a ring's lines that match one
// query (or carry one set of marks). It is extended with the lines added
// since the last look, so a search costs a scan of the buffer once, then
// only of what arrives.
type matchCache struct {
	key     cacheKey
	gen     uint64
	valid   bool
	scanned int64 // absolute index up to which lines were looked at
	idx     []int64
}

// cacheKey is what a matchCache was filled for.
type cacheKey struct {
	q     Query
	marks *Marks
}

// matches returns the ring's matching lines, oldest first. The slice is
// the cache's: valid until the ring changes.
func (r *Ring) matches(q Query, scratch *[]byte) []int64 {
	return r.scan(&r.match, cacheKey{q: q}, func(l *Line) bool { return q.Matches(l, scratch) })
}

// scan brings c up to date for key: the lines that pred holds for, oldest
// first.
func (r *Ring) scan(c *matchCache, key cacheKey, pred func(*Line) bool) []int64 {
	r.settle()
	if !c.valid || c.key != key || c.gen != r.gen {
		*c = matchCache{key: key, gen: r.gen, valid: true, scanned: r.Start(), idx: c.idx[:0]}
	}
	if k := sort.Search(len(c.idx), func(i int) bool { return c.idx[i] >= r.Start() }); k > 0 {
		c.idx = append(c.idx[:0], c.idx[k:]...)
	}
	c.scanned = max(c.scanned, r.Start())
	for a := c.scanned; a < r.End(); a++ {
		if pred(r.At(a)) {
			c.idx = append(c.idx, a)
		}
	}
	c.scanned = r.End()
	return c.idx
}
