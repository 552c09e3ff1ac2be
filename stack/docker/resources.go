package docker

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
	"github.com/stackui/stackui/stack"
)

// EngineResources lists what the engine holds that a project's resources
// are picked from: images, volumes, every network, and every container
// with its mounts and networks. With sizes, images and volumes come from
// the disk usage API (the figures `docker system df -v` prints); that call
// measures every volume, and engines before API 1.42 every container's
// layer too, which takes seconds on a busy engine. Without, images come
// from the image list (the same sizes) and volumes have Size -1.
func (c *Client) EngineResources(ctx context.Context, sizes bool) (stack.EngineResources, error) {
	var out stack.EngineResources
	var err error
	if sizes {
		err = c.diskUsage(ctx, &out)
	} else {
		err = c.listImagesVolumes(ctx, &out)
	}
	if err != nil {
		return out, err
	}
	nets, err := c.api.NetworkList(ctx, client.NetworkListOptions{})
	if err != nil {
		return out, c.wrap("list networks", err)
	}
	for _, n := range nets.Items {
		var subnets []string
		for _, cfg := range n.IPAM.Config {
			if cfg.Subnet.IsValid() {
				subnets = append(subnets, cfg.Subnet.String())
			}
		}
		out.Networks = append(out.Networks, stack.Network{Name: n.Name, ID: n.ID, Driver: n.Driver, Subnets: subnets, Labels: n.Labels})
	}
	out.Containers, err = c.AllContainers(ctx)
	return out, err
}

// diskUsage asks for the engine's disk usage. The engine runs one such
// call at a time and may refuse another meanwhile ("a disk usage
// operation is already running": `docker system df` in another terminal,
// another stackui; a 500 from 20.10, which newer engines spare by sharing
// the running call): then it asks again until ctx ends.
func (c *Client) diskUsage(ctx context.Context, out *stack.EngineResources) error {
	var du client.DiskUsageResult
	var err error
	for {
		du, err = c.api.DiskUsage(ctx, client.DiskUsageOptions{Images: true, Volumes: true, Verbose: true})
		if err == nil || !diskUsageBusy(err) {
			break
		}
		select {
		case <-ctx.Done():
			return c.wrap("disk usage", err)
		case <-time.After(250 * time.Millisecond):
		}
	}
	if err != nil {
		return c.wrap("disk usage", err)
	}
	for _, img := range du.Images.Items {
		out.Images = append(out.Images, imageOf(img))
	}
	if err := c.completeImages(ctx, out.Images); err != nil {
		return err
	}
	for _, v := range du.Volumes.Items {
		size := int64(-1)
		if v.UsageData != nil {
			size = v.UsageData.Size
		}
		out.Volumes = append(out.Volumes, stack.Volume{Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, Labels: v.Labels, Size: size})
	}
	return c.completeVolumes(ctx, out.Volumes)
}

// completeImages names images as the image list does when a disk usage
// answer did not: Podman's (4.3) gives each image its tag alone ("latest",
// not "localhost/NAME:latest"), "<none>" for an untagged one, and its ID
// without "sha256:", so the project's images were not found in it.
func (c *Client) completeImages(ctx context.Context, imgs []stack.Image) error {
	if !slices.ContainsFunc(imgs, func(i stack.Image) bool { return !strings.HasPrefix(i.ID, "sha256:") }) {
		return nil
	}
	list, err := c.api.ImageList(ctx, client.ImageListOptions{})
	if err != nil {
		return c.wrap("list images", err)
	}
	byID := map[string]stack.Image{}
	for _, img := range list.Items {
		byID[strings.TrimPrefix(img.ID, "sha256:")] = imageOf(img)
	}
	for i := range imgs {
		if l, ok := byID[strings.TrimPrefix(imgs[i].ID, "sha256:")]; ok {
			imgs[i].ID, imgs[i].Tags, imgs[i].Digests, imgs[i].Dangling = l.ID, l.Tags, l.Digests, l.Dangling
		}
	}
	return nil
}

// completeVolumes fills in the driver, mountpoint and labels a disk usage
// answer left out: Podman's (4.3) gives each volume its name and size
// only, so its volumes showed no driver and no mountpoint.
func (c *Client) completeVolumes(ctx context.Context, vols []stack.Volume) error {
	if !slices.ContainsFunc(vols, func(v stack.Volume) bool { return v.Driver == "" }) {
		return nil
	}
	list, err := c.api.VolumeList(ctx, client.VolumeListOptions{})
	if err != nil {
		return c.wrap("list volumes", err)
	}
	for i := range vols {
		for _, v := range list.Items {
			if v.Name == vols[i].Name && vols[i].Driver == "" {
				vols[i].Driver, vols[i].Mountpoint, vols[i].Labels = v.Driver, v.Mountpoint, v.Labels
			}
		}
	}
	return nil
}

