package stack

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ltFixture is the absolute path of testdata/compose/<name>.
func ltFixture(t *testing.T, name string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "testdata", "compose", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return dir
}

func ltLoad(t *testing.T, opts LoadOptions) *Project {
	t.Helper()
	p, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatalf("Load(%+v): %v", opts, err)
	}
	return p
}

func ltService(t *testing.T, p *Project, name string) Service {
	t.Helper()
	s, ok := p.Service(name)
	if !ok {
		t.Fatalf("service %q missing; have %v", name, ltNames(p, false))
	}
	return s
}

// ltNames lists the services, only the enabled ones if enabledOnly.
func ltNames(p *Project, enabledOnly bool) []string {
	var names []string
	for _, s := range p.Services {
		if s.Enabled || !enabledOnly {
			names = append(names, s.Name)
		}
	}
	return names
}

func ltEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func ltEqualList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

const ltMiB = 1 << 20

func TestLoadFeatures(t *testing.T) {
	sep := string(os.PathListSeparator)
	tests := []struct {
		name    string
		fixture string
		opts    func(dir string) LoadOptions
		check   func(t *testing.T, dir string, p *Project)
	}{{
		name: "default discovery lists every service, inactive profiles disabled", fixture: "basic",
		check: func(t *testing.T, dir string, p *Project) {
			ltEqual(t, "Name", p.Name, "basic")
			ltEqual(t, "WorkingDir", p.WorkingDir, dir)
			ltEqualList(t, "Files", p.Files, []string{filepath.Join(dir, "compose.yaml")})
			ltEqualList(t, "services", ltNames(p, false), []string{"cache", "db", "trainer", "web", "worker"})
			ltEqualList(t, "enabled", ltNames(p, true), []string{"cache", "db", "web"})
			ltEqualList(t, "Profiles", p.Profiles, []string{"gpu", "jobs", "ml"})
			ltEqualList(t, "ActiveProfiles", p.ActiveProfiles, []string{})
			ltEqualList(t, "web.DependsOn", ltService(t, p, "web").DependsOn, []string{"cache", "db"})
			ltEqualList(t, "trainer.Profiles", ltService(t, p, "trainer").Profiles, []string{"ml", "gpu"})
			ltEqual(t, "web.Image", ltService(t, p, "web").Image, "stackui-demo/workload:latest")
			if _, err := p.Model.GetService("trainer"); err != nil {
				t.Errorf("Model should hold disabled services too: %v", err)
			}
		},
	}, {
		name: "discovery picks up the override file", fixture: "override",
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "Files", p.Files, []string{filepath.Join(dir, "compose.yaml"), filepath.Join(dir, "compose.override.yaml")})
			ltEqual(t, "api.Image", ltService(t, p, "api").Image, "example/api:dev")
			ltEqual(t, "api.MemLimit", ltService(t, p, "api").MemLimit, 1024*ltMiB)
			ltEqualList(t, "services", ltNames(p, false), []string{"api", "db", "debug"})
		},
	}, {
		name: "discovery searches parent directories", fixture: "nested",
		opts: func(dir string) LoadOptions { return LoadOptions{WorkDir: filepath.Join(dir, "a", "b")} },
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "Files", p.Files, []string{filepath.Join(dir, "compose.yml")})
			ltEqual(t, "Name", p.Name, "nested")
			ltEqual(t, "WorkingDir", p.WorkingDir, dir)
		},
	}, {
		name: "-f is repeatable and relative to WorkDir", fixture: "multi",
		opts: func(dir string) LoadOptions { return LoadOptions{Files: []string{"base.yaml", "extra.yaml"}} },
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "Files", p.Files, []string{filepath.Join(dir, "base.yaml"), filepath.Join(dir, "extra.yaml")})
			ltEqual(t, "api.Platform", ltService(t, p, "api").Platform, "linux/arm64")
			ltEqual(t, "api.Image", ltService(t, p, "api").Image, "example/api:1")
			ltEqualList(t, "services", ltNames(p, false), []string{"api", "queue"})
		},
	}, {
		name: "COMPOSE_FILE with the path list separator", fixture: "multi",
		opts: func(dir string) LoadOptions {
			return LoadOptions{Env: map[string]string{"COMPOSE_FILE": "base.yaml" + sep + "extra.yaml"}}
		},
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "Files", p.Files, []string{filepath.Join(dir, "base.yaml"), filepath.Join(dir, "extra.yaml")})
		},
	}, {
		name: "COMPOSE_FILE with COMPOSE_PATH_SEPARATOR", fixture: "multi",
		opts: func(dir string) LoadOptions {
			return LoadOptions{Env: map[string]string{"COMPOSE_FILE": "base.yaml;extra.yaml", "COMPOSE_PATH_SEPARATOR": ";"}}
		},
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "services", ltNames(p, false), []string{"api", "queue"})
		},
	}, {
		name: "-f wins over COMPOSE_FILE", fixture: "multi",
		opts: func(dir string) LoadOptions {
			return LoadOptions{Files: []string{"base.yaml"}, Env: map[string]string{"COMPOSE_FILE": "does-not-exist.yaml"}}
		},
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "services", ltNames(p, false), []string{"api"})
		},
	}, {
		name: "--project-directory sets the working dir and its .env", fixture: ".",
		opts: func(dir string) LoadOptions {
			return LoadOptions{ProjectDir: "projdir", Files: []string{"projdir/deploy/stack.yaml"}}
		},
		check: func(t *testing.T, dir string, p *Project) {
			ltEqual(t, "WorkingDir", p.WorkingDir, filepath.Join(dir, "projdir"))
			ltEqual(t, "Name", p.Name, "projdir")
			ltEqual(t, "app.Image", ltService(t, p, "app").Image, "example/app:from-projdir")
			ltEqualList(t, "EnvFiles", p.EnvFiles, []string{filepath.Join(dir, "projdir", ".env")})
		},
	}, {
		name: "without --project-directory the first file's dir is the project dir", fixture: ".",
		opts: func(dir string) LoadOptions { return LoadOptions{Files: []string{"projdir/deploy/stack.yaml"}} },
		check: func(t *testing.T, dir string, p *Project) {
			ltEqual(t, "WorkingDir", p.WorkingDir, filepath.Join(dir, "projdir", "deploy"))
			ltEqual(t, "Name", p.Name, "deploy")
			ltEqual(t, "app.Image", ltService(t, p, "app").Image, "example/app:unset")
			ltEqualList(t, "EnvFiles", p.EnvFiles, nil)
		},
	}, {
		name: "with -f only the .env next to the first file applies, not the working dir's", fixture: "dashf",
		opts: func(dir string) LoadOptions { return LoadOptions{Files: []string{"sub/compose.yaml"}} },
		check: func(t *testing.T, dir string, p *Project) {
			ltEqual(t, "WorkingDir", p.WorkingDir, filepath.Join(dir, "sub"))
			app := ltService(t, p, "app")
			ltEqual(t, "app.Image", app.Image, "example/app:from-sub")
			ltEqual(t, "ONLY_WD", *app.Config.Environment["ONLY_WD"], "none")
			ltEqualList(t, "EnvFiles", p.EnvFiles, []string{filepath.Join(dir, "sub", ".env")})
		},
	}, {
		name: "-p names the project", fixture: "named",
		opts: func(dir string) LoadOptions {
			return LoadOptions{ProjectName: "flag", Env: map[string]string{"COMPOSE_PROJECT_NAME": "env"}}
		},
		check: func(t *testing.T, dir string, p *Project) { ltEqual(t, "Name", p.Name, "flag") },
	}, {
		name: "COMPOSE_PROJECT_NAME beats the name in the file", fixture: "named",
		opts: func(dir string) LoadOptions {
			return LoadOptions{Env: map[string]string{"COMPOSE_PROJECT_NAME": "env"}}
		},
		check: func(t *testing.T, dir string, p *Project) { ltEqual(t, "Name", p.Name, "env") },
	}, {
		name: "name in the file beats the directory", fixture: "named",
		check: func(t *testing.T, dir string, p *Project) { ltEqual(t, "Name", p.Name, "from-yaml") },
	}, {
		name: "--profile activates its services", fixture: "basic",
		opts: func(dir string) LoadOptions { return LoadOptions{Profiles: []string{"jobs"}} },
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "enabled", ltNames(p, true), []string{"cache", "db", "web", "worker"})
			ltEqualList(t, "ActiveProfiles", p.ActiveProfiles, []string{"jobs"})
		},
	}, {
		name: "--profile repeated and comma-separated", fixture: "basic",
		opts: func(dir string) LoadOptions { return LoadOptions{Profiles: []string{"ml,jobs", "jobs"}} },
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "enabled", ltNames(p, true), []string{"cache", "db", "trainer", "web", "worker"})
			ltEqualList(t, "ActiveProfiles", p.ActiveProfiles, []string{"jobs", "ml"})
		},
	}, {
		name: "COMPOSE_PROFILES when no --profile", fixture: "basic",
		opts: func(dir string) LoadOptions {
			return LoadOptions{Env: map[string]string{"COMPOSE_PROFILES": " gpu , jobs"}}
		},
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "ActiveProfiles", p.ActiveProfiles, []string{"gpu", "jobs"})
			ltEqual(t, "trainer.Enabled", ltService(t, p, "trainer").Enabled, true)
		},
	}, {
		name: "--profile wins over COMPOSE_PROFILES", fixture: "basic",
		opts: func(dir string) LoadOptions {
			return LoadOptions{Profiles: []string{"ml"}, Env: map[string]string{"COMPOSE_PROFILES": "jobs"}}
		},
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "ActiveProfiles", p.ActiveProfiles, []string{"ml"})
			ltEqual(t, "worker.Enabled", ltService(t, p, "worker").Enabled, false)
		},
	}, {
		name: "profile * activates every profile", fixture: "basic",
		opts: func(dir string) LoadOptions { return LoadOptions{Profiles: []string{"*"}} },
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "ActiveProfiles", p.ActiveProfiles, []string{"gpu", "jobs", "ml"})
			ltEqualList(t, "enabled", ltNames(p, true), ltNames(p, false))
		},
	}, {
		name: ".env of the project dir feeds interpolation", fixture: "dotenv",
		check: func(t *testing.T, dir string, p *Project) {
			app := ltService(t, p, "app")
			ltEqual(t, "Image", app.Image, "example/app:1.2")
			ltEqual(t, "MemLimit", app.MemLimit, 300*ltMiB)
			ltEqual(t, "FROM_BOTH", *app.Config.Environment["FROM_BOTH"], "dotenv")
			ltEqual(t, "EXTRA", *app.Config.Environment["EXTRA"], "none")
			ltEqualList(t, "EnvFiles", p.EnvFiles, []string{filepath.Join(dir, ".env")})
		},
	}, {
		name: "the environment beats .env", fixture: "dotenv",
		opts: func(dir string) LoadOptions {
			return LoadOptions{Env: map[string]string{"TAG": "env", "FROM_BOTH": "os"}}
		},
		check: func(t *testing.T, dir string, p *Project) {
			app := ltService(t, p, "app")
			ltEqual(t, "Image", app.Image, "example/app:env")
			ltEqual(t, "FROM_BOTH", *app.Config.Environment["FROM_BOTH"], "os")
			ltEqual(t, "MemLimit", app.MemLimit, 300*ltMiB)
		},
	}, {
		name: "--env-file replaces .env", fixture: "dotenv",
		opts: func(dir string) LoadOptions { return LoadOptions{EnvFiles: []string{"custom.env"}} },
		check: func(t *testing.T, dir string, p *Project) {
			app := ltService(t, p, "app")
			ltEqual(t, "Image", app.Image, "example/app:9.9")
			ltEqual(t, "EXTRA", *app.Config.Environment["EXTRA"], "from-custom")
			ltEqual(t, "MemLimit", app.MemLimit, 128*ltMiB)
			ltEqualList(t, "EnvFiles", p.EnvFiles, []string{filepath.Join(dir, "custom.env")})
		},
	}, {
		name: "--env-file is repeatable, later files win", fixture: "dotenv",
		opts: func(dir string) LoadOptions { return LoadOptions{EnvFiles: []string{"custom.env", "later.env"}} },
		check: func(t *testing.T, dir string, p *Project) {
			app := ltService(t, p, "app")
			ltEqual(t, "Image", app.Image, "example/app:9.9")
			ltEqual(t, "EXTRA", *app.Config.Environment["EXTRA"], "from-later")
		},
	}, {
		name: "COMPOSE_DISABLE_ENV_FILE skips .env", fixture: "dotenv",
		opts: func(dir string) LoadOptions {
			return LoadOptions{Env: map[string]string{"COMPOSE_DISABLE_ENV_FILE": "true", "TAG": "t"}}
		},
		check: func(t *testing.T, dir string, p *Project) {
			ltEqual(t, "Image", ltService(t, p, "app").Image, "example/app:t")
			ltEqualList(t, "EnvFiles", p.EnvFiles, nil)
		},
	}, {
		name: ".env may set COMPOSE_FILE, COMPOSE_PROFILES and COMPOSE_PROJECT_NAME", fixture: "envcompose",
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "Files", p.Files, []string{filepath.Join(dir, "stack.yaml")})
			ltEqual(t, "Name", p.Name, "from-dotenv")
			ltEqualList(t, "ActiveProfiles", p.ActiveProfiles, []string{"extra"})
			ltEqualList(t, "enabled", ltNames(p, true), []string{"extra", "main"})
			ltEqual(t, "main.Image", ltService(t, p, "main").Image, "example/main:7")
		},
	}, {
		name: "include", fixture: "include",
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "services", ltNames(p, false), []string{"app", "db"})
			ltEqualList(t, "enabled", ltNames(p, true), []string{"app"})
			ltEqual(t, "db.Image", ltService(t, p, "db").Image, "example/db:1")
			ltEqualList(t, "Profiles", p.Profiles, []string{"data"})
			ltEqualList(t, "app.DependsOn", ltService(t, p, "app").DependsOn, []string{"db"})
		},
	}, {
		name: "extends, from another file and the same file", fixture: "extends",
		check: func(t *testing.T, dir string, p *Project) {
			api := ltService(t, p, "api")
			ltEqual(t, "api.Image", api.Image, "example/base:1")
			ltEqual(t, "api.MemLimit", api.MemLimit, 64*ltMiB)
			ltEqual(t, "api FROM_BASE", *api.Config.Environment["FROM_BASE"], "yes")
			ltEqual(t, "api OWN", *api.Config.Environment["OWN"], "1")
			worker := ltService(t, p, "worker")
			ltEqual(t, "worker.Image", worker.Image, "example/common:1")
			ltEqual(t, "worker.Platform", worker.Platform, "linux/amd64")
		},
	}, {
		name: "YAML anchors and merge keys", fixture: "anchors",
		check: func(t *testing.T, dir string, p *Project) {
			one, two := ltService(t, p, "one"), ltService(t, p, "two")
			ltEqual(t, "one.Image", one.Image, "example/common:1")
			ltEqual(t, "two.Image", two.Image, "example/two:1")
			ltEqual(t, "two.MemLimit", two.MemLimit, 32*ltMiB)
			ltEqual(t, "two SHARED", *two.Config.Environment["SHARED"], "1")
		},
	}, {
		name: "interpolation defaults, required variable set", fixture: "interp",
		opts: func(dir string) LoadOptions { return LoadOptions{Env: map[string]string{"SECRET": "s3"}} },
		check: func(t *testing.T, dir string, p *Project) {
			app := ltService(t, p, "app")
			ltEqual(t, "Image", app.Image, "example/app:default")
			ltEqual(t, "MemLimit", app.MemLimit, 256*ltMiB)
			ltEqual(t, "SECRET", *app.Config.Environment["SECRET"], "s3")
		},
	}, {
		name: "interpolation from the environment", fixture: "interp",
		opts: func(dir string) LoadOptions {
			return LoadOptions{Env: map[string]string{"SECRET": "s3", "IMG": "example/other:2", "MEM": "2g"}}
		},
		check: func(t *testing.T, dir string, p *Project) {
			ltEqual(t, "Image", ltService(t, p, "app").Image, "example/other:2")
			ltEqual(t, "MemLimit", ltService(t, p, "app").MemLimit, 2048*ltMiB)
		},
	}, {
		name: "GPU requests in all three forms, disabled services included", fixture: "gpu",
		check: func(t *testing.T, dir string, p *Project) {
			for name, want := range map[string]bool{
				"by-capability": true, "by-driver": true, "by-gpus": true, "disabled-gpu": true,
				"tpu-only": false, "cpu": false,
			} {
				ltEqual(t, name+".GPU", ltService(t, p, name).GPU, want)
			}
			ltEqual(t, "disabled-gpu.Enabled", ltService(t, p, "disabled-gpu").Enabled, false)
		},
	}, {
		name: "memory limits in both forms, platform, build", fixture: "limits",
		check: func(t *testing.T, dir string, p *Project) {
			ltEqual(t, "short.MemLimit", ltService(t, p, "short").MemLimit, 512*ltMiB)
			ltEqual(t, "deploy.MemLimit", ltService(t, p, "deploy").MemLimit, 1024*ltMiB)
			ltEqual(t, "none.MemLimit", ltService(t, p, "none").MemLimit, 0)
			ltEqual(t, "arm.Platform", ltService(t, p, "arm").Platform, "linux/arm64")
			ltEqual(t, "none.Platform", ltService(t, p, "none").Platform, "")
			built := ltService(t, p, "built")
			ltEqual(t, "built.HasBuild", built.HasBuild, true)
			ltEqual(t, "built.Image", built.Image, "")
			ltEqual(t, "none.HasBuild", ltService(t, p, "none").HasBuild, false)
		},
	}, {
		name: "warnings are collected as single lines", fixture: "warnings",
		check: func(t *testing.T, dir string, p *Project) {
			ltEqualList(t, "Files", p.Files, []string{filepath.Join(dir, "compose.yaml")})
			for _, want := range []string{
				`The "NOT_SET_ANYWHERE" variable is not set`,
				"the attribute `version` is obsolete",
				"found multiple config files with supported names in " + dir + ": compose.yaml, docker-compose.yml; using compose.yaml",
			} {
				if !slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, want) }) {
					t.Errorf("Warnings %q lack %q", p.Warnings, want)
				}
			}
			for _, w := range p.Warnings {
				if strings.ContainsAny(w, "\r\n") {
					t.Errorf("warning %q is not one line", w)
				}
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := ltFixture(t, tc.fixture)
			opts := LoadOptions{}
			if tc.opts != nil {
				opts = tc.opts(dir)
			}
			if opts.Env == nil {
				opts.Env = map[string]string{} // hermetic: never the test process's environment
			}
			if opts.WorkDir == "" {
				opts.WorkDir = dir
			}
			tc.check(t, dir, ltLoad(t, opts))
		})
	}
}

