package doctor_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
)

// runtimeImage is the demo workload image, built by testenv.DemoImages
// from this checkout's binary (stackui demo --images-only).
const runtimeImage = "stackui-demo/workload:latest"

func runtimeFixture(t *testing.T, composeYAML string, profiles ...string) *fixture {
	t.Helper()
	testenv.DemoImages(t)
	return newFixture(t, strings.ReplaceAll(composeYAML, "IMAGE", runtimeImage), profiles...)
}

func exited(c stack.Container) bool { return c.State == stack.StateExited }

// Each runtime kind, reproduced: the kind, the service and the named thing,
// and nothing for the services that print the same words and run fine,
// finish with 0, or were stopped.
func TestEngineRuntimeKinds(t *testing.T) {
	t.Parallel()
	f := runtimeFixture(t, `services:
  probe:
    image: IMAGE
    command: ["--serve", ":8080"]
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8080/health"]
      interval: 1s
      timeout: 2s
      retries: 2
  trainer:
    image: IMAGE
    command: ["--print", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)", "--exit-code", "1"]
  loader:
    image: IMAGE
    command: ["--shm-alloc", "100M"]
  web:
    image: IMAGE
    command: ["--print", "KeyError: 'DATABASE_URL'", "--exit-code", "1"]
    environment:
      APP_MODE: dev
  worker:
    image: IMAGE
    command: ["--print", "error: Bus error, killed, OOM, CUDA out of memory, KeyError: 'DATABASE_URL', exec: \"curl\": executable file not found in $PATH", "--log-rate", "2"]
    environment:
      DATABASE_URL: postgres://db/app
  oneshot:
    image: IMAGE
    command: ["--print", "Bus error (core dumped) KeyError: 'SECRET_KEY' CUDA out of memory", "--exit-code", "0"]
  stopped:
    image: IMAGE
    command: ["--print", "CUDA out of memory; DATABASE_URL is not set; Bus error", "--log-rate", "1"]
`)
	if err := os.WriteFile(filepath.Join(f.dir, ".env.example"), []byte("# copy to .env\nDATABASE_URL=postgres://localhost/app\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f.mustUp()
	f.wait("stopped", "running", running)
	if err := f.cli.Stop(f.ctx, f.p, nil, []string{"stopped"}, nil); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"trainer", "loader", "web", "oneshot", "stopped"} {
		f.wait(s, "its exit", exited)
	}
	f.wait("probe", "unhealthy", func(c stack.Container) bool { return c.Health == "unhealthy" })
	f.wait("worker", "running", running)
	_, fs := f.diagnose(nil)
	want := map[string]struct {
		kind    doctor.Kind
		summary []string
		fixes   []string
	}{
		"probe/healthcheck-broken": {doctor.KindHealthcheckBroken, []string{"has no curl", "restarting cannot help"}, nil},
		"trainer/gpu-oom":          {doctor.KindGPUOOM, []string{"GPU memory", "2.00 GiB"}, nil},
		"loader/shm-too-small":     {doctor.KindShmTooSmall, []string{"/dev/shm is 64MiB", "SIGBUS (exit 135)"}, []string{"raise-shm", "ipc-host"}},
		"web/missing-env":          {doctor.KindMissingEnv, []string{"DATABASE_URL", ".env.example and service worker's environment define it"}, nil},
	}
	if len(fs) != len(want) {
		t.Errorf("%d findings, want %d", len(fs), len(want))
	}
	for _, x := range fs {
		w, ok := want[x.ID]
		if !ok {
			t.Errorf("unexpected finding %s: %s", x.ID, x.Summary)
			continue
		}
		for _, s := range w.summary {
			if !strings.Contains(x.Summary, s) {
				t.Errorf("%s: summary %q lacks %q", x.ID, x.Summary, s)
			}
		}
		if got := fixIDs(x); strings.Join(got, ",") != strings.Join(w.fixes, ",") {
			t.Errorf("%s: fixes %v, want %v", x.ID, got, w.fixes)
		}
		t.Logf("EVIDENCE %s: %s", x.ID, x.Evidence[0])
	}
}

// The shm fix raises shm_size, recreates the loader, and the check after
// the fix sees it stay up; the file keeps its comment.
func TestEngineShmFix(t *testing.T) {
	t.Parallel()
	f := runtimeFixture(t, `services:
  loader:
    image: IMAGE # DataLoader workers
    command: ["--shm-alloc", "100M"]
`)
	f.mustUp()
	f.wait("loader", "its exit", exited)
	_, fs := f.diagnose(nil)
	shm := only(t, fs, "loader", doctor.KindShmTooSmall)
	fix := fixOf(t, shm, "raise-shm")
	if !strings.Contains(fix.Diff, "+    shm_size: 1g") {
		t.Errorf("diff:\n%s", fix.Diff)
	}
	res := f.apply(fix)
	if res.Receipt == nil || !strings.Contains(string(res.Receipt.Files[0].After), "# DataLoader workers") {
		t.Errorf("receipt %+v lost the comment", res.Receipt)
	}
	out := f.verify("loader")
	if out.Kind != doctor.StaysUp {
		t.Fatalf("after the fix: %s", out)
	}
	if _, fs := f.diagnose(nil); len(fs) != 0 {
		t.Errorf("after the fix: %v", fs)
	}
}

// A service that still dies is "failed again", with its new finding.
func TestEngineVerifyFailedAgain(t *testing.T) {
	t.Parallel()
	f := runtimeFixture(t, `services:
  web:
    image: IMAGE
    command: ["--print", "environment variable SECRET_KEY is required", "--exit-after", "1s", "--exit-code", "3"]
  job:
    image: IMAGE
    command: ["--exit-after", "1s"]
`)
	f.mustUp()
	out := f.verify("web")
	if out.Kind != doctor.FailedAgain || out.Finding == nil || out.Finding.Kind != doctor.KindMissingEnv ||
		!strings.Contains(out.Finding.Summary, "SECRET_KEY") {
		t.Fatalf("outcome %s; want failed again with missing-env SECRET_KEY", out)
	}
	if out := f.verify("job"); out.Kind != doctor.ExitedOK {
		t.Errorf("job: %s", out)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	if _, err := doctor.Verify(ctx, doctor.VerifyOptions{Project: f.p, Source: doctor.DockerSource{Client: f.eng}, Service: "nope"}); err == nil {
		t.Error("an unknown service: no error")
	}
}

func (f *fixture) verify(service string) doctor.Outcome {
	f.t.Helper()
	seen := 0
	out, err := doctor.Verify(f.ctx, doctor.VerifyOptions{
		Project: f.p, Source: doctor.DockerSource{Client: f.eng}, Service: service,
		Window: 5 * time.Second, Poll: 200 * time.Millisecond,
		Progress: func(stack.Container, time.Duration) { seen++ },
		Gather:   doctor.Options{ComposeCLI: f.cli.String(), LogTail: 20, Logf: f.t.Logf},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	if seen == 0 {
		f.t.Error("no progress reported")
	}
	f.t.Logf("verify %s: %s", service, out)
	return out
}

var allocatedRe = regexp.MustCompile(`allocated ([0-9.]+)MiB of`)

// growthFromLogs measures the hog's growth from its own timestamped
// "allocated N MiB" lines, as the sampler would from stats.
func growthFromLogs(f *fixture, id string) (uint64, float64) {
	var ps []resources.Point
	f.eng.Logs(f.ctx, id, stack.LogOptions{Tail: stack.TailAll, Timestamps: true}, func(l stack.LogLine) error {
		if m := allocatedRe.FindStringSubmatch(l.Text); m != nil {
			var mb float64
			for _, r := range m[1] {
				if r >= '0' && r <= '9' {
					mb = mb*10 + float64(r-'0')
				}
			}
			ps = append(ps, resources.Point{Time: l.Time, MemUsed: uint64(mb) << 20})
		}
		return nil
	})
	return resources.MemTrend(ps)
}

// An OOM in a profile: the fixes' compose calls carry the profile. The
// blind raise is not enough, the second kill is named as such, and the
// measured raise holds.
func TestEngineOOMProfileRaisedAgain(t *testing.T) {
	t.Parallel()
	f := runtimeFixture(t, `services:
  hog:
    image: IMAGE
    profiles: ["train"]
    command: ["--alloc", "100M", "--alloc-step", "8M", "--alloc-every", "100ms"]
    mem_limit: 32m
`, "train")
	f.mustUp()
	f.wait("hog", "an OOM kill", func(c stack.Container) bool { return exited(c) && (c.OOMKilled || c.ExitCode == 137) })
	_, fs := f.diagnose(nil)
	f.apply(fixOf(t, only(t, fs, "hog", doctor.KindOOM), "raise-memory"))
	c := f.wait("hog", "an OOM kill at 64m", func(c stack.Container) bool { return exited(c) && (c.OOMKilled || c.ExitCode == 137) })
	peak, growth := growthFromLogs(f, c.ID)
	if growth <= 0 {
		t.Fatalf("no growth measured (peak %d)", peak)
	}
	ev := doctor.Gather(f.ctx, doctor.Options{Project: f.p, Source: doctor.DockerSource{Client: f.eng},
		ComposeCLI: f.cli.String(), LogTail: 20, MemGrowth: map[string]float64{"hog": growth}, PeakMem: map[string]uint64{"hog": peak}})
	fs = doctor.PlanFixes(f.p, doctor.Diagnose(ev), "")
	oom := only(t, fs, "hog", doctor.KindOOM)
	t.Logf("second oom: %s", oom.Summary)
	for _, s := range []string{"killed again at 64MiB after stackui raised it from 32MiB", "MiB/s until the kill", "would need about"} {
		if !strings.Contains(oom.Summary, s) {
			t.Errorf("summary %q lacks %q", oom.Summary, s)
		}
	}
	fix := fixOf(t, oom, "raise-memory")
	if fix.Action.Bytes <= 128<<20 {
		t.Errorf("measured raise to %d bytes: not past the 100M the hog holds plus growth", fix.Action.Bytes)
	}
	f.apply(fix)
	if out := f.verify("hog"); out.Kind != doctor.StaysUp {
		t.Errorf("after the measured raise: %s", out)
	}
}