func diskUsageBusy(err error) bool {
	return cerrdefs.IsConflict(err) || strings.Contains(err.Error(), "disk usage operation is already running")
}

func (c *Client) listImagesVolumes(ctx context.Context, out *stack.EngineResources) error {
	imgs, err := c.api.ImageList(ctx, client.ImageListOptions{})
	if err != nil {
		return c.wrap("list images", err)
	}
	for _, img := range imgs.Items {
		out.Images = append(out.Images, imageOf(img))
	}
	vols, err := c.api.VolumeList(ctx, client.VolumeListOptions{})
	if err != nil {
		return c.wrap("list volumes", err)
	}
	for _, v := range vols.Items {
		out.Volumes = append(out.Volumes, stack.Volume{Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, Labels: v.Labels, Size: -1})
	}
	return nil
}

func imageOf(img image.Summary) stack.Image {
	tags := realTags(img.RepoTags)
	return stack.Image{
		ID: img.ID, Tags: tags, Digests: img.RepoDigests,
		Created: time.Unix(img.Created, 0).UTC(), Size: img.Size, SharedSize: img.SharedSize,
		Dangling: len(tags) == 0,
	}
}

// realTags drops the "<none>:<none>" that old engines list for an untagged
// image.
func realTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t != "<none>:<none>" && t != "<none>" && t != "" {
			out = append(out, t)
		}
	}
	return out
}

// AllContainers lists every container on the engine, stopped ones too,
// with the volumes it mounts and the networks it is attached to (list
// only, no inspect: one call for any number of containers).
func (c *Client) AllContainers(ctx context.Context) ([]stack.ContainerRef, error) {
	return c.containerRefs(ctx, client.ContainerListOptions{All: true})
}

func (c *Client) containerRefs(ctx context.Context, opts client.ContainerListOptions) ([]stack.ContainerRef, error) {
	res, err := c.api.ContainerList(ctx, opts)
	if err != nil {
		return nil, c.wrap("list containers", err)
	}
	out := make([]stack.ContainerRef, 0, len(res.Items))
	for _, s := range res.Items {
		out = append(out, containerRef(s))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func containerRef(s container.Summary) stack.ContainerRef {
	r := stack.ContainerRef{ID: s.ID, ImageID: s.ImageID, State: string(s.State), Labels: s.Labels}
	if len(s.Names) > 0 {
		r.Name = strings.TrimPrefix(s.Names[0], "/")
	}
	for _, m := range s.Mounts {
		if m.Type == mount.TypeVolume && m.Name != "" {
			r.Volumes = append(r.Volumes, m.Name)
		}
	}
	if ns := s.NetworkSettings; ns != nil {
		for name := range ns.Networks {
			r.Networks = append(r.Networks, name)
		}
		sort.Strings(r.Networks)
	}
	return r
}

// VolumeInUseError refuses to remove a volume that containers use,
// running or stopped: the engine would refuse too, and removing them to
// get at the data is not what was asked.
type VolumeInUseError struct {
	Volume     string
	Containers []string
}

func (e *VolumeInUseError) Error() string {
	return fmt.Sprintf("volume %s is in use by %s; remove %s first (volumes are never removed with their containers)",
		e.Volume, strings.Join(e.Containers, ", "), plural(len(e.Containers), "that container", "those containers"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// RemoveVolume removes a volume and its data, never by force: while a
// container (running or stopped) mounts it, it is refused with a
// *VolumeInUseError naming them, and an engine that still refuses is
// quoted.
func (c *Client) RemoveVolume(ctx context.Context, name string) error {
	users, err := c.containerRefs(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("volume", name)})
	if err != nil {
		return err
	}
	if len(users) > 0 {
		names := make([]string, 0, len(users))
		for _, u := range users {
			names = append(names, u.Name)
		}
		return &VolumeInUseError{Volume: name, Containers: names}
	}
	_, err = c.api.VolumeRemove(ctx, name, client.VolumeRemoveOptions{Force: false})
	return c.wrap("remove volume "+name, err)
}
