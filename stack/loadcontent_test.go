package stack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// overlayProject writes a project with an override and an included file,
// the main file still carrying the obsolete `version` key.
func overlayProject(t *testing.T) (dir string, opts LoadOptions) {
	t.Helper()
	dir = t.TempDir()
	files := map[string]string{
		"compose.yaml":          "version: \"3.8\"\ninclude:\n  - sub/inc.yaml\nservices:\n  app:\n    image: busybox\n    mem_limit: 64m\n",
		"compose.override.yaml": "services:\n  app:\n    labels:\n      x: \"1\"\n",
		"sub/inc.yaml":          "services:\n  side:\n    image: busybox\n    env_file: side.env\n",
		"sub/side.env":          "A=1\n",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, LoadOptions{Files: []string{"compose.yaml", "compose.override.yaml"}, WorkDir: dir, Env: map[string]string{}}
}

// Without an overlay, LoadOverlay is Load.
func TestLoadOverlayNilIsLoad(t *testing.T) {
	_, opts := overlayProject(t)
	want, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadOverlay(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadOverlay(nil) = %+v\nLoad = %+v", got, want)
	}
	if len(want.Warnings) != 1 || !strings.Contains(want.Warnings[0], "`version` is obsolete") {
		t.Errorf("warnings %q, want the version warning", want.Warnings)
	}
}

// Overlaid contents are what loads, under the original names, and the
// temporary copies are gone afterwards.
func TestLoadOverlayContents(t *testing.T) {
	dir, opts := overlayProject(t)
	main, inc := filepath.Join(dir, "compose.yaml"), filepath.Join(dir, "sub", "inc.yaml")
	overlay := map[string][]byte{
		main: []byte("include:\n  - sub/inc.yaml\nservices:\n  app:\n    image: busybox\n    mem_limit: 128m\n"),
		inc:  []byte("services:\n  side:\n    image: busybox:1\n    env_file: side.env\n"),
	}
	p, err := LoadOverlay(context.Background(), opts, overlay)
	if err != nil {
		t.Fatal(err)
	}
	app, _ := p.Service("app")
	side, _ := p.Service("side")
	if app.MemLimit != 128<<20 || side.Image != "busybox:1" || side.Config.Environment["A"] == nil {
		t.Errorf("app mem %d, side image %q env %v: the overlay was not loaded", app.MemLimit, side.Image, side.Config.Environment)
	}
	if want := []string{main, filepath.Join(dir, "compose.override.yaml")}; !reflect.DeepEqual(p.Files, want) || !reflect.DeepEqual(p.Model.ComposeFiles, want) {
		t.Errorf("files %v (model %v), want %v", p.Files, p.Model.ComposeFiles, want)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q: the overlay dropped `version`", p.Warnings)
	}
	assertNoCopies(t, dir)

	// an untouched file with `version` warns once, as Load does
	ov := map[string][]byte{filepath.Join(dir, "compose.override.yaml"): []byte("services:\n  app:\n    labels: [x=2]\n")}
	if w := overlayWarnings(t, opts, ov); len(w) != 1 {
		t.Errorf("overlay of the override: warnings %q; want the one version warning", w)
	}
	main2 := append([]byte("version: \"3\"\n"), overlay[main]...)
	if w := overlayWarnings(t, opts, map[string][]byte{main: main2}); len(w) != 1 || !strings.HasPrefix(w[0], main+": ") {
		t.Errorf("overlay with `version`: warnings %q; want one naming %s", w, main)
	}

	overlay[inc] = []byte("services:\n  side:\n    image: busybox\n    mem_limit: [1, 2]\n")
	_, err = LoadOverlay(context.Background(), opts, overlay)
	var le *LoadError
	if !errors.As(err, &le) || le.File != inc || strings.Contains(err.Error(), "stackui-check") {
		t.Errorf("error %v, want a LoadError naming %s", err, inc)
	}
	assertNoCopies(t, dir)
}

func assertNoCopies(t *testing.T, dir string) {
	t.Helper()
	for _, pattern := range []string{"*stackui-check*", "*/*stackui-check*"} {
		if left, _ := filepath.Glob(filepath.Join(dir, pattern)); len(left) > 0 {
			t.Errorf("temporary copies left behind: %v", left)
		}
	}
}

func overlayWarnings(t *testing.T, opts LoadOptions, overlay map[string][]byte) []string {
	t.Helper()
	p, err := LoadOverlay(context.Background(), opts, overlay)
	if err != nil {
		t.Fatal(err)
	}
	return p.Warnings
}
