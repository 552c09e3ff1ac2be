package stack

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/client"
	"github.com/stackui/stackui/internal/testenv"
)

// writeComposeScript writes an executable shell script named name into dir.
func writeComposeScript(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestDetectComposeChoice(t *testing.T) {
	cases := []struct {
		name     string
		docker   string // script body; "" means no docker on PATH
		compose  string // script body; "" means no docker-compose on PATH
		choice   string // STACKUI_COMPOSE
		wantName string
		wantVer  string
		wantErr  []string
	}{
		{name: "plugin wins",
			docker:   `[ "$1 $2 $3" = "compose version --short" ] && echo v2.29.1 && exit 0; exit 125`,
			compose:  `echo 1.29.2`,
			wantName: "docker compose", wantVer: "2.29.1"},
		{name: "docker without the plugin",
			docker:   `echo "unknown flag: --short" >&2; exit 125`,
			compose:  `[ "$1 $2" = "version --short" ] && echo 1.29.2`,
			wantName: "docker-compose", wantVer: "1.29.2"},
		{name: "standalone only",
			compose:  `echo 2.20.0`,
			wantName: "docker-compose", wantVer: "2.20.0"},
		{name: "neither",
			wantErr: []string{"docker compose", "docker-compose", "not found"}},
		{name: "both broken",
			docker:  `echo "no plugin" >&2; exit 1`,
			compose: `echo "ImportError: no module" >&2; exit 1`,
			wantErr: []string{"docker compose", "no plugin", "docker-compose", "ImportError"}},
		{name: "v1 chosen over a working plugin",
			docker:   `echo v5.6.0`,
			compose:  `echo 1.29.2`,
			choice:   "docker-compose",
			wantName: "docker-compose", wantVer: "1.29.2"},
		{name: "plugin chosen, missing: no fallback",
			docker:  `echo "docker: unknown command: docker compose" >&2; exit 1`,
			compose: `echo 1.29.2`,
			choice:  "docker compose",
			wantErr: []string{"docker compose", "unknown command"}},
		{name: "unknown choice",
			compose: `echo 1.29.2`,
			choice:  "podman-compose",
			wantErr: []string{"STACKUI_COMPOSE", "podman-compose"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.docker != "" {
				writeComposeScript(t, dir, "docker", tc.docker)
			}
			if tc.compose != "" {
				writeComposeScript(t, dir, "docker-compose", tc.compose)
			}
			t.Setenv("PATH", dir)
			t.Setenv(ComposeChoiceEnv, tc.choice)
			got, err := DetectCompose(context.Background())
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("DetectCompose = %+v, want an error", got)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not mention %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != tc.wantName || got.Version != tc.wantVer || filepath.Dir(got.Path) != dir {
				t.Errorf("DetectCompose = %+v; want %s %s from %s", got, tc.wantName, tc.wantVer, dir)
			}
			if tc.wantName == "docker compose" && !slices.Equal(got.Prefix, []string{"compose"}) {
				t.Errorf("prefix = %q", got.Prefix)
			}
		})
	}
}

// TestDetectComposeHere checks detection against the real CLIs on this
// machine: the docker plugin when `docker compose version` works, else
// docker-compose.
func TestDetectComposeHere(t *testing.T) {
	cli, err := DetectCompose(context.Background())
	pluginWorks := exec.Command("docker", "compose", "version").Run() == nil
	_, standaloneErr := exec.LookPath("docker-compose")
	if !pluginWorks && standaloneErr != nil {
		if err == nil {
			t.Fatalf("DetectCompose = %+v with no compose CLI installed", cli)
		}
		if testenv.InCI() {
			t.Fatalf("CI=true and no compose CLI: %v", err)
		}
		t.Skipf("no compose CLI: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	want := "docker-compose"
	if pluginWorks && os.Getenv(ComposeChoiceEnv) != "docker-compose" {
		want = "docker compose"
	}
	if cli.Name != want || cli.Version == "" {
		t.Errorf("DetectCompose = %+v; want %s with a version", cli, want)
	}
}

func TestComposeEnv(t *testing.T) {
	t.Setenv("COMPOSE_PROFILES", "gpu")
	t.Setenv("COMPOSE_FILE", "other.yml")
	t.Setenv("COMPOSE_PROJECT_NAME", "other")
	t.Setenv("STACKUI_TEST_KEEP", "yes")
	t.Setenv("COMPOSE_PARALLEL_LIMIT", "2")
	check := func(t *testing.T, env []string, want ...string) {
		t.Helper()
		for _, kv := range env {
			k, _, _ := strings.Cut(kv, "=")
			if slices.Contains(droppedEnv, k) {
				t.Errorf("%s reached the CLI", kv)
			}
		}
		for _, w := range append(want, "COMPOSE_PROFILES=") {
			if !slices.Contains(env, w) {
				t.Errorf("%s missing from %q", w, env)
			}
		}
	}
	t.Run("process environment", func(t *testing.T) {
		check(t, composeEnv(&Project{}), "STACKUI_TEST_KEEP=yes", "COMPOSE_PARALLEL_LIMIT=2", "PATH="+os.Getenv("PATH"))
	})
	t.Run("project environment", func(t *testing.T) {
		p := &Project{Options: LoadOptions{Env: map[string]string{
			"COMPOSE_PROFILES": "x", "COMPOSE_FILE": "a.yml", "TAG": "v1", "EMPTY": "",
		}}}
		t.Setenv("DOCKER_HOST", "unix:///tmp/engine-stackui-watches.sock")
		env := composeEnv(p) // DOCKER_HOST from the process: the engine stackui watches
		check(t, env, "TAG=v1", "EMPTY=", "DOCKER_HOST=unix:///tmp/engine-stackui-watches.sock")
		if len(env) != 4 {
			t.Errorf("env = %q; want only the project's variables, the process's DOCKER_HOST and COMPOSE_PROFILES", env)
		}
	})
	t.Run("what the env files added", func(t *testing.T) {
		// Model.Environment is the loader's merge: the environment, then the
		// env files; compose-go adds COMPOSE_PROJECT_NAME.
		p := &Project{
			Options: LoadOptions{Env: map[string]string{"TAG": "env"}},
			Model: &types.Project{Environment: types.Mapping{
				"TAG": "stale", "FROM_FILE": "f", "COMPOSE_PROFILES": "extra",
				"COMPOSE_PROJECT_NAME": "x", "DOCKER_HOST": "tcp://elsewhere:2375",
			}},
		}
		env := composeEnv(p)
		check(t, env, "TAG=env", "FROM_FILE=f")
		if len(env) != 3 {
			t.Errorf("env = %q; want TAG, FROM_FILE and an empty COMPOSE_PROFILES", env)
		}
	})
}

func TestLineWriter(t *testing.T) {
	const out = "Creating a ... \r\x1b[1A\x1b[2KCreating a ... \x1b[32mdone\x1b[0m\r\nplain\n\nlast without newline"
	want := []string{"Creating a ...", "Creating a ... done", "plain", "last without newline"}
	// Every way of cutting the output into writes gives the same lines.
	for cut := 0; cut <= len(out); cut++ {
		var got []string
		w := &lineWriter{onLine: func(s string) { got = append(got, s) }}
		w.Write([]byte(out[:cut]))
		w.Write([]byte(out[cut:]))
		w.flush()
		if !slices.Equal(got, want) {
			t.Fatalf("cut at %d: lines %q, want %q", cut, got, want)
		}
		if tail := w.tail(); !slices.Equal(tail, want) {
			t.Fatalf("cut at %d: tail %q", cut, tail)
		}
	}
}

// A \r at the end of one write followed by text and then \n in the next
// writes: the \n ends the text's line, it is not taken for the \r's.
func TestLineWriterCRThenText(t *testing.T) {
	var got []string
	w := &lineWriter{onLine: func(s string) { got = append(got, s) }}
	for _, chunk := range []string{"a\r", "b", "\nc\r", "\n", "d"} {
		w.Write([]byte(chunk))
	}
	w.flush()
	if want := []string{"a", "b", "c", "d"}; !slices.Equal(got, want) {
		t.Errorf("lines = %q, want %q", got, want)
	}
}

func TestLineWriterKeepsTheTail(t *testing.T) {
	w := &lineWriter{}
	for i := range outputTailLines + 50 {
		w.Write([]byte(strconv.Itoa(i) + "\n"))
	}
	w.Write([]byte(strings.Repeat("x", maxLine+10)))
	w.flush()
	tail := w.tail()
	if len(tail) != outputTailLines {
		t.Fatalf("kept %d lines, want %d", len(tail), outputTailLines)
	}
	// 250 numbered lines, then the long one cut in two: the first 52 go.
	last := len(tail) - 1
	if tail[0] != "52" || tail[last-2] != strconv.Itoa(outputTailLines+49) || len(tail[last-1]) != maxLine || tail[last] != "xxxxxxxxxx" {
		t.Errorf("tail starts %q, ends %q, %d bytes, %q", tail[0], tail[last-2], len(tail[last-1]), tail[last])
	}
}

// composeScriptCLI is a ComposeCLI that runs a shell script instead of compose;
// the project flags and arguments become its positional parameters.
func composeScriptCLI(script string) ComposeCLI {
	return ComposeCLI{Name: "sh", Path: "/bin/sh", Prefix: []string{"-c", script, "sh"}}
}

func composeScriptProject(t *testing.T) *Project {
	dir := t.TempDir()
	return &Project{Name: "scripted", WorkingDir: dir, Files: []string{filepath.Join(dir, "compose.yaml")}}
}

// TestRunStreams proves that lines reach onLine while the command still
// runs: the script prints one line, then blocks until the test, from inside
// onLine, writes the second line into a FIFO. Output handed over only at
// the end would deadlock here, and the context's deadline would fail it.
func TestRunStreams(t *testing.T) {
	p := composeScriptProject(t)
	fifo := filepath.Join(p.WorkingDir, "gate")
	if err := testMkfifo(fifo); err != nil {
		t.Fatal(err)
	}
	cli := composeScriptCLI(`echo first; read line < gate; echo "$line"; echo "args: $*" >&2`)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var lines []string
	err := cli.Run(ctx, p, nil, []string{"up", "-d"}, func(s string) {
		lines = append(lines, s)
		if s == "first" {
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				t.Error(err)
				return
			}
			f.WriteString("second\n")
			f.Close()
		}
	})
	if err != nil {
		t.Fatalf("Run: %v (lines %q)", err, lines)
	}
	if len(lines) != 3 || lines[0] != "first" || lines[1] != "second" {
		t.Fatalf("lines = %q", lines)
	}
	args := p.ComposeArgs(nil)
	if want := "args: " + strings.Join(append(args, "up", "-d"), " "); lines[2] != want {
		t.Errorf("the CLI got %q; want the project flags before the subcommand: %q", lines[2], want)
	}
}

func TestRunFailureIsComposeError(t *testing.T) {
	p := composeScriptProject(t)
	cli := composeScriptCLI(`echo "Pulling web"; echo "ERROR: manifest unknown" >&2; exit 3`)
	err := cli.Run(context.Background(), p, nil, []string{"pull"}, nil)
	var ce *ComposeError
	if !errors.As(err, &ce) {
		t.Fatalf("Run = %v, want a *ComposeError", err)
	}
	if ce.ExitCode != 3 || !slices.Equal(ce.Output, []string{"Pulling web", "ERROR: manifest unknown"}) {
		t.Errorf("ComposeError = exit %d, output %q", ce.ExitCode, ce.Output)
	}
	if ce.Command[0] != "/bin/sh" || ce.Command[len(ce.Command)-1] != "pull" {
		t.Errorf("command = %q", ce.Command)
	}
	for _, w := range []string{"pull", "exit status 3", "ERROR: manifest unknown"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Errorf("error does not unwrap to the *exec.ExitError")
	}
}

func TestRunBadInput(t *testing.T) {
	if err := (ComposeCLI{}).Run(context.Background(), composeScriptProject(t), nil, nil, nil); err == nil {
		t.Error("Run without a detected CLI succeeded")
	}
	if err := composeScriptCLI("true").Run(context.Background(), nil, nil, nil, nil); err == nil {
		t.Error("Run without a project succeeded")
	}
	missing := ComposeCLI{Name: "docker-compose", Path: filepath.Join(t.TempDir(), "nope")}
	var ce *ComposeError
	if err := missing.Run(context.Background(), composeScriptProject(t), nil, []string{"up"}, nil); !errors.As(err, &ce) || ce.ExitCode != -1 {
		t.Errorf("Run of a missing executable = %v, want a *ComposeError with exit -1", err)
	}
}

// TestRunCancelKillsTheGroup cancels a command whose child would outlive it
// if only the command itself were killed.
func TestRunCancelKillsTheGroup(t *testing.T) {
	p := composeScriptProject(t)
	cli := composeScriptCLI(`sleep 300 & echo "$!"; wait`)
	ctx, cancel := context.WithCancel(context.Background())
	pids := make(chan int, 1)
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(ctx, p, nil, nil, func(s string) {
			if pid, err := strconv.Atoi(s); err == nil {
				pids <- pid
			}
		})
	}()
	var pid int
	select {
	case pid = <-pids:
	case err := <-done:
		t.Fatalf("Run ended before printing the child: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the script never printed its child's pid")
	}
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
	// The orphaned sleep is reaped by init; until then it is a zombie,
	// which is dead too.
	for deadline := time.Now().Add(30 * time.Second); processAlive(pid); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			testKill(pid)
			t.Fatalf("child %d survived the cancellation", pid)
		}
	}
}

