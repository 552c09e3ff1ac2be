package stack

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/testenv"
)

// TestLineWriterComposeV5Output feeds what docker compose v5.6.0 printed,
// byte for byte, through the line writer that fills the actions drawer.
// The bytes were recorded from `docker compose -p stackuirec --progress
// plain CMD > CMD.txt 2>&1` on testdata/compose-v5.6.0/compose.yaml, which is
// how Run calls it: one pipe for stdout and stderr. Every step of every
// container is a line of its own, and the error comes through whole. The
// lines expected are in NAME.lines beside each recording.
func TestLineWriterComposeV5Output(t *testing.T) {
	names, err := filepath.Glob(filepath.Join("testdata", "compose-v5.6.0", "*.txt"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no recordings: %v", err)
	}
	for _, name := range names {
		name := filepath.Base(name)
		t.Run(name, func(t *testing.T) {
			// NAME.lines holds the lines, one each; ui's drawer test
			// reads them too.
			lines, err := os.ReadFile(filepath.Join("testdata", "compose-v5.6.0", strings.TrimSuffix(name, ".txt")+".lines"))
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Split(strings.TrimSuffix(string(lines), "\n"), "\n")
			raw, err := os.ReadFile(filepath.Join("testdata", "compose-v5.6.0", name))
			if err != nil {
				t.Fatal(err)
			}
			// Compose writes in pieces; cutting the bytes anywhere must not
			// change the lines.
			for cut := 0; cut <= len(raw); cut++ {
				var got []string
				w := &lineWriter{onLine: func(s string) { got = append(got, s) }}
				w.Write(raw[:cut])
				w.Write(raw[cut:])
				w.flush()
				if !slices.Equal(got, want) {
					t.Fatalf("cut at %d: lines\n%q\nwant\n%q", cut, got, want)
				}
			}
		})
	}
}

func TestPlainLogLine(t *testing.T) {
	for in, want := range map[string]string{
		`time="2026-12-05T20:08:44Z" level=warning msg="No resource found"`:       "warning: No resource found",
		`time="2026-12-05T20:08:44Z" level=error msg="Error: a \"b\"\tc" extra=1`: "Error: a \"b\"\tc extra=1",
		`time="x" level=warning msg="bad \q quote"`:                               `time="x" level=warning msg="bad \q quote"`,
		`time="x" level=info msg="two\nlines"`:                                    "info: two lines",
		` Container p-web-1 Started`:                                              ` Container p-web-1 Started`,
	} {
		if got := plainLogLine(in); got != want {
			t.Errorf("plainLogLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestComposeProgressArgs: only the docker compose plugin gets --progress
// plain, before the subcommand as a global flag; docker-compose v1 would
// reject it, and so would a plugin older than the flag.
func TestComposeProgressArgs(t *testing.T) {
	p := &Project{Name: "demo", WorkingDir: "/w", Files: []string{"/w/compose.yaml"}}
	for _, tc := range []struct {
		cli  ComposeCLI
		want bool
	}{
		{ComposeCLI{Name: "docker compose", Path: "docker", Prefix: []string{"compose"}, Version: "5.6.0"}, true},
		{ComposeCLI{Name: "docker compose", Path: "docker", Prefix: []string{"compose"}, Version: "2.29.1"}, true},
		{ComposeCLI{Name: "docker compose", Path: "docker", Prefix: []string{"compose"}, Version: "2.20.0"}, true},
		{ComposeCLI{Name: "docker compose", Path: "docker", Prefix: []string{"compose"}, Version: "2.12.2"}, false},
		{ComposeCLI{Name: "docker compose", Path: "docker", Prefix: []string{"compose"}, Version: "dev"}, false},
		{ComposeCLI{Name: "docker-compose", Path: "docker-compose", Version: "1.29.2"}, false},
	} {
		argv := tc.cli.Command(p, nil, []string{"up", "-d"})
		i := slices.Index(argv, "--progress")
		switch {
		case tc.want && (i < 0 || i+1 >= len(argv) || argv[i+1] != "plain" || i > slices.Index(argv, "up")):
			t.Errorf("%s: %q; want --progress plain before up", tc.cli, argv)
		case !tc.want && i >= 0:
			t.Errorf("%s: %q has --progress", tc.cli, argv)
		}
	}
}

// stepLine is a progress line of either CLI: v5 " Container p-web-1
// Started", v1 "Creating p_web_1 ... done"; and the lines around them.
var stepLine = regexp.MustCompile(`^ ?(?:(?:Container|Network) \S+ (?:Creating|Created|Starting|Started)|(?:Creating|Starting) (?:network )?\S+(?: \.\.\.(?: done)?| with the default driver)?)$`)

// TestComposeProgressReal runs up on the real CLI with COMPOSE_PROGRESS=tty
// in the project's environment, the setting that makes v5 redraw its
// progress in place with cursor moves and timers. The drawer must still get
// one plain line per step, each step once.
func TestComposeProgressReal(t *testing.T) {
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cli, err := DetectCompose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	yaml := "services:\n  web:\n    image: stackui-demo/workload:latest\n    command: [\"--exit-after\", \"5m\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"COMPOSE_PROGRESS": "tty", "COMPOSE_ANSI": "always"}
	for _, k := range []string{"PATH", "HOME", "DOCKER_HOST", "DOCKER_CONFIG"} {
		if v, ok := os.LookupEnv(k); ok {
			env[k] = v
		}
	}
	p, err := Load(ctx, LoadOptions{WorkDir: dir, ProjectName: testenv.ProjectName(t), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { testenv.RemoveProject(t, api, p.Name) })
	var lines []string
	if err := cli.Up(ctx, p, UpOptions{}, func(l string) { lines = append(lines, l) }); err != nil {
		t.Fatalf("%s up: %v", cli, err)
	}
	started := 0
	for _, l := range lines {
		if !stepLine.MatchString(l) {
			t.Errorf("%s: line %q is not one plain progress step", cli, l)
		}
		if strings.HasSuffix(l, "Started") || strings.HasSuffix(l, "web_1 ... done") {
			started++
		}
	}
	if started != 1 {
		t.Errorf("%s: %d lines say web started, want 1:\n%s", cli, started, strings.Join(lines, "\n"))
	}
}
