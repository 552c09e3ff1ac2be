package backend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

const opsFixtureYAML = `services:
  app:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    stop_grace_period: 1s
  worker:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    stop_grace_period: 1s
    volumes: ["data:/data"]
  extra:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    stop_grace_period: 1s
    profiles: [extra]
volumes:
  data:
`

// opsFixture loads a fresh project under a unique name, with ops over the
// real compose CLI and engine, and tears it all down (volumes included)
// after the test.
func opsFixture(t *testing.T) (*Ops, *stack.Project, *client.Client) {
	t.Helper()
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(opsFixtureYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := stack.Load(context.Background(), stack.LoadOptions{Files: []string{file}, ProjectName: testenv.ProjectName(t), WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b := New(Options{})
	t.Cleanup(func() {
		testenv.RemoveProject(t, api, p.Name)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, v := range opsVolumes(t, api, p.Name) {
			api.VolumeRemove(ctx, v, client.VolumeRemoveOptions{Force: true})
		}
		b.Close()
	})
	return b.Ops(func() *stack.Project { return p }, nil), p, api
}

// opsContainers maps each service of the project to its containers' states.
func opsContainers(t *testing.T, api *client.Client, project string) map[string][]string {
	t.Helper()
	res, err := api.ContainerList(context.Background(), client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", stack.LabelProject+"="+project)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, c := range res.Items {
		svc := c.Labels[stack.LabelService]
		out[svc] = append(out[svc], string(c.State))
	}
	return out
}

func opsVolumes(t *testing.T, api *client.Client, project string) []string {
	t.Helper()
	res, err := api.VolumeList(context.Background(), client.VolumeListOptions{
		Filters: make(client.Filters).Add("label", stack.LabelProject+"="+project)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range res.Items {
		names = append(names, v.Name)
	}
	return names
}

func TestOpsKillAndRemove(t *testing.T) {
	ops, p, api := opsFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := ops.UpAll(ctx, nil); err != nil {
		t.Fatalf("up: %v", err)
	}
	got := opsContainers(t, api, p.Name)
	if !slices.Equal(got["app"], []string{"running"}) || !slices.Equal(got["worker"], []string{"running"}) || len(got["extra"]) > 0 {
		t.Fatalf("after up: %v; want app and worker running, no extra (its profile is off)", got)
	}

	var lines []string
	if err := ops.Kill(ctx, "app", func(s string) { lines = append(lines, s) }); err != nil {
		t.Fatalf("kill app: %v", err)
	}
	if len(lines) != 1 || !strings.Contains(lines[0], "app") {
		t.Errorf("kill output %q; want one line naming the app container", lines)
	}
	got = opsContainers(t, api, p.Name)
	if !slices.Equal(got["app"], []string{"exited"}) || !slices.Equal(got["worker"], []string{"running"}) {
		t.Errorf("after kill app: %v; want app exited, worker running", got)
	}
	if err := ops.Kill(ctx, "app", nil); err == nil || !strings.Contains(err.Error(), "no running container") {
		t.Errorf("kill of a stopped service = %v; want 'no running container'", err)
	}
	if err := ops.Kill(ctx, "nosuch", nil); err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("kill of an unknown service = %v; want it named", err)
	}

	if err := ops.Remove(ctx, "app", nil); err != nil {
		t.Fatalf("remove app: %v", err)
	}
	got = opsContainers(t, api, p.Name)
	if len(got["app"]) != 0 || !slices.Equal(got["worker"], []string{"running"}) {
		t.Errorf("after remove app: %v; want no app container, worker running", got)
	}

	// A service of an inactive profile is still reachable by name.
	if err := ops.Up(ctx, "extra", nil); err != nil {
		t.Fatalf("up extra: %v", err)
	}
	if got = opsContainers(t, api, p.Name); !slices.Equal(got["extra"], []string{"running"}) {
		t.Fatalf("after up extra: %v; want extra running", got)
	}
	if err := ops.Remove(ctx, "extra", nil); err != nil {
		t.Fatalf("remove extra: %v", err)
	}
	if got = opsContainers(t, api, p.Name); len(got["extra"]) != 0 || !slices.Equal(got["worker"], []string{"running"}) {
		t.Errorf("after remove extra: %v; want extra gone, worker running", got)
	}
}

// Down keeps volumes; only RemoveVolumes deletes them.
func TestOpsDownKeepsVolumes(t *testing.T) {
	ops, p, api := opsFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := ops.UpAll(ctx, nil); err != nil {
		t.Fatalf("up: %v", err)
	}
	if len(opsVolumes(t, api, p.Name)) != 1 {
		t.Fatalf("volumes after up: %q; want the data volume", opsVolumes(t, api, p.Name))
	}
	if err := ops.Down(ctx, nil); err != nil {
		t.Fatalf("down: %v", err)
	}
	if got := opsContainers(t, api, p.Name); len(got) != 0 {
		t.Errorf("containers after down: %v", got)
	}
	if len(opsVolumes(t, api, p.Name)) != 1 {
		t.Errorf("down removed the volume")
	}
	if err := ops.RemoveVolumes(ctx, nil); err != nil {
		t.Fatalf("down -v: %v", err)
	}
	if v := opsVolumes(t, api, p.Name); len(v) != 0 {
		t.Errorf("volumes after down -v: %q", v)
	}
}

func TestOpsWithoutEngine(t *testing.T) {
	p := &stack.Project{Name: "x", Services: []stack.Service{{Name: "app", Enabled: true}}}
	cause := errors.New("unknown docker context \"nope\"")
	b := New(Options{Connect: func(context.Context) (*docker.Client, error) { return nil, cause }})
	defer b.Close()
	ops := b.Ops(func() *stack.Project { return p }, nil)
	err := ops.Kill(context.Background(), "app", nil)
	if !errors.Is(err, cause) {
		t.Errorf("kill without an engine = %v; want it to carry the cause", err)
	}
}

func TestOpsExecCmd(t *testing.T) {
	b := New(Options{})
	defer b.Close()
	ops := b.Ops(func() *stack.Project { return nil }, nil)
	ops.lookPath = func(string) (string, error) {
		return "", errors.New(`exec: "docker": executable file not found in $PATH`)
	}
	if _, err := ops.ExecCmd("abc"); err == nil || !strings.Contains(err.Error(), "docker CLI") {
		t.Errorf("ExecCmd without docker = %v; want an error about the docker CLI", err)
	}

	ops.lookPath = func(string) (string, error) { return "/usr/bin/docker", nil }
	cmd, err := ops.ExecCmd("abc")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"/usr/bin/docker", "exec", "-it", "abc", "sh"}; !slices.Equal(cmd.Args, want) {
		t.Errorf("args %q, want %q", cmd.Args, want)
	}
	// The shell gets the terminal's own files: a writer of the TUI's would
	// reach it as a pipe, and docker exec -it would not know the size.
	if cmd.Stdin != os.Stdin || cmd.Stdout != os.Stdout || cmd.Stderr != os.Stderr {
		t.Errorf("streams %v %v %v, want the process's own", cmd.Stdin, cmd.Stdout, cmd.Stderr)
	}
	ops = b.Ops(func() *stack.Project { return nil }, []string{"bash", "-l"})
	ops.lookPath = func(string) (string, error) { return "/d", nil }
	if cmd, _ = ops.ExecCmd("abc"); !slices.Equal(cmd.Args, []string{"/d", "exec", "-it", "abc", "bash", "-l"}) {
		t.Errorf("configured shell: args %q", cmd.Args)
	}
	if _, err := ops.ExecCmd(""); err == nil {
		t.Error("ExecCmd of no container succeeded")
	}
}

func TestOpsNoProject(t *testing.T) {
	// A scripted CLI that is never run: this is about the project.
	b := New(Options{DetectCompose: func(context.Context) (stack.ComposeCLI, error) {
		return stack.ComposeCLI{Name: "docker-compose", Path: "/nonexistent"}, nil
	}})
	defer b.Close()
	ops := b.Ops(func() *stack.Project { return nil }, nil)
	if err := ops.UpAll(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "no compose project") {
		t.Errorf("UpAll without a project = %v", err)
	}
}

func TestProfilesFor(t *testing.T) {
	p := &stack.Project{ActiveProfiles: []string{"train"}, Services: []stack.Service{
		{Name: "app", Enabled: true},
		{Name: "trainer", Profiles: []string{"train"}, Enabled: true},
		{Name: "server", Profiles: []string{"serve", "web"}},
	}}
	for svc, want := range map[string][]string{
		"app":     {"train"},
		"trainer": {"train"},
		"server":  {"train", "serve"},
		"nosuch":  {"train"},
	} {
		if got := profilesFor(p, svc); !slices.Equal(got, want) {
			t.Errorf("profilesFor(%s) = %q, want %q", svc, got, want)
		}
	}
}
