package stack

import "strconv"

// ContainerDetails is what the env and ports tabs show of one container,
// read from one inspect call while one of them is on screen.
type ContainerDetails struct {
	// Env is the container's environment as the engine holds it,
	// NAME=value, in the engine's order.
	Env []string
	// Ports are the published ports, sorted by container port.
	Ports []PublishedPort
}

// PublishedPort is one container port published on the host.
type PublishedPort struct {
	HostIP        string `json:"host_ip"` // "" or "0.0.0.0": every address
	HostPort      int    `json:"host_port"`
	ContainerPort int    `json:"container_port"`
	Proto         string `json:"proto"` // tcp, udp, sctp
}

// Processes is a container's process table (the Engine API's container
// top): ps's column titles and one row per process.
type Processes struct {
	Titles []string
	Rows   [][]string
}

// ServiceConfigView is a service's effective configuration (after merges,
// extends and interpolation), one top-level key at a time, each with the
// places in the files that define it.
type ServiceConfigView struct {
	Service string
	Keys    []ConfigKey
}

// ConfigKey is one top-level key of a service's effective configuration.
type ConfigKey struct {
	Key string
	// YAML is the key and its value as compose-go's model marshals it
	// ("image: example/app:1.2"), possibly several lines.
	YAML string
	// Origins are the places that set the key, the one that wins first
	// (the last override file), then those it was merged over; none when
	// compose supplies the value itself (the default network).
	Origins []Origin
	// Vars are the variables interpolated into the key's value.
	Vars []VarRef
}

// Origin is a place in a compose file.
type Origin struct {
	File string // relative to the project's folder when inside it
	Line int
}

func (o Origin) String() string { return o.File + ":" + strconv.Itoa(o.Line) }

// VarRef is one interpolated variable and where its value came from
// (Project.VarOrigin: "environment", "<file>:<line>", or "" when unset).
type VarRef struct {
	Name string
	From string
}
