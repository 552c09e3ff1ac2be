package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadErr loads and returns the *LoadError Load must fail with.
func loadErr(t *testing.T, opts LoadOptions) *LoadError {
	t.Helper()
	p, err := Load(context.Background(), opts)
	if err == nil {
		t.Fatalf("Load succeeded with services %v, want an error", ltNames(p, false))
	}
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %T %q is not a *LoadError", err, err)
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Errorf("error %q is not one line", err)
	}
	return le
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		opts    LoadOptions
		file    string // relative to the fixture; "" for errors about no file
		line    int
		want    string // the whole Error()
	}{{
		name: "YAML scanner error", fixture: "bad-syntax", file: "compose.yaml", line: 7,
		want: "compose.yaml:7: mapping values are not allowed in this context",
	}, {
		// go-yaml's parser counts lines from 0 (v4.0.0-rc.4); the problem is on line 4.
		name: "YAML parser error", fixture: "bad-parser", file: "compose.yaml", line: 4,
		want: "compose.yaml:4: did not find expected key",
	}, {
		name: "duplicate key", fixture: "bad-dupkey", file: "compose.yaml", line: 6,
		want: `compose.yaml:6: mapping key "web" already defined at line 2`,
	}, {
		name: "top level is not a mapping", fixture: "bad-toplevel", file: "compose.yaml", line: 1,
		want: "compose.yaml:1: top-level object must be a mapping",
	}, {
		name: "bad size unit", fixture: "bad-size", file: "compose.yaml", line: 7,
		want: "compose.yaml:7: 'services[trainer].mem_limit' invalid suffix: 'xb'",
	}, {
		name: "bad size in the override file", fixture: "bad-override", file: "compose.override.yaml", line: 5,
		want: "compose.override.yaml:5: 'services[trainer].mem_limit' invalid suffix: 'gigs'",
	}, {
		name: "missing required variable", fixture: "bad-required", file: "compose.yaml", line: 6,
		want: "compose.yaml:6: error while interpolating services.db.environment.POSTGRES_PASSWORD: " +
			"required variable DB_PASSWORD is missing a value: set DB_PASSWORD in .env",
	}, {
		name: "missing required variable in a list", fixture: "bad-required-list", file: "compose.yaml", line: 6,
		want: "compose.yaml:6: error while interpolating services.app.environment.[]: required variable TOKEN is missing a value",
	}, {
		name: "syntax error in an included file", fixture: "bad-include-syntax", file: "db.yaml", line: 4,
		want: "db.yaml:4: did not find expected ',' or ']'",
	}, {
		name: "dependency cycle", fixture: "bad-cycle", file: "compose.yaml", line: 4,
		want: "compose.yaml:4: dependency cycle detected: api -> queue -> api",
	}, {
		name: "missing extends file", fixture: "bad-extends-missing", file: "compose.yaml", line: 6,
		want: "compose.yaml:6: extends file common/missing.yaml: no such file or directory",
	}, {
		name: "missing include file", fixture: "bad-include-missing", file: "compose.yaml", line: 3,
		want: "compose.yaml:3: include file cache/missing.yaml: no such file or directory",
	}, {
		name: "empty file", fixture: "bad-empty", file: "compose.yaml",
		want: "compose.yaml: empty compose file",
	}, {
		name: "unknown attribute", fixture: "bad-schema", file: "compose.yaml", line: 5,
		want: `compose.yaml:5: services.web: unknown attribute "imagee"`,
	}, {
		name: "undefined network", fixture: "bad-network", file: "compose.yaml", line: 4,
		want: `compose.yaml:4: service "web" refers to undefined network front: invalid compose project`,
	}, {
		name: "bad .env", fixture: "bad-envfile", file: ".env", line: 2,
		want: `.env:2: unterminated quoted value "never closed`,
	}, {
		name: "-f names a missing file", fixture: "basic", opts: LoadOptions{Files: []string{"nope.yaml"}},
		file: "nope.yaml", want: "nope.yaml: compose file named by -f: no such file or directory",
	}, {
		name: "COMPOSE_FILE names a missing file", fixture: "basic",
		opts: LoadOptions{Env: map[string]string{"COMPOSE_FILE": "nope.yaml"}},
		file: "nope.yaml", want: "nope.yaml: compose file named by COMPOSE_FILE: no such file or directory",
	}, {
		name: "--env-file names a missing file", fixture: "basic", opts: LoadOptions{EnvFiles: []string{"nope.env"}},
		file: "nope.env", want: "nope.env: couldn't find env file: nope.env",
	}, {
		name: "invalid project name", fixture: "basic", opts: LoadOptions{ProjectName: "Not Valid"},
		want: `invalid project name "Not Valid": must consist only of lowercase alphanumeric characters, ` +
			`hyphens, and underscores as well as start with a letter or number`,
	}, {
		name: "invalid COMPOSE_PROJECT_NAME", fixture: "basic", opts: LoadOptions{Env: map[string]string{"COMPOSE_PROJECT_NAME": "-x"}},
		want: `invalid project name "-x": must consist only of lowercase alphanumeric characters, ` +
			`hyphens, and underscores as well as start with a letter or number`,
	}, {
		name: "unknown profile", fixture: "basic", opts: LoadOptions{Profiles: []string{"jobs", "x"}},
		want: `unknown profile "x"; the project has profiles: gpu, jobs, ml`,
	}, {
		name: "unknown profile from COMPOSE_PROFILES", fixture: "basic",
		opts: LoadOptions{Env: map[string]string{"COMPOSE_PROFILES": "dev"}},
		want: `unknown profile "dev" (set by COMPOSE_PROFILES); the project has profiles: gpu, jobs, ml`,
	}, {
		name: "unknown profile, no profiles at all", fixture: "anchors", opts: LoadOptions{Profiles: []string{"x"}},
		want: `unknown profile "x"; the project has no profiles`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := ltFixture(t, tc.fixture)
			opts := tc.opts
			opts.WorkDir = dir
			if opts.Env == nil {
				opts.Env = map[string]string{}
			}
			le := loadErr(t, opts)
			wantFile := ""
			if tc.file != "" {
				wantFile = filepath.Join(dir, tc.file)
			}
			ltEqual(t, "File", le.File, wantFile)
			ltEqual(t, "Line", le.Line, tc.line)
			ltEqual(t, "Error()", le.Error(), tc.want)
			if le.Err == nil && !strings.Contains(tc.name, "-f") && !strings.Contains(tc.name, "COMPOSE_FILE") {
				t.Errorf("Err is nil; the loader's own error should be kept")
			}
		})
	}
}

