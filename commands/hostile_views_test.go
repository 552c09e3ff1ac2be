package commands

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/ui"
)

// hostileResources is what an engine can name: images, volumes with
// their mountpoints, networks.
func hostileResources(x string) stack.Resources {
	return stack.Resources{Project: "demo" + x, Platform: "linux/amd64" + x,
		Images: []stack.Image{{ID: "sha256:0123456789ab" + x, Tags: []string{"img" + x}, Ref: "img" + x, Size: 1,
			Created: time.Unix(1, 0), Platform: "linux/arm64" + x, Foreign: true, Services: []string{"web" + x}}},
		Volumes: []stack.Volume{{Name: "vol" + x, Driver: "local" + x, Mountpoint: "/var/lib/vol" + x, Size: 1,
			Services: []string{"web" + x}, Containers: []string{"c" + x}}},
		Networks: []stack.Network{{Name: "net" + x, Driver: "bridge" + x, Subnets: []string{"10.0.0.0/8" + x},
			Services: []string{"web" + x}}},
	}
}

// tuiViewFrame is tuiFrame on a reachable engine with a running
// container, whose resources, projects, environment, processes, ports and
// configuration all carry x.
func tuiViewFrame(t *testing.T, x string, keys ...string) string {
	snap := hostileSnapshot(x, true)
	snap.Services[0].State = stack.StateRunning
	snap.Services[0].Containers[0].State = stack.StateRunning
	inv := hostileInventory(x)
	return tuiFrameWith(t, snap, ui.Options{Doctor: hostileDoctor(x), Inventory: inv, Projects: inv,
		Ops: hostileOps{x: x}, Context: context.Background()}, keys...)
}

type hostileInventory string

func (x hostileInventory) Resources(context.Context, *stack.Project, bool) (stack.Resources, error) {
	return hostileResources(string(x)), nil
}

func (x hostileInventory) Projects(context.Context) ([]stack.ProjectSummary, error) {
	s := string(x)
	return []stack.ProjectSummary{{Name: "other" + s, WorkingDir: "/home/" + s, Files: []string{"/home/" + s + "/compose.yaml"},
		States: map[string]int{"running" + s: 1}}}, nil
}

func (x hostileInventory) OpenProject(context.Context, stack.ProjectSummary) (*stack.Project, error) {
	return nil, context.Canceled
}

// hostileOps has only the tabs' reads; the actions are not pressed.
type hostileOps struct {
	ui.Ops
	x string
}

func (o hostileOps) ContainerDetails(context.Context, string) (stack.ContainerDetails, error) {
	return stack.ContainerDetails{Env: []string{"NAME" + o.x + "=value" + o.x, "API_TOKEN=" + o.x},
		Ports: []stack.PublishedPort{{HostIP: "127.0.0.1" + o.x, HostPort: 80, ContainerPort: 8080, Proto: "tcp" + o.x}}}, nil
}

func (o hostileOps) ContainerTop(context.Context, string) (stack.Processes, error) {
	return stack.Processes{Titles: []string{"PID", "CMD" + o.x}, Rows: [][]string{{"1", "sh -c " + o.x}}}, nil
}

func (o hostileOps) ServiceConfig(string) (stack.ServiceConfigView, error) {
	return stack.ServiceConfigView{Service: "web", Keys: []stack.ConfigKey{{Key: "image", YAML: "image: img" + o.x,
		Origins: []stack.Origin{{File: "compose" + o.x + ".yaml", Line: 2}}, Vars: []stack.VarRef{{Name: "V" + o.x, From: ".env" + o.x}}},
		{Key: "environment", YAML: "environment:\n  A" + o.x + ": b" + o.x}}}, nil
}

// The hostile frames above must show the views they were opened for: a
// key that opened nothing would pass the payload test on the services
// screen.
func TestHostileViewsShowTheirView(t *testing.T) {
	for keys, want := range map[string]string{"i": "IMAGE", "P": "WORKING DIR", "tab [ [ [": "container environment",
		"tab [": "8080/tcp", "tab [ [": "sh -c", "tab ] ] ]": "# compose"} {
		out := tuiViewFrame(t, "x", splitKeys(keys)...)
		if !containsPlain(out, want) {
			t.Errorf("after %q the frame lacks %q:\n%s", keys, want, out)
		}
	}
}

func splitKeys(s string) []string { return strings.Fields(s) }

func containsPlain(frame, s string) bool { return strings.Contains(ansi.Strip(frame), s) }
