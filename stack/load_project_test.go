package stack

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/sirupsen/logrus"
	"gopkg.in/yaml.v3"

	"github.com/stackui/stackui/internal/testenv"
)

func TestWithProfiles(t *testing.T) {
	p := ltLoad(t, LoadOptions{WorkDir: ltFixture(t, "basic"), Env: map[string]string{}})

	q, err := p.WithProfiles([]string{"jobs,ml"})
	if err != nil {
		t.Fatal(err)
	}
	ltEqualList(t, "ActiveProfiles", q.ActiveProfiles, []string{"jobs", "ml"})
	ltEqualList(t, "enabled", ltNames(q, true), []string{"cache", "db", "trainer", "web", "worker"})
	ltEqualList(t, "Options.Profiles", q.Options.Profiles, []string{"jobs", "ml"})
	// The original is untouched.
	ltEqualList(t, "original enabled", ltNames(p, true), []string{"cache", "db", "web"})
	ltEqualList(t, "original ActiveProfiles", p.ActiveProfiles, []string{})

	none, err := q.WithProfiles(nil)
	if err != nil {
		t.Fatal(err)
	}
	ltEqualList(t, "no profiles: enabled", ltNames(none, true), []string{"cache", "db", "web"})

	_, err = p.WithProfiles([]string{"jobs", "typo"})
	if !errors.Is(err, ErrUnknownProfile) {
		t.Fatalf("unknown profile: error %v does not match ErrUnknownProfile", err)
	}
	ltEqual(t, "unknown profile error", err.Error(), `unknown profile "typo"; the project has profiles: gpu, jobs, ml`)
}