func TestLoadErrorUnknownProfileIs(t *testing.T) {
	_, err := Load(context.Background(), LoadOptions{WorkDir: ltFixture(t, "basic"), Env: map[string]string{}, Profiles: []string{"x"}})
	if !errors.Is(err, ErrUnknownProfile) {
		t.Fatalf("error %v does not match ErrUnknownProfile", err)
	}
	if errors.Is(err, ErrNoComposeFile) {
		t.Fatalf("error %v matches ErrNoComposeFile", err)
	}
}

// TestLoadGarbage feeds binary garbage after a valid start, so the
// error's line comes from go-yaml's byte offset.
func TestLoadGarbage(t *testing.T) {
	dir := t.TempDir()
	content := "services:\n  web:\n    image: x\n\xff\xfe\x00\x01garbage\x80\n"
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	le := loadErr(t, LoadOptions{WorkDir: dir, Env: map[string]string{}})
	ltEqual(t, "File", le.File, filepath.Join(dir, "compose.yaml"))
	ltEqual(t, "Line", le.Line, 4)
	if !strings.HasPrefix(le.Error(), "compose.yaml:4: ") {
		t.Errorf("Error() = %q, want it to start with compose.yaml:4: ", le.Error())
	}
}

func TestLoadNoComposeFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "empty", "deeper")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Discovery searches up to /: a compose file in a parent of the temp
	// dir would be found, and this test could not tell.
	for d := filepath.Dir(dir); ; d = filepath.Dir(d) {
		if found := existingFiles(d, []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}); len(found) > 0 {
			t.Fatalf("a parent of the temp dir holds %v; set TMPDIR elsewhere", found)
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	_, err := Load(context.Background(), LoadOptions{WorkDir: dir, Env: map[string]string{}})
	if !errors.Is(err, ErrNoComposeFile) {
		t.Fatalf("error %v does not match ErrNoComposeFile", err)
	}
	var ne *NoComposeFileError
	if !errors.As(err, &ne) {
		t.Fatalf("error %T is not a *NoComposeFileError", err)
	}
	if len(ne.Searched) < 3 || ne.Searched[0] != dir || ne.Searched[1] != filepath.Dir(dir) || ne.Searched[len(ne.Searched)-1] != "/" {
		t.Errorf("Searched = %q, want %s and its parents up to /", ne.Searched, dir)
	}
	if !strings.Contains(err.Error(), "compose.yaml") || !strings.Contains(err.Error(), dir) {
		t.Errorf("error %q should say what it looked for and where", err)
	}
	var le *LoadError
	if errors.As(err, &le) {
		t.Errorf("no compose file is not bad input, but got a *LoadError")
	}
}

// TestLocateMergeBomb walks a file whose merge keys each merge the same
// anchor twice, looking for a key that is not there: the walk must give up
// instead of visiting 2^40 mappings.
func TestLocateMergeBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-0: &a0 {image: x}\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "x-%d: &a%d {<<: [*a%d, *a%d]}\n", i, i, i-1, i-1)
	}
	b.WriteString("services:\n  s:\n    <<: *a40\n")
	file := filepath.Join(t.TempDir(), "compose.yaml")
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	src := readYAML(file)
	if src.err != nil {
		t.Fatal(src.err)
	}
	line, matched := src.locate([]string{"services", "s", "missing"})
	ltEqual(t, "matched", matched, 2)
	ltEqual(t, "line", line, 43)
	if refs := src.refs(); len(refs) != 0 {
		t.Errorf("refs = %v, want none", refs)
	}
}

func TestLoadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Load(ctx, LoadOptions{WorkDir: ltFixture(t, "basic"), Env: map[string]string{}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
}

// FuzzLoad feeds arbitrary bytes as compose.yaml: Load must return a
// project or one *LoadError, never panic.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"", "services: {}", "services:\n  a:\n    image: x\n", "- a\n", "\xff\xfe",
		"services:\n  a:\n    image: ${X:?need}\n", "x: &a [*a]\n", "services:\n  a:\n    <<: *nope\n",
		"services:\n  a:\n    extends: {file: missing.yaml, service: b}\n",
		"services:\n  a:\n    image: x\n    depends_on: [a]\n", "include: [missing.yaml]\n",
		"services:\n  a:\n    image: x\n    mem_limit: 1q\n", "version: '3'\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Load(context.Background(), LoadOptions{WorkDir: dir, Env: map[string]string{}})
		if err == nil {
			if p == nil || p.Model == nil {
				t.Fatal("no error and no project")
			}
			return
		}
		var le *LoadError
		if !errors.As(err, &le) {
			t.Fatalf("error %T %q is not a *LoadError", err, err)
		}
		if le.Msg == "" {
			t.Fatalf("LoadError %q has no message", err)
		}
	})
}
