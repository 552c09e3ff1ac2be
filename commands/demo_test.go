package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stackui/stackui/demo"
	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
)

func TestDemoBadArguments(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"demo", "extra"}, &out, &errOut); code != exitBadArgs {
		t.Errorf("demo extra: exit %d, want %d", code, exitBadArgs)
	}
	if code := run([]string{"demo", "--nope"}, &out, &errOut); code != exitBadArgs {
		t.Errorf("demo --nope: exit %d, want %d", code, exitBadArgs)
	}
}

func TestDemoRejectsDynamicBinary(t *testing.T) {
	testenv.Engine(t)
	ls, err := exec.LookPath("ls")
	if err != nil {
		t.Fatalf("no ls: %v", err)
	}
	var out, errOut bytes.Buffer
	code := run([]string{"demo", "--images-only", "--binary", ls}, &out, &errOut)
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if msg := errOut.String(); !strings.Contains(msg, ls) || !strings.Contains(msg, "CGO_ENABLED=0") || strings.Count(msg, "\n") != 1 {
		t.Errorf("want one line naming %s and how to build a static stackui; got:\n%s", ls, msg)
	}
}

func TestWorkloadSubcommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"workload", "--print", "hello", "--exit-code", "4"}, &out, &errOut); code != 4 {
		t.Errorf("exit %d, want 4", code)
	}
	if errOut.String() != "hello\n" || !strings.Contains(out.String(), "exiting with code 4") {
		t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
	}
}

// composeCLI returns the compose command line prefix that stackui itself
// would use: docker compose v2 when the plugin is there, else docker-compose.
func composeCLI(t *testing.T) []string {
	t.Helper()
	cli, err := stack.DetectCompose(context.Background())
	if err != nil {
		if testenv.InCI() {
			t.Fatalf("CI=true and no compose CLI: %v", err)
		}
		t.Skip(err)
	}
	return append([]string{cli.Path}, cli.Prefix...)
}

// TestDemoEndToEnd writes the demo project with the real binary and brings
// it up with the real compose CLI: the default profile must come up with
// api healthy, and the train profile's trainer must be OOM-killed.
func TestDemoEndToEnd(t *testing.T) {
	cli := testenv.Engine(t)
	bin := testenv.Binary(t)
	compose := composeCLI(t)
	dir := filepath.Join(t.TempDir(), "stackui-demo")

	out, err := exec.Command(bin, "demo", "--no-tui", "--dir", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("stackui demo --no-tui: %v\n%s", err, out)
	}
	file := filepath.Join(dir, demo.ComposeFile)
	for _, want := range []string{demo.ImageLatest + " (linux/", demo.ImageForeign + " (linux/", file + ": written"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	project := testenv.ProjectName(t)
	runCompose := func(args ...string) (string, error) {
		argv := append(append(append([]string{}, compose...), "-p", project, "-f", file), args...)
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Dir = dir
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	t.Cleanup(func() {
		if out, err := runCompose("--profile", "train", "down", "--timeout", "2"); err != nil {
			t.Errorf("compose down: %v\n%s", err, out)
		}
		testenv.RemoveProject(t, cli, project)
	})

	if out, err := runCompose("up", "-d"); err != nil {
		t.Fatalf("compose up: %v\n%s", err, out)
	}
	api := waitContainer(t, cli, project, "api", func(c client.ContainerInspectResult) bool {
		h := c.Container.State.Health
		return h != nil && h.Status == "healthy"
	})
	if !api.Container.State.Running {
		t.Errorf("api is %s, not running", api.Container.State.Status)
	}
	db := waitContainer(t, cli, project, "db", func(c client.ContainerInspectResult) bool { return c.Container.State.Running })
	if db.Container.State.Status != stack.StateRunning {
		t.Errorf("db is %s", db.Container.State.Status)
	}

	if out, err := runCompose("--profile", "train", "up", "-d", "trainer"); err != nil {
		t.Fatalf("compose up trainer: %v\n%s", err, out)
	}
	tr := waitContainer(t, cli, project, "trainer", func(c client.ContainerInspectResult) bool {
		return c.Container.State.Status == stack.StateExited
	})
	if !tr.Container.State.OOMKilled || tr.Container.State.ExitCode != 137 {
		t.Errorf("trainer exited %d, OOMKilled=%v; want 137 and OOM-killed", tr.Container.State.ExitCode, tr.Container.State.OOMKilled)
	}

	// stackui ps sees the same project through the Engine API.
	ps := psOf(t, "-p", project, "-f", file, "--profile", "train", "ps", "--json")
	if !ps.Engine.Reachable || ps.Engine.Arch == "" || ps.Engine.ComposeCLI == "" || ps.Engine.Name != testenv.EngineKind() {
		t.Errorf("engine: %+v", ps.Engine)
	}
	want := map[string]string{"api": "running", "db": "running", "trainer": "exited", "inference": "not created"}
	for _, s := range ps.Services {
		if w, ok := want[s.Name]; ok && s.State != w {
			t.Errorf("ps: %s is %q, want %q", s.Name, s.State, w)
		}
		switch s.Name {
		case "api":
			if s.Health != "healthy" || len(s.Containers) != 1 {
				t.Errorf("ps: api health %q with %d containers", s.Health, len(s.Containers))
			}
			// Made by the same CLI from the same file: drift is known, and
			// false. docker-compose 1.29 hashes the image ID too, which a
			// concurrent rebuild of the demo image changes; the plugin's
			// hash is the configuration alone.
			if s.Drift == nil || (*s.Drift && compose[0] == "docker") {
				t.Errorf("ps: api drift %v, want false", s.Drift)
			}
		case "trainer":
			if !s.Enabled || !s.OOMKilled || s.ExitCode != 137 || s.MemLimitBytes != 64<<20 {
				t.Errorf("ps: trainer %+v", s)
			}
		case "inference", "gpu-worker":
			if s.Enabled {
				t.Errorf("ps: %s enabled though its profile is off", s.Name)
			}
		}
	}
}

// psOf runs stackui ps --json in-process and decodes its output.
func psOf(t *testing.T, args ...string) psOutput {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(args, &out, &errOut); code != exitOK {
		t.Fatalf("stackui %v: exit %d\n%s", args, code, errOut.String())
	}
	var ps psOutput
	if err := json.Unmarshal(out.Bytes(), &ps); err != nil {
		t.Fatalf("ps --json is not JSON: %v\n%s", err, out.String())
	}
	return ps
}

// waitContainer polls the project's one container of service until ok
// says so; 60s bound a hang, they assert nothing about speed.
func waitContainer(t *testing.T, cli *client.Client, project, service string, ok func(client.ContainerInspectResult) bool) client.ContainerInspectResult {
	t.Helper()
	ctx := context.Background()
	f := make(client.Filters).Add("label", stack.LabelProject+"="+project, stack.LabelService+"="+service)
	deadline := time.Now().Add(60 * time.Second)
	var last client.ContainerInspectResult
	for time.Now().Before(deadline) {
		list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
		if err != nil {
			t.Fatalf("list %s: %v", service, err)
		}
		if len(list.Items) == 1 {
			last, err = cli.ContainerInspect(ctx, list.Items[0].ID, client.ContainerInspectOptions{})
			if err != nil {
				t.Fatalf("inspect %s: %v", service, err)
			}
			if ok(last) {
				return last
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s never got there; last state: %+v", service, last.Container.State)
	return last
}
