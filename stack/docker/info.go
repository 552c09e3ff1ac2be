package docker

import (
	"context"
	"sort"
	"strings"

	"github.com/moby/moby/client"
	"github.com/stackui/stackui/stack"
)

// Info describes the engine: platform, resources, runtimes (to tell whether
// it can hand out GPUs), cgroup setup and versions.
func (c *Client) Info(ctx context.Context) (stack.EngineInfo, error) {
	// Both at once: Podman takes a second or more for each.
	type version struct {
		v   client.ServerVersionResult
		err error
	}
	vc := make(chan version, 1)
	go func() {
		v, err := c.api.ServerVersion(ctx, client.ServerVersionOptions{})
		vc <- version{v, err}
	}()
	res, err := c.api.Info(ctx, client.InfoOptions{})
	vr := <-vc
	if err != nil {
		return stack.EngineInfo{}, c.wrap("engine info", err)
	}
	ver, err := vr.v, vr.err
	if err != nil {
		return stack.EngineInfo{}, c.wrap("engine version", err)
	}
	c.mu.Lock()
	c.product = engineProduct(ver)
	c.mu.Unlock()
	in := res.Info
	out := stack.EngineInfo{
		Host:            c.host,
		Engine:          engineProduct(ver),
		ServerVersion:   in.ServerVersion,
		APIVersion:      c.api.ClientVersion(),
		OS:              in.OSType,
		Arch:            normalizeArch(in.Architecture),
		OperatingSystem: in.OperatingSystem,
		KernelVersion:   in.KernelVersion,
		NCPU:            in.NCPU,
		DefaultRuntime:  in.DefaultRuntime,
		CgroupVersion:   in.CgroupVersion,
		CgroupDriver:    in.CgroupDriver,
		Local:           c.local,
		Runtimes:        []string{},
		CDIDevices:      []string{},
	}
	if in.MemTotal > 0 {
		out.MemTotal = uint64(in.MemTotal)
	}
	if out.ServerVersion == "" {
		out.ServerVersion = ver.Version
	}
	if out.OS == "" {
		out.OS = ver.Os
	}
	if out.Arch == "" {
		out.Arch = normalizeArch(ver.Arch)
	}
	for name := range in.Runtimes {
		out.Runtimes = append(out.Runtimes, name)
	}
	sort.Strings(out.Runtimes)
	// Engines from API 1.46 list the CDI devices they found; older ones
	// (20.10 is 1.41) leave the field out.
	for _, d := range in.DiscoveredDevices {
		if d.Source == "cdi" || d.Source == "" {
			out.CDIDevices = append(out.CDIDevices, d.ID)
		}
	}
	sort.Strings(out.CDIDevices)
	for _, o := range in.SecurityOptions {
		if strings.Contains(o, "name=rootless") {
			out.Rootless = true
		}
	}
	return out, nil
}

// engineProduct tells Podman from Docker by the components its version
// lists: Podman's service names "Podman Engine", Docker's "Engine" (its
// Platform.Name is "Docker Engine - Community" or Docker Desktop's).
func engineProduct(ver client.ServerVersionResult) string {
	for _, comp := range ver.Components {
		if strings.Contains(strings.ToLower(comp.Name), "podman") {
			return stack.EnginePodman
		}
	}
	if strings.Contains(strings.ToLower(ver.Platform.Name), "podman") {
		return stack.EnginePodman
	}
	return stack.EngineDocker
}

// normalizeArch turns uname -m names into GOARCH names, the form compose
// platforms use.
func normalizeArch(a string) string {
	switch strings.ToLower(a) {
	case "x86_64", "x86-64", "amd64":
		return "amd64"
	case "aarch64", "arm64", "armv8", "armv8l":
		return "arm64"
	case "armv7l", "armv7", "armv6l", "armv6", "armhf", "arm":
		return "arm"
	case "i386", "i486", "i586", "i686", "x86", "386":
		return "386"
	case "ppc64le", "powerpc64le":
		return "ppc64le"
	case "s390x":
		return "s390x"
	case "riscv64":
		return "riscv64"
	case "mips64le", "mips64el":
		return "mips64le"
	case "loongarch64", "loong64":
		return "loong64"
	}
	return strings.ToLower(a)
}
