package doctor

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
)

// The recorded evidence under testdata/doctor comes from the real-engine
// tests (STACKUI_DOCTOR_RECORD=dir go test -run TestEngine), except
// cuda-driver and no-space, which this machine cannot produce and which are
// those recordings with the logs or compose output a real failure prints.
func loadEvidence(t testing.TB, name string) Evidence {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "doctor", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev Evidence
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ev
}

func TestRulesOverRecordedEvidence(t *testing.T) {
	cases := []struct {
		file    string
		want    []string // finding ids, in order
		summary []string // in the first finding's summary
		fixes   []string // the first finding's fix ids
	}{
		{"oom", []string{"hog/oom"}, []string{"ran out of memory", "32MiB limit"}, []string{"raise-memory"}},
		{"oom-fixed", nil, nil, nil},
		{"sigkill", []string{"stubborn/sigkill", "victim/sigkill"}, []string{"did not stop within its 1s stop grace period", "did not run out of memory"}, []string{"raise-stop-grace"}},
		{"sigkill-fixed", []string{"victim/sigkill"}, []string{"docker kill"}, []string{}},
		{"arch-mismatch", []string{"etl/arch-mismatch"}, []string{"linux/arm64", "linux/amd64", "exec format error"}, []string{"set-platform"}},
		{"arch-mismatch-fixed", nil, nil, nil},
		{"gpu-unavailable", []string{"trainer/gpu-unavailable"}, []string{"NVIDIA GPU", "NVIDIA Container Toolkit is not installed"}, []string{"no-gpu", "profile-off"}},
		{"gpu-unavailable-fixed", nil, nil, nil},
		{"port-conflict-host", []string{"web/port-conflict"}, []string{"host process doctor.test (pid"}, []string{"remap-port"}},
		{"port-conflict-container", []string{"web/port-conflict"}, []string{"(project suttestengineportconflictcontaine", "service web)"}, []string{"remap-port"}},
		{"crash-loop", []string{"flaky/crash-loop"}, []string{"crash loop", "exiting with code 3 each time"}, []string{"restart"}},
		{"unhealthy", []string{"api/unhealthy"}, []string{"healthcheck fails", "it blocks web"}, []string{"restart"}},
		{"unhealthy-restarted", nil, nil, nil},
		{"error-exit", []string{"job/error-exit"}, []string{"exited with code 2", "panic: boom"}, []string{}},
		{"image-missing", []string{"ghost/image-missing"}, []string{"stackui-doctor-test/never-built:nope", "registry cannot be reached"}, []string{}},
		{"cuda-driver", []string{"trainer/cuda-driver"}, []string{"newer NVIDIA driver"}, []string{}},
		{"no-space", []string{"db/no-space"}, []string{"disk is full"}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			fs := Diagnose(loadEvidence(t, tc.file))
			var ids []string
			for _, f := range fs {
				ids = append(ids, f.ID)
			}
			if !slices.Equal(ids, tc.want) {
				t.Fatalf("findings %v, want %v", ids, tc.want)
			}
			if len(fs) == 0 {
				return
			}
			f := fs[0]
			for _, s := range tc.summary {
				if !strings.Contains(f.Summary, s) {
					t.Errorf("summary %q lacks %q", f.Summary, s)
				}
			}
			var fixes []string
			for _, x := range f.Fixes {
				fixes = append(fixes, x.ID)
			}
			if !slices.Equal(fixes, tc.fixes) && !(len(fixes) == 0 && len(tc.fixes) == 0) {
				t.Errorf("fixes %v, want %v", fixes, tc.fixes)
			}
			if len(f.Evidence) == 0 || f.Explanation == "" || f.Severity == "" {
				t.Errorf("finding lacks evidence, explanation or severity: %+v", f)
			}
		})
	}
}

