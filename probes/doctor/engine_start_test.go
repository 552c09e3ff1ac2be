package doctor_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stackui/stackui/demo"
	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
)

// startImage is the demo workload image, built by testenv.DemoImages
// from this checkout's binary (stackui demo --images-only).
const startImage = "stackui-demo/workload:latest"

func newStartFixture(t *testing.T, composeYAML string) *fixture {
	t.Helper()
	testenv.DemoImages(t)
	return newFixture(t, strings.ReplaceAll(composeYAML, "IMAGE", startImage))
}

// ids lists the findings' ids.
func ids(fs []doctor.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.ID)
	}
	return out
}

func wantIDs(t *testing.T, fs []doctor.Finding, want ...string) {
	t.Helper()
	if got := ids(fs); !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
}

func mustContain(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s %q lacks %q", what, s, sub)
		}
	}
}

// A bind of a file that was never written (Docker makes it an empty
// folder, which cannot go onto the image's file) and an entrypoint the
// image lacks: both containers stay created. The third service is fine.
func TestEngineMountAndCommand(t *testing.T) {
	t.Parallel()
	f := newStartFixture(t, `services:
  web:
    image: IMAGE
    command: ["--serve", ":8080"]
    volumes:
      - ./site.conf:/stackui
  bad:
    image: IMAGE
    entrypoint: ["/usr/bin/node", "server.js"]
  ok:
    image: IMAGE
    command: ["--log-rate", "1"]
`)
	err := f.up()
	if err == nil {
		t.Fatal("up succeeded")
	}
	f.wait("web", "left created", func(c stack.Container) bool { return c.State == stack.StateCreated && c.Error != "" })
	f.wait("bad", "left created", func(c stack.Container) bool { return c.State == stack.StateCreated && c.Error != "" })
	f.wait("ok", "running", running)
	_, fs := f.diagnose(err)
	wantIDs(t, fs, "bad/command-not-found", "web/mount-error")
	mustContain(t, "summary", fs[0].Summary, "/usr/bin/node", "entrypoint")
	mustContain(t, "evidence", strings.Join(fs[0].Evidence, "\n"), "compose file: compose.yaml:9")
	mustContain(t, "summary", fs[1].Summary, "./site.conf", "empty folder", "/stackui")
	mustContain(t, "evidence", strings.Join(fs[1].Evidence, "\n"), "compose file: compose.yaml:6")
	t.Logf("trigger bad: %s", fs[0].Evidence[0])
	t.Logf("trigger web: %s", fs[1].Evidence[0])
}

// A server that listens on 127.0.0.1 only, published: the host gets a
// reset. A noisy service that listens on all addresses is fine.
func TestEngineListenLocalhost(t *testing.T) {
	t.Parallel()
	f := newStartFixture(t, `services:
  local:
    image: IMAGE
    command: ["--serve", "127.0.0.1:3000"]
    ports: ["3000"]
  noisy:
    image: IMAGE
    command: ["--serve", ":8080", "--print", "error: dial tcp 10.0.0.9:5432: connect: connection refused; lookup databse: no such host; killed"]
    ports: ["8080"]
`)
	f.mustUp()
	local := f.wait("local", "serving", running)
	noisy := f.wait("noisy", "serving", running)
	f.wait("local", "listening", func(c stack.Container) bool { return logsSay(f, local.ID, "serving http") })
	f.wait("noisy", "listening", func(c stack.Container) bool { return logsSay(f, noisy.ID, "serving http") })
	_, fs := f.diagnose(nil)
	wantIDs(t, fs, "local/listen-localhost")
	mustContain(t, "summary", fs[0].Summary, "127.0.0.1:3000", "port 3000")
	t.Logf("trigger: %s", strings.Join(fs[0].Evidence, " | "))
}

