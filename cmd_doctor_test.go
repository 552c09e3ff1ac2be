package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// Without an engine the doctor still runs, says what it could not see, and
// finds nothing it cannot back with evidence.
func TestDoctorWithoutEngine(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := filepath.Join("testdata", "compose", "basic")
	var out, errOut bytes.Buffer
	if code := run([]string{"--project-directory", dir, "doctor", "--json"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	if strings.TrimSpace(out.String()) != "{\n  \"findings\": []\n}" {
		t.Errorf("JSON %q, want no findings", out.String())
	}
	out.Reset()
	if code := run([]string{"--project-directory", dir, "doctor"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "engine: not reachable") || !strings.Contains(out.String(), "no findings") {
		t.Errorf("text:\n%s", out.String())
	}
	if code := run([]string{"--project-directory", dir, "fix"}, &out, &errOut); code != exitBadArgs {
		t.Errorf("fix without a finding: exit %d", code)
	}
	if code := run([]string{"--project-directory", dir, "doctor", "extra"}, &out, &errOut); code != exitBadArgs {
		t.Errorf("doctor with an argument: exit %d", code)
	}
}

// On the real engine: doctor reports the OOM with the JSON shape scripts
// rely on and exits 1; fix asks first, applies on "y", the doctor then
// finds nothing, and --undo restores the file.
func TestDoctorAndFixOnEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, file, orig, name := startOOMProject(t, ctx)
	doctorWaitOOM(t, ctx, name)

	flags := []string{"-f", file, "-p", name}
	var out, errOut bytes.Buffer
	if code := run(append(flags, "doctor", "--json"), &out, &errOut); code != exitFailure {
		t.Fatalf("doctor: exit %d, want 1: %s", code, errOut.String())
	}
	var raw struct {
		Findings []map[string]json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if len(raw.Findings) != 1 {
		t.Fatalf("findings:\n%s", out.String())
	}
	var keys []string
	for k := range raw.Findings[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"evidence", "fixes", "id", "kind", "service", "severity", "summary"}; !slices.Equal(keys, want) {
		t.Errorf("finding keys %v, want %v", keys, want)
	}
	var fixes []map[string]string
	json.Unmarshal(raw.Findings[0]["fixes"], &fixes)
	if len(fixes) != 1 || fixes[0]["id"] != "raise-memory" || len(fixes[0]) != 3 || !strings.Contains(fixes[0]["diff"], "+    mem_limit: 64m") {
		t.Errorf("fixes %v", fixes)
	}
	if string(raw.Findings[0]["id"]) != `"hog/oom"` {
		t.Errorf("id %s", raw.Findings[0]["id"])
	}

	out.Reset()
	if code := runFixWith(&cliEnv{stdout: &out, stderr: &errOut, compose: composeFlags{files: stringList{file}, projectName: name}},
		[]string{"hog/oom"}, strings.NewReader("n\n")); code != exitFailure {
		t.Errorf("declined fix: exit %d", code)
	}
	if b, _ := os.ReadFile(file); string(b) != orig || !strings.Contains(out.String(), "-    mem_limit: 32m") || !strings.Contains(out.String(), "Apply? [y/N]") {
		t.Fatalf("declined fix changed the file or showed no diff:\n%s", out.String())
	}
	out.Reset()
	if code := runFixWith(&cliEnv{stdout: &out, stderr: &errOut, compose: composeFlags{files: stringList{file}, projectName: name}},
		[]string{"hog/oom", "raise-memory"}, strings.NewReader("y\n")); code != exitOK {
		t.Fatalf("fix: exit %d: %s", code, errOut.String())
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), "mem_limit: 64m") || !strings.Contains(string(b), "# grows to 40M") {
		t.Errorf("file after the fix:\n%s", b)
	}
	doctorWaitRunning(t, ctx, name)
	out.Reset()
	if code := run(append(flags, "doctor"), &out, &errOut); code != exitOK {
		t.Errorf("doctor after the fix: exit %d:\n%s", code, out.String())
	}
	out.Reset()
	if code := run(append(flags, "fix", "--undo"), &out, &errOut); code != exitOK {
		t.Fatalf("undo: exit %d: %s", code, errOut.String())
	}
	if b, _ := os.ReadFile(file); string(b) != orig {
		t.Errorf("undo did not restore the file:\n%s", b)
	}
}

func doctorWaitOOM(t *testing.T, ctx context.Context, project string) {
	t.Helper()
	doctorWaitContainer(t, ctx, project, "hog OOM-killed", func(c stack.Container) bool { return c.Service == "hog" && c.OOMKilled })
}

func doctorWaitRunning(t *testing.T, ctx context.Context, project string) {
	t.Helper()
	doctorWaitContainer(t, ctx, project, "hog running", func(c stack.Container) bool { return c.Service == "hog" && c.State == stack.StateRunning })
}

func doctorWaitContainer(t *testing.T, ctx context.Context, project, what string, cond func(stack.Container) bool) {
	t.Helper()
	eng, err := docker.Connect(ctx, docker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		cs, err := eng.ProjectContainers(ctx, project)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(cs, cond) {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// startOOMProject writes and starts, on the real engine, a project whose
// hog is OOM-killed at its 32m limit and whose done exits 0. State and
// config folders are the test's own.
func startOOMProject(t *testing.T, ctx context.Context) (p *stack.Project, file, orig, name string) {
	t.Helper()
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := t.TempDir()
	file = filepath.Join(dir, "compose.yaml")
	orig = `services:
  hog: # grows to 40M
    image: stackui-demo/workload:latest
    command: ["--alloc", "40M", "--alloc-step", "8M", "--alloc-every", "20ms"]
    mem_limit: 32m
  done:
    image: stackui-demo/workload:latest
    command: ["--exit-code", "0"]
`
	if err := os.WriteFile(file, []byte(orig), 0o644); err != nil {
		t.Fatal(err)
	}
	name = testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, name) })
	p, err := stack.Load(ctx, stack.LoadOptions{Files: []string{file}, ProjectName: name, WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := stack.DetectCompose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.Up(ctx, p, stack.UpOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	return p, file, orig, name
}
