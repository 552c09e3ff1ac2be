package doctor

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/edit"
)

// An exit 137 on Podman: OOMKilled false and only die and cleanup among
// the events, whether the kernel killed it for memory or a stop ran out
// of grace. The evidence stackui gathers itself tells them apart.
func TestKillRules(t *testing.T) {
	podman := func(m ServiceModel) Evidence {
		ev := evidence(m, exited(137))
		ev.Engine.Engine, ev.Engine.ServerVersion = stack.EnginePodman, "4.3.1"
		s := &ev.Services[0]
		s.Events = []stack.Event{
			{Time: t0, Action: "start", ContainerID: "c0"},
			{Time: t0.Add(time.Second), Action: "die", ContainerID: "c0", ExitCode: 137},
			{Time: t0.Add(time.Second), Action: "cleanup", ContainerID: "c0"},
		}
		return ev
	}
	withSeen := podman(ServiceModel{MemLimit: 32 << 20})
	withSeen.Services[0].OOMSeen = []OOMSeen{{Container: "c0", Service: "app", At: t0.Add(900 * time.Millisecond), Kills: 1,
		Source: "memory cgroup (eventfd)", MemUsed: 30 << 20, MemLimit: 32 << 20}}

	kernelLog := podman(ServiceModel{MemLimit: 32 << 20})
	kernelLog.Services[0].OOMSeen = []OOMSeen{{Container: "c0", At: t0.Add(900 * time.Millisecond), Kills: 1, Source: "kernel log (oom-kill of stackui, pid 7)"}}

	earlierRun := podman(ServiceModel{})
	earlierRun.Services[0].OOMSeen = []OOMSeen{{Container: "c0", At: t0.Add(-time.Hour), Kills: 1, Source: "memory cgroup (eventfd)"}}

	issued := podman(ServiceModel{StopGracePeriod: time.Second})
	issued.Services[0].Stops = []IssuedStop{{Service: "app", Action: "stop", Start: t0.Add(-100 * time.Millisecond), End: t0.Add(1200 * time.Millisecond)}}

	otherStop := podman(ServiceModel{})
	otherStop.Services[0].Stops = []IssuedStop{{Service: "db", Action: "stop", Start: t0, End: t0.Add(2 * time.Second)}}

	down := podman(ServiceModel{})
	down.Services[0].Stops = []IssuedStop{{Action: "down", Start: t0, End: t0.Add(2 * time.Second)}}

	staleStop := podman(ServiceModel{})
	staleStop.Services[0].Stops = []IssuedStop{{Service: "app", Action: "stop", Start: t0.Add(-time.Hour), End: t0.Add(-time.Hour + time.Second)}}

	podmanKill := podman(ServiceModel{})
	podmanKill.Services[0].Events = append(podmanKill.Services[0].Events, stack.Event{Time: t0.Add(900 * time.Millisecond), Action: "kill", ContainerID: "c0"})

	dockerStopEvent := evidence(ServiceModel{}, exited(137))
	dockerStopEvent.Services[0].Events = []stack.Event{{Time: t0.Add(1100 * time.Millisecond), Action: "stop", ContainerID: "c0"}}

	measured := podman(ServiceModel{MemLimit: 32 << 20})
	measured.Services[0].LastMem = []MemSample{{Container: "c0", Service: "app", At: t0.Add(500 * time.Millisecond), Used: 30 << 20, Limit: 32 << 20}}

	cases := []struct {
		name     string
		ev       Evidence
		want     string
		summary  string
		evidence string // one evidence line holds this
		fixes    []string
	}{
		{"podman, cgroup OOM seen", withSeen, "app/oom", "32MiB limit", "the engine (podman 4.3.1) reports no OOM kill", []string{"raise-memory"}},
		{"podman, kernel log OOM", kernelLog, "app/oom", "32MiB limit", "kernel log (oom-kill of stackui", []string{"raise-memory"}},
		{"an earlier run's OOM is not this one's", earlierRun, "app/killed", "no OOM kill and no stop", "events of the container: start, die, cleanup", nil},
		{"podman, a stop stackui ran", issued, "app/sigkill", "did not stop within its 1s stop grace period", "stackui ran stop", []string{"raise-stop-grace"}},
		{"another service's stop is no evidence", otherStop, "app/killed", "no OOM kill and no stop", "", nil},
		{"stackui's down stops every service", down, "app/sigkill", "did not stop within", "stackui ran down", []string{"raise-stop-grace"}},
		{"a stop long before is no evidence", staleStop, "app/killed", "no OOM kill and no stop", "", nil},
		{"podman's kill event names no signal", podmanKill, "app/sigkill", "a docker kill", "the engine records no signal", nil},
		{"docker's stop event alone", dockerStopEvent, "app/sigkill", "did not stop within", "event: stop", []string{"raise-stop-grace"}},
		{"no evidence, memory measured", measured, "app/killed", "at the last sample it used 30MiB of its 32MiB limit (94%)", "no OOM kill was seen in its memory cgroup", nil},
		{"no evidence on podman says podman", podman(ServiceModel{}), "app/killed", "the engine reports no OOM kill and no stop", "engine podman 4.3.1: OOMKilled false", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := Diagnose(tc.ev)
			if len(fs) != 1 || fs[0].ID != tc.want {
				t.Fatalf("findings %+v, want one %s", fs, tc.want)
			}
			f := fs[0]
			if !strings.Contains(f.Summary, tc.summary) {
				t.Errorf("summary %q lacks %q", f.Summary, tc.summary)
			}
			if tc.evidence != "" && !slices.ContainsFunc(f.Evidence, func(l string) bool { return strings.Contains(l, tc.evidence) }) {
				t.Errorf("no evidence line with %q:\n%s", tc.evidence, strings.Join(f.Evidence, "\n"))
			}
			var ids []string
			for _, x := range f.Fixes {
				ids = append(ids, x.ID)
			}
			if !slices.Equal(ids, tc.fixes) {
				t.Errorf("fixes %v, want %v", ids, tc.fixes)
			}
		})
	}
}

// A stop stackui ran is kept where every stackui process reads it.
func TestIssuedStopsRecord(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	now := time.Now()
	if err := RecordStop("p/x", IssuedStop{Service: "web", Action: "stop", Start: now, End: now.Add(time.Second)}); err != nil {
		t.Fatal(err)
	}
	old := IssuedStop{Service: "web", Action: "stop", Start: now.Add(-48 * time.Hour), End: now.Add(-48 * time.Hour)}
	if err := RecordStop("p/x", old); err != nil {
		t.Fatal(err)
	}
	got, err := IssuedStops("p/x")
	if err != nil || len(got) != 1 || got[0].Service != "web" || !got[0].Start.Equal(now) {
		t.Fatalf("stops %+v %v; want the recent one only", got, err)
	}
	if none, err := IssuedStops("other"); err != nil || len(none) != 0 {
		t.Errorf("another project's: %+v %v", none, err)
	}
}

// A garbled record does not stop stackui recording: it starts again.
func TestIssuedStopsRecordStartsAgainAfterGarbage(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	path, err := edit.ProjectFile("stops", "p")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, junk := range []string{`[{"service":"web","act`, `{"not":"a list"}`} {
		if err := os.WriteFile(path, []byte(junk), 0o600); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		if err := RecordStop("p", IssuedStop{Service: "db", Action: "stop", Start: now, End: now}); err != nil {
			t.Fatalf("after %q: %v", junk, err)
		}
		if got, err := IssuedStops("p"); err != nil || len(got) != 1 || got[0].Service != "db" {
			t.Errorf("after %q: stops %+v %v, want the new one", junk, got, err)
		}
	}
}
