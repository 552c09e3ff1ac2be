package ui

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func TestDefaultConfigPath(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"XDG_CONFIG_HOME": "/xdg", "HOME": "/home/u"}, filepath.Join("/xdg", "stackui", "config.yaml")},
		{map[string]string{"HOME": "/home/u"}, filepath.Join("/home/u", ".config", "stackui", "config.yaml")},
		// A relative XDG_CONFIG_HOME is invalid by the XDG spec.
		{map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": "/home/u"}, filepath.Join("/home/u", ".config", "stackui", "config.yaml")},
		{map[string]string{"USERPROFILE": `C:\Users\u`}, filepath.Join(`C:\Users\u`, ".config", "stackui", "config.yaml")},
		{map[string]string{}, ""},
	} {
		if filepath.Separator == '\\' && c.env["XDG_CONFIG_HOME"] == "/xdg" {
			continue // not absolute on Windows
		}
		got := DefaultConfigPath(func(k string) string { return c.env[k] })
		if got != c.want {
			t.Errorf("DefaultConfigPath(%v) = %q, want %q", c.env, got, c.want)
		}
	}
}

func TestLoadConfig(t *testing.T) {
	def := DefaultConfig()
	with := func(f func(*Config)) Config {
		c := DefaultConfig()
		f(&c)
		return c
	}
	for _, c := range []struct {
		file string
		want Config   // when no error
		err  []string // substrings of the error; the config is then the defaults
	}{
		{file: "good.yaml", want: with(func(c *Config) {
			c.Theme = "high-contrast"
			c.Keys = map[string][]string{
				"services.stop": {"x"}, "services.kill": {"K", "ctrl+k"}, "logs.search": {"/", "ctrl+f"},
			}
			c.Logs.BufferLines = 50_000
			c.Logs.BufferBytes = 16 << 20
			c.Logs.BufferTotal = 32 << 20
			c.Exec.Command = []string{"bash", "-l"}
		})},
		{file: "example.yaml", want: with(func(c *Config) { // the README's example
			c.Theme = "high-contrast"
			c.Keys = map[string][]string{"services.stop": {"x"}, "services.kill": {"K"}, "logs.search": {"/", "ctrl+f"}}
			c.Logs.BufferLines = 20_000
			c.Exec.Command = []string{"bash", "-l"}
		})},
		{file: "partial.yaml", want: with(func(c *Config) { c.Theme = "./themes/mine.yaml" })},
		{file: "comments.yaml", want: def},
		{file: "missing.yaml", want: def},
		{file: "exec-string.yaml", want: with(func(c *Config) { c.Exec.Command = []string{"bash", "-l"} })},
		{file: "swap.yaml", want: with(func(c *Config) {
			c.Keys = map[string][]string{"services.start": {"s"}, "services.stop": {"S"}}
		})},
		{file: "unknown-key.yaml", err: []string{"unknown-key.yaml:2:", `unknown key "log"`, "theme, keys, logs, exec"}},
		{file: "bad-yaml.yaml", err: []string{"bad-yaml.yaml:4: a tab in the indentation"}},
		{file: "unknown-binding.yaml", err: []string{"unknown-binding.yaml:3:", `unknown binding "services.stpo"`, "did you mean services.stop?"}},
		{file: "buffer-small.yaml", err: []string{":2:", "logs.buffer_lines: 50 is out of range (100 to 1000000)"}},
		{file: "buffer-huge.yaml", err: []string{":2:", "5000000 is out of range"}},
		{file: "buffer-type.yaml", err: []string{":2:", `logs.buffer_lines: want a whole number of lines, got "lots"`}},
		{file: "logs-type.yaml", err: []string{":1:", "logs: want a mapping (buffer_lines, buffer_bytes, buffer_total)"}},
		{file: "buffer-total-type.yaml", err: []string{":2:", `logs.buffer_total: want a size such as 8MiB or 16m, got "plenty"`}},
		{file: "buffer-total-list.yaml", err: []string{":2:", "logs.buffer_total: want a size such as 8MiB or 16m, got a list"}},
		{file: "buffer-total-small.yaml", err: []string{":2:", "logs.buffer_total: 512KiB is out of range (1MiB to 4GiB)"}},
		{file: "buffer-total-huge.yaml", err: []string{":2:", "logs.buffer_total: 8g is out of range (1MiB to 4GiB)"}},
		{file: "buffer-bytes-type.yaml", err: []string{":2:", `logs.buffer_bytes: want a size such as 8MiB or 16m, got "lots"`}},
		{file: "buffer-bytes-huge.yaml", err: []string{":2:", "logs.buffer_bytes: 2g is out of range (64KiB to 1GiB)"}},
		{file: "empty-keys.yaml", err: []string{":2:", "keys: services.stop: no keys"}},
		{file: "bad-key.yaml", err: []string{":2:", `keys: logs.save: unknown key "ctlr+s"`, `"ctlr" is not a modifier`}},
		{file: "conflict.yaml", err: []string{":2:", `services.stop: "k" is already move.up's key`}},
		{file: "theme-list.yaml", err: []string{":1:", "theme: want a theme name"}},
		{file: "exec-empty.yaml", err: []string{":2:", "exec.command: empty"}},
		{file: "not-a-mapping.yaml", err: []string{":1:", "want a mapping", "got a list"}},
	} {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("testdata", "config", c.file)
			got, err := LoadConfig(path)
			if c.err != nil {
				if err == nil {
					t.Fatalf("LoadConfig(%s) = nil error, want %q", c.file, c.err)
				}
				msg := err.Error()
				t.Log(msg)
				for _, w := range append(c.err, path) {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q\ndoes not contain %q", msg, w)
					}
				}
				if strings.Contains(msg, "\n") {
					t.Errorf("error spans lines; the status line shows one: %q", msg)
				}
				c.want = def // a bad file gives the defaults, whole
			} else if err != nil {
				t.Fatalf("LoadConfig(%s): %v", c.file, err)
			}
			c.want.Path = path
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("LoadConfig(%s)\n got %+v\nwant %+v", c.file, got, c.want)
			}
		})
	}
}