// An app that dials its database before it listens dies with "connection
// refused"; restart: on-failure lets it try again until the database
// answers.
func TestEngineDependencyUnreachable(t *testing.T) {
	t.Parallel()
	f := newStartFixture(t, `services:
  db:
    image: IMAGE
    command: ["--serve", ":5432", "--serve-after", "20s"]
  app:
    image: IMAGE
    command: ["--connect", "db:5432"]
    depends_on: [db]
`)
	// db first: on a loaded machine compose may take seconds between the
	// two, and the app must start before db listens.
	f.mustUp("db")
	f.mustUp("app")
	f.wait("app", "its exit", func(c stack.Container) bool { return c.State == stack.StateExited })
	_, fs := f.diagnose(nil)
	d := only(t, fs, "app", doctor.KindDependencyUnreachable)
	mustContain(t, "summary", d.Summary, "could not reach db at ", ":5432: db runs")
	t.Logf("trigger: %s", d.Evidence[0])
	fix := fixOf(t, d, "restart-on-failure")
	mustContain(t, "diff", fix.Diff, "+    restart: on-failure")
	f.apply(fix)
	app := f.wait("app", "connected", func(c stack.Container) bool { return running(c) && logsSay(f, c.ID, "connected to db:5432") })
	_, fs = f.diagnose(nil)
	// Its restarts while db was not listening are no crash loop.
	if len(fs) != 0 {
		t.Errorf("after the fix: %v, want none", ids(fs))
	}
	t.Logf("after the repair: app restarted %d times; findings %v", app.RestartCount, ids(fs))
}

// A misspelled host: "did you mean database?", and the fix corrects the
// command, after which the one-shot connects and exits 0.
func TestEngineUnknownHost(t *testing.T) {
	t.Parallel()
	f := newStartFixture(t, `services:
  database:
    image: IMAGE
    command: ["--serve", ":5432"]
  worker:
    image: IMAGE
    command: ["--connect", "databse:5432", "--exit-code", "0"]
`)
	f.mustUp()
	db := f.wait("database", "running", running)
	f.wait("database", "listening", func(stack.Container) bool { return logsSay(f, db.ID, "serving http") })
	f.wait("worker", "its exit", func(c stack.Container) bool { return c.State == stack.StateExited })
	_, fs := f.diagnose(nil)
	u := only(t, fs, "worker", doctor.KindUnknownHost)
	mustContain(t, "summary", u.Summary, "databse", "did you mean database?")
	t.Logf("trigger: %s", u.Evidence[0])
	fix := fixOf(t, u, "replace-host")
	mustContain(t, "diff", fix.Diff, `-    command: ["--connect", "databse:5432", "--exit-code", "0"]`, `+    command: ["--connect", "database:5432", "--exit-code", "0"]`)
	res := f.apply(fix)
	if res.Receipt == nil {
		t.Error("no receipt")
	}
	b, _ := os.ReadFile(filepath.Join(f.dir, "compose.yaml"))
	mustContain(t, "file", string(b), `"database:5432"`)
	w := f.wait("worker", "a clean exit", func(c stack.Container) bool {
		return c.State == stack.StateExited && c.ExitCode == 0 && logsSay(f, c.ID, "connected to database:5432")
	})
	if w.ExitCode != 0 {
		t.Errorf("exit %d", w.ExitCode)
	}
	if _, fs := f.diagnose(nil); len(fs) != 0 {
		t.Errorf("after the fix: %v", ids(fs))
	}
}

// A one-shot that fails blocks the service that waits for it to complete;
// an unhealthy one blocks the one that waits for it to be healthy. v5
// leaves the waiting containers created; v1 never creates them and says so
// in its output.
func TestEngineBlocked(t *testing.T) {
	t.Parallel()
	f := newStartFixture(t, `services:
  migrate:
    image: IMAGE
    command: ["--exit-code", "3", "--print", "error: migration 7 failed"]
  web:
    image: IMAGE
    depends_on:
      migrate: {condition: service_completed_successfully}
  sick:
    image: IMAGE
    command: ["--serve", ":80", "--unhealthy-after", "1ms"]
    healthcheck:
      test: ["CMD", "/stackui", "workload", "--probe", "http://127.0.0.1/health"]
      interval: 300ms
      retries: 1
  api:
    image: IMAGE
    depends_on:
      sick: {condition: service_healthy}
`)
	err := f.up()
	if err == nil {
		t.Fatal("up succeeded")
	}
	f.wait("migrate", "its exit", func(c stack.Container) bool { return c.State == stack.StateExited })
	f.wait("sick", "unhealthy", func(c stack.Container) bool { return c.Health == "unhealthy" })
	_, fs := f.diagnose(err)
	wantIDs(t, fs, "api/blocked", "migrate/error-exit", "sick/unhealthy", "web/blocked")
	mustContain(t, "summary", fs[0].Summary, "waits for sick", "is unhealthy")
	mustContain(t, "summary", fs[3].Summary, "waits for migrate", "exited with code 3")
	t.Logf("trigger api: %s", strings.Join(fs[0].Evidence, " | "))
	t.Logf("trigger web: %s", strings.Join(fs[3].Evidence, " | "))
}

