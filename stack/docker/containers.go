package docker

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stackui/stackui/stack"
)

// ProjectContainers lists every container labelled with the project,
// running or not, inspected, ordered by service then container number.
func (c *Client) ProjectContainers(ctx context.Context, project string) ([]stack.Container, error) {
	if project == "" {
		return nil, fmt.Errorf("list containers: empty project name")
	}
	res, err := c.api.ContainerList(ctx, client.ContainerListOptions{
		All:     true,
		Filters: make(client.Filters).Add("label", stack.LabelProject+"="+project),
	})
	if err != nil {
		return nil, c.wrap("list containers of project "+project, err)
	}
	out, err := c.inspectAll(ctx, res.Items)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Number != b.Number {
			return a.Number < b.Number
		}
		return a.Name < b.Name
	})
	return out, nil
}

// inspectParallel bounds the inspects in flight at once: one after
// another, a project of 100 containers took a second to list; many more
// at once only queue in the engine.
const inspectParallel = 8

// inspectAll inspects the listed containers, a few at a time, skipping
// those removed since the list; the first other failure is returned.
func (c *Client) inspectAll(ctx context.Context, items []container.Summary) ([]stack.Container, error) {
	got := make([]stack.Container, len(items))
	found := make([]bool, len(items))
	errs := make([]error, len(items))
	sem := make(chan struct{}, inspectParallel)
	var wg sync.WaitGroup
	for i, s := range items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			ctr, err := c.InspectContainer(ctx, s.ID)
			switch {
			case IsNotFound(err): // removed between list and inspect
			case err != nil:
				errs[i] = err
			default:
				got[i], found[i] = ctr, true
			}
		})
	}
	wg.Wait()
	out := make([]stack.Container, 0, len(items))
	for i := range items {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if found[i] {
			out = append(out, got[i])
		}
	}
	return out, nil
}

// InspectContainer returns one container's current state, with its image's
// platform.
func (c *Client) InspectContainer(ctx context.Context, id string) (stack.Container, error) {
	res, err := c.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return stack.Container{}, c.wrap("inspect container "+id, err)
	}
	ctr := fromInspect(res.Container)
	if ctr.ImageID != "" {
		p, err := c.imagePlatformByID(ctx, ctr.ImageID)
		if isConnFailure(err) {
			return stack.Container{}, c.wrap("inspect image of container "+id, err)
		}
		// Any other failure (image deleted since) only leaves Platform empty.
		ctr.Platform = p
	}
	return ctr, nil
}

// ImagePlatform returns an image's platform as os/arch[/variant], e.g.
// "linux/arm64/v8".
func (c *Client) ImagePlatform(ctx context.Context, ref string) (string, error) {
	res, err := c.api.ImageInspect(ctx, ref)
	if err != nil {
		return "", c.wrap("inspect image "+ref, err)
	}
	p := platformString(res.Os, res.Architecture, res.Variant)
	if res.ID != "" {
		c.mu.Lock()
		c.platforms[res.ID] = p
		c.mu.Unlock()
	}
	return p, nil
}

// imagePlatformByID is ImagePlatform cached by image ID: an image's
// platform never changes, and every refresh inspects every container.
func (c *Client) imagePlatformByID(ctx context.Context, imageID string) (string, error) {
	c.mu.Lock()
	p, ok := c.platforms[imageID]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	return c.ImagePlatform(ctx, imageID)
}

func platformString(os, arch, variant string) string {
	if os == "" && arch == "" {
		return ""
	}
	p := os + "/" + arch
	if variant != "" {
		p += "/" + variant
	}
	return p
}

// fromInspect maps the Engine API's inspect response to a stack.Container.
func fromInspect(in container.InspectResponse) stack.Container {
	ctr := stack.Container{
		ID:           in.ID,
		Name:         strings.TrimPrefix(in.Name, "/"),
		ImageID:      in.Image,
		Created:      parseTime(in.Created),
		RestartCount: in.RestartCount,
		Inspected:    true,
		State:        stack.StateUnknown,
	}
	if cfg := in.Config; cfg != nil {
		ctr.Image = cfg.Image
		ctr.TTY = cfg.Tty
		ctr.Labels = cfg.Labels
	}
	applyLabels(&ctr)
	if st := in.State; st != nil {
		if st.Status != "" {
			ctr.State = string(st.Status)
		}
		ctr.ExitCode = st.ExitCode
		ctr.OOMKilled = st.OOMKilled
		ctr.Error = st.Error
		ctr.Pid = st.Pid
		ctr.StartedAt = parseTime(st.StartedAt)
		ctr.FinishedAt = parseTime(st.FinishedAt)
		if h := st.Health; h != nil {
			ctr.Health = string(h.Status)
			for _, r := range h.Log {
				if r == nil {
					continue
				}
				ctr.HealthLog = append(ctr.HealthLog, stack.HealthProbe{Start: r.Start, End: r.End, ExitCode: r.ExitCode, Output: r.Output})
			}
		}
	}
	return ctr
}

// applyLabels fills the compose identity of a container from its labels.
func applyLabels(ctr *stack.Container) {
	l := ctr.Labels
	ctr.Project = l[stack.LabelProject]
	ctr.Service = l[stack.LabelService]
	if n, err := strconv.Atoi(l[stack.LabelContainerNumber]); err == nil {
		ctr.Number = n
	}
	// compose v1 writes "True"/"False", v2 "True"/"False" too; accept any case.
	ctr.Oneoff = strings.EqualFold(l[stack.LabelOneoff], "true")
}

// parseTime reads the engine's RFC 3339 times; the engine's "never"
// (0001-01-01T00:00:00Z) and garbage both become the zero time.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Year() <= 1 {
		return time.Time{}
	}
	return t
}
