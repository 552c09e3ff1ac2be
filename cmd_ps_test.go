package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A dead engine is an expected state: ps still prints every service, with
// state unknown and the engine marked unreachable.
func TestPsWithoutEngine(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	dir := filepath.Join("testdata", "compose", "basic")
	var out, errOut bytes.Buffer
	if code := run([]string{"--project-directory", dir, "ps", "--json"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var ps psOutput
	if err := json.Unmarshal(out.Bytes(), &ps); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	if ps.Engine.Reachable || !strings.Contains(ps.Engine.Error, "nonexistent") {
		t.Errorf("engine %+v: want unreachable, naming the socket", ps.Engine)
	}
	if ps.Host.CPUs == 0 || ps.Host.MemTotal == 0 {
		t.Errorf("host figures missing: %+v", ps.Host)
	}
	if len(ps.Services) == 0 {
		t.Fatal("no services")
	}
	for _, s := range ps.Services {
		if s.State != "unknown" {
			t.Errorf("%s: state %q, want unknown", s.Name, s.State)
		}
	}
	// The table form says the same.
	out.Reset()
	if code := run([]string{"--project-directory", dir, "ps"}, &out, &errOut); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "engine: unreachable") || !strings.Contains(out.String(), "unknown") {
		t.Errorf("table:\n%s", out.String())
	}
}

// A broken compose file is one line naming the file and line, and exit 2.
func TestPsBadComposeFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services:\n  api:\n    image: x\n   bad: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run([]string{"--project-directory", dir, "ps"}, &out, &errOut)
	if code != exitBadArgs {
		t.Errorf("exit %d, want %d", code, exitBadArgs)
	}
	msg := errOut.String()
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "compose.yaml:") {
		t.Errorf("want one line naming compose.yaml and its line, got %q", msg)
	}
}

func TestVersionAndHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"version"}, &out, &errOut); code != exitOK || out.String() != "stackui dev\n" {
		t.Errorf("version: exit %d, %q", code, out.String())
	}
	for _, cmd := range []string{"ps", "top", "demo", "version", "workload"} {
		out.Reset()
		errOut.Reset()
		if code := run([]string{cmd, "--help"}, &out, &errOut); code != exitOK {
			t.Errorf("%s --help: exit %d", cmd, code)
		}
		if !strings.Contains(out.String()+errOut.String(), "Usage") && !strings.Contains(out.String()+errOut.String(), "usage") {
			t.Errorf("%s --help printed no usage:\n%s%s", cmd, out.String(), errOut.String())
		}
	}
	out.Reset()
	if code := run([]string{"--help"}, &out, &errOut); code != exitOK {
		t.Errorf("--help: exit %d", code)
	}
	if code := run([]string{"nosuch"}, &out, &errOut); code != exitBadArgs {
		t.Errorf("unknown command: exit %d", code)
	}
}
