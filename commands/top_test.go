package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/probes/gpu"
)

// top and ps --json measure the running containers of a real project: a
// service holding 32MiB under a 128MiB limit, and one that is off.
func TestTopAndPsMeasure(t *testing.T) {
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	dir := t.TempDir()
	compose := `services:
  hold:
    image: stackui-demo/workload:latest
    command: ["--alloc", "32M"]
    mem_limit: 128m
  off:
    image: stackui-demo/workload:latest
    profiles: [x]
`
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	project := testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, project) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id, err := testenv.StartService(ctx, api, project, "hold",
		&container.HostConfig{Resources: container.Resources{Memory: 128 << 20}}, "--alloc", "32M")
	if err != nil {
		t.Fatal(err)
	}
	args := func(cmd ...string) []string {
		return append([]string{"-p", project, "--project-directory", dir}, cmd...)
	}
	// Wait for the allocation, through top itself.
	var top topOutput
	deadline := time.Now().Add(30 * time.Second)
	for {
		var out, errOut bytes.Buffer
		if code := run(args("top", "--json"), &out, &errOut); code != exitOK {
			t.Fatalf("top: exit %d: %s", code, errOut.String())
		}
		top = topOutput{}
		if err := json.Unmarshal(out.Bytes(), &top); err != nil {
			t.Fatalf("top: not JSON: %v\n%s", err, out.String())
		}
		if len(top.Containers) == 1 && top.Containers[0].MemUsed >= 32<<20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("top never saw the allocation: %+v", top.Containers)
		}
	}
	c := top.Containers[0]
	if c.ID != id || c.Service != "hold" || !c.Measured || c.MemLimit != 128<<20 || c.Pids == 0 || c.Source == "" {
		t.Errorf("container %+v", c)
	}
	if !top.Engine.Reachable || top.Host.MemTotal == 0 || top.ContainerMemory.Bytes == 0 {
		t.Errorf("engine %+v host %+v memory %+v", top.Engine, top.Host, top.ContainerMemory)
	}
	switch top.GPU.Status {
	case gpu.StatusOK, gpu.StatusNoGPU, gpu.StatusNoSMI, gpu.StatusRemote, gpu.StatusFailed:
	default:
		t.Errorf("GPU status %q", top.GPU.Status)
	}
	if top.GPU.Status != gpu.StatusOK && c.GPUMem != nil {
		t.Errorf("GPU memory %d without GPUs", *c.GPUMem)
	}

	var out, errOut bytes.Buffer
	if code := run(args("top"), &out, &errOut); code != exitOK {
		t.Fatalf("top: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "MiB / 128MiB") || !strings.Contains(out.String(), "hold") {
		t.Errorf("top table:\n%s", out.String())
	}

	out.Reset()
	if code := run(args("ps", "--json"), &out, &errOut); code != exitOK {
		t.Fatalf("ps: exit %d: %s", code, errOut.String())
	}
	var ps psOutput
	if err := json.Unmarshal(out.Bytes(), &ps); err != nil {
		t.Fatal(err)
	}
	for _, s := range ps.Services {
		switch s.Name {
		case "hold":
			if s.CPUPercent == nil || s.MemUsedBytes == nil || *s.MemUsedBytes < 32<<20 || *s.MemUsedBytes > 128<<20 {
				t.Errorf("hold: cpu %v mem %v", s.CPUPercent, s.MemUsedBytes)
			}
		case "off":
			if s.CPUPercent != nil || s.MemUsedBytes != nil || s.GPUMemBytes != nil {
				t.Errorf("a service that does not run has figures: %+v", s)
			}
		}
	}

	// ps looks at the project's containers while the files load, under the
	// name it will probably have; a `name:` in the file makes the guess
	// (the folder's name) wrong, and the right project is still measured.
	named := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.MkdirAll(named, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(named, "compose.yaml"), []byte("name: "+project+"\n"+compose), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"--project-directory", named, "ps", "--json"}, &out, &errOut); code != exitOK {
		t.Fatalf("ps: exit %d: %s", code, errOut.String())
	}
	ps = psOutput{}
	if err := json.Unmarshal(out.Bytes(), &ps); err != nil {
		t.Fatal(err)
	}
	if ps.Project != project {
		t.Fatalf("project %q, want %q", ps.Project, project)
	}
	for _, s := range ps.Services {
		if s.Name == "hold" && (s.State != "running" || s.CPUPercent == nil || s.MemUsedBytes == nil || *s.MemUsedBytes < 32<<20) {
			t.Errorf("hold under a name the folder does not give: %+v", s)
		}
	}
}

// Without an engine, top still prints the host and says the engine is
// unreachable.
func TestTopWithoutEngine(t *testing.T) {
	var top topOutput
	scriptedJSON(t, &top, "--project-directory", basicDir, "top", "--json")
	if top.Engine.Reachable || top.Engine.Error != noEngine.Error() || top.Host.MemTotal == 0 || top.Containers == nil {
		t.Errorf("%+v", top)
	}
	if code, out, _ := runScripted(t, "--project-directory", basicDir, "top"); code != exitOK || !strings.Contains(out, "engine: unreachable") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