func TestLoadConfigNoPath(t *testing.T) {
	got, err := LoadConfig("")
	if err != nil || !reflect.DeepEqual(got, DefaultConfig()) {
		t.Errorf(`LoadConfig("") = %+v, %v; want the defaults and no error`, got, err)
	}
	if _, err := LoadConfig(t.TempDir()); err == nil {
		t.Error("LoadConfig(a folder) = nil error")
	}
}

func TestLoadTheme(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "themes"), 0o755); err != nil {
		t.Fatal(err)
	}
	theme := "colors:\n  accent: \"#zzzzzz\"\n"
	if err := os.WriteFile(filepath.Join(dir, "themes", "broken.yaml"), []byte(theme), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Path = filepath.Join(dir, "config.yaml")
	cfg.Theme = "broken"
	dark, _, err := LoadTheme(cfg, false)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "themes", "broken.yaml")+":2:") {
		t.Errorf("LoadTheme(broken) error = %v, want one naming broken.yaml:2", err)
	}
	// The UI still gets usable styles: the default theme's.
	defDark, _, err := LoadTheme(DefaultConfig(), false)
	if err != nil {
		t.Fatal(err)
	}
	if dark.Title.Render("x") != defDark.Title.Render("x") {
		t.Error("a broken theme did not fall back to the default styles")
	}
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "ctrl+k":
		return tea.KeyPressMsg{Code: 'k', Mod: tea.ModCtrl}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "f5":
		return tea.KeyPressMsg{Code: tea.KeyF5}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func TestApplyOverrides(t *testing.T) {
	km := defaultKeys()
	if !on(press("s"), km.Stop) {
		t.Fatal("default: s does not stop; the test's key presses are wrong")
	}
	err := km.apply(map[string][]string{
		"services.stop": {"x"},
		"services.kill": {"K", "Ctrl+K"},
		"logs.save":     {"F5"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		b    Binding
		key  string
		want bool
	}{
		{km.Stop, "x", true},
		{km.Stop, "s", false},
		{km.Kill, "K", true},
		{km.Kill, "ctrl+k", true},
		{km.Kill, "x", false},
		{km.Save, "f5", true},
		{km.Start, "S", true}, // untouched
	} {
		if got := on(press(c.key), c.b); got != c.want {
			t.Errorf("%s on %q = %v, want %v", c.b.Name, c.key, got, c.want)
		}
	}
	if h := km.Kill.Help(); h.Key != "K/ctrl+k" || h.Desc != "kill" {
		t.Errorf("kill help = %+v, want key K/ctrl+k, desc kill", h)
	}
	if !key.Matches(press("x"), km.Stop.Binding) {
		t.Error("key.Matches misses the new key")
	}
}

func TestApplyRejects(t *testing.T) {
	for _, c := range []struct {
		overrides map[string][]string
		err       string
	}{
		{map[string][]string{"services.stpo": {"x"}, "zzz": {"y"}, "services.stop": {"x"}}, "unknown binding services.stpo, zzz"},
		{map[string][]string{"services.stop": {}}, "services.stop: no keys"},
		{map[string][]string{"services.stop": {""}}, "services.stop: empty key"},
		{map[string][]string{"services.stop": {"shift+s"}}, `write "S"`},
		{map[string][]string{"services.stop": {"j"}}, `"j" is already move.down's key`},
		{map[string][]string{"global.help": {"s"}}, `global.help: "s" is already services.stop's key`},
	} {
		km := defaultKeys()
		err := km.apply(c.overrides)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("apply(%v) = %v, want an error containing %q", c.overrides, err, c.err)
			continue
		}
		// All or nothing: a rejected set changes no binding.
		if !reflect.DeepEqual(km.Stop.Keys(), []string{"s"}) || !reflect.DeepEqual(km.Help.Keys(), []string{"?"}) {
			t.Errorf("apply(%v) failed but changed bindings: stop %v, help %v", c.overrides, km.Stop.Keys(), km.Help.Keys())
		}
	}
	// Keys in different panes may repeat: f filters logs and fixes in the
	// doctor.
	km := defaultKeys()
	if err := km.apply(map[string][]string{"doctor.undo": {"c"}}); err != nil {
		t.Errorf("doctor.undo on the logs pane's clear key: %v", err)
	}
}

func TestNormalizeKey(t *testing.T) {
	for in, want := range map[string]string{
		"s": "s", "S": "S", "/": "/", "+": "+", " ": "space", "é": "é",
		"Ctrl+S": "ctrl+s", "alt+shift+F": "alt+shift+f", "ctrl+s": "ctrl+s", "alt+ctrl+x": "ctrl+alt+x", "ctrl++": "ctrl++",
		"PageDown": "pgdown", "pgdn": "pgdown", "Escape": "esc", "return": "enter", "F12": "f12",
		"shift+tab": "shift+tab", " ctrl+r ": "ctrl+r",
	} {
		got, err := normalizeKey(in)
		if err != nil || got != want {
			t.Errorf("normalizeKey(%q) = %q, %v; want %q", in, got, err, want)
		}
		if again, err := normalizeKey(got); again != got || err != nil {
			t.Errorf("normalizeKey(%q) = %q, %v; want it unchanged", got, again, err)
		}
	}
	for _, in := range []string{"", "ctlr+s", "pagedn", "f64", "shift+a", "ctrl+", "\x01", "a+b"} {
		if got, err := normalizeKey(in); err == nil {
			t.Errorf("normalizeKey(%q) = %q, want an error", in, got)
		}
	}
}

// FuzzParseConfig: whatever config.yaml holds, parseConfig gives a one-line
// error or a config the UI can use, never a panic.
func FuzzParseConfig(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "config", "*.yaml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files: %v", err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseConfig("config.yaml", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			return
		}
		if cfg.Logs.BufferLines < minBufferLines || cfg.Logs.BufferLines > maxBufferLines {
			t.Errorf("accepted buffer_lines %d", cfg.Logs.BufferLines)
		}
		if cfg.Logs.BufferTotal < minBufferTotal || cfg.Logs.BufferTotal > maxBufferTotal {
			t.Errorf("accepted buffer_total %d", cfg.Logs.BufferTotal)
		}
		if len(cfg.Exec.Command) == 0 || cfg.Theme == "" {
			t.Errorf("accepted an unusable config: %+v", cfg)
		}
		km := defaultKeys()
		if err := km.apply(cfg.Keys); err != nil {
			t.Errorf("parseConfig accepted keys apply rejects: %v", err)
		}
	})
}
