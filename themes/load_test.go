package themes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadUserThemes(t *testing.T) {
	userDir, err := filepath.Abs("testdata/user")
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	hc, err := Load("high-contrast", "")
	if err != nil {
		t.Fatal(err)
	}
	mine := def
	mine.Accent = Color{"#ff00ff", "#ff00ff"}
	mine.OK.Dark = "#00ff00"
	onHC := hc
	onHC.Text.Light = "#202020"
	ansi := def
	ansi.Accent = Color{"12", "12"}
	ansi.Bad = Color{"9", "#a00"}

	for _, c := range []struct {
		name, dir string
		want      Palette
	}{
		{"mine", userDir, mine},                                // by name, from userDir/themes
		{filepath.Join(userDir, "themes/mine.yaml"), "", mine}, // absolute path
		{"themes/mine.yaml", userDir, mine},                    // relative to userDir
		{"on-hc.yaml", userDir, onHC},                          // base: high-contrast
		{"../ansi.yaml", userDir, ansi},                        // ANSI numbers and #rgb
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Load(c.name, c.dir)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Load(%q, %q)\n got %+v\nwant %+v", c.name, c.dir, got, c.want)
			}
		})
	}
}

func TestLoadBuiltinWinsOverUserFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "themes"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A user file named like a builtin does not shadow it: a theme name
	// means the same thing on every machine.
	if err := os.WriteFile(filepath.Join(dir, "themes", "default.yaml"), []byte("colors: {accent: \"#000\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load("default", dir)
	if err != nil {
		t.Fatal(err)
	}
	if got != Default() {
		t.Errorf("Load(default) = %+v, want the builtin", got)
	}
}

func TestLoadErrors(t *testing.T) {
	abs := func(name string) string {
		p, err := filepath.Abs(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, c := range []struct {
		name, dir string
		want      []string // substrings of the error
	}{
		{"solarized", "", []string{`unknown theme "solarized"`, "default, high-contrast"}},
		{"solarized", abs("user"), []string{`unknown theme "solarized"`, filepath.Join(abs("user"), "themes", "solarized.yaml")}},
		{abs("missing.yaml"), "", []string{abs("missing.yaml"), "no such file"}},
		{"on-hc.yml", abs("user"), []string{filepath.Join(abs("user"), "on-hc.yml"), "no such file"}}, // relative to userDir
		{abs("bad-colour.yaml"), "", []string{abs("bad-colour.yaml") + ":3:", `colors.bad.dark: bad colour "#zzzzzz"`}},
		{abs("unknown-key.yaml"), "", []string{abs("unknown-key.yaml") + ":2:", `unknown key "colours"`, "colors"}},
		{abs("unknown-colour.yaml"), "", []string{":3:", `colors: unknown colour "acent"`, "accent, muted"}},
		{abs("bad-syntax.yaml"), "", []string{abs("bad-syntax.yaml") + ":4: a tab in the indentation"}},
		{abs("unterminated.yaml"), "", []string{abs("unterminated.yaml") + ":2: found unexpected end of stream"}},
		{abs("unquoted-hash.yaml"), "", []string{":2:", "colors.ok: no colour", "quote hex colours"}},
		{abs("bad-base.yaml"), "", []string{":1:", `unknown builtin theme "solarized"`}},
		{abs("not-a-mapping.yaml"), "", []string{":1:", "want a mapping", "got a list"}},
		{abs("out-of-range.yaml"), "", []string{":2:", `colors.accent: bad colour "256"`}},
		{abs("twice.yaml"), "", []string{":3:", `colors: colour "accent" set twice`}},
		{abs("variant-typo.yaml"), "", []string{":2:", `colors.accent: unknown key "drak"`, "dark, light"}},
		{abs("user"), "", []string{abs("user")}}, // a folder, not a file
	} {
		t.Run(filepath.Base(c.name), func(t *testing.T) {
			_, err := Load(c.name, c.dir)
			if err == nil {
				t.Fatalf("Load(%q) = nil error", c.name)
			}
			msg := err.Error()
			t.Log(msg)
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\ndoes not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
		})
	}
}

func TestParseEmptyIsDefault(t *testing.T) {
	for _, data := range []string{"", "# only a comment\n", "{}\n"} {
		p, err := Parse("empty.yaml", []byte(data))
		if err != nil {
			t.Fatalf("Parse(%q): %v", data, err)
		}
		if p != Default() {
			t.Errorf("Parse(%q) = %+v, want the default", data, p)
		}
	}
}

// FuzzParse: whatever a theme file holds, Parse returns an error or a
// palette of valid colours, on one line, never a panic.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	more, _ := filepath.Glob("testdata/user/*/*.yaml")
	builtins, _ := filepath.Glob("builtin/*.yaml")
	for _, name := range append(append(files, more...), builtins...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("colors: &a {accent: *a}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.yaml", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "theme fuzz.yaml") {
				t.Errorf("error does not name the file: %q", err)
			}
			return
		}
		for _, e := range entries(&p) {
			for _, v := range []string{e.c.Dark, e.c.Light} {
				if !hexColor.MatchString(v) && !isANSI(v) {
					t.Errorf("accepted bad colour %s = %q", e.name, v)
				}
			}
		}
		BuildBoth(p, false)
	})
}

func isANSI(s string) bool {
	if s == "" || len(s) > 3 {
		return false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
	}
	return n <= 255 && (s == "0" || s[0] != '0')
}
