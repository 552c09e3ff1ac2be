package docker

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
	"github.com/stackui/stackui/stack"
)

// eventBuffer absorbs a burst (compose up of a large project) while the
// consumer is busy, without letting a stalled consumer hold unbounded memory:
// past it, the engine connection itself applies back-pressure.
const eventBuffer = 256

// ProjectEvents streams the project's container events until ctx ends or the
// connection fails; then the error channel yields one error (nil on
// cancellation, a *stack.EngineError when the engine went away) and both
// channels close. The subscription is in place when ProjectEvents returns,
// so a change made afterwards is never missed.
func (c *Client) ProjectEvents(ctx context.Context, project string) (<-chan stack.Event, <-chan error) {
	out := make(chan stack.Event, eventBuffer)
	errc := make(chan error, 1)
	// Events returns once the engine has answered the subscription.
	res := c.api.Events(ctx, client.EventsListOptions{
		Filters: make(client.Filters).
			Add("type", string(events.ContainerEventType)).
			Add("label", stack.LabelProject+"="+project),
	})
	go func() {
		defer close(errc)
		defer close(out)
		for {
			select {
			case m := <-res.Messages:
				select {
				case out <- eventFromMessage(m):
				case <-ctx.Done():
					errc <- nil
					return
				}
			case err := <-res.Err:
				if ctx.Err() != nil {
					errc <- nil
					return
				}
				if err == nil {
					// The library closed the stream without a reason.
					err = &stack.EngineError{Host: c.host, Err: errStreamEnded}
				}
				errc <- c.wrap("events of project "+project, err)
				return
			case <-ctx.Done():
				errc <- nil
				return
			}
		}
	}()
	return out, errc
}

// eventFromMessage translates an engine event. Some actions carry a detail
// after ": " (the health status, an exec's command line); the Action keeps
// only the verb so consumers can switch on it.
func eventFromMessage(m events.Message) stack.Event {
	attrs := m.Actor.Attributes
	ev := stack.Event{
		ContainerID: m.Actor.ID,
		Name:        attrs["name"],
		Project:     attrs[stack.LabelProject],
		Service:     attrs[stack.LabelService],
		Attributes:  attrs,
	}
	switch {
	case m.TimeNano != 0:
		ev.Time = time.Unix(0, m.TimeNano)
	case m.Time != 0:
		ev.Time = time.Unix(m.Time, 0)
	}
	action, detail, _ := strings.Cut(string(m.Action), ":")
	ev.Action = strings.TrimSpace(action)
	detail = strings.TrimSpace(detail)
	switch ev.Action {
	case string(events.ActionHealthStatus):
		ev.Health = detail
	case string(events.ActionDie):
		if n, err := strconv.Atoi(attrs["exitCode"]); err == nil {
			ev.ExitCode = n
		}
	case string(events.ActionKill):
		ev.Signal = attrs["signal"]
	}
	return ev
}

var _ stack.Engine = (*Client)(nil)
