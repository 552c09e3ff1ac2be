package demo

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func TestWriteProject(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "stackui-demo")
	path, outcome, err := WriteProject(dir)
	if err != nil || outcome != Written {
		t.Fatalf("first write: %v, %v", outcome, err)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, ComposeYAML()) {
		t.Fatalf("%s does not hold the demo compose file", path)
	}
	if _, outcome, err = WriteProject(dir); err != nil || outcome != Unchanged {
		t.Errorf("second write: %v, %v; want %v", outcome, err, Unchanged)
	}

	// The user's edit survives.
	edited := append(ComposeYAML(), "\n# mine\n"...)
	os.WriteFile(path, edited, 0o644)
	if _, outcome, err = WriteProject(dir); err != nil || outcome != KeptUser {
		t.Errorf("after an edit: %v, %v; want %v", outcome, err, KeptUser)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, edited) {
		t.Errorf("the user's edit was overwritten")
	}

	// A file that an older stackui wrote, untouched since, is replaced.
	old := []byte("services: {}\n")
	os.WriteFile(path, old, 0o644)
	os.WriteFile(filepath.Join(dir, stampFile), []byte(digest(old)+"\n"), 0o644)
	if _, outcome, err = WriteProject(dir); err != nil || outcome != Written {
		t.Errorf("over stackui's old file: %v, %v; want %v", outcome, err, Written)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, ComposeYAML()) {
		t.Errorf("stackui's old file was not replaced")
	}
}

func TestWriteProjectUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	if _, _, err := WriteProject(filepath.Join(file, "sub")); err == nil {
		t.Errorf("no error for a folder under a file")
	}
}

// TestComposeFileLoads loads the demo compose file with compose-go, the
// loader docker compose v2 uses, with every profile on. (The end-to-end
// tests in commands/ run it with both compose CLIs.)
func TestComposeFileLoads(t *testing.T) {
	dir := t.TempDir()
	path, _, err := WriteProject(dir)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithName("stackui-demo"), cli.WithWorkingDirectory(dir),
		cli.WithProfiles([]string{"train", "serve", "legacy", "gpu"}))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(context.Background())
	if err != nil {
		t.Fatalf("compose-go rejects the demo compose file: %v", err)
	}
	profiles := map[string]string{"api": "", "db": "", "trainer": "train", "inference": "serve", "legacy-etl": "legacy", "gpu-worker": "gpu"}
	if len(p.Services) != len(profiles) {
		t.Errorf("%d services, want %d", len(p.Services), len(profiles))
	}
	for name, profile := range profiles {
		s, ok := p.Services[name]
		if !ok {
			t.Errorf("no service %s", name)
			continue
		}
		got := ""
		if len(s.Profiles) > 0 {
			got = s.Profiles[0]
		}
		if got != profile {
			t.Errorf("%s: profile %q, want %q", name, got, profile)
		}
		wantImage := ImageLatest
		if name == "legacy-etl" {
			wantImage = ImageForeign
		}
		if s.Image != wantImage {
			t.Errorf("%s: image %s, want %s", name, s.Image, wantImage)
		}
	}
	api := p.Services["api"]
	if len(api.Ports) != 1 || api.Ports[0].HostIP != "127.0.0.1" || api.Ports[0].Published != "" || api.Ports[0].Target != 8080 {
		t.Errorf("api ports %+v, want 127.0.0.1, an ephemeral host port, 8080", api.Ports)
	}
	if api.HealthCheck == nil || len(api.HealthCheck.Test) < 4 || api.HealthCheck.Test[3] != "--probe" {
		t.Errorf("api healthcheck %+v does not use --probe", api.HealthCheck)
	}
	if _, ok := api.DependsOn["db"]; !ok {
		t.Errorf("api does not depend on db")
	}
	tr := p.Services["trainer"]
	if tr.MemLimit != 64<<20 || tr.MemSwapLimit != 64<<20 {
		t.Errorf("trainer mem_limit %d memswap_limit %d, want both 64MiB", tr.MemLimit, tr.MemSwapLimit)
	}
	gpu := p.Services["gpu-worker"]
	var devs []types.DeviceRequest
	if gpu.Deploy != nil && gpu.Deploy.Resources.Reservations != nil {
		devs = gpu.Deploy.Resources.Reservations.Devices
	}
	if len(devs) != 1 || devs[0].Driver != "nvidia" || len(devs[0].Capabilities) != 1 || devs[0].Capabilities[0] != "gpu" {
		t.Errorf("gpu-worker reservations %+v, want one nvidia gpu", devs)
	}
}
