package edit

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
)

func loadFixture(t *testing.T, dir string, env map[string]string) *stack.Project {
	t.Helper()
	if env == nil {
		env = map[string]string{}
	}
	p, err := stack.Load(context.Background(), stack.LoadOptions{WorkDir: filepath.Join("..", "..", "testdata", "compose", dir), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// keyOf is the view's entry for key.
func keyOf(t *testing.T, v stack.ServiceConfigView, key string) stack.ConfigKey {
	t.Helper()
	for _, k := range v.Keys {
		if k.Key == key {
			return k
		}
	}
	t.Fatalf("no key %q in %+v", key, v.Keys)
	return stack.ConfigKey{}
}

func origins(k stack.ConfigKey) string {
	var s []string
	for _, o := range k.Origins {
		s = append(s, o.String())
	}
	return strings.Join(s, " ")
}

func TestServiceConfigOrigins(t *testing.T) {
	cases := []struct {
		dir, service, key string
		wantOrigins       string
		wantYAML          string
	}{
		// the override file wins, over the base file's line
		{"override", "api", "image", "compose.override.yaml:4 compose.yaml:3", "image: example/api:dev"},
		{"override", "api", "mem_limit", "compose.override.yaml:5 compose.yaml:4", `mem_limit: "1073741824"`},
		{"override", "db", "image", "compose.yaml:6", "image: example/db:1"},
		// extends from another file: the base's lines come after the own
		{"extends", "api", "environment", "compose.yaml:9 base.yaml:4", "environment:\n  FROM_BASE: \"yes\"\n  OWN: \"1\""},
		{"extends", "api", "image", "base.yaml:3", "image: example/base:1"},
		// extends within the file
		{"extends", "worker", "platform", "compose.yaml:4", "platform: linux/amd64"},
		// include: the included file's line
		{"include", "app", "image", "compose.yaml:5", "image: example/app:1"},
		{"include", "db", "image", "sub/db.yaml:3", "image: example/db:1"},
		// compose's own default: no file sets it
		{"override", "api", "networks", "", "networks:\n  default: null"},
	}
	for _, c := range cases {
		t.Run(c.dir+"/"+c.service+"/"+c.key, func(t *testing.T) {
			v, err := ServiceConfig(loadFixture(t, c.dir, nil), c.service)
			if err != nil {
				t.Fatal(err)
			}
			k := keyOf(t, v, c.key)
			if got := origins(k); got != c.wantOrigins {
				t.Errorf("origins = %q, want %q", got, c.wantOrigins)
			}
			if k.YAML != c.wantYAML {
				t.Errorf("yaml = %q, want %q", k.YAML, c.wantYAML)
			}
		})
	}
}

func TestServiceConfigVars(t *testing.T) {
	p := loadFixture(t, "dotenv", map[string]string{"FROM_BOTH": "shell"})
	v, err := ServiceConfig(p, "app")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]stack.VarRef{
		"image":       {{Name: "TAG", From: ".env:2"}},
		"mem_limit":   {{Name: "MEM", From: ".env:4"}},
		"environment": {{Name: "EXTRA", From: ""}, {Name: "FROM_BOTH", From: "environment"}},
	}
	for key, refs := range want {
		k := keyOf(t, v, key)
		if len(k.Vars) != len(refs) {
			t.Fatalf("%s: vars %+v, want %+v", key, k.Vars, refs)
		}
		for i := range refs {
			if k.Vars[i] != refs[i] {
				t.Errorf("%s: var %d = %+v, want %+v", key, i, k.Vars[i], refs[i])
			}
		}
	}
	if got := keyOf(t, v, "environment").YAML; !strings.Contains(got, "FROM_BOTH: shell") {
		t.Errorf("environment = %q: the shell's value should win over .env", got)
	}
	if _, err := ServiceConfig(p, "nope"); err == nil {
		t.Error("ServiceConfig of an unknown service: no error")
	}
}

// FuzzServiceConfig loads whatever compose file the fuzzer writes; when
// compose-go accepts it, every service's config must come out, and every
// origin must name a line of a file that holds the key.
func FuzzServiceConfig(f *testing.F) {
	for _, dir := range []string{"override", "extends", "interp", "dotenv", "anchors", "basic"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "compose", dir, "compose.yaml"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add("services:\n  a:\n    image: x${A:-$$B}\n    environment: [\"K=${K}\"]\n")
	f.Fuzz(func(t *testing.T, compose string) {
		dir := t.TempDir()
		file := filepath.Join(dir, "compose.yaml")
		if err := os.WriteFile(file, []byte(compose), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := stack.Load(context.Background(), stack.LoadOptions{Files: []string{file}, WorkDir: dir, ProjectName: "fuzz", Env: map[string]string{}, Timeout: 2 * time.Second})
		if err != nil {
			return
		}
		lines := strings.Split(compose, "\n")
		for _, s := range p.Services {
			v, err := ServiceConfig(p, s.Name)
			if err != nil {
				t.Fatalf("config of %s: %v", s.Name, err)
			}
			for _, k := range v.Keys {
				for _, o := range k.Origins {
					if o.File != "compose.yaml" || o.Line < 1 || o.Line > len(lines) || !strings.Contains(lines[o.Line-1], k.Key) {
						t.Errorf("%s.%s: origin %s does not hold the key", s.Name, k.Key, o)
					}
				}
			}
		}
	})
}

// BenchmarkServiceConfigBig is the config tab's read on the 57-service
// project with its override file: it runs once per service selected while
// the tab is on screen.
func BenchmarkServiceConfigBig(b *testing.B) {
	p, err := stack.Load(context.Background(), stack.LoadOptions{WorkDir: filepath.Join("..", "..", "testdata", "compose", "big"), Env: map[string]string{}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for range b.N {
		if _, err := ServiceConfig(p, "web"); err != nil {
			b.Fatal(err)
		}
	}
}
