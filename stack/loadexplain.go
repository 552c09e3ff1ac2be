package stack

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// explainer turns one compose-go error into a LoadError that names the file
// and, where it can be found, the line. compose-go's messages carry a file
// for some failures, a line for YAML syntax, and for the rest only a key
// path (services.trainer.mem_limit) or a service name; the file and line are
// then found by parsing the project's files again with yaml.v3.
type explainer struct {
	workDir string
	files   []string // the project's compose files, in load order

	sources []*yamlSource // the files and those they include or extend
	refs    []fileRef
}

func newExplainer(workDir string, files []string) *explainer {
	x := &explainer{workDir: workDir, files: files}
	x.sources, x.refs = relatedSources(files)
	return x
}

var (
	reAbsPath     = regexp.MustCompile(`(?:^|[\s"'(])(/[^\s"':,()]+)`)
	reWrapPrefix  = regexp.MustCompile(`^(?:compose file "[^"]*"[^:]*? is invalid: |(?:failed to parse|validating|failed to read) \S+: |decoding failed due to the following error\(s\):\s*)`)
	reKeyPath     = regexp.MustCompile(`(?:^|[\s"'(])((?:services|networks|volumes|secrets|configs|models|include|x-[\w-]+)(?:\.[\w.\-/]+|\[[^\]\s]+\])*)`)
	reService     = regexp.MustCompile(`services? "?([\w.-]+)"?`)
	reCycle       = regexp.MustCompile(`dependency cycle detected: (\S+) ->`)
	reCircular    = regexp.MustCompile(`Circular reference:\s+(\S+) in (\S+)`)
	reRequiredVar = regexp.MustCompile(`(?:required variable|variable) "?(\w+)"?`)
	reYAMLMark    = regexp.MustCompile(`^(?:(while [^:]*?) at )?(?:line (\d+)(?:, column (\d+))?|(<unknown position>)|offset (\d+)): `)
	reAttrPath    = regexp.MustCompile(`^([a-z_]+(?:\.[a-z_]+)+) `)
	reYAMLError   = regexp.MustCompile(`(?:^|: )yaml: `)
	reLeadingLine = regexp.MustCompile(`^line (\d+): `)
	reFalseSchema = regexp.MustCompile(`^([\w.\-\[\]]+)\.([\w-]+) false schema$`)
)

// serviceAttr points a message about a service at the attribute it is about.
var serviceAttr = []struct{ substr, attr string }{
	{"depends on undefined service", "depends_on"},
	{"undefined network", "networks"},
	{"undefined volume", "volumes"},
	{"undefined secret", "secrets"},
	{"undefined config", "configs"},
	{"undefined model", "models"},
	{"cannot extend service", "extends"},
	{"network_mode", "network_mode"},
	{"healthcheck", "healthcheck"},
}

func (x *explainer) explain(err error) *LoadError {
	msg := err.Error()

	var pe *fs.PathError
	if errors.As(err, &pe) {
		if ref, ok := x.refFor(pe.Path); ok {
			text := fmt.Sprintf("%s file %s: %v", ref.kind, ref.value, pe.Err)
			return newLoadError(x.workDir, ref.from, ref.line, text, err)
		}
	}

	if strings.HasPrefix(msg, "invalid project name") {
		// from -p or COMPOSE_PROJECT_NAME: no file is at fault
		return newLoadError(x.workDir, "", 0, msg, err)
	}
	file := x.namedFile(msg)
	text := x.clean(msg, file)

	if loc := reYAMLError.FindStringIndex(text); loc != nil {
		return x.explainYAML(err, file, text[loc[1]:])
	}
	if strings.Contains(msg, "empty compose file") {
		for _, s := range x.sources {
			if s.empty() {
				return newLoadError(x.workDir, s.path, 0, "empty compose file", err)
			}
		}
	}
	if strings.Contains(msg, "must be a mapping") {
		for _, s := range x.sources {
			if line, ok := s.notMapping(); ok {
				return newLoadError(x.workDir, s.path, line, "top-level object must be a mapping", err)
			}
		}
	}
	if m := reLeadingLine.FindStringSubmatch(text); m != nil && file != "" {
		// dotenv: "failed to read .env: line 3: ..."; for an unterminated
		// quote it counts one line past the end.
		line, _ := strconv.Atoi(m[1])
		line = clampLine(file, line)
		return newLoadError(x.workDir, file, line, text[len(m[0]):], err)
	}

	var variable string
	if strings.Contains(msg, "interpolat") {
		if m := reRequiredVar.FindStringSubmatch(msg); m != nil {
			variable = m[1]
		}
	}
	file, line := x.where(file, x.keyPath(msg), variable)
	if m := reFalseSchema.FindStringSubmatch(text); m != nil {
		text = fmt.Sprintf("%s: unknown attribute %q", m[1], m[2])
	}
	return newLoadError(x.workDir, file, line, text, err)
}

