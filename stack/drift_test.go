package stack

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/stackui/stackui/internal/testenv"
)

// projectContainers lists the project's containers with their labels, as
// the live state has them.
func projectContainers(t *testing.T, api *client.Client, project string) map[string]Container {
	t.Helper()
	res, err := api.ContainerList(context.Background(), client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", LabelProject+"="+project)})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Container{}
	for _, c := range res.Items {
		out[c.ID] = Container{ID: c.ID, Service: c.Labels[LabelService], Project: project, Labels: c.Labels, State: string(c.State)}
	}
	return out
}

// Drift on the real engine, under the compose CLI STACKUI_COMPOSE picks:
// none after up (with a profile on, which must not change the hash), true
// once the file changes, none again after a recreate.
func TestDriftAfterEditAndRecreate(t *testing.T) {
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cli, err := DetectCompose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// docker-compose 1.29 hashes the image's ID too, and other tests on
	// this engine rebuild the demo image: a tag of this test's own keeps
	// that from reading as drift.
	image := "stackui-demo/workload:" + strings.ToLower(testenv.ProjectName(t))
	if _, err := api.ImageTag(ctx, client.ImageTagOptions{Source: "stackui-demo/workload:latest", Target: image}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { api.ImageRemove(context.Background(), image, client.ImageRemoveOptions{}) })
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	yml := strings.ReplaceAll(`services:
  app:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    stop_grace_period: 1s
    environment:
      MODE: one
  side:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    stop_grace_period: 1s
    profiles: [extra]
`, "stackui-demo/workload:latest", image)
	if err := os.WriteFile(file, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := LoadOptions{Files: []string{file}, WorkDir: dir, ProjectName: testenv.ProjectName(t), Profiles: []string{"extra"}}
	p, err := Load(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { composeTeardown(t, cli, p, api) })
	logf := func(l string) { t.Log(l) }
	if err := cli.Up(ctx, p, UpOptions{}, logf); err != nil {
		t.Fatal(err)
	}
	driftOf := func(p *Project) map[string]*bool {
		t.Helper()
		h, err := cli.ConfigHashes(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		q := *p
		q.ConfigHashes = h
		cs := projectContainers(t, api, p.Name)
		snap := buildSnapshot(&q, EngineStatus{Reachable: true}, cs)
		out := map[string]*bool{}
		for _, s := range snap.Services {
			out[s.Service.Name] = s.Drift
		}
		for _, c := range cs {
			t.Logf("%s %s %s: label %s, now %s", c.Service, c.ID[:12], c.State, c.Labels[LabelConfigHash], h[c.Service])
		}
		return out
	}
	want := func(stage string, got map[string]*bool, app, side bool) {
		t.Helper()
		for name, w := range map[string]bool{"app": app, "side": side} {
			if d := got[name]; d == nil || *d != w {
				t.Errorf("%s: %s drift %v, want %v", stage, name, d, w)
			}
		}
	}
	want("after up", driftOf(p), false, false)

	if err := os.WriteFile(file, []byte(strings.Replace(yml, "MODE: one", "MODE: two", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err = p.Reload(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want("after the edit", driftOf(p), true, false)

	if err := cli.Up(ctx, p, UpOptions{Services: []string{"app"}, ForceRecreate: true, NoDeps: true}, logf); err != nil {
		t.Fatal(err)
	}
	want("after recreate", driftOf(p), false, false)
}
