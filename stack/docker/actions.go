package docker

import (
	"context"
	"math"
	"time"

	"github.com/moby/moby/client"
)

// Start starts a created or stopped container.
func (c *Client) Start(ctx context.Context, id string) error {
	_, err := c.api.ContainerStart(ctx, id, client.ContainerStartOptions{})
	return c.wrap("start "+id, err)
}

// Stop sends the container's stop signal, then SIGKILL after timeout (nil:
// the container's own stop timeout, else the engine's default of 10s).
func (c *Client) Stop(ctx context.Context, id string, timeout *time.Duration) error {
	_, err := c.api.ContainerStop(ctx, id, client.ContainerStopOptions{Timeout: timeoutSeconds(timeout)})
	return c.wrap("stop "+id, err)
}

// Restart stops (as Stop does) and starts the container.
func (c *Client) Restart(ctx context.Context, id string, timeout *time.Duration) error {
	_, err := c.api.ContainerRestart(ctx, id, client.ContainerRestartOptions{Timeout: timeoutSeconds(timeout)})
	return c.wrap("restart "+id, err)
}

// Kill sends a signal ("" means SIGKILL), by name ("SIGHUP", "HUP") or number.
func (c *Client) Kill(ctx context.Context, id string, signal string) error {
	_, err := c.api.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: signal})
	return c.wrap("kill "+id, err)
}

// Remove removes the container, killing it first with force. Its volumes,
// anonymous ones included, are kept: removing data is never a side effect.
func (c *Client) Remove(ctx context.Context, id string, force bool) error {
	_, err := c.api.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: force, RemoveVolumes: false})
	return c.wrap("remove "+id, err)
}

// timeoutSeconds converts to the API's whole seconds, rounding up so that
// a short grace period is not turned into none; negative waits forever.
func timeoutSeconds(d *time.Duration) *int {
	if d == nil {
		return nil
	}
	var s int
	switch {
	case *d < 0:
		s = -1
	case *d > 0:
		s = int(math.Ceil(d.Seconds()))
	}
	return &s
}