func processAlive(pid int) bool {
	if testSignalZero(pid) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// The state follows the command name in parentheses.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// --- against the real compose CLI and engine ---

// composeFixture writes a compose project into a temporary folder, loads it
// under a unique name and makes sure it is torn down after the test.
func composeFixture(t *testing.T, yaml string, profiles ...string) (ComposeCLI, *Project, *client.Client) {
	t.Helper()
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	cli, err := DetectCompose(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	name := testenv.ProjectName(t)
	p, err := Load(context.Background(), LoadOptions{Files: []string{file}, ProjectName: name, Profiles: profiles, WorkDir: dir})
	if err != nil {
		t.Fatalf("load fixture: %v", err)
	}
	t.Cleanup(func() { composeTeardown(t, cli, p, api) })
	return cli, p, api
}

// teardown runs compose down, then removes through the API whatever is left.
func composeTeardown(t *testing.T, cli ComposeCLI, p *Project, api *client.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := cli.Down(ctx, p, nil); err != nil {
		t.Logf("teardown: %v", err)
	}
	testenv.RemoveProject(t, api, p.Name)
}

// running returns the services of the project that have a running container.
func runningServices(t *testing.T, api *client.Client, project string) []string {
	t.Helper()
	res, err := api.ContainerList(context.Background(), client.ContainerListOptions{
		Filters: make(client.Filters).Add("label", LabelProject+"="+project),
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range res.Items {
		names = append(names, c.Labels[LabelService])
	}
	slices.Sort(names)
	return names
}

const composeFixtureYAML = `services:
  app:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    stop_grace_period: 1s
  extra:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    stop_grace_period: 1s
    profiles: [extra]
`

func TestComposeUpProfilesDown(t *testing.T) {
	cli, p, api := composeFixture(t, composeFixtureYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	var lines []string
	if err := cli.Up(ctx, p, UpOptions{}, func(s string) { lines = append(lines, s) }); err != nil {
		t.Fatalf("up: %v", err)
	}
	if len(lines) == 0 {
		t.Error("up printed nothing")
	}
	if got := runningServices(t, api, p.Name); !slices.Equal(got, []string{"app"}) {
		t.Errorf("running after up without profiles = %q; want only app", got)
	}

	if err := cli.Up(ctx, p, UpOptions{Profiles: []string{"extra"}}, nil); err != nil {
		t.Fatalf("up --profile extra: %v", err)
	}
	if got := runningServices(t, api, p.Name); !slices.Equal(got, []string{"app", "extra"}) {
		t.Errorf("running after up with profile extra = %q; want app and extra", got)
	}

	if err := cli.Stop(ctx, p, []string{"extra"}, []string{"extra"}, nil); err != nil {
		t.Fatalf("stop extra: %v", err)
	}
	if got := runningServices(t, api, p.Name); !slices.Equal(got, []string{"app"}) {
		t.Errorf("running after stop extra = %q; want app", got)
	}

	if err := cli.Down(ctx, p, nil); err != nil {
		t.Fatalf("down: %v", err)
	}
	res, err := api.ContainerList(ctx, client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", LabelProject+"="+p.Name)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 0 {
		t.Errorf("%d containers left after down (the stopped extra included)", len(res.Items))
	}
}

func TestComposeErrorFromRealCLI(t *testing.T) {
	cli, p, _ := composeFixture(t, composeFixtureYAML)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := cli.Up(ctx, p, UpOptions{Services: []string{"nosuchservice"}}, nil)
	var ce *ComposeError
	if !errors.As(err, &ce) {
		t.Fatalf("up of an unknown service = %v, want a *ComposeError", err)
	}
	if ce.ExitCode == 0 || !strings.Contains(strings.Join(ce.Output, "\n"), "nosuchservice") {
		t.Errorf("ComposeError exit %d, output %q; want the CLI's complaint about nosuchservice", ce.ExitCode, ce.Output)
	}
	if !strings.Contains(err.Error(), "nosuchservice") {
		t.Errorf("Error() = %q does not show the CLI's message", err)
	}
}
