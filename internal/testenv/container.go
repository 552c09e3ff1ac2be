package testenv

import (
	"context"
	"fmt"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// WorkloadImage is the demo image every engine test runs (DemoImages builds it).
const WorkloadImage = "stackui-demo/workload:latest"

// StartService creates and starts, through the Engine API, replica 1 of
// project's service: a container of the demo workload run with args,
// labelled as the compose CLI labels it (so stackui takes it for the
// service's), with hc as its host configuration (nil: the defaults). It
// returns the container's ID. RemoveProject removes it.
func StartService(ctx context.Context, api *client.Client, project, service string, hc *container.HostConfig, args ...string) (string, error) {
	res, err := api.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{
			Image: WorkloadImage,
			Cmd:   args,
			Labels: map[string]string{
				"com.docker.compose.project": project, "com.docker.compose.service": service,
				"com.docker.compose.container-number": "1", "com.docker.compose.oneoff": "False",
			},
		},
		HostConfig: hc,
		Name:       project + "-" + service + "-1",
	})
	if err != nil {
		return "", fmt.Errorf("create %s: %w", service, err)
	}
	if _, err := api.ContainerStart(ctx, res.ID, client.ContainerStartOptions{}); err != nil {
		return "", fmt.Errorf("start %s: %w", service, err)
	}
	return res.ID, nil
}