// No false alarms: a service that logs alarming words while it runs fine,
// a one-shot that exits 0, and a service the user stopped.
func TestEngineStartQuiet(t *testing.T) {
	t.Parallel()
	f := newStartFixture(t, `services:
  noisy:
    image: IMAGE
    command: ["--serve", ":8080", "--log-rate", "5", "--print", "error: connect ECONNREFUSED db:5432; getaddrinfo ENOTFOUND databse; killed; exec: \"x\": executable file not found in $PATH"]
    ports: ["8080"]
  once:
    image: IMAGE
    command: ["--exit-code", "0", "--print", "dial tcp 10.1.1.1:5432: connect: connection refused"]
  stopme:
    image: IMAGE
    command: ["--serve", ":9000"]
    depends_on: [once]
`)
	f.mustUp()
	n := f.wait("noisy", "running", running)
	f.wait("noisy", "listening", func(stack.Container) bool { return logsSay(f, n.ID, "serving http") })
	f.wait("once", "its exit", func(c stack.Container) bool { return c.State == stack.StateExited })
	f.wait("stopme", "running", running)
	if err := f.cli.Stop(f.ctx, f.p, nil, []string{"stopme"}, nil); err != nil {
		t.Fatal(err)
	}
	f.wait("stopme", "stopped", func(c stack.Container) bool { return c.State == stack.StateExited })
	if _, fs := f.diagnose(nil); len(fs) != 0 {
		t.Errorf("findings %v, want none", ids(fs))
	}
}

// The demo right after launch (api and db) has no findings: its api is
// published and listens on all addresses, and nothing waits on a failure.
func TestEngineDemoQuiet(t *testing.T) {
	t.Parallel()
	f := newFixture(t, string(demo.ComposeYAML()))
	f.mustUp()
	api := f.wait("api", "healthy", func(c stack.Container) bool { return c.Health == "healthy" })
	f.wait("db", "running", running)
	if !logsSay(f, api.ID, "serving http") {
		t.Fatal("api does not serve")
	}
	if _, fs := f.diagnose(nil); len(fs) != 0 {
		t.Errorf("findings %v, want none", ids(fs))
	}
}

// With a healthcheck on the dependency the fix makes the app wait for it:
// compose then starts the app once db is healthy, and it connects at the
// first try.
func TestEngineDependencyWaitHealthy(t *testing.T) {
	t.Parallel()
	f := newStartFixture(t, `services:
  db:
    image: IMAGE
    command: ["--serve", ":5432", "--serve-after", "20s"]
    healthcheck:
      test: ["CMD", "/stackui", "workload", "--probe", "http://127.0.0.1:5432/health"]
      interval: 500ms
      retries: 100
  app:
    image: IMAGE
    command: ["--connect", "db:5432"]
    depends_on:
      db:
        condition: service_started
`)
	f.mustUp("db")
	f.mustUp("app")
	f.wait("app", "its exit", func(c stack.Container) bool { return c.State == stack.StateExited })
	_, fs := f.diagnose(nil)
	d := only(t, fs, "app", doctor.KindDependencyUnreachable)
	mustContain(t, "summary", d.Summary, "could not reach db at ", "db runs but is not healthy yet")
	if got := fixIDs(d); !slices.Equal(got, []string{"wait-healthy", "restart-on-failure"}) {
		t.Errorf("fixes %v", got)
	}
	fix := fixOf(t, d, "wait-healthy")
	mustContain(t, "diff", fix.Diff, "-        condition: service_started", "+        condition: service_healthy")
	f.apply(fix)
	app := f.wait("app", "connected", func(c stack.Container) bool { return running(c) && logsSay(f, c.ID, "connected to db:5432") })
	if app.RestartCount != 0 {
		t.Errorf("app restarted %d times", app.RestartCount)
	}
	if _, fs := f.diagnose(nil); len(fs) != 0 {
		t.Errorf("after the fix: %v", ids(fs))
	}
}
