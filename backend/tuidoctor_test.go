package backend

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/stacktest"
	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// On the real engine, through the adapter the TUI uses: the OOM-killed
// hog is diagnosed as oom with its planned fix; applying the fix hands
// back the reloaded project and the hog then runs clean; undo restores
// the file.
func TestDoctorOnEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	p, file, name := stacktest.StartOOMProject(t, ctx)
	stacktest.WaitContainer(t, ctx, name, "hog", "an OOM kill", stacktest.OOMKilled)
	stacktest.WaitContainer(t, ctx, name, "done", "its clean exit", stacktest.Exited)

	b := New(Options{})
	defer b.Close()
	d := b.Doctor()
	snap := stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: true}}
	fs, err := d.Diagnose(ctx, snap, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].ID != "hog/oom" || fs[0].Kind != doctor.KindOOM {
		t.Fatalf("findings %v; want exactly hog/oom (a clean exit 0 is none)", findingIDs(fs))
	}
	i := slices.IndexFunc(fs[0].Fixes, func(x doctor.Fix) bool { return x.ID == "raise-memory" })
	if i < 0 || !strings.Contains(fs[0].Fixes[i].Diff, "+    mem_limit: 64m") {
		t.Fatalf("fixes %+v; want raise-memory planned to 64m", fs[0].Fixes)
	}

	// With the sampler's history, as the TUI has it, the raise is sized
	// from the climb measured before the kill (31MiB, 11MiB/s: 128m), not
	// the blind double (64m).
	mfs, err := b.Doctor().WithUsage(climbing("hog", 20<<20, 31<<20)).Diagnose(ctx, snap, nil)
	if err != nil || len(mfs) != 1 || mfs[0].ID != "hog/oom" {
		t.Fatalf("measured: findings %v, %v", findingIDs(mfs), err)
	}
	if mf := mfs[0].Fixes; len(mf) == 0 || mf[0].ID != "raise-memory" || !strings.Contains(mf[0].Diff, "+    mem_limit: 128m") ||
		!strings.Contains(mf[0].Title, "its peak plus 5s more at 11MiB/s") || !strings.Contains(strings.Join(mfs[0].Evidence, "\n"), "(stackui's stats)") {
		t.Errorf("measured fix %+v\nevidence %q; want raise-memory to 128m from the measured growth", mf, mfs[0].Evidence)
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
	stacktest.WaitContainer(t, ctx, name, "hog", "running under its new limit", stacktest.RunningClean)
	// The TUI's post-fix check (ui.Verifier) sees it stay up.
	d.checkWindow = 3 * time.Second
	if out, ok, nf, err := d.Verify(ctx, np, "hog"); err != nil || !ok || nf != nil || !strings.HasPrefix(out, "hog stays up: running for ") {
		t.Errorf("Verify = %q, %v, %v, %v; want hog stays up", out, ok, nf, err)
	}
	if fs, err := d.Diagnose(ctx, stack.Snapshot{Project: np, Engine: stack.EngineStatus{Reachable: true}}, nil); err != nil || len(fs) != 0 {
		t.Errorf("after the fix: %v, %v", findingIDs(fs), err)
	}

	if title, ok, err := d.LastFix(ctx, np); err != nil || !ok || !strings.Contains(title, "hog") {
		t.Errorf("LastFix after the fix = %q, %v, %v; want the hog fix", title, ok, err)
	}
	up, text, err := d.Undo(ctx, np)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(file); string(b) != stacktest.OOMCompose {
		t.Errorf("undo left:\n%s", b)
	}
	if s, _ := up.Service("hog"); s.MemLimit != 32<<20 || !strings.HasPrefix(text, "undone: ") {
		t.Errorf("after undo: limit %d, text %q", s.MemLimit, text)
	}
	if _, _, err := d.Undo(ctx, up); err == nil {
		t.Error("a second undo with nothing left to undo succeeded")
	}
	if title, ok, err := d.LastFix(ctx, up); err != nil || ok {
		t.Errorf("LastFix with nothing to undo = %q, %v, %v", title, ok, err)
	}
}

// Without an engine the adapter still diagnoses from the model, and a
// restart says why it cannot run instead of failing somewhere deeper; a
// fix that needs the compose CLI fails before it edits anything.
func TestDoctorWithoutEngine(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ctx := context.Background()
	// A copy: a fix that went ahead would edit it.
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "testdata", "compose", "basic"))); err != nil {
		t.Fatal(err)
	}
	p, err := stack.Load(ctx, stack.LoadOptions{WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	noEngine, noCLI := errors.New("scripted: no engine"), errors.New("scripted: no compose CLI")
	b := New(Options{
		Connect:       func(context.Context) (*docker.Client, error) { return nil, noEngine },
		DetectCompose: func(context.Context) (stack.ComposeCLI, error) { return stack.ComposeCLI{}, noCLI },
	})
	defer b.Close()
	d := b.Doctor()
	for _, reachable := range []bool{false, true} {
		fs, err := d.Diagnose(ctx, stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: reachable}}, nil)
		if err != nil || len(fs) != 0 {
			t.Errorf("reachable=%v: findings %v, err %v; want none", reachable, findingIDs(fs), err)
		}
	}
	if _, err := d.Diagnose(ctx, stack.Snapshot{}, nil); err == nil {
		t.Error("diagnosing no project succeeded")
	}
	svc := p.Services[0].Name
	fix := doctor.Fix{ID: "restart", Action: doctor.Action{Kind: doctor.ActRestart, Service: svc}}
	if _, _, err := d.Apply(ctx, p, doctor.Finding{ID: svc + "/crash-loop"}, fix, nil); err == nil || !strings.Contains(err.Error(), "not reachable") || !errors.Is(err, noEngine) {
		t.Errorf("restart without an engine: %v", err)
	}
	fix = doctor.Fix{ID: "raise-memory", Action: doctor.Action{Kind: doctor.ActSetMemLimit, Service: svc, Bytes: 64 << 20, Then: doctor.ThenRecreate}}
	if _, _, err := d.Apply(ctx, p, doctor.Finding{ID: svc + "/oom"}, fix, nil); !errors.Is(err, noCLI) {
		t.Errorf("an edit and recreate without a compose CLI: %v", err)
	}
}

// fixedUsage is a sampler snapshot that does not change.
type fixedUsage resources.Snapshot

func (u fixedUsage) Snapshot() resources.Snapshot { return resources.Snapshot(u) }

// climbing is a sampler snapshot where service's one container climbed
// from one memory use to another in one second, then stopped.
func climbing(service string, from, to uint64) fixedUsage {
	t0 := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	return fixedUsage{Containers: []resources.ContainerUsage{{ID: "c1", Name: service + "-1", Service: service, Number: 1,
		History: []resources.Point{{Time: t0, MemUsed: from}, {Time: t0.Add(time.Second), MemUsed: to}}}}}
}

func findingIDs(fs []doctor.Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	return ids
}
