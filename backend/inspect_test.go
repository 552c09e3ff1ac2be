package backend

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
)

// The inspect fixture: a service that extends one in another file, an
// override file, and a .env that the override interpolates.
var inspectFiles = map[string]string{
	"base.yaml": `services:
  base:
    image: stackui-demo/workload:latest
    stop_grace_period: 1s
    environment:
      FROM_BASE: "yes"
`,
	"compose.yaml": `services:
  web:
    extends:
      file: base.yaml
      service: base
    command: ["--serve", ":8080", "--log-rate", "1"]
    ports:
      - "127.0.0.1::8080"
`,
	"compose.override.yaml": `services:
  web:
    environment:
      DB_PASSWORD: ${DB_PASSWORD}
      LOG_LEVEL: ${LOG_LEVEL:-info}
`,
	".env": "# secrets\nDB_PASSWORD=hunter2\n",
}

// TestInspectOnTheEngine reads what the config, env, top and ports tabs
// show from a project running on the real engine, through the compose CLI.
func TestInspectOnTheEngine(t *testing.T) {
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()
	for name, body := range inspectFiles {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	name := testenv.ProjectName(t)
	p, err := stack.Load(ctx, stack.LoadOptions{WorkDir: dir, ProjectName: name, Env: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	b := New(Options{})
	t.Cleanup(func() { testenv.RemoveProject(t, api, name); b.Close() })
	ops := b.Ops(func() *stack.Project { return p }, nil)
	if err := ops.Up(ctx, "web", nil); err != nil {
		t.Fatal(err)
	}

	// config: each key's file and line, extends and the override included
	view, err := ops.ServiceConfig("web")
	if err != nil {
		t.Fatal(err)
	}
	origins := map[string]string{}
	vars := map[string][]stack.VarRef{}
	for _, k := range view.Keys {
		var s []string
		for _, o := range k.Origins {
			s = append(s, o.String())
		}
		origins[k.Key], vars[k.Key] = strings.Join(s, " "), k.Vars
	}
	for key, want := range map[string]string{
		"environment": "compose.override.yaml:3 base.yaml:5",
		"image":       "base.yaml:3",
		"command":     "compose.yaml:6",
		"ports":       "compose.yaml:7",
	} {
		if origins[key] != want {
			t.Errorf("%s set at %q, want %q", key, origins[key], want)
		}
	}
	if want := []stack.VarRef{{Name: "DB_PASSWORD", From: ".env:2"}, {Name: "LOG_LEVEL"}}; !slices.Equal(vars["environment"], want) {
		t.Errorf("environment's variables = %+v, want %+v", vars["environment"], want)
	}

	c := runningContainer(t, ctx, b, name, "web")
	// env and ports: one inspect
	d, err := ops.ContainerDetails(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"DB_PASSWORD=hunter2", "LOG_LEVEL=info", "FROM_BASE=yes"} {
		if !slices.Contains(d.Env, want) {
			t.Errorf("container env %v lacks %s", d.Env, want)
		}
	}
	if len(d.Ports) != 1 || d.Ports[0].HostIP != "127.0.0.1" || d.Ports[0].HostPort == 0 ||
		d.Ports[0].ContainerPort != 8080 || d.Ports[0].Proto != "tcp" {
		t.Errorf("published ports = %+v, want 127.0.0.1:<ephemeral> → 8080/tcp", d.Ports)
	}
	// top: the workload is the container's process
	procs, err := ops.ContainerTop(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	// Docker's ps calls the column CMD, Podman's COMMAND.
	cmd := slices.IndexFunc(procs.Titles, func(t string) bool { return t == "CMD" || t == "COMMAND" })
	if cmd < 0 || len(procs.Rows) == 0 || !strings.Contains(procs.Rows[0][cmd], "workload --serve :8080") {
		t.Errorf("top = %+v, want the workload's command", procs)
	}
}

// runningContainer waits for the service's container to run and returns
// its ID.
func runningContainer(t *testing.T, ctx context.Context, b *Backend, project, service string) string {
	t.Helper()
	eng, err := b.Engine()
	if err != nil {
		t.Fatal(err)
	}
	for {
		cs, err := eng.ProjectContainers(ctx, project)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			if c.Service == service && c.State == stack.StateRunning {
				return c.ID
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never ran: %v", service, cs)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
