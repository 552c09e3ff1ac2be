package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// engineTabsOps reads the tabs' data from the real engine; it has no
// lifecycle actions (the scripted part fails on any).
type engineTabsOps struct {
	*scriptedOps
	c *docker.Client
}

func (o engineTabsOps) ContainerDetails(ctx context.Context, id string) (stack.ContainerDetails, error) {
	return o.c.ContainerDetails(ctx, id)
}

func (o engineTabsOps) ContainerTop(ctx context.Context, id string) (stack.Processes, error) {
	return o.c.ContainerTop(ctx, id)
}

func (o engineTabsOps) ServiceConfig(string) (stack.ServiceConfigView, error) {
	return stack.ServiceConfigView{}, errors.New("no compose files here")
}

// TestEnvAndTopTabsRealEngine: a running demo container's environment is
// shown with its secret masked, and its processes in the top tab, which
// reads them again while it is shown.
func TestEnvAndTopTabsRealEngine(t *testing.T) {
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := docker.Connect(ctx, docker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	project := testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, project) })
	res, err := c.API().ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{
			Image: "stackui-demo/workload:latest",
			Cmd:   []string{"--log-rate", "1"},
			Env:   []string{"DB_PASSWORD=hunter2", "GREETING=hello"},
			Labels: map[string]string{stack.LabelProject: project, stack.LabelService: "web",
				stack.LabelContainerNumber: strconv.Itoa(1), stack.LabelOneoff: "False"},
		},
		Name: project + "-web-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(ctx, res.ID); err != nil {
		t.Fatal(err)
	}
	snap := inspectSnapshot(t, c, res.ID)
	snap.Project = &stack.Project{Name: project, Services: []stack.Service{{Name: "web", Enabled: true}}}
	snap.Services[0].State = stack.StateRunning

	ops := engineTabsOps{scriptedOps: &scriptedOps{t: t}, c: c}
	m := sized(t, &fakeSource{snap: snap, ch: make(chan struct{}, 1)}, Options{Ops: ops, Context: ctx})
	m.actions.tick = func() tea.Cmd { return nil }
	m = selectService(m, "web")
	m.setTab(tabEnv)
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	got := plainScreen(m)
	if !strings.Contains(got, "DB_PASSWORD=••••••••") || strings.Contains(got, "hunter2") || !strings.Contains(got, "GREETING=hello") {
		t.Errorf("env tab over the engine:\n%s", got)
	}

	m.tabs[tabTop].(*topPane).every = 10 * time.Millisecond
	m.setTab(tabTop)
	m, cmd := asModelCmd(m.Update(tea.WindowSizeMsg{Width: 100, Height: 24}))
	m, _ = settle(t, m, cmd, 4)
	if got := plainScreen(m); !strings.Contains(got, "PID") || !strings.Contains(got, "/stackui workload --log-rate 1") {
		t.Errorf("top tab over the engine:\n%s", got)
	}
}
