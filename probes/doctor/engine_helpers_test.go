package doctor_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// TestMain points the edit journal and the override folder at a temporary
// folder, so tests never write into the user's state or config.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "stackui-doctor-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fixture is one compose project on the real engine.
type fixture struct {
	t   *testing.T
	ctx context.Context
	api *client.Client
	eng *docker.Client
	cli stack.ComposeCLI
	dir string
	p   *stack.Project
}

// newFixture writes composeYAML to a temporary folder and loads it under a
// unique project name, with the given profiles on. The project is removed
// when the test ends.
func newFixture(t *testing.T, composeYAML string, profiles ...string) *fixture {
	t.Helper()
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	cli, err := stack.DetectCompose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := docker.Connect(ctx, docker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	f := &fixture{t: t, ctx: ctx, api: api, eng: eng, cli: cli, dir: t.TempDir()}
	file := filepath.Join(f.dir, "compose.yaml")
	if err := os.WriteFile(file, []byte(composeYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	if profiles == nil {
		profiles = []string{}
	}
	f.p, err = stack.Load(ctx, stack.LoadOptions{Files: []string{file}, ProjectName: testenv.ProjectName(t), WorkDir: f.dir, Profiles: profiles})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	name := f.p.Name
	t.Cleanup(func() { testenv.RemoveProject(t, api, name) })
	return f
}

// up starts services (all of the active profiles when none is named) and
// returns the compose failure, if any.
func (f *fixture) up(services ...string) error {
	f.t.Helper()
	return f.cli.Up(f.ctx, f.p, stack.UpOptions{Services: services}, func(l string) { f.t.Log("up: " + l) })
}

func (f *fixture) mustUp(services ...string) {
	f.t.Helper()
	if err := f.up(services...); err != nil {
		f.t.Fatalf("up: %v", err)
	}
}

// wait polls the service's containers until cond holds for one of them.
func (f *fixture) wait(service, what string, cond func(stack.Container) bool) stack.Container {
	f.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var last []stack.Container
	for time.Now().Before(deadline) {
		cs, err := f.eng.ProjectContainers(f.ctx, f.p.Name)
		if err != nil {
			f.t.Fatal(err)
		}
		last = cs
		for _, c := range cs {
			if c.Service == service && cond(c) {
				return c
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.t.Fatalf("%s: timed out waiting for %s; containers: %+v", service, what, last)
	return stack.Container{}
}

// diagnose gathers evidence from the engine (and the compose failure),
// diagnoses it and plans the fixes against the files.
func (f *fixture) diagnose(composeErr error) (doctor.Evidence, []doctor.Finding) {
	f.t.Helper()
	ev := doctor.Gather(f.ctx, doctor.Options{
		Project:    f.p,
		Source:     doctor.DockerSource{Client: f.eng},
		ComposeErr: composeErr,
		ComposeCLI: f.cli.String(),
		LogTail:    20,
		Logf:       f.t.Logf,
	})
	for _, g := range ev.Gaps {
		f.t.Errorf("gap in the evidence: %s", g)
	}
	record(f.t, ev)
	fs := doctor.PlanFixes(f.p, doctor.Diagnose(ev), filepath.Join(f.dir, ".overrides"))
	for _, x := range fs {
		f.t.Logf("finding %s: %s\n  evidence: %s\n  fixes: %+v", x.ID, x.Summary, strings.Join(x.Evidence, "\n  evidence: "), fixIDs(x))
	}
	return ev, fs
}

// record writes the evidence as JSON into $STACKUI_DOCTOR_RECORD, to
// refresh the recorded payloads under testdata/doctor.
func record(t *testing.T, ev doctor.Evidence) {
	dir := os.Getenv("STACKUI_DOCTOR_RECORD")
	if dir == "" {
		return
	}
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	name := strings.ReplaceAll(t.Name(), "/", "_") + "-" + time.Now().Format("150405.000") + ".json"
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func fixIDs(f doctor.Finding) []string {
	var ids []string
	for _, x := range f.Fixes {
		ids = append(ids, x.ID)
	}
	return ids
}

// only asserts that the findings are exactly one, of this kind for this
// service, and returns it.
func only(t *testing.T, fs []doctor.Finding, service string, kind doctor.Kind) doctor.Finding {
	t.Helper()
	var got []string
	for _, f := range fs {
		got = append(got, f.ID)
	}
	want := service + "/" + string(kind)
	if len(fs) != 1 || fs[0].ID != want {
		t.Fatalf("findings %v; want exactly [%s]", got, want)
	}
	return fs[0]
}

// fixOf returns the finding's fix with this id.
func fixOf(t *testing.T, f doctor.Finding, id string) doctor.Fix {
	t.Helper()
	i := slices.IndexFunc(f.Fixes, func(x doctor.Fix) bool { return x.ID == id })
	if i < 0 {
		t.Fatalf("%s: no fix %q among %v", f.ID, id, fixIDs(f))
	}
	return f.Fixes[i]
}

// apply carries out a fix and makes the fixture's project the one after it.
func (f *fixture) apply(fix doctor.Fix) doctor.Result {
	f.t.Helper()
	a := doctor.Applier{Compose: f.cli, Engine: f.eng, OverrideDir: filepath.Join(f.dir, ".overrides"),
		OnLine: func(l string) { f.t.Log("fix: " + l) }}
	res, err := a.Apply(f.ctx, f.p, fix)
	if err != nil {
		f.t.Fatalf("apply %s: %v", fix.ID, err)
	}
	f.t.Logf("applied %s: %s", fix.ID, res.Done)
	f.p = res.Project
	return res
}

func running(c stack.Container) bool { return c.State == stack.StateRunning }
