package stack

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// Labels compose (v1 and v2) puts on a project's containers, volumes and
// networks besides LabelProject.
const (
	LabelWorkingDir  = "com.docker.compose.project.working_dir"
	LabelConfigFiles = "com.docker.compose.project.config_files"
	LabelVolume      = "com.docker.compose.volume"
	LabelNetwork     = "com.docker.compose.network"
)

// Image is an image on the engine, as its disk usage and inspect describe
// it, and, in a project's Resources, which of its services use it.
type Image struct {
	ID      string    `json:"id"`
	Tags    []string  `json:"tags"`
	Digests []string  `json:"-"`
	Created time.Time `json:"created"`
	// Size is what `docker system df -v` calls SIZE; SharedSize the part
	// shared with other images (-1: the engine did not say).
	Size       int64 `json:"size_bytes"`
	SharedSize int64 `json:"shared_size_bytes"`
	// Platform is os/arch[/variant]; Foreign says it is not the engine's,
	// so the engine runs it only under emulation.
	Platform string `json:"platform"`
	Foreign  bool   `json:"foreign"`
	// Dangling: no tag names it any more (a rebuild moved its tag), though
	// a container may still run it.
	Dangling bool `json:"dangling"`
	// Ref is the name the compose files give it; Missing says no image on
	// the engine has it (not built or pulled yet).
	Ref      string   `json:"ref"`
	Missing  bool     `json:"missing"`
	Services []string `json:"services"`
}

// Volume is a volume on the engine and, in Resources, who uses it.
type Volume struct {
	Name       string            `json:"name"`
	Driver     string            `json:"driver"`
	Mountpoint string            `json:"mountpoint"`
	Labels     map[string]string `json:"-"`
	// Size is from the engine's disk usage (-1: it did not say).
	Size int64 `json:"size_bytes"`
	// Declared: the compose files name it; Missing: it is not created yet.
	Declared bool     `json:"declared"`
	External bool     `json:"external"`
	Missing  bool     `json:"missing"`
	Services []string `json:"services"`
	// Containers are every container (of any project, running or not)
	// that mounts it: while there is one, it cannot be removed.
	Containers []string `json:"containers"`
}

// Network is a network on the engine and, in Resources, its services.
type Network struct {
	Name     string            `json:"name"`
	ID       string            `json:"id"`
	Driver   string            `json:"driver"`
	Subnets  []string          `json:"subnets"`
	Labels   map[string]string `json:"-"`
	Declared bool              `json:"declared"`
	External bool              `json:"external"`
	Missing  bool              `json:"missing"`
	Services []string          `json:"services"`
}

// ContainerRef is a container as the engine's list gives it, with what
// ties it to images, volumes and networks.
type ContainerRef struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	ImageID  string            `json:"image_id"`
	State    string            `json:"state"`
	Labels   map[string]string `json:"-"`
	Volumes  []string          `json:"volumes"`
	Networks []string          `json:"networks"`
}

// EngineResources is everything on the engine that a project's resources
// are picked from.
type EngineResources struct {
	Images     []Image
	Volumes    []Volume
	Networks   []Network
	Containers []ContainerRef
}

// Resources are a project's images, volumes and networks.
type Resources struct {
	Project  string    `json:"project"`
	Platform string    `json:"engine_platform"`
	Images   []Image   `json:"images"`
	Volumes  []Volume  `json:"volumes"`
	Networks []Network `json:"networks"`
}

// ProjectResources picks p's images, volumes and networks out of what the
// engine has: the images its services name (or compose would build under
// the project's name) and its containers run; the volumes and networks
// its files declare, its containers use or compose labelled with it.
func ProjectResources(p *Project, e EngineResources) Resources {
	r := Resources{Project: p.Name}
	var mine []ContainerRef
	for _, c := range e.Containers {
		if c.Labels[LabelProject] == p.Name {
			mine = append(mine, c)
		}
	}
	r.Images = projectImages(p, e.Images, mine)
	r.Volumes = projectVolumes(p, e, mine)
	r.Networks = projectNetworks(p, e.Networks, mine)
	return r
}

func projectImages(p *Project, images []Image, mine []ContainerRef) []Image {
	byID := map[string]*Image{}
	var out []*Image
	add := func(img Image, ref, service string) {
		cur := byID[img.ID]
		if cur == nil {
			img.Services = nil
			cur = &img
			out = append(out, cur)
			if img.ID != "" {
				byID[img.ID] = cur
			}
		}
		if cur.Ref == "" {
			cur.Ref = ref
		}
		if service != "" && !slices.Contains(cur.Services, service) {
			cur.Services = append(cur.Services, service)
		}
	}
	for _, s := range p.Services {
		refs := []string{s.Image}
		if s.Image == "" {
			// compose v2 builds <project>-<service>, v1 <project>_<service>.
			refs = []string{p.Name + "-" + s.Name, p.Name + "_" + s.Name}
		}
		found := false
		for _, ref := range refs {
			if img, ok := findImage(images, ref); ok {
				add(img, ref, s.Name)
				found = true
				break
			}
		}
		if !found {
			// Not on the engine yet: one row per missing name.
			key := "missing:" + refs[0]
			if byID[key] == nil {
				img := Image{ID: key, Ref: refs[0], Missing: true, Size: -1, SharedSize: -1}
				add(img, refs[0], "")
			}
			cur := byID[key]
			cur.Services = append(cur.Services, s.Name)
		}
	}
	for _, c := range mine {
		for _, img := range images {
			if img.ID == c.ImageID {
				add(img, "", c.Labels[LabelService])
			}
		}
	}
	res := make([]Image, 0, len(out))
	for _, img := range out {
		if img.Missing {
			img.ID = ""
		}
		sort.Strings(img.Services)
		res = append(res, *img)
	}
	sort.SliceStable(res, func(i, j int) bool { return imageName(res[i]) < imageName(res[j]) })
	return res
}

