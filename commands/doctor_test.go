package commands

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/stacktest"
	"github.com/stackui/stackui/stack"
)

// Without an engine the doctor still runs over the compose files, but it
// exits 3 and says why, in the text and the JSON: "no findings" would look
// healthy. fix then names the engine, not "no finding now".
func TestDoctorWithoutEngine(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	code, out, errOut := runScripted(t, "--project-directory", basicDir, "doctor", "--json")
	if code != exitNoEngine {
		t.Fatalf("exit %d, want %d: %s%s", code, exitNoEngine, out, errOut)
	}
	var doc struct {
		Engine struct {
			Reachable *bool  `json:"reachable"`
			Error     string `json:"error"`
		} `json:"engine"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if doc.Engine.Reachable == nil || *doc.Engine.Reachable || !strings.Contains(doc.Engine.Error, noEngine.Error()) || doc.Findings == nil {
		t.Errorf("JSON %s: want engine unreachable with the error, findings a list", out)
	}
	code, out, errOut = runScripted(t, "--project-directory", basicDir, "doctor")
	if code != exitNoEngine {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "engine: not reachable") || !strings.Contains(errOut, "the engine is not reachable ("+noEngine.Error()) {
		t.Errorf("text:\n%s\nstderr:\n%s", out, errOut)
	}
	if code, _, _ := runScripted(t, "--project-directory", basicDir, "fix"); code != exitBadArgs {
		t.Errorf("fix without a finding: exit %d", code)
	}
	if code, _, errOut := runScripted(t, "--project-directory", basicDir, "fix", "web/oom", "--yes"); code != exitNoEngine ||
		!strings.Contains(errOut, `no finding "web/oom": the engine is not reachable`) {
		t.Errorf("fix of a finding there is not: exit %d: %s", code, errOut)
	}
	if code, _, _ := runScripted(t, "--project-directory", basicDir, "doctor", "extra"); code != exitBadArgs {
		t.Errorf("doctor with an argument: exit %d", code)
	}
}

// On the real engine: doctor reports the OOM with the JSON shape scripts
// rely on and exits 1; fix asks first, applies on "y", the doctor then
// finds nothing, and --undo restores the file.
func TestDoctorAndFixOnEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, file, name := stacktest.StartOOMProject(t, ctx)
	stacktest.WaitContainer(t, ctx, name, "hog", "an OOM kill", stacktest.OOMKilled)

	flags := []string{"-f", file, "-p", name}
	var out, errOut bytes.Buffer
	if code := run(append(flags, "doctor", "--json"), &out, &errOut); code != exitFailure {
		t.Fatalf("doctor: exit %d, want 1: %s", code, errOut.String())
	}
	var raw struct {
		Findings []map[string]json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal(out.Bytes(), &raw); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if len(raw.Findings) != 1 {
		t.Fatalf("findings:\n%s", out.String())
	}
	var keys []string
	for k := range raw.Findings[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"evidence", "fixes", "id", "kind", "service", "severity", "summary"}; !slices.Equal(keys, want) {
		t.Errorf("finding keys %v, want %v", keys, want)
	}
	var fixes []map[string]string
	json.Unmarshal(raw.Findings[0]["fixes"], &fixes)
	if len(fixes) != 1 || fixes[0]["id"] != "raise-memory" || len(fixes[0]) != 3 || !strings.Contains(fixes[0]["diff"], "+    mem_limit: 64m") {
		t.Errorf("fixes %v", fixes)
	}
	if string(raw.Findings[0]["id"]) != `"hog/oom"` {
		t.Errorf("id %s", raw.Findings[0]["id"])
	}

	fix := func(answer string, args ...string) int {
		f := &Factory{Stdout: &out, Stderr: &errOut, Stdin: strings.NewReader(answer), Version: "dev", Backend: newBackend(t)}
		return Run(f, append(append([]string{}, flags...), append([]string{"fix"}, args...)...))
	}
	out.Reset()
	if code := fix("n\n", "hog/oom"); code != exitFailure {
		t.Errorf("declined fix: exit %d", code)
	}
	if b, _ := os.ReadFile(file); string(b) != stacktest.OOMCompose || !strings.Contains(out.String(), "-    mem_limit: 32m") || !strings.Contains(out.String(), "Apply? [y/N]") {
		t.Fatalf("declined fix changed the file or showed no diff:\n%s", out.String())
	}
	// A read-only compose file is refused, with the way to write it anyway.
	if err := os.Chmod(file, 0o444); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errOut.Reset()
	if code := fix("", "hog/oom", "--yes", "--no-wait"); code != exitFailure || !strings.Contains(errOut.String(), "is read-only (mode 0444)") ||
		!strings.Contains(errOut.String(), "--force") {
		t.Errorf("fix of a read-only file: exit %d, stderr:\n%s", code, errOut.String())
	}
	if b, _ := os.ReadFile(file); string(b) != stacktest.OOMCompose {
		t.Fatalf("the read-only file was changed:\n%s", b)
	}
	out.Reset()
	errOut.Reset()
	// --force writes it, keeping its mode; the post-fix check watches the
	// hog under its new limit (5s here, 30s by default) and exits 0 only
	// as it stays up.
	if code := fix("", "hog/oom", "raise-memory", "--yes", "--force", "--wait", "5s"); code != exitOK {
		t.Fatalf("fix: exit %d: %s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "checked: hog stays up: running for ") || !strings.Contains(errOut.String(), "checking hog for 5s…") {
		t.Errorf("fix did not report the check:\n%s\nstderr:\n%s", out.String(), errOut.String())
	}
	if b, _ := os.ReadFile(file); !strings.Contains(string(b), "mem_limit: 64m") || !strings.Contains(string(b), "# grows to 40M") {
		t.Errorf("file after the fix:\n%s", b)
	}
	if !strings.Contains(out.String(), "undo the edit with: stackui fix --undo") {
		t.Errorf("fix output:\n%s", out.String())
	}
	stacktest.WaitContainer(t, ctx, name, "hog", "running under its new limit", func(c stack.Container) bool { return c.State == stack.StateRunning })
	out.Reset()
	if code := run(append(flags, "doctor"), &out, &errOut); code != exitOK {
		t.Errorf("doctor after the fix: exit %d:\n%s", code, out.String())
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o444 {
		t.Errorf("the forced fix changed the file's mode: %v %v", st.Mode(), err)
	}
	out.Reset()
	errOut.Reset()
	if code := run(append(flags, "fix", "--undo"), &out, &errOut); code != exitFailure || !strings.Contains(errOut.String(), "--force") {
		t.Errorf("undo of a read-only file: exit %d: %s", code, errOut.String())
	}
	out.Reset()
	if code := run(append(flags, "fix", "--undo", "--force"), &out, &errOut); code != exitOK {
		t.Fatalf("undo: exit %d: %s", code, errOut.String())
	}
	if b, _ := os.ReadFile(file); string(b) != stacktest.OOMCompose || !strings.HasPrefix(out.String(), "undone: ") {
		t.Errorf("undo did not restore the file (%q):\n%s", out.String(), b)
	}
}

// A fix that does not help: restarting a service whose healthcheck
// always fails a second after it starts fails again, and fix says so,
// names the new finding and exits 1; with --no-wait it exits 0 and says it
// did not check.
func TestFixFailedAgainOnEngine(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, file, name := stacktest.StartProject(t, ctx, `services:
  api:
    image: stackui-demo/workload:latest
    command: ["--serve", ":8080", "--unhealthy-after", "1s"]
    healthcheck:
      test: ["CMD", "/stackui", "workload", "--probe", "http://127.0.0.1:8080/health"]
      interval: 300ms
      timeout: 2s
      retries: 2
`)
	unhealthy := func(c stack.Container) bool { return c.Health == "unhealthy" }
	stacktest.WaitContainer(t, ctx, name, "api", "unhealthy", unhealthy)
	flags := []string{"-f", file, "-p", name}
	var out, errOut bytes.Buffer
	if code := run(append(flags, "fix", "api/unhealthy", "restart", "--yes", "--wait", "5s"), &out, &errOut); code != exitFailure {
		t.Errorf("fix that does not help: exit %d, want 1:\n%s%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"restarted api", "checked: api failed again (unhealthy): api runs, but its healthcheck fails",
		"new finding api/unhealthy: api runs, but its healthcheck fails", "apply one: stackui fix api/unhealthy"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	stacktest.WaitContainer(t, ctx, name, "api", "unhealthy again", unhealthy)
	out.Reset()
	if code := run(append(flags, "fix", "api/unhealthy", "--yes", "--no-wait"), &out, &errOut); code != exitOK {
		t.Errorf("--no-wait: exit %d:\n%s%s", code, out.String(), errOut.String())
	}
	if !strings.Contains(out.String(), "not checked: api was not watched") || strings.Contains(out.String(), "failed again") {
		t.Errorf("--no-wait output:\n%s", out.String())
	}
}
