package backend

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	units "github.com/docker/go-units"
	"github.com/moby/moby/client"

	"github.com/stackui/stackui/demo"
	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// putFile writes size bytes at path in the container (a volume's mount).
func putFile(t *testing.T, api *client.Client, id, dir, name string, size int) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	data := bytes.Repeat([]byte("stackui "), size/8)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
	tw.Write(data)
	tw.Close()
	if _, err := api.CopyToContainer(context.Background(), id, client.CopyToContainerOptions{DestinationPath: dir, Content: &buf}); err != nil {
		t.Fatal(err)
	}
}

// containerOf is the ID of the project's first container of service.
func containerOf(t *testing.T, api *client.Client, project, service string) string {
	t.Helper()
	res, err := api.ContainerList(context.Background(), client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", stack.LabelProject+"="+project).Add("label", stack.LabelService+"="+service)})
	if err != nil || len(res.Items) == 0 {
		t.Fatalf("no container of %s: %v", service, err)
	}
	return res.Items[0].ID
}

// dfSizes reads `docker system df -v`: each image's SIZE by its short ID and
// each volume's SIZE by name, as docker prints them.
func dfSizes(t *testing.T) (images, volumes map[string]string) {
	t.Helper()
	out, err := exec.Command("docker", "system", "df", "-v").Output()
	if err != nil {
		t.Fatalf("docker system df -v: %v", err)
	}
	cols := regexp.MustCompile(`\s{2,}`)
	images, volumes = map[string]string{}, map[string]string{}
	section := ""
	for _, l := range strings.Split(string(out), "\n") {
		f := cols.Split(strings.TrimSpace(l), -1)
		switch {
		case strings.HasPrefix(l, "REPOSITORY"):
			section = "images"
		case strings.HasPrefix(l, "VOLUME NAME"):
			section = "volumes"
		case strings.HasPrefix(l, "CONTAINER ID"), strings.HasPrefix(l, "Build cache"), strings.HasPrefix(l, "CACHE ID"):
			section = ""
		case section == "images" && len(f) >= 5:
			// REPOSITORY TAG IMAGE-ID CREATED SIZE SHARED UNIQUE CONTAINERS
			images[f[2]] = f[4]
		case section == "volumes" && len(f) == 3:
			// VOLUME-NAME LINKS SIZE
			volumes[f[0]] = f[2]
		}
	}
	return images, volumes
}

// sameSize says whether docker's rounded figure is n bytes, within its
// rounding (three or four significant digits).
func sameSize(t *testing.T, docker string, n int64) bool {
	t.Helper()
	d, err := units.FromHumanSize(docker)
	if err != nil {
		t.Fatalf("docker's size %q: %v", docker, err)
	}
	return math.Abs(float64(d)-float64(n)) <= math.Max(float64(n)*0.006, 1)
}

// TestResourcesMatchSystemDF: the sizes stackui shows for the project's
// image and volume are those `docker system df -v` prints, and the users
// are named.
func TestResourcesMatchSystemDF(t *testing.T) {
	ops, p, api := opsFixture(t)
	ctx := context.Background()
	if err := ops.UpAll(ctx, nil); err != nil {
		t.Fatal(err)
	}
	worker := containerOf(t, api, p.Name, "worker")
	putFile(t, api, worker, "/data", "blob", 3<<20)

	r, err := ops.b.Resources(ctx, p, true)
	if err != nil {
		t.Fatal(err)
	}
	dfImages, dfVolumes := dfSizes(t)

	// Other tests may build the workload image again meanwhile, leaving
	// the containers on the old one: the one named in the file is
	// compared, by ID.
	var img stack.Image
	for _, i := range r.Images {
		if i.Ref == "stackui-demo/workload:latest" {
			img = i
		}
	}
	if img.Missing || img.Foreign || img.Platform == "" || !strings.Contains(strings.Join(img.Services, ","), "extra") {
		t.Errorf("image %+v in %+v", img, r.Images)
	}
	if d, ok := dfImages[img.ShortID()]; !ok || !sameSize(t, d, img.Size) {
		t.Errorf("image size %d (%s), docker system df -v says %q", img.Size, stack.DiskSize(img.Size), d)
	}

	data := p.Name + "_data"
	var vol *stack.Volume
	for i := range r.Volumes {
		if r.Volumes[i].Name == data {
			vol = &r.Volumes[i]
		}
	}
	if vol == nil {
		t.Fatalf("no volume %s in %+v", data, r.Volumes)
	}
	if vol.Size < 3<<20 || vol.Driver != "local" || vol.Mountpoint == "" || !vol.Declared ||
		strings.Join(vol.Services, ",") != "worker" || len(vol.Containers) != 1 {
		t.Errorf("volume %+v", vol)
	}
	if d, ok := dfVolumes[data]; !ok || !sameSize(t, d, vol.Size) {
		t.Errorf("volume size %d (%s), docker system df -v says %q", vol.Size, stack.DiskSize(vol.Size), d)
	}

	if len(r.Networks) != 1 || r.Networks[0].Name != p.Name+"_default" || r.Networks[0].Driver != "bridge" ||
		len(r.Networks[0].Subnets) != 1 || strings.Join(r.Networks[0].Services, ",") != "app,extra,worker" {
		t.Errorf("networks %+v", r.Networks)
	}

	// The quick look (no disk usage call) has the same images, with their
	// sizes, and the same volumes, unmeasured.
	q, err := ops.b.Resources(ctx, p, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, qi := range q.Images {
		if qi.ID == img.ID && qi.Size != img.Size {
			t.Errorf("the image list says %d bytes, the disk usage %d", qi.Size, img.Size)
		}
	}
	if len(q.Volumes) != len(r.Volumes) {
		t.Errorf("quick volumes %+v, measured %+v", q.Volumes, r.Volumes)
	}
	for _, v := range q.Volumes {
		if v.Name == data && (v.Size != -1 || v.Mountpoint != vol.Mountpoint || len(v.Containers) != 1) {
			t.Errorf("quick volume %+v", v)
		}
	}
}

// TestRemoveVolumeRefusedWhileInUse: a volume that a stopped container
// still mounts is refused, naming the container, and kept; once the
// container is gone it is removed.
func TestRemoveVolumeRefusedWhileInUse(t *testing.T) {
	ops, p, api := opsFixture(t)
	ctx := context.Background()
	if err := ops.Up(ctx, "worker", nil); err != nil {
		t.Fatal(err)
	}
	if err := ops.Stop(ctx, "worker", nil); err != nil {
		t.Fatal(err)
	}
	data := p.Name + "_data"
	err := ops.RemoveVolume(ctx, data, func(string) {})
	var inUse *docker.VolumeInUseError
	if !errors.As(err, &inUse) || len(inUse.Containers) != 1 || !strings.Contains(inUse.Containers[0], "worker") {
		t.Fatalf("removing a volume a stopped container mounts: %v, want it refused naming the container", err)
	}
	if _, err := api.VolumeInspect(ctx, data, client.VolumeInspectOptions{}); err != nil {
		t.Fatalf("the refused volume is gone: %v", err)
	}
	if err := ops.Remove(ctx, "worker", nil); err != nil {
		t.Fatal(err)
	}
	var lines []string
	if err := ops.RemoveVolume(ctx, data, func(l string) { lines = append(lines, l) }); err != nil {
		t.Fatalf("removing the unused volume: %v", err)
	}
	if _, err := api.VolumeInspect(ctx, data, client.VolumeInspectOptions{}); !docker.IsNotFound(err) {
		t.Errorf("the volume is still there: %v", err)
	}
	if len(lines) != 1 || !strings.Contains(lines[0], data) {
		t.Errorf("the drawer was told %q", lines)
	}
}

// TestProjectsSeesAnotherDemoProject: a second demo project, started
// under another name from another folder, is listed with its folder, its
// files and its containers' states, and opens from its files; once its
// file is gone, opening it names the file.
func TestProjectsSeesAnotherDemoProject(t *testing.T) {
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	ctx := context.Background()
	dir := t.TempDir()
	if _, _, err := demo.WriteProject(dir); err != nil {
		t.Fatal(err)
	}
	name := testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, name) })
	p, err := stack.Load(ctx, stack.LoadOptions{WorkDir: dir, ProjectName: name})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := stack.DetectCompose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.Up(ctx, p, stack.UpOptions{Services: []string{"db"}}, nil); err != nil {
		t.Fatal(err)
	}
	b := New(Options{})
	defer b.Close()
	var found *stack.ProjectSummary
	deadline := time.Now().Add(30 * time.Second)
	for found == nil && time.Now().Before(deadline) {
		list, err := b.Projects(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i := range list {
			if list[i].Name == name {
				found = &list[i]
			}
		}
	}
	if found == nil {
		t.Fatalf("project %s is not listed", name)
	}
	real, _ := filepath.EvalSymlinks(dir)
	if wd, _ := filepath.EvalSymlinks(found.WorkingDir); wd != real || found.States[stack.StateRunning] != 1 || len(found.Files) != 1 {
		t.Errorf("summary %+v, want %s with one running container and its file", found, dir)
	}
	q, err := b.OpenProject(ctx, *found)
	if err != nil {
		t.Fatal(err)
	}
	if q.Name != name || len(q.Services) != len(p.Services) {
		t.Errorf("opened %s with %d services, want %s with %d", q.Name, len(q.Services), name, len(p.Services))
	}
	if err := os.Remove(found.Files[0]); err != nil {
		t.Fatal(err)
	}
	_, err = b.OpenProject(ctx, *found)
	var gone *FilesGoneError
	if !errors.As(err, &gone) || !strings.Contains(err.Error(), found.Files[0]) {
		t.Errorf("opening with the file gone: %v, want it named", err)
	}
}
