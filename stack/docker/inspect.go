package docker

import (
	"context"
	"sort"
	"strconv"

	"github.com/moby/moby/client"
	"github.com/stackui/stackui/stack"
)

// ContainerDetails reads a container's environment and published ports
// with one inspect call.
func (c *Client) ContainerDetails(ctx context.Context, id string) (stack.ContainerDetails, error) {
	res, err := c.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return stack.ContainerDetails{}, c.wrap("inspect container "+id, err)
	}
	var d stack.ContainerDetails
	if cfg := res.Container.Config; cfg != nil {
		d.Env = cfg.Env
	}
	if ns := res.Container.NetworkSettings; ns != nil {
		for port, bindings := range ns.Ports {
			for _, b := range bindings {
				hp, err := strconv.Atoi(b.HostPort)
				if err != nil {
					continue // not published
				}
				ip := ""
				if b.HostIP.IsValid() {
					ip = b.HostIP.String()
				}
				d.Ports = append(d.Ports, stack.PublishedPort{HostIP: ip, HostPort: hp,
					ContainerPort: int(port.Num()), Proto: string(port.Proto())})
			}
		}
	}
	sort.Slice(d.Ports, func(i, j int) bool {
		a, b := d.Ports[i], d.Ports[j]
		if a.ContainerPort != b.ContainerPort {
			return a.ContainerPort < b.ContainerPort
		}
		if a.Proto != b.Proto {
			return a.Proto < b.Proto
		}
		if a.HostIP != b.HostIP {
			return a.HostIP < b.HostIP
		}
		return a.HostPort < b.HostPort
	})
	return d, nil
}

// ContainerTop lists a running container's processes (docker top).
func (c *Client) ContainerTop(ctx context.Context, id string) (stack.Processes, error) {
	if p, err := c.Product(ctx); err == nil && p == stack.EnginePodman {
		return c.podmanTop(ctx, id)
	}
	res, err := c.api.ContainerTop(ctx, id, client.ContainerTopOptions{})
	if err != nil {
		return stack.Processes{}, c.wrap("list processes of container "+id, err)
	}
	return stack.Processes{Titles: res.Titles, Rows: res.Processes}, nil
}
