package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/moby/moby/client"

	"github.com/stackui/stackui/internal/stacktest"
	"github.com/stackui/stackui/internal/testenv"
)

// TestResourcesWithoutEngine: with no engine the command says so and
// exits 3, as doctor does; the JSON says the engine is unreachable and
// still has its lists.
func TestResourcesWithoutEngine(t *testing.T) {
	code, out, errOut := runScripted(t, "--project-directory", basicDir, "resources")
	if code != exitNoEngine || !strings.Contains(errOut, noEngine.Error()) || out != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 3 and the engine's error", code, out, errOut)
	}
	code, out, _ = runScripted(t, "--project-directory", basicDir, "resources", "--json")
	var got struct {
		Engine struct {
			Reachable bool   `json:"reachable"`
			Error     string `json:"error"`
		} `json:"engine"`
		Project string            `json:"project"`
		Images  []json.RawMessage `json:"images"`
		Volumes []json.RawMessage `json:"volumes"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if code != exitNoEngine || got.Engine.Reachable || got.Engine.Error == "" || got.Project != "basic" || got.Images == nil || got.Volumes == nil {
		t.Errorf("exit %d, JSON %s", code, out)
	}
}

const resourcesCompose = `services:
  keeper:
    image: stackui-demo/workload:latest
    command: ["--log-rate", "1"]
    volumes: ["store:/store"]
volumes:
  store: {}
`

// TestResourcesJSON: on the real engine, the project's image, volume and
// network are listed with what uses them, as the TUI's view shows them.
func TestResourcesJSON(t *testing.T) {
	ctx := context.Background()
	_, file, name := stacktest.StartProject(t, ctx, resourcesCompose)
	t.Cleanup(func() { removeVolume(t, name, name+"_store") })
	var out, errOut bytes.Buffer
	code := run([]string{"-f", file, "-p", name, "resources", "--json"}, &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
	var got struct {
		Engine   struct{ Reachable bool } `json:"engine"`
		Platform string                   `json:"engine_platform"`
		Images   []struct {
			Ref      string   `json:"ref"`
			Size     int64    `json:"size_bytes"`
			Platform string   `json:"platform"`
			Foreign  bool     `json:"foreign"`
			Services []string `json:"services"`
		} `json:"images"`
		Volumes []struct {
			Name       string   `json:"name"`
			Size       int64    `json:"size_bytes"`
			Driver     string   `json:"driver"`
			Mountpoint string   `json:"mountpoint"`
			Services   []string `json:"services"`
			Containers []string `json:"containers"`
		} `json:"volumes"`
		Networks []struct {
			Name     string   `json:"name"`
			Subnets  []string `json:"subnets"`
			Services []string `json:"services"`
		} `json:"networks"`
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if !got.Engine.Reachable || got.Platform == "" {
		t.Errorf("engine %+v, platform %q", got.Engine, got.Platform)
	}
	found := false
	for _, img := range got.Images {
		if img.Ref == "stackui-demo/workload:latest" {
			found = img.Size > 0 && img.Platform == got.Platform && !img.Foreign && strings.Join(img.Services, ",") == "keeper"
		}
	}
	if !found {
		t.Errorf("the workload image is not listed as keeper's: %+v", got.Images)
	}
	if len(got.Volumes) != 1 || got.Volumes[0].Name != name+"_store" || got.Volumes[0].Driver != "local" || got.Volumes[0].Size < 0 ||
		got.Volumes[0].Mountpoint == "" || strings.Join(got.Volumes[0].Services, ",") != "keeper" || len(got.Volumes[0].Containers) != 1 {
		t.Errorf("volumes %+v", got.Volumes)
	}
	if len(got.Networks) != 1 || got.Networks[0].Name != name+"_default" || len(got.Networks[0].Subnets) == 0 {
		t.Errorf("networks %+v", got.Networks)
	}

	out.Reset()
	if code := run([]string{"-f", file, "-p", name, "resources"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, want := range []string{"IMAGES", "VOLUMES", "NETWORKS", name + "_store", "keeper"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, out.String())
		}
	}
}

// removeVolume deletes a test's volume, its project's containers first.
func removeVolume(t *testing.T, project, name string) {
	api := testenv.Engine(t)
	testenv.RemoveProject(t, api, project)
	if _, err := api.VolumeRemove(context.Background(), name, client.VolumeRemoveOptions{Force: true}); err != nil {
		t.Errorf("remove volume %s: %v", name, err)
	}
}
