package backend

import (
	"context"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/edit"
)

// The reads behind the TUI's config, env, top and ports tabs (ui.Inspector),
// on Ops since they serve the same session: each runs only while its tab
// is on screen.

// ContainerDetails reads a container's environment and published ports.
func (o *Ops) ContainerDetails(ctx context.Context, id string) (stack.ContainerDetails, error) {
	c, err := o.b.Engine()
	if err != nil {
		return stack.ContainerDetails{}, err
	}
	return c.ContainerDetails(ctx, id)
}

// ContainerTop lists a running container's processes.
func (o *Ops) ContainerTop(ctx context.Context, id string) (stack.Processes, error) {
	c, err := o.b.Engine()
	if err != nil {
		return stack.Processes{}, err
	}
	return c.ContainerTop(ctx, id)
}

// ServiceConfig is the service's effective configuration with the file
// and line behind each key, from the session's current project.
func (o *Ops) ServiceConfig(service string) (stack.ServiceConfigView, error) {
	return edit.ServiceConfig(o.project(), service)
}
