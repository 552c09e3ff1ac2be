package commands

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// A missing engine is an expected state: ps still prints every service,
// with state unknown and the engine marked unreachable, saying why.
func TestPsWithoutEngine(t *testing.T) {
	var ps psOutput
	scriptedJSON(t, &ps, "--project-directory", basicDir, "ps", "--json")
	if ps.Engine.Reachable || ps.Engine.Error != noEngine.Error() {
		t.Errorf("engine %+v: want unreachable, with the engine's error", ps.Engine)
	}
	if ps.Engine.ComposeCLI != scriptedCLI.String() {
		t.Errorf("compose CLI %q, want the detected %q", ps.Engine.ComposeCLI, scriptedCLI)
	}
	if ps.Host.CPUs == 0 || ps.Host.MemTotal == 0 {
		t.Errorf("host figures missing: %+v", ps.Host)
	}
	if len(ps.Services) != 5 {
		t.Fatalf("services %+v, want basic's five", ps.Services)
	}
	for _, s := range ps.Services {
		if s.State != "unknown" {
			t.Errorf("%s: state %q, want unknown", s.Name, s.State)
		}
	}
	// The table form says the same.
	code, out, _ := runScripted(t, "--project-directory", basicDir, "ps")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "engine: unreachable ("+noEngine.Error()+"); compose CLI: docker compose 0.0.0-scripted") || !strings.Contains(out, "unknown") {
		t.Errorf("table:\n%s", out)
	}
}

// A broken compose file is one line naming the file and line, and exit 2.
func TestPsBadComposeFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services:\n  api:\n    image: x\n   bad: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, msg := runScripted(t, "--project-directory", dir, "ps")
	if code != exitBadArgs {
		t.Errorf("exit %d, want %d", code, exitBadArgs)
	}
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, "compose.yaml:") {
		t.Errorf("want one line naming compose.yaml and its line, got %q", msg)
	}
}

func TestVersionAndHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out.Reset()
		if code := run(args, &out, &errOut); code != exitOK || out.String() != "stackui dev\n" {
			t.Errorf("%v: exit %d, %q", args, code, out.String())
		}
	}
	for _, cmd := range []string{"ps", "top", "doctor", "fix", "demo", "version", "workload"} {
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
	out.Reset()
	if code := run([]string{"help"}, &out, &errOut); code != exitOK || !strings.Contains(out.String(), "doctor") {
		t.Errorf("help: exit %d:\n%s", code, out.String())
	}
	if code := run([]string{"nosuch"}, &out, &errOut); code != exitBadArgs {
		t.Errorf("unknown command: exit %d", code)
	}
}

// The ps table lines its columns up by terminal cells: a CJK name is two
// cells a rune, and text/tabwriter counted it as one.
func TestTableAlignsWideNames(t *testing.T) {
	var b strings.Builder
	table(&b, [][]string{{"SERVICE", "STATE"}, {"网页服务", "running"}, {"web", "exited"}})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	var cols []int
	for _, l := range lines {
		i := strings.LastIndex(l, "  ") + 2
		cols = append(cols, ansi.StringWidth(l[:i]))
	}
	if cols[0] != cols[1] || cols[1] != cols[2] {
		t.Errorf("STATE starts at cells %v:\n%s", cols, b.String())
	}
}

// The empty profile "" is written so it is seen, and is on while no
// profile is chosen, as compose has it.
func TestPsEmptyProfileText(t *testing.T) {
	dir := filepath.Join("..", "testdata", "compose", "profile-empty")
	code, out, errOut := runScripted(t, "--project-directory", dir, "ps")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `profiles: "" (on), cpu (off), cuda (off)`) || !strings.Contains(out, `"",cpu`) {
		t.Errorf("ps:\n%s", out)
	}
	code, out, _ = runScripted(t, "--project-directory", dir, "--profile", "cuda", "ps")
	if code != exitOK || !strings.Contains(out, `profiles: "" (off), cpu (off), cuda (on)`) {
		t.Errorf("ps --profile cuda:\n%s", out)
	}
}