// evidence builds a one-service evidence for the Go table cases.
func evidence(m ServiceModel, cs ...stack.Container) Evidence {
	if m.Name == "" {
		m.Name = "app"
	}
	if m.Image == "" {
		m.Image = "example/app:1"
	}
	m.Enabled = true
	for i := range cs {
		cs[i].Service = m.Name
		if cs[i].ID == "" {
			cs[i].ID = "c" + string(rune('0'+i))
		}
		if cs[i].Name == "" {
			cs[i].Name = "proj_" + m.Name + "_1"
		}
	}
	return Evidence{
		Project: "proj", EngineReachable: true,
		Engine:   stack.EngineInfo{OS: "linux", Arch: "amd64", MemTotal: uint64(8 * gib), Runtimes: []string{"runc"}},
		Services: []ServiceEvidence{{Model: m, Containers: cs, ImagePlatform: "linux/amd64"}},
	}
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func exited(code int) stack.Container {
	return stack.Container{State: stack.StateExited, ExitCode: code, StartedAt: t0, FinishedAt: t0.Add(time.Second)}
}

func TestRulesTable(t *testing.T) {
	oomNoLimit := exited(137)
	oomNoLimit.OOMKilled = true
	desktop := evidence(ServiceModel{}, oomNoLimit)
	desktop.Engine.OperatingSystem = "Docker Desktop"

	restarting := exited(1)
	restarting.State = stack.StateRestarting
	restarting.RestartCount = 5

	healthy := stack.Container{State: stack.StateRunning, Health: "healthy", StartedAt: t0}
	unhealthyDB := stack.Container{State: stack.StateRunning, Health: "unhealthy", StartedAt: t0,
		HealthLog: []stack.HealthProbe{{Start: t0, ExitCode: 1, Output: "pg_isready: no response"}}}

	emulated := evidence(ServiceModel{}, stack.Container{State: stack.StateRunning, StartedAt: t0})
	emulated.Services[0].ImagePlatform = "linux/arm64"
	notYet := evidence(ServiceModel{})
	notYet.Services[0].ImagePlatform = "linux/arm64"

	gpuV2 := evidence(ServiceModel{GPU: true})
	gpuV2.ComposeCLI = "docker compose 2.29.1"

	unattributed := evidence(ServiceModel{}, exited(0))
	unattributed.ComposeFailure = []string{"Error response from daemon: pull access denied for other/thing, repository does not exist or may require 'docker login'"}

	v2Pull := evidence(ServiceModel{Name: "api", Image: "acme/api:2"})
	v2Pull.ComposeFailure = []string{" api Pulling", " api Error pull access denied for acme/api, repository does not exist or may require 'docker login'",
		"Error response from daemon: pull access denied for acme/api, repository does not exist or may require 'docker login'"}
	v2Pull.ComposeFailure[1] = "Error response from daemon: manifest for acme/api:2 not found: manifest unknown: manifest unknown"

	// What docker compose v5.6.0 printed for a missing image with no
	// registry in reach: the progress lines name the image, not the service.
	v5Pull := evidence(ServiceModel{Name: "ghost", Image: "acme/ghost:nope"})
	v5Pull.ComposeFailure = []string{" Image acme/ghost:nope Pulling",
		` Image acme/ghost:nope Error Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host`,
		`Error response from daemon: Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host`}

	stopped143 := evidence(ServiceModel{}, exited(143))

	cases := []struct {
		name    string
		ev      Evidence
		want    string // finding id, "" for none
		summary string
		check   func(t *testing.T, f Finding)
	}{
		{"exit 0 is fine", evidence(ServiceModel{}, exited(0)), "", "", nil},
		{"running and healthy is fine", evidence(ServiceModel{Healthcheck: true}, healthy), "", "", nil},
		{"created and waiting is fine", evidence(ServiceModel{}, stack.Container{State: stack.StateCreated}), "", "", nil},
		{"stopped by SIGTERM is fine", stopped143, "", "", nil},
		{"plain 137 is neither oom nor sigkill: nothing says who killed it", evidence(ServiceModel{}, exited(137)), "app/killed", "killed by SIGKILL; the engine reports no OOM kill and no stop", func(t *testing.T, f Finding) {
			if len(f.Fixes) != 0 {
				t.Errorf("a guess offered as a fix: %+v", f.Fixes)
			}
		}},
		{"oom with no limit: the engine ran out", evidence(ServiceModel{}, oomNoLimit), "app/oom", "no limit of its own: the engine's memory (8GiB) ran out", func(t *testing.T, f Finding) {
			if len(f.Fixes) != 0 {
				t.Errorf("a raise is offered without a limit: %+v", f.Fixes)
			}
		}},
		{"oom on Docker Desktop", desktop, "app/oom", "Docker Desktop VM", nil},
		{"oom never beyond the engine", evidence(ServiceModel{MemLimit: 6 * gib}, func() stack.Container { c := exited(137); c.OOMKilled = true; return c }()), "app/oom", "6GiB limit", func(t *testing.T, f Finding) {
			if len(f.Fixes) != 1 || f.Fixes[0].Action.Bytes != 8*gib {
				t.Errorf("fixes %+v, want a raise to the engine's 8GiB", f.Fixes)
			}
		}},
		{"restarting with exit 1 is a crash loop", evidence(ServiceModel{Restart: "always"}, restarting), "app/crash-loop", "restarted 5 times", func(t *testing.T, f Finding) {
			if !f.Fixes[0].Auto {
				t.Error("stateless restart should be automatic")
			}
		}},
		{"a data service is never restarted on its own", evidence(ServiceModel{Image: "postgres:16"}, unhealthyDB), "app/unhealthy", "healthcheck fails", func(t *testing.T, f Finding) {
			if f.Fixes[0].Auto || !strings.Contains(f.Fixes[0].Title, "asks") {
				t.Errorf("fix %+v", f.Fixes[0])
			}
			if !slices.ContainsFunc(f.Evidence, func(s string) bool { return strings.Contains(s, "pg_isready: no response") }) {
				t.Errorf("probe output missing: %v", f.Evidence)
			}
		}},
		{"emulated foreign image is slow", emulated, "app/arch-mismatch", "runs emulated, which is slow", func(t *testing.T, f Finding) {
			if f.Severity != SeverityLow || f.Fixes[0].ID != "pin-platform" || f.Fixes[0].Action.Platform != "linux/arm64" {
				t.Errorf("finding %+v", f)
			}
		}},
		{"foreign image not run yet", notYet, "app/arch-mismatch", "will not start without emulation", nil},
		{"GPU offers the override under any compose", gpuV2, "app/gpu-unavailable", "starting it will fail", func(t *testing.T, f Finding) {
			if len(f.Fixes) != 1 || f.Fixes[0].ID != "no-gpu" {
				t.Errorf("fixes %+v", f.Fixes)
			}
		}},
		{"a failure no service claims is the project's", unattributed, "image-missing", "could not be found or pulled", nil},
		{"compose v2 pull error names the service by image", v2Pull, "api/image-missing", "acme/api:2", nil},
		{"compose v5 pull progress names the image", v5Pull, "ghost/image-missing", "the registry cannot be reached", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := Diagnose(tc.ev)
			if tc.want == "" {
				if len(fs) != 0 {
					t.Fatalf("findings %+v, want none", fs)
				}
				return
			}
			if len(fs) != 1 || fs[0].ID != tc.want {
				t.Fatalf("findings %+v, want one %s", fs, tc.want)
			}
			if !strings.Contains(fs[0].Summary, tc.summary) {
				t.Errorf("summary %q lacks %q", fs[0].Summary, tc.summary)
			}
			if tc.check != nil {
				tc.check(t, fs[0])
			}
		})
	}
}

