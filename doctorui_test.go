package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// On the real engine, through the adapter the TUI uses: the OOM-killed
// hog is diagnosed as oom with its planned fix; applying the fix hands
// back the reloaded project and the hog then runs clean; undo restores
// the file.
func TestDoctorUIOnEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p, file, orig, name := startOOMProject(t, ctx)
	eng, err := docker.Connect(ctx, docker.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	doctorUIWait(t, ctx, eng, name, "hog", "an OOM kill", func(c stack.Container) bool { return c.State == stack.StateExited && c.OOMKilled })
	doctorUIWait(t, ctx, eng, name, "done", "its clean exit", func(c stack.Container) bool { return c.State == stack.StateExited })

	d := newDoctorUI(eng)
	snap := stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: true}}
	fs, err := d.Diagnose(ctx, snap, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].ID != "hog/oom" || fs[0].Kind != doctor.KindOOM {
		t.Fatalf("findings %v; want exactly hog/oom (a clean exit 0 is none)", doctorUIIDs(fs))
	}
	i := slices.IndexFunc(fs[0].Fixes, func(x doctor.Fix) bool { return x.ID == "raise-memory" })
	if i < 0 || !strings.Contains(fs[0].Fixes[i].Diff, "+    mem_limit: 64m") {
		t.Fatalf("fixes %+v; want raise-memory planned to 64m", fs[0].Fixes)
	}

	var lines []string
	np, text, err := d.Apply(ctx, p, fs[0], fs[0].Fixes[i], func(l string) { lines = append(lines, l) })
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, strings.Join(lines, "\n"))
	}
	if np == nil || np == p {
		t.Fatal("apply did not hand back the reloaded project")
	}
	if s, _ := np.Service("hog"); s.MemLimit != 64<<20 {
		t.Errorf("reloaded hog's limit %d, want 64MiB", s.MemLimit)
	}
	if !strings.Contains(text, "recreated hog") || !strings.Contains(text, "u undoes the edit") {
		t.Errorf("result %q", text)
	}
	if len(lines) == 0 {
		t.Error("the recreate printed no output to onLine")
	}
	doctorUIWait(t, ctx, eng, name, "hog", "running under its new limit", func(c stack.Container) bool {
		return c.State == stack.StateRunning && c.RestartCount == 0
	})
	if fs, err := d.Diagnose(ctx, stack.Snapshot{Project: np, Engine: stack.EngineStatus{Reachable: true}}, nil); err != nil || len(fs) != 0 {
		t.Errorf("after the fix: %v, %v", doctorUIIDs(fs), err)
	}

	up, text, err := d.Undo(ctx, np)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); string(b) != orig {
		t.Errorf("undo left:\n%s", b)
	}
	if s, _ := up.Service("hog"); s.MemLimit != 32<<20 || !strings.HasPrefix(text, "undone: ") {
		t.Errorf("after undo: limit %d, text %q", s.MemLimit, text)
	}
	if _, _, err := d.Undo(ctx, up); err == nil {
		t.Error("a second undo with nothing left to undo succeeded")
	}
}

// Without an engine the adapter still diagnoses from the model, and a
// restart says why it cannot run instead of failing somewhere deeper.
func TestDoctorUIWithoutEngine(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ctx := context.Background()
	p, err := stack.Load(ctx, stack.LoadOptions{WorkDir: filepath.Join("testdata", "compose", "basic")})
	if err != nil {
		t.Fatal(err)
	}
	d := newDoctorUI(nil)
	fs, err := d.Diagnose(ctx, stack.Snapshot{Project: p}, nil)
	if err != nil || len(fs) != 0 {
		t.Errorf("findings %v, err %v; want none", doctorUIIDs(fs), err)
	}
	if _, err := d.Diagnose(ctx, stack.Snapshot{}, nil); err == nil {
		t.Error("diagnosing no project succeeded")
	}
	svc := p.Services[0].Name
	fix := doctor.Fix{ID: "restart", Action: doctor.Action{Kind: doctor.ActRestart, Service: svc}}
	if _, _, err := d.Apply(ctx, p, doctor.Finding{ID: svc + "/crash-loop"}, fix, nil); err == nil || !strings.Contains(err.Error(), "not reachable") {
		t.Errorf("restart without an engine: %v", err)
	}
}

func doctorUIWait(t *testing.T, ctx context.Context, eng *docker.Client, project, service, what string, cond func(stack.Container) bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var last []stack.Container
	for time.Now().Before(deadline) {
		cs, err := eng.ProjectContainers(ctx, project)
		if err != nil {
			t.Fatal(err)
		}
		last = cs
		for _, c := range cs {
			if c.Service == service && cond(c) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: timed out waiting for %s; containers: %+v", service, what, last)
}

func doctorUIIDs(fs []doctor.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}
