package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bwrite writes files (relative name -> content) into a new folder.
func bwrite(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// bloadErr loads dir and returns the *LoadError it must fail with.
func bloadErr(t *testing.T, dir string, opts LoadOptions) *LoadError {
	t.Helper()
	opts.WorkDir = dir
	if opts.Env == nil {
		opts.Env = map[string]string{}
	}
	p, err := Load(context.Background(), opts)
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Load = %v, %v; want a *LoadError", p, err)
	}
	return le
}

// doublingEnv is an env file whose variable i is variable i-1 twice:
// A39 would be 4 TiB.
func doublingEnv() string {
	var b strings.Builder
	b.WriteString("A0=xxxxxxxx\n")
	for i := 1; i <= 39; i++ {
		fmt.Fprintf(&b, "A%d=${A%d}${A%d}\n", i, i-1, i-1)
	}
	return b.String()
}

// A18 (line 19) is the first value past 1 MiB.
const doublingLine = 19

func TestLoadBoundsEnvExpansion(t *testing.T) {
	svc := "services:\n  s:\n    image: x\n"
	cases := []struct {
		name  string
		files map[string]string
		fault string // the file the error must name
		line  int
	}{
		{"project .env", map[string]string{"compose.yaml": svc, ".env": doublingEnv()}, ".env", doublingLine},
		{"service env_file", map[string]string{
			"compose.yaml": svc + "    env_file: [vars.env]\n", "vars.env": doublingEnv(),
		}, "vars.env", doublingLine},
		{"include env_file", map[string]string{
			"compose.yaml":     "include:\n  - path: sub/compose.yaml\n    env_file: sub/inc.env\n",
			"sub/compose.yaml": "services:\n  t:\n    image: x\n", "sub/inc.env": doublingEnv(),
		}, "sub/inc.env", doublingLine},
		{"an included project's .env", map[string]string{
			"compose.yaml":     "include: [sub/compose.yaml]\n",
			"sub/compose.yaml": "services:\n  t:\n    image: x\n", "sub/.env": doublingEnv(),
		}, "sub/.env", doublingLine},
		{"one value written many times", map[string]string{
			"compose.yaml": "services:\n  s:\n    image: x\n    command: " + strings.Repeat("${B}", 40) + "\n",
			".env":         "B=" + strings.Repeat("b", 64<<10) + "\n",
		}, "compose.yaml", 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := bwrite(t, c.files)
			le := bloadErr(t, dir, LoadOptions{})
			ltEqual(t, "File", le.File, filepath.Join(dir, c.fault))
			ltEqual(t, "Line", le.Line, c.line)
			if !strings.Contains(le.Error(), "MiB") {
				t.Errorf("error %q should say the bound", le)
			}
		})
	}
}

// TestLoadBoundsEnvFine: values near the bound, and a variable used many
// times below it, still load.
func TestLoadBoundsEnvFine(t *testing.T) {
	dir := bwrite(t, map[string]string{
		"compose.yaml": "services:\n  s:\n    image: x\n    environment:\n      V: ${B}${B}\n    env_file: [vars.env]\n",
		".env":         "B=" + strings.Repeat("b", 200<<10) + "\nC=${B}${B}\n",
		"vars.env":     "D=${B}${B}${B}\n",
	})
	p := ltLoad(t, LoadOptions{WorkDir: dir, Env: map[string]string{}})
	s := ltService(t, p, "s")
	ltEqual(t, "len(V)", len(*s.Config.Environment["V"]), 400<<10)
	ltEqual(t, "len(D)", len(*s.Config.Environment["D"]), 600<<10)
}

func TestLoadBoundsNotRegular(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		dir   string // made a folder
		line  int
		fault string
	}{
		{"env_file is a folder", map[string]string{"compose.yaml": "services:\n  s:\n    image: x\n    env_file: vars.env\n"}, "vars.env", 0, "vars.env"},
		{"include is a folder", map[string]string{"compose.yaml": "services: {}\ninclude:\n  - sub\n"}, "sub", 3, "compose.yaml"},
		{"extends file is a folder", map[string]string{"compose.yaml": "services:\n  s:\n    extends:\n      file: base\n      service: b\n"}, "base", 4, "compose.yaml"},
		{"--env-file is a folder", map[string]string{"compose.yaml": "services: {}\n"}, "envs", 0, "envs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := bwrite(t, c.files)
			if err := os.Mkdir(filepath.Join(dir, c.dir), 0o755); err != nil {
				t.Fatal(err)
			}
			var opts LoadOptions
			if c.dir == "envs" {
				opts.EnvFiles = []string{"envs"}
			}
			le := bloadErr(t, dir, opts)
			ltEqual(t, "File", le.File, filepath.Join(dir, c.fault))
			ltEqual(t, "Line", le.Line, c.line)
			if !strings.Contains(le.Error(), "not a regular file") || !strings.Contains(le.Error(), "directory") {
				t.Errorf("error %q should say the file is a directory", le)
			}
		})
	}
}