func TestSizes(t *testing.T) {
	cases := []struct {
		limit    int64
		peak     uint64
		engine   uint64
		want     int64
		wantText string
	}{
		{32 * mib, 0, uint64(8 * gib), 64 * mib, "64m"},
		{48 * mib, 0, uint64(8 * gib), 128 * mib, "128m"},
		{64 * mib, uint64(100 * mib), uint64(8 * gib), 256 * mib, "256m"},
		{3 * gib / 2, 0, uint64(8 * gib), 3 * gib, "3g"},
		{6 * gib, 0, uint64(8 * gib), 8 * gib, "8g"},
		{8 * gib, 0, uint64(8 * gib), 0, ""},
		{512 * mib, 0, uint64(900 * mib), 0, ""}, // 900MiB rounds down to 512MiB: no raise
		{512 * mib, 0, 0, gib, "1g"},
	}
	for _, c := range cases {
		got := raisedLimit(c.limit, c.peak, c.engine)
		if got != c.want {
			t.Errorf("raisedLimit(%s, peak %d, engine %d) = %s, want %s", humanSize(c.limit), c.peak, c.engine, humanSize(got), humanSize(c.want))
		}
		if c.want > 0 && composeSize(got) != c.wantText {
			t.Errorf("composeSize(%d) = %q, want %q", got, composeSize(got), c.wantText)
		}
	}
}

func TestHoldsData(t *testing.T) {
	for img, want := range map[string]bool{
		"postgres:16": true, "docker.io/library/mysql": true, "bitnami/postgresql:15": true, "redis@sha256:abc": true,
		"mongo": true, "registry:5000/team/mariadb:11": true,
		"stackui-demo/workload:latest": false, "nginx": false, "python:3.12": false, "localhost:5000/api": false,
	} {
		if got := holdsData(img); got != want {
			t.Errorf("holdsData(%q) = %v, want %v", img, got, want)
		}
	}
}

func TestRestartBudget(t *testing.T) {
	b := NewRestartBudget()
	now := t0
	var waits []time.Duration
	for range 3 {
		w, ok := b.Take("api", now)
		if !ok {
			t.Fatal("budget spent too early")
		}
		waits = append(waits, w)
	}
	if !slices.Equal(waits, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second}) {
		t.Errorf("backoff %v", waits)
	}
	if _, ok := b.Take("api", now.Add(30*time.Minute)); ok {
		t.Error("a fourth restart within the hour was allowed")
	}
	if _, ok := b.Take("db", now); !ok {
		t.Error("another service's budget is separate")
	}
	if _, ok := b.Take("api", now.Add(61*time.Minute)); !ok {
		t.Error("the budget does not refill after an hour")
	}
}