// explainYAML handles a syntax error: rest is go-yaml's message after
// "yaml: ", a chain of position marks followed by the problem.
func (x *explainer) explainYAML(err error, file, rest string) *LoadError {
	if strings.Contains(rest, "into cli.named") {
		// compose-go's first pass (reading the project name) choked on a
		// file whose top level is a list or a scalar.
		for _, s := range x.sources {
			if line, ok := s.notMapping(); ok {
				return newLoadError(x.workDir, s.path, line, "top-level object must be a mapping", err)
			}
		}
	}
	rest = strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(rest, "construct errors:")), "yaml: ")
	line, col, offset, known := 0, 0, -1, false
	for {
		m := reYAMLMark.FindStringSubmatch(rest)
		if m == nil {
			break
		}
		// The last mark is the problem's; a "while parsing X at line N"
		// context mark stands alone when the problem is at the same place.
		rest = rest[len(m[0]):]
		known = true
		line, col, offset = 0, 0, -1
		switch {
		case m[2] != "":
			line, _ = strconv.Atoi(m[2])
			col, _ = strconv.Atoi(m[3])
		case m[5] != "":
			offset, _ = strconv.Atoi(m[5])
		}
	}
	if file == "" {
		// compose-go reads every file once for its `name` before loading and
		// returns that parse error bare: find which file does not parse.
		for _, s := range x.sources {
			if s.err != nil {
				file = s.path
				break
			}
		}
		if file == "" && len(x.files) > 0 {
			file = x.files[0]
		}
	}
	if known && offset < 0 && yamlParserError(err) {
		line++ // see yamlParserError
	}
	if offset >= 0 {
		line, col = x.lineAt(file, offset), 0
	}
	line = clampLine(file, line)
	le := newLoadError(x.workDir, file, line, strings.TrimSpace(rest), err)
	le.Column = col
	return le
}

// yamlParserError reports whether err comes from go-yaml v4's parser. As of
// v4.0.0-rc.4 its marks count lines from 0 ("<unknown position>" for the
// first line), while the scanner's and composer's count from 1; the type is
// internal to go-yaml, so it is recognised by name. TestLoadErrors pins the
// resulting line numbers, so a go-yaml fix shows up as a failing test.
func yamlParserError(err error) bool {
	queue := []error{err}
	for n := 0; len(queue) > 0 && n < 32; n++ {
		e := queue[0]
		queue = queue[1:]
		if t := reflect.TypeOf(e); t != nil && t.Name() == "ParserError" && strings.HasSuffix(t.PkgPath(), "/libyaml") {
			return true
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			if w := u.Unwrap(); w != nil {
				queue = append(queue, w)
			}
		case interface{ Unwrap() []error }:
			queue = append(queue, u.Unwrap()...)
		}
	}
	return false
}

func (x *explainer) lineAt(file string, offset int) int {
	for _, s := range x.sources {
		if s.path == file {
			return 1 + bytes.Count(s.content[:min(offset, len(s.content))], []byte("\n"))
		}
	}
	return 0
}

// refFor finds the include or extends entry that names a missing file.
func (x *explainer) refFor(path string) (fileRef, bool) {
	for _, r := range x.refs {
		if r.path == path {
			return r, true
		}
	}
	for _, r := range x.refs {
		if filepath.Base(r.value) == filepath.Base(path) && strings.HasSuffix(path, filepath.Clean(r.value)) {
			return r, true
		}
	}
	return fileRef{}, false
}

