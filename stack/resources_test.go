package stack

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestNormalizeImageRef(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres", "postgres:latest"},
		{"postgres:16", "postgres:16"},
		{"docker.io/library/postgres:16", "postgres:16"},
		{"library/redis", "redis:latest"},
		{"docker.io/grafana/grafana", "grafana/grafana:latest"},
		{"localhost:5000/team/app", "localhost:5000/team/app:latest"},
		{"localhost:5000/team/app:2", "localhost:5000/team/app:2"},
		{"ghcr.io/x/y@sha256:abc", "ghcr.io/x/y@sha256:abc"},
		{"stackui-demo/workload:foreign", "stackui-demo/workload:foreign"},
	} {
		if got := NormalizeImageRef(tc.in); got != tc.want {
			t.Errorf("NormalizeImageRef(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// resourcesCompose has a built service, an image service, a named
// volume, an external volume, a custom network beside the default one,
// and a service on the host's network.
const resourcesCompose = `services:
  web:
    build: .
    volumes: ["cache:/cache", "/src:/src"]
    networks: [front]
  db:
    image: postgres:16
    volumes: ["pgdata:/var/lib/postgresql/data"]
  host:
    image: busybox
    network_mode: host
volumes:
  pgdata: {}
  cache:
    name: shared-cache
    external: true
networks:
  front: {}
`

func resourcesProject(t *testing.T) *Project {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(resourcesCompose), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(context.Background(), LoadOptions{WorkDir: dir, ProjectName: "shop", Env: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProjectResources(t *testing.T) {
	labels := func(project, service string) map[string]string {
		return map[string]string{LabelProject: project, LabelService: service}
	}
	e := EngineResources{
		Images: []Image{
			{ID: "sha256:pg", Tags: []string{"postgres:16"}, Size: 400},
			{ID: "sha256:web2", Tags: []string{"shop-web:latest"}, Size: 30},
			{ID: "sha256:web1", Size: 29, Dangling: true}, // the old build a container still runs
			{ID: "sha256:other", Tags: []string{"nginx:latest"}, Size: 50},
		},
		Volumes: []Volume{
			{Name: "shop_pgdata", Driver: "local", Mountpoint: "/v/shop_pgdata", Size: 1000, Labels: map[string]string{LabelProject: "shop"}},
			{Name: "shop_anon", Driver: "local", Size: 5, Labels: map[string]string{LabelProject: "shop"}},
			{Name: "unrelated", Driver: "local", Size: 7},
		},
		Networks: []Network{
			{Name: "shop_default", Driver: "bridge", Subnets: []string{"172.30.0.0/16"}, Labels: map[string]string{LabelProject: "shop"}},
			{Name: "bridge", Driver: "bridge"},
		},
		Containers: []ContainerRef{
			{Name: "shop-db-1", ImageID: "sha256:pg", State: "running", Labels: labels("shop", "db"), Volumes: []string{"shop_pgdata"}, Networks: []string{"shop_default"}},
			{Name: "shop-web-1", ImageID: "sha256:web1", State: "exited", Labels: labels("shop", "web"), Volumes: []string{"shared-cache"}},
			{Name: "backup-1", ImageID: "sha256:other", State: "exited", Labels: labels("backup", "b"), Volumes: []string{"shop_pgdata"}},
		},
	}
	r := ProjectResources(resourcesProject(t), e)

	var names []string
	for _, img := range r.Images {
		names = append(names, img.Label()+"="+join(img.Services))
	}
	wantImages := []string{"busybox=host", "postgres:16=db", "<none> (dangling)=web", "shop-web=web"}
	// A missing image is listed by the name the files give it.
	if !reflect.DeepEqual(names, wantImages) {
		t.Errorf("images %q, want %q", names, wantImages)
	}
	for _, img := range r.Images {
		if img.Label() == "busybox" && (!img.Missing || img.Size != -1) {
			t.Errorf("busybox is not on the engine, but %+v", img)
		}
	}

	byName := map[string]Volume{}
	for _, v := range r.Volumes {
		byName[v.Name] = v
	}
	if len(r.Volumes) != 3 {
		t.Errorf("volumes %+v, want shop_pgdata, shared-cache and shop_anon", r.Volumes)
	}
	pg := byName["shop_pgdata"]
	if pg.Size != 1000 || pg.Driver != "local" || !pg.Declared || join(pg.Services) != "db" || join(pg.Containers) != "backup-1,shop-db-1" {
		t.Errorf("shop_pgdata %+v", pg)
	}
	if c := byName["shared-cache"]; !c.External || !c.Missing || join(c.Services) != "web" || join(c.Containers) != "shop-web-1" {
		t.Errorf("shared-cache %+v", c)
	}
	if a := byName["shop_anon"]; a.Declared || a.Size != 5 {
		t.Errorf("shop_anon %+v", a)
	}
	if _, ok := byName["unrelated"]; ok {
		t.Error("a volume of no concern to the project is listed")
	}

	nets := map[string]Network{}
	for _, n := range r.Networks {
		nets[n.Name] = n
	}
	if d := nets["shop_default"]; d.Missing || join(d.Services) != "db" || join(d.Subnets) != "172.30.0.0/16" {
		t.Errorf("shop_default %+v", d)
	}
	if f := nets["shop_front"]; !f.Missing || join(f.Services) != "web" {
		t.Errorf("shop_front %+v", f)
	}
	if _, ok := nets["bridge"]; ok || len(r.Networks) != 2 {
		t.Errorf("networks %+v, want shop_default and shop_front", r.Networks)
	}
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

func TestProjectsGroupsContainersByLabel(t *testing.T) {
	l := func(project string) map[string]string {
		return map[string]string{LabelProject: project, LabelWorkingDir: "/src/" + project,
			LabelConfigFiles: "/src/" + project + "/compose.yaml,/src/" + project + "/compose.override.yaml"}
	}
	got := Projects([]ContainerRef{
		{Name: "b-1", State: "running", Labels: l("b")},
		{Name: "a-1", State: "exited", Labels: l("a")},
		{Name: "b-2", State: "exited", Labels: l("b")},
		{Name: "loose", State: "running"},
	})
	want := []ProjectSummary{
		{Name: "a", WorkingDir: "/src/a", Files: []string{"/src/a/compose.yaml", "/src/a/compose.override.yaml"}, States: map[string]int{"exited": 1}},
		{Name: "b", WorkingDir: "/src/b", Files: []string{"/src/b/compose.yaml", "/src/b/compose.override.yaml"}, States: map[string]int{"running": 1, "exited": 1}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Projects =\n%+v\nwant\n%+v", got, want)
	}
}