// findImage is the image a compose image reference names. Podman names
// an image loaded or built without a registry localhost/NAME, and finds it
// by NAME, as compose's reference does.
func findImage(images []Image, ref string) (Image, bool) {
	want := NormalizeImageRef(ref)
	for _, img := range images {
		for _, t := range append(slices.Clone(img.Tags), img.Digests...) {
			if n := NormalizeImageRef(t); n == want || strings.TrimPrefix(n, "localhost/") == want {
				return img, true
			}
		}
	}
	return Image{}, false
}

func projectVolumes(p *Project, e EngineResources, mine []ContainerRef) []Volume {
	want := map[string]*Volume{}
	var order []string
	use := func(name string) *Volume {
		v := want[name]
		if v == nil {
			v = &Volume{Name: name, Size: -1, Missing: true}
			want[name] = v
			order = append(order, name)
		}
		return v
	}
	declared := map[string]string{} // key in the files -> engine name
	if m := p.Model; m != nil {
		for key, vc := range m.Volumes {
			name := engineName(p.Name, key, vc.Name)
			declared[key] = name
			v := use(name)
			v.Declared, v.External = true, bool(vc.External)
		}
		for _, s := range m.Services {
			for _, mnt := range s.Volumes {
				if mnt.Type != "volume" || mnt.Source == "" {
					continue
				}
				name, ok := declared[mnt.Source]
				if !ok {
					name = mnt.Source
				}
				addName(&use(name).Services, s.Name)
			}
		}
	}
	for _, v := range e.Volumes {
		if v.Labels[LabelProject] == p.Name {
			use(v.Name)
		}
	}
	for _, c := range mine {
		for _, name := range c.Volumes {
			addName(&use(name).Services, c.Labels[LabelService])
		}
	}
	for _, v := range e.Volumes {
		cur := want[v.Name]
		if cur == nil {
			continue
		}
		services := cur.Services
		*cur = Volume{Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, Labels: v.Labels, Size: v.Size,
			Declared: cur.Declared, External: cur.External, Services: services}
	}
	for _, c := range e.Containers {
		for _, name := range c.Volumes {
			if v := want[name]; v != nil {
				addName(&v.Containers, c.Name)
			}
		}
	}
	out := make([]Volume, 0, len(order))
	for _, name := range order {
		v := *want[name]
		sort.Strings(v.Services)
		sort.Strings(v.Containers)
		v.Services, v.Containers = nonNilStrings(v.Services), nonNilStrings(v.Containers)
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// engineName is the engine's name for a volume or network the compose
// files declare under key: its name: when set, else project_key.
func engineName(project, key, name string) string {
	if name == "" {
		return project + "_" + key
	}
	return name
}

func projectNetworks(p *Project, nets []Network, mine []ContainerRef) []Network {
	want := map[string]*Network{}
	var order []string
	use := func(name string) *Network {
		n := want[name]
		if n == nil {
			n = &Network{Name: name, Missing: true}
			want[name] = n
			order = append(order, name)
		}
		return n
	}
	if m := p.Model; m != nil {
		declared := map[string]string{}
		for key, nc := range m.Networks {
			name := engineName(p.Name, key, nc.Name)
			declared[key] = name
			n := use(name)
			n.Declared, n.External = true, bool(nc.External)
		}
		for _, s := range m.Services {
			if s.NetworkMode != "" {
				continue // host, none, service:x, container:x
			}
			keys := make([]string, 0, len(s.Networks))
			for key := range s.Networks {
				keys = append(keys, key)
			}
			if len(keys) == 0 {
				keys = []string{"default"}
			}
			for _, key := range keys {
				name, ok := declared[key]
				if !ok {
					name = p.Name + "_" + key
				}
				addName(&use(name).Services, s.Name)
			}
		}
	}
	for _, n := range nets {
		if n.Labels[LabelProject] == p.Name {
			use(n.Name)
		}
	}
	for _, c := range mine {
		for _, name := range c.Networks {
			addName(&use(name).Services, c.Labels[LabelService])
		}
	}
	for _, n := range nets {
		cur := want[n.Name]
		if cur == nil {
			continue
		}
		services := cur.Services
		*cur = Network{Name: n.Name, ID: n.ID, Driver: n.Driver, Subnets: n.Subnets, Labels: n.Labels,
			Declared: cur.Declared, External: cur.External, Services: services}
	}
	out := make([]Network, 0, len(order))
	for _, name := range order {
		n := *want[name]
		sort.Strings(n.Services)
		n.Services, n.Subnets = nonNilStrings(n.Services), nonNilStrings(n.Subnets)
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func addName(list *[]string, name string) {
	if name != "" && !slices.Contains(*list, name) {
		*list = append(*list, name)
	}
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