func TestReload(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	orig, err := os.ReadFile(filepath.Join(ltFixture(t, "basic"), "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	p := ltLoad(t, LoadOptions{WorkDir: dir, Env: map[string]string{}})
	p, err = p.WithProfiles([]string{"jobs"})
	if err != nil {
		t.Fatal(err)
	}

	more := append(orig, "  added:\n    image: example/added:1\n"...)
	if err := os.WriteFile(file, more, 0o644); err != nil {
		t.Fatal(err)
	}
	q, err := p.Reload(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ltEqualList(t, "enabled after reload", ltNames(q, true), []string{"added", "cache", "db", "web", "worker"})
	ltEqualList(t, "ActiveProfiles after reload", q.ActiveProfiles, []string{"jobs"})

	if err := os.WriteFile(file, []byte("services:\n  x: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var le *LoadError
	if _, err := q.Reload(context.Background()); !errors.As(err, &le) || le.File != file {
		t.Fatalf("reload of a broken file: error %v, want a *LoadError about %s", err, file)
	}
}

func TestComposeArgs(t *testing.T) {
	dir := ltFixture(t, "envcompose")
	p := ltLoad(t, LoadOptions{WorkDir: dir, Env: map[string]string{}})
	base := []string{
		"-p", "from-dotenv", "--project-directory", dir,
		"-f", filepath.Join(dir, "stack.yaml"), "--env-file", filepath.Join(dir, ".env"),
	}
	ltEqualList(t, "ComposeArgs(nil)", p.ComposeArgs(nil), append(slices.Clone(base), "--profile", "extra"))
	ltEqualList(t, "ComposeArgs(none)", p.ComposeArgs([]string{}), base)
	ltEqualList(t, "ComposeArgs(other, extra)", p.ComposeArgs([]string{"other", "extra"}),
		append(slices.Clone(base), "--profile", "other", "--profile", "extra"))

	// docker-compose 1.29 takes one --env-file; the first one read is
	// named, the values of all reach the CLI through its environment.
	dotenv := ltFixture(t, "dotenv")
	d := ltLoad(t, LoadOptions{WorkDir: dotenv, EnvFiles: []string{"custom.env", "later.env"}, Env: map[string]string{}})
	ltEqualList(t, "two env files", d.ComposeArgs(nil), []string{
		"-p", "dotenv", "--project-directory", dotenv,
		"-f", filepath.Join(dotenv, "compose.yaml"), "--env-file", filepath.Join(dotenv, "custom.env"),
	})

	// Profiles explicitly none at load time: COMPOSE_PROFILES in the .env
	// is not used, and no --profile is passed.
	none := ltLoad(t, LoadOptions{WorkDir: dir, Profiles: []string{}, Env: map[string]string{}})
	ltEqualList(t, "explicitly no profiles", none.ComposeArgs(nil), base)

	multi := ltFixture(t, "multi")
	m := ltLoad(t, LoadOptions{WorkDir: multi, Files: []string{"base.yaml", "extra.yaml"}, Env: map[string]string{}})
	ltEqualList(t, "two files", m.ComposeArgs(nil), []string{
		"-p", "multi", "--project-directory", multi,
		"-f", filepath.Join(multi, "base.yaml"), "-f", filepath.Join(multi, "extra.yaml"),
	})
}

// TestLoadWarningsNotPrinted checks that compose-go's warnings end up in
// Project.Warnings and nowhere else, and that logrus is left as it was.
func TestLoadWarningsNotPrinted(t *testing.T) {
	std := logrus.StandardLogger()
	var logged bytes.Buffer
	oldOut, oldLevel := std.Out, std.GetLevel()
	std.SetOutput(&logged)
	std.SetLevel(logrus.InfoLevel)
	t.Cleanup(func() { std.SetOutput(oldOut); std.SetLevel(oldLevel) })

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	oldStderr := os.Stderr
	os.Stderr = w
	restored := false
	restore := func() {
		if !restored {
			os.Stderr = oldStderr
			w.Close()
			restored = true
		}
	}
	t.Cleanup(restore)

	dir := ltFixture(t, "warnings")
	p, err1 := Load(context.Background(), LoadOptions{WorkDir: dir, Env: map[string]string{}})
	var q *Project
	var err2 error
	if err1 == nil {
		q, err2 = p.Reload(context.Background())
	}
	restore()
	stderr, _ := io.ReadAll(r)
	if err1 != nil || err2 != nil {
		t.Fatalf("Load: %v; Reload: %v", err1, err2)
	}

	if len(stderr) > 0 {
		t.Errorf("Load wrote to stderr: %q", stderr)
	}
	if logged.Len() > 0 {
		t.Errorf("Load wrote through logrus: %q", logged.String())
	}
	if len(p.Warnings) < 4 {
		t.Errorf("Warnings = %q, want the unset variables (compose file and .env), the version key and the second file", p.Warnings)
	}
	// The .env is read twice (start and project directory are the same
	// here); its warning is collected, once.
	const dotenvWarning = `The "DOTENV_UNSET_VAR" variable is not set`
	if n := len(slices.DeleteFunc(slices.Clone(p.Warnings), func(w string) bool { return !strings.Contains(w, dotenvWarning) })); n != 1 {
		t.Errorf("Warnings %q hold %q %d times, want once", p.Warnings, dotenvWarning, n)
	}
	// compose-go warns about `version` once per file per process; a reload
	// must still report it.
	ltEqualList(t, "warnings after reload", q.Warnings, p.Warnings)

	if std.Out != &logged || std.GetLevel() != logrus.InfoLevel || len(std.Hooks) != 0 {
		t.Errorf("logrus not restored: out %v, level %v, hooks %v", std.Out, std.GetLevel(), std.Hooks)
	}
	logrus.Info("after the load")
	if !bytes.Contains(logged.Bytes(), []byte("after the load")) {
		t.Errorf("logrus output not restored: %q", logged.String())
	}
}

// TestComposeCLIAgrees loads fixtures with Load and with the compose CLI
// (the one STACKUI_COMPOSE picks, so CI compares both), handed the project
// through Command, and compares the services and what interpolation, .env,
// anchors and overrides made of them. docker-compose 1.29's `config` lists
// the services of every profile; docker compose v5's only those of the
// profiles it is given.
func TestComposeCLIAgrees(t *testing.T) {
	cli, err := DetectCompose(context.Background())
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("CI=true and no compose CLI: %v", err)
		}
		t.Skipf("no compose CLI: %v", err)
	}
	allProfiles := cli.Name == "docker-compose"
	tests := []struct {
		fixture string
		opts    LoadOptions
	}{
		{fixture: "basic"},
		{fixture: "basic", opts: LoadOptions{Profiles: []string{"jobs"}}},
		{fixture: "anchors"},
		{fixture: "override"},
		{fixture: "dotenv"},
		{fixture: "dotenv", opts: LoadOptions{EnvFiles: []string{"custom.env"}}},
		{fixture: "dotenv", opts: LoadOptions{EnvFiles: []string{"custom.env", "later.env"}}},
		{fixture: "dashf", opts: LoadOptions{Files: []string{"sub/compose.yaml"}}},
		{fixture: "envcompose"},
		{fixture: "multi", opts: LoadOptions{Files: []string{"base.yaml", "extra.yaml"}}},
		{fixture: "interp", opts: LoadOptions{Env: map[string]string{"SECRET": "s", "IMG": "example/x:1"}}},
		// 57 services, five profiles, an override file, anchors and merge keys.
		{fixture: "big"},
		{fixture: "big", opts: LoadOptions{Profiles: []string{"feature-complete", "monitoring"}}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			dir := ltFixture(t, tc.fixture)
			opts := tc.opts
			opts.WorkDir = dir
			if opts.Env == nil {
				opts.Env = map[string]string{}
			}
			p := ltLoad(t, opts)

			argv := cli.Command(p, nil, []string{"config"})
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Dir = dir
			// The environment ComposeCLI.Run gives the CLI: the values of
			// every env file, though ComposeArgs names only the first.
			cmd.Env = append(composeEnv(p), "PATH="+os.Getenv("PATH"), "HOME="+t.TempDir())
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, stderr.String())
			}
			var cfg struct {
				Services map[string]struct {
					Image       string            `yaml:"image"`
					Environment map[string]string `yaml:"environment"`
				} `yaml:"services"`
			}
			if err := yaml.Unmarshal(out, &cfg); err != nil {
				t.Fatalf("%s config output: %v\n%s", cli, err, out)
			}
			var theirs []string
			for name := range cfg.Services {
				theirs = append(theirs, name)
			}
			sort.Strings(theirs)
			ltEqualList(t, "services", ltNames(p, !allProfiles), theirs)
			if len(p.Profiles) == 0 {
				ltEqualList(t, "enabled services", ltNames(p, true), theirs)
			}
			for _, s := range p.Services {
				c, ok := cfg.Services[s.Name]
				if !ok && !allProfiles && !s.Enabled {
					continue // checked above: v5 leaves it out
				}
				ltEqual(t, s.Name+".image", s.Image, c.Image)
				for k, v := range c.Environment {
					ours := s.Config.Environment[k]
					if ours == nil || *ours != v {
						t.Errorf("%s environment %s: ours %v, %s %q", s.Name, k, ours, cli, v)
					}
				}
				if len(c.Environment) != len(s.Config.Environment) {
					t.Errorf("%s environment: ours %d variables, %s %d", s.Name, len(s.Config.Environment), cli, len(c.Environment))
				}
			}
		})
	}
}