// namedFile is the first absolute path in msg that is one of the project's
// files or exists; failing that, the first one (a missing env file).
func (x *explainer) namedFile(msg string) string {
	var first string
	for _, m := range reAbsPath.FindAllStringSubmatch(msg, -1) {
		p := filepath.Clean(m[1])
		if first == "" {
			first = p
		}
		for _, s := range x.sources {
			if s.path == p {
				return p
			}
		}
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return first
}

// clean makes the loader's message one line without the file name, which
// LoadError puts in front.
func (x *explainer) clean(msg, named string) string {
	for {
		loc := reWrapPrefix.FindStringIndex(msg)
		if loc == nil {
			break
		}
		msg = msg[loc[1]:]
	}
	for _, s := range x.sources {
		msg = strings.ReplaceAll(msg, s.path, displayPath(x.workDir, s.path))
	}
	if named != "" {
		msg = strings.ReplaceAll(msg, named, displayPath(x.workDir, named))
	}
	return strings.Join(strings.Fields(msg), " ")
}

// keyPath is the compose key path msg is about, as segments.
func (x *explainer) keyPath(msg string) []string {
	if m := reCycle.FindStringSubmatch(msg); m != nil {
		return []string{"services", m[1], "depends_on"}
	}
	if m := reCircular.FindStringSubmatch(msg); m != nil {
		return []string{"services", m[1], "extends"}
	}
	if m := reKeyPath.FindStringSubmatch(msg); m != nil {
		return parseKeyPath(strings.TrimRight(m[1], "."))
	}
	if m := reAttrPath.FindStringSubmatch(msg); m != nil {
		// "healthcheck.test must start ...": some service's attribute.
		return append([]string{"services", "*"}, strings.Split(m[1], ".")...)
	}
	if m := reService.FindStringSubmatch(msg); m != nil {
		path := []string{"services", m[1]}
		for _, a := range serviceAttr {
			if strings.Contains(msg, a.substr) {
				return append(path, a.attr)
			}
		}
		return path
	}
	return nil
}

// where picks the file and line for a key path. The file the message names
// is tried first; then the project's files, last first, because the last file
// that sets a key is the one whose value compose keeps. An interpolation
// error comes from the first file whose line uses the variable.
func (x *explainer) where(named string, path []string, variable string) (string, int) {
	var order []*yamlSource
	seen := map[*yamlSource]bool{}
	add := func(s *yamlSource) {
		if s != nil && !seen[s] {
			seen[s] = true
			order = append(order, s)
		}
	}
	byPath := func(p string) *yamlSource {
		for _, s := range x.sources {
			if s.path == p {
				return s
			}
		}
		return nil
	}
	add(byPath(named))
	for i := range x.files {
		if variable != "" {
			add(byPath(x.files[i]))
		} else {
			add(byPath(x.files[len(x.files)-1-i]))
		}
	}
	for _, s := range x.sources {
		add(s)
	}

	bestFile, bestLine, bestScore := named, 0, 0
	if bestFile == "" && len(x.files) > 0 {
		bestFile = x.files[0]
	}
	if len(path) == 0 {
		return bestFile, 0
	}
	for _, s := range order {
		line, matched := s.locate(path)
		if matched == 0 {
			continue
		}
		score := 2 * matched
		if variable != "" && lineContains(s.content, line, variable) {
			score++
		}
		if variable != "" && score%2 == 0 {
			// a list entry (environment: [A=${X:?}]) is reported as
			// "environment.[]": look below the key for the variable.
			if l := lineWith(s.content, line, variable); l > 0 {
				line, score = l, score+1
			}
		}
		if score > bestScore {
			bestFile, bestLine, bestScore = s.path, line, score
		}
	}
	return bestFile, bestLine
}

// clampLine keeps a reported line inside the file: parsers that hit the end
// of the file while looking for a closing quote or bracket report the line
// after the last.
func clampLine(file string, line int) int {
	b, err := os.ReadFile(file)
	if err != nil || line <= 0 {
		return line
	}
	return min(line, max(1, bytes.Count(bytes.TrimRight(b, "\n"), []byte("\n"))+1))
}

// lineWith finds the first line from line on, within a few, that holds word.
func lineWith(content []byte, line int, word string) int {
	lines := bytes.Split(content, []byte("\n"))
	for i := line; i >= 1 && i <= len(lines) && i < line+20; i++ {
		if bytes.Contains(lines[i-1], []byte(word)) {
			return i
		}
	}
	return 0
}

func lineContains(content []byte, line int, word string) bool {
	lines := bytes.Split(content, []byte("\n"))
	return line >= 1 && line <= len(lines) && bytes.Contains(lines[line-1], []byte(word))
}