func TestLikelyName(t *testing.T) {
	t.Setenv("COMPOSE_PROJECT_NAME", "")
	cases := []struct {
		opts LoadOptions
		want string
	}{
		{LoadOptions{ProjectName: "Web_App"}, "web_app"},
		{LoadOptions{ProjectDir: "/srv/My.Stack"}, "mystack"},
		{LoadOptions{Files: []string{"/srv/shop/compose.yaml", "/etc/other.yaml"}}, "shop"},
		{LoadOptions{Files: []string{"deploy/compose.yaml"}, WorkDir: "/srv/shop"}, "deploy"},
		{LoadOptions{WorkDir: "/srv/shop"}, "shop"},
		{LoadOptions{WorkDir: "/srv/shop", Env: map[string]string{"COMPOSE_PROJECT_NAME": "fromenv"}}, "fromenv"},
		{LoadOptions{WorkDir: "/srv/shop", ProjectName: "flag", Env: map[string]string{"COMPOSE_PROJECT_NAME": "fromenv"}}, "flag"},
	}
	for _, c := range cases {
		if got := c.opts.LikelyName(); got != c.want {
			t.Errorf("%+v: LikelyName = %q, want %q", c.opts, got, c.want)
		}
	}
	t.Setenv("COMPOSE_PROJECT_NAME", "shell")
	if got := (LoadOptions{WorkDir: "/srv/shop"}).LikelyName(); got != "shell" {
		t.Errorf("with COMPOSE_PROJECT_NAME=shell: %q", got)
	}
}
