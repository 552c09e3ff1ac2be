package doctor

import (
	"slices"
	"strings"
	"testing"

	"github.com/stackui/stackui/stack"
)

// runtimeCase changes the recorded runtime-kinds evidence (seven services
// on the real engine: four failures, a chatty worker, a one-shot that
// exits 0 and a stopped service) and names the findings it must give.
type runtimeCase struct {
	name    string
	change  func(ev *Evidence)
	want    []string            // finding ids, in order
	summary map[string][]string // per finding id, texts its summary holds
	fixes   map[string][]string // per finding id, its fix ids
	absent  map[string][]string // per finding id, texts its summary must not hold
}

func rsvc(ev *Evidence, name string) *ServiceEvidence { return ev.Service(name) }

func TestRuntimeRules(t *testing.T) {
	all := []string{"loader/shm-too-small", "trainer/gpu-oom", "web/missing-env", "probe/healthcheck-broken"}
	without := func(id string, more ...string) []string {
		return slices.DeleteFunc(slices.Clone(all), func(s string) bool { return s == id || slices.Contains(more, s) })
	}
	cases := []runtimeCase{
		{name: "as recorded", want: all,
			summary: map[string][]string{
				"loader/shm-too-small":     {"/dev/shm is 64MiB", "shm_size is not set", "SIGBUS (exit 135)"},
				"trainer/gpu-oom":          {"GPU memory", "torch.OutOfMemoryError", "2.00 GiB", "not host memory"},
				"web/missing-env":          {"DATABASE_URL", ".env.example and service worker's environment define it"},
				"probe/healthcheck-broken": {"has no curl", "restarting cannot help"},
			},
			fixes: map[string][]string{"loader/shm-too-small": {"raise-shm", "ipc-host"}, "trainer/gpu-oom": {}, "web/missing-env": {}, "probe/healthcheck-broken": {}}},
		{name: "ipc host is no shm problem", change: func(ev *Evidence) { rsvc(ev, "loader").Model.IPC = "host" },
			want: append([]string{"loader/error-exit"}, without("loader/shm-too-small")...)},
		{name: "a SIGBUS with a large shm is not shm's", change: func(ev *Evidence) { rsvc(ev, "loader").Model.ShmSize = 8 * gib },
			want: append([]string{"loader/error-exit"}, without("loader/shm-too-small")...)},
		{name: "shm size set small is named", change: func(ev *Evidence) { rsvc(ev, "loader").Model.ShmSize = 128 * mib },
			want:    all,
			summary: map[string][]string{"loader/shm-too-small": {"/dev/shm is 128MiB; it died"}},
			absent:  map[string][]string{"loader/shm-too-small": {"not set"}}},
		{name: "ENOSPC on /dev/shm is shm, on a disk is no-space", change: func(ev *Evidence) {
			l := rsvc(ev, "loader")
			l.Containers[0].ExitCode = 1
			l.Logs = append(l.Logs, LogLine{Text: "OSError: [Errno 28] No space left on device: '/dev/shm/torch_1234'"})
			tr := rsvc(ev, "trainer")
			tr.Logs = []LogLine{{Text: "OSError: [Errno 28] No space left on device: '/data/ckpt.pt'"}}
		}, want: []string{"loader/shm-too-small", "trainer/no-space", "web/missing-env", "probe/healthcheck-broken"},
			absent: map[string][]string{"loader/shm-too-small": {"SIGBUS"}}},
		{name: "DataLoader's message with a large shm still counts", change: func(ev *Evidence) {
			l := rsvc(ev, "loader")
			l.Model.ShmSize = 2 * gib
			l.Containers[0].ExitCode = 1
			l.Logs = append(l.Logs, LogLine{Text: "RuntimeError: DataLoader worker (pid 42) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory. Please try to raise your shared memory limit. ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm)."})
		}, want: all, summary: map[string][]string{"loader/shm-too-small": {"/dev/shm is 2GiB"}}},
		{name: "a usage text that names /dev/shm and SIGBUS is no shm problem", change: func(ev *Evidence) {
			l := rsvc(ev, "loader")
			l.Containers[0].ExitCode = 2
			l.Logs = []LogLine{
				{Text: "flag provided but not defined: -serve-after"},
				{Text: "    \tmap a file of this size in /dev/shm and touch every page, then hold it (past the container's shm_size: dies of SIGBUS, exit 135)"},
			}
		}, want: append([]string{"loader/error-exit"}, without("loader/shm-too-small")...)},
		{name: "the variable is set: no missing-env", change: func(ev *Evidence) {
			rsvc(ev, "web").Model.Env = []string{"APP_MODE", "DATABASE_URL"}
		}, want: []string{"loader/shm-too-small", "trainer/gpu-oom", "probe/healthcheck-broken", "web/error-exit"}},
		{name: "not defined anywhere else", change: func(ev *Evidence) {
			ev.EnvExample = nil
			rsvc(ev, "worker").Model.Env = nil
		}, want: all, absent: map[string][]string{"web/missing-env": {"defines", "define it"}}},
		{name: "other wordings name the variable", change: func(ev *Evidence) {
			rsvc(ev, "web").Logs = []LogLine{{Text: "Error: environment variable REDIS_URL is required"}}
		}, want: all, summary: map[string][]string{"web/missing-env": {"REDIS_URL"}}},
		{name: "running fine with the same words: nothing", change: func(ev *Evidence) {
			for _, n := range []string{"trainer", "web", "loader"} {
				s := rsvc(ev, n)
				s.Containers[0].State, s.Containers[0].ExitCode = stack.StateRunning, 0
			}
			p := rsvc(ev, "probe")
			p.Containers[0].Health = "healthy"
		}, want: nil},
		{name: "a stop is no death", change: func(ev *Evidence) {
			for _, n := range []string{"trainer", "web", "loader"} {
				rsvc(ev, n).Containers[0].ExitCode = 143
			}
		}, want: []string{"probe/healthcheck-broken"}},
		{name: "a probe that runs and fails is unhealthy", change: func(ev *Evidence) {
			c := &rsvc(ev, "probe").Containers[0]
			c.HealthLog = []stack.HealthProbe{{ExitCode: 1, Output: "curl: (7) Failed to connect to localhost port 8080: Connection refused"}}
		}, want: append(without("probe/healthcheck-broken"), "probe/unhealthy")},
		{name: "a CMD-SHELL probe without a shell", change: func(ev *Evidence) {
			c := &rsvc(ev, "probe").Containers[0]
			c.HealthLog[len(c.HealthLog)-1].Output = `OCI runtime exec failed: exec failed: container_linux.go:380: starting container process caused: exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown`
		}, want: all, summary: map[string][]string{"probe/healthcheck-broken": {"no shell"}}},
		{name: "GPU memory of other containers is named", change: func(ev *Evidence) {
			ev.GPUUsers = []GPUUser{
				{Container: "other-notebook-1", Project: "other", Service: "notebook", Bytes: uint64(6 * gib)},
				{Container: ev.Project + "-trainer-1", Project: ev.Project, Service: "trainer", Bytes: uint64(gib)},
			}
		}, want: all, summary: map[string][]string{"trainer/gpu-oom": {"container other-notebook-1 (project other, service notebook) holds 6GiB"}},
			absent: map[string][]string{"trainer/gpu-oom": {"-trainer-1"}}},
		{name: "RESOURCE_EXHAUSTED without GPU words is not gpu-oom", change: func(ev *Evidence) {
			rsvc(ev, "trainer").Logs = []LogLine{{Text: "grpc: code = RESOURCE_EXHAUSTED desc = quota exceeded"}}
		}, want: append(without("trainer/gpu-oom"), "trainer/error-exit")},
		{name: "a crash loop of GPU OOM is gpu-oom", change: func(ev *Evidence) {
			c := &rsvc(ev, "trainer").Containers[0]
			c.State, c.RestartCount = stack.StateRunning, 4
		}, want: all},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := loadEvidence(t, "runtime-kinds")
			if tc.change != nil {
				tc.change(&ev)
			}
			fs := Diagnose(ev)
			var ids []string
			for _, f := range fs {
				ids = append(ids, f.ID)
			}
			if !sameSet(ids, tc.want) {
				t.Fatalf("findings %v, want %v", ids, tc.want)
			}
			for _, f := range fs {
				for _, s := range tc.summary[f.ID] {
					if !strings.Contains(f.Summary, s) {
						t.Errorf("%s: summary %q lacks %q", f.ID, f.Summary, s)
					}
				}
				for _, s := range tc.absent[f.ID] {
					if strings.Contains(f.Summary, s) {
						t.Errorf("%s: summary %q holds %q", f.ID, f.Summary, s)
					}
				}
				if want, ok := tc.fixes[f.ID]; ok {
					var got []string
					for _, x := range f.Fixes {
						got = append(got, x.ID)
					}
					if !slices.Equal(got, want) && len(got)+len(want) > 0 {
						t.Errorf("%s: fixes %v, want %v", f.ID, got, want)
					}
				}
				if len(f.Evidence) == 0 || f.Explanation == "" {
					t.Errorf("%s: no evidence or explanation", f.ID)
				}
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// The shm fix at least doubles /dev/shm, 1g at the least.
func TestShmFixSize(t *testing.T) {
	for _, tc := range []struct{ shm, want int64 }{{0, gib}, {256 * mib, gib}, {768 * mib, 2 * gib}} {
		ev := loadEvidence(t, "runtime-kinds")
		rsvc(&ev, "loader").Model.ShmSize = tc.shm
		for _, f := range Diagnose(ev) {
			if f.Kind == KindShmTooSmall && f.Fixes[0].Action.Bytes != tc.want {
				t.Errorf("shm %d: raise to %d, want %d", tc.shm, f.Fixes[0].Action.Bytes, tc.want)
			}
		}
	}
}

// A second OOM kill at a limit stackui raised is named, with the growth
// measured; without a measurement there is no second blind raise.
func TestOOMMeasured(t *testing.T) {
	base := loadEvidence(t, "oom")
	raise := &MemRaise{From: 16 * mib, To: 32 * mib, When: t0}
	cases := []struct {
		name    string
		growth  float64
		raise   *MemRaise
		summary []string
		fixTo   int64 // 0: no fix
	}{
		{"blind doubling without measurements", 0, nil, []string{"32MiB limit"}, 64 * mib},
		{"measured growth sizes the raise", 40 * float64(mib), nil, []string{"it grew 40MiB/s until the kill"}, 256 * mib},
		{"killed again, measured", 160 * float64(mib), raise,
			[]string{"killed again at 32MiB after stackui raised it from 16MiB", "it grew 160MiB/s until the kill", "would need about 1GiB"}, gib},
		{"killed again, unmeasured: no blind raise", 0, raise, []string{"killed again at 32MiB"}, 0},
		{"a raise of another limit is history", 0, &MemRaise{From: 8 * mib, To: 16 * mib, When: t0}, []string{"32MiB limit"}, 64 * mib},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := base
			ev.Services = slices.Clone(base.Services)
			s := &ev.Services[0]
			s.MemGrowth, s.LastRaise = tc.growth, tc.raise
			fs := Diagnose(ev)
			if len(fs) != 1 || fs[0].Kind != KindOOM {
				t.Fatalf("findings %+v", fs)
			}
			f := fs[0]
			for _, w := range tc.summary {
				if !strings.Contains(f.Summary, w) {
					t.Errorf("summary %q lacks %q", f.Summary, w)
				}
			}
			switch {
			case tc.fixTo == 0 && len(f.Fixes) != 0:
				t.Errorf("fixes %+v, want none", f.Fixes)
			case tc.fixTo != 0 && (len(f.Fixes) != 1 || f.Fixes[0].Action.Bytes != tc.fixTo):
				t.Errorf("fixes %+v, want a raise to %d", f.Fixes, tc.fixTo)
			}
		})
	}
}

// Logs and probe outputs are untrusted: any of them gives complete
// findings, never a panic, and a clean exit 0 never a runtime finding.
func FuzzRuntimeText(f *testing.F) {
	f.Add("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", `OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown`, 135)
	f.Add("KeyError: 'DATABASE_URL'", `exec: "/bin/sh": stat /bin/sh: no such file or directory`, 1)
	f.Add("ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).", "exec failed:", 0)
	f.Fuzz(func(t *testing.T, logs, probe string, code int) {
		dead := exited(code)
		ev := evidence(ServiceModel{Name: "job"}, dead)
		for _, l := range strings.Split(logs, "\n") {
			ev.Services[0].Logs = append(ev.Services[0].Logs, LogLine{Text: l})
		}
		live := stack.Container{ID: "h", Name: "p-probe-1", Service: "probe", State: stack.StateRunning, Health: "unhealthy",
			HealthLog: []stack.HealthProbe{{ExitCode: -1, Output: probe}}}
		ev.Services = append(ev.Services, ServiceEvidence{Model: ServiceModel{Name: "probe", Enabled: true}, Containers: []stack.Container{live}})
		for _, x := range Diagnose(ev) {
			if x.ID == "" || x.Summary == "" || x.Kind == "" || x.Fixes == nil {
				t.Errorf("incomplete finding %+v", x)
			}
			if x.Service == "job" && code == 0 {
				t.Errorf("exit 0 gave %s", x.ID)
			}
		}
	})
}
