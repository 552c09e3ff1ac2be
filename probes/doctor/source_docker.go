package doctor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// DockerSource is the engine as the doctor reads it: the stackui client,
// plus past events and port holders, which it reads through the raw API.
type DockerSource struct {
	*docker.Client
}

var (
	_ Source       = DockerSource{}
	_ EventHistory = DockerSource{}
	_ PortLister   = DockerSource{}
)

// PastEvents replays the project's container events between since and
// until from the engine's event log (it keeps the last thousand or so).
func (s DockerSource) PastEvents(ctx context.Context, project string, since, until time.Time) ([]stack.Event, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	filters := make(client.Filters).
		Add("type", string(events.ContainerEventType)).
		Add("label", stack.LabelProject+"="+project)
	var out []stack.Event
	if p, err := s.Product(ctx); err == nil && p == stack.EnginePodman {
		// Podman ends the stream at until by the clock, and replays its
		// log too slowly to get there: with until now it returns nothing.
		// Its stream=false returns the log whole.
		ms, err := s.EventLog(ctx, filters, since)
		for _, m := range ms {
			if e := docker.Event(m); !e.Time.After(until) {
				out = append(out, e)
			}
		}
		if err != nil {
			return out, fmt.Errorf("past events of project %s: %w", project, err)
		}
		return out, nil
	}
	res := s.API().Events(ctx, client.EventsListOptions{
		Since:   strconv.FormatInt(since.Unix(), 10),
		Until:   fmt.Sprintf("%d.%09d", until.Unix(), until.Nanosecond()),
		Filters: filters,
	})
	for {
		select {
		case m := <-res.Messages:
			out = append(out, docker.Event(m))
		case err := <-res.Err:
			// With until set, the engine ends the stream: io.EOF.
			if err == nil || errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, fmt.Errorf("past events of project %s: %w", project, err)
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
}

// PortHolders lists the running containers that publish a host port.
func (s DockerSource) PortHolders(ctx context.Context, port int) ([]PortHolder, error) {
	res, err := s.API().ContainerList(ctx, client.ContainerListOptions{})
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	var out []PortHolder
	for _, c := range res.Items {
		for _, p := range c.Ports {
			if int(p.PublicPort) != port {
				continue
			}
			name := c.ID[:min(12, len(c.ID))]
			if len(c.Names) > 0 {
				name = strings.TrimPrefix(c.Names[0], "/")
			}
			out = append(out, PortHolder{Port: port, Container: name, Project: c.Labels[stack.LabelProject], Service: c.Labels[stack.LabelService]})
			break
		}
	}
	return out, nil
}