func TestLoadBoundsFileSize(t *testing.T) {
	big := func(t *testing.T, path string) {
		t.Helper()
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		// sparse: the size is what is checked, before any byte is read
		if err := f.Truncate(MaxFileBytes + 1); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	t.Run("compose file", func(t *testing.T) {
		dir := t.TempDir()
		big(t, filepath.Join(dir, "compose.yaml"))
		le := bloadErr(t, dir, LoadOptions{})
		ltEqual(t, "File", le.File, filepath.Join(dir, "compose.yaml"))
		if !strings.Contains(le.Msg, "16.0 MiB") {
			t.Errorf("error %q should say the bound", le)
		}
	})
	t.Run("included file", func(t *testing.T) {
		dir := bwrite(t, map[string]string{"compose.yaml": "include:\n  - big.yaml\n"})
		big(t, filepath.Join(dir, "big.yaml"))
		le := bloadErr(t, dir, LoadOptions{})
		ltEqual(t, "File", le.File, filepath.Join(dir, "compose.yaml"))
		ltEqual(t, "Line", le.Line, 2)
		if !strings.Contains(le.Msg, "big.yaml") {
			t.Errorf("error %q should name the included file", le)
		}
	})
}

// TestLoadBoundsRecursiveAnchor: an alias inside its own anchor made
// compose-go loop for minutes (merged) or 17 s (in a service); it is
// refused before compose-go runs, at the alias's line.
func TestLoadBoundsRecursiveAnchor(t *testing.T) {
	for _, c := range []struct {
		yaml string
		line int
	}{
		{"x-a: &a {<<: *a, image: x}\nservices:\n  s:\n    <<: *a\n", 1},
		{"services:\n  s: &a\n    image: x\n    <<: *a\n", 4},
	} {
		dir := bwrite(t, map[string]string{"compose.yaml": c.yaml})
		le := bloadErr(t, dir, LoadOptions{})
		ltEqual(t, "File", le.File, filepath.Join(dir, "compose.yaml"))
		ltEqual(t, "Line", le.Line, c.line)
		if !strings.Contains(le.Msg, "recursive anchor") {
			t.Errorf("error %q should say the anchor is recursive", le)
		}
	}
}

// TestLoadDeadline drives the deadline with a load that blocks until the
// test lets it go, standing for compose-go stuck on some input: the caller
// gets a *LoadError naming the file, a load started meanwhile waits for
// the abandoned one within its own deadline, and once that one ends the
// next load runs.
func TestLoadDeadline(t *testing.T) {
	release := make(chan struct{})
	stuck := func(ctx context.Context, prog *loadProgress) (*Project, error) {
		prog.set("/project/compose.yaml")
		<-release
		return nil, errors.New("released")
	}
	_, err := runBounded(context.Background(), LoadOptions{WorkDir: "/project", Timeout: time.Millisecond}, stuck)
	var le *LoadError
	if !errors.As(err, &le) || le.File != "/project/compose.yaml" || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stuck load: %v, want a *LoadError naming compose.yaml", err)
	}
	if !strings.Contains(le.Msg, "took longer than 1ms") {
		t.Errorf("error %q should say the deadline", le)
	}

	_, err = runBounded(context.Background(), LoadOptions{Timeout: time.Millisecond}, stuck)
	if !errors.As(err, &le) || !strings.Contains(le.Msg, "earlier load") {
		t.Fatalf("load behind the stuck one: %v, want a *LoadError about the earlier load", err)
	}

	close(release)
	p, err := runBounded(context.Background(), LoadOptions{}, func(context.Context, *loadProgress) (*Project, error) {
		return &Project{Name: "next"}, nil
	})
	if err != nil || p.Name != "next" {
		t.Fatalf("load after the stuck one ended: %v, %v", p, err)
	}
}

// TestLoadDanglingSymlink: a compose.yaml pointing nowhere is the project
// meant, so discovery stops there and names the link and its target.
func TestLoadDanglingSymlink(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "app")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	// a parent project discovery must not fall back to
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../gone/compose.yaml", filepath.Join(sub, "compose.yaml")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	le := bloadErr(t, sub, LoadOptions{})
	ltEqual(t, "File", le.File, filepath.Join(sub, "compose.yaml"))
	if !strings.Contains(le.Msg, "symlink to ../gone/compose.yaml") || !strings.Contains(le.Msg, "does not exist") {
		t.Errorf("error %q should name the link's target", le)
	}
	if errors.Is(le, ErrNoComposeFile) {
		t.Error("a dangling link is not 'no compose file'")
	}
}

// TestLoadBoundsProjectSize: files within the bound one by one must not
// add up past MaxProjectBytes, nor be more than maxRelatedFiles.
func TestLoadBoundsProjectSize(t *testing.T) {
	t.Run("bytes", func(t *testing.T) {
		// five files of 15 MiB: each is fine, together they are not
		chunk := "x-pad: " + strings.Repeat("p", 15<<20) + "\n"
		files := map[string]string{"compose.yaml": "include: [a.yaml, b.yaml, c.yaml, d.yaml, e.yaml]\nservices: {}\n"}
		for _, n := range []string{"a", "b", "c", "d", "e"} {
			files[n+".yaml"] = chunk
		}
		dir := bwrite(t, files)
		le := bloadErr(t, dir, LoadOptions{})
		if !strings.Contains(le.Msg, "add up to more than 64.0 MiB") || !strings.HasSuffix(le.File, ".yaml") {
			t.Errorf("error %q should say the project's files add up past the bound", le)
		}
	})
	t.Run("files", func(t *testing.T) {
		files := map[string]string{}
		var inc []string
		for i := 0; i <= maxRelatedFiles; i++ {
			n := fmt.Sprintf("f%d.yaml", i)
			inc = append(inc, n)
			files[n] = fmt.Sprintf("services:\n  s%d:\n    image: x\n", i)
		}
		files["compose.yaml"] = "include: [" + strings.Join(inc, ", ") + "]\n"
		dir := bwrite(t, files)
		le := bloadErr(t, dir, LoadOptions{})
		ltEqual(t, "File", le.File, filepath.Join(dir, "compose.yaml"))
		if !strings.Contains(le.Msg, "more than 256 files") {
			t.Errorf("error %q should say the file count bound", le)
		}
	})
}
