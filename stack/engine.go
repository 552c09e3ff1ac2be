package stack

import "context"

// Engine is what the live state needs from a container engine. It is kept
// small on purpose; stack/docker implements it over the Engine API, and UI
// tests use a scripted fake. Optional operations (logs, stats, actions) are
// found by type assertion on the value the caller holds.
type Engine interface {
	// ProjectContainers lists and inspects every container labelled with
	// the project, running or not.
	ProjectContainers(ctx context.Context, project string) ([]Container, error)
	// InspectContainer returns one container's current state.
	InspectContainer(ctx context.Context, id string) (Container, error)
	// ProjectEvents streams the project's container events until ctx ends
	// or the connection fails; then the error channel yields one error
	// (nil on cancellation) and both channels close.
	ProjectEvents(ctx context.Context, project string) (<-chan Event, <-chan error)
}
