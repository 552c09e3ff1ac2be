package commands

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stackui/stackui/internal/testenv"
)

// tmuxFlags reads pane flags: whether the alternate screen and mouse
// reporting are on, as the program left them. (tmux's cursor_flag of a
// dead pane reads 0 even after a clean quit, so it proves nothing.)
func (s *tmuxSession) tmuxFlags() string {
	s.t.Helper()
	out, err := exec.Command("tmux", "display-message", "-p", "-t", s.name,
		"alt=#{alternate_on} mouse=#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}").Output()
	if err != nil {
		s.t.Fatalf("tmux display-message: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// A panic after the first frame (on the key the hidden switch arms), in Update (Bubble Tea recovers it) or in
// a goroutine Bubble Tea did not start (the backend's guard hands it over),
// leaves the terminal as it was: the normal screen, no mouse reporting, and
// the panic printed.
func TestE2ETmuxPanicRestoresTerminal(t *testing.T) {
	bin := testenv.Binary(t)
	for _, how := range []string{"update", "goroutine"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services:\n  web:\n    image: busybox\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			s := startTmux(t, dir, 100, 30, "env", crashTestEnv+"="+how, "DOCKER_HOST=unix:///nonexistent.sock", bin)
			s.waitText("services", 10*time.Second)
			if flags := s.tmuxFlags(); !strings.HasPrefix(flags, "alt=1") {
				t.Fatalf("the TUI is not on the alternate screen: %s", flags)
			}
			s.keys("!")
			s.waitFor("stackui to exit", 10*time.Second, func(string) bool { return s.dead() })
			if flags := s.tmuxFlags(); flags != "alt=0 mouse=000" {
				t.Errorf("after the panic: %s, want alt=0 mouse=000\n%s", flags, s.screen())
			}
			if scr := s.screen(); !strings.Contains(scr, "panic") {
				t.Errorf("the panic is not shown:\n%s", scr)
			}
		})
	}
}

// The first frame does not wait for the load: while a load takes its time,
// the screen says what is loading, and q quits, as does SIGTERM; either
// leaves the normal screen (the first frame's alternate screen is the
// launch frame's until Bubble Tea draws).
func TestE2ETmuxSlowLoadQuits(t *testing.T) {
	bin := testenv.Binary(t)
	for _, how := range []string{"q", "SIGTERM"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services:\n  web:\n    image: busybox\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			s := startTmux(t, dir, 100, 30, "env", loadDelayEnv+"=60s", "DOCKER_HOST=unix:///nonexistent.sock", bin)
			s.waitText("loading compose.yaml…", 10*time.Second)
			if how == "q" {
				s.keys("q")
			} else {
				out, err := exec.Command("tmux", "display-message", "-p", "-t", s.name, "#{pane_pid}").Output()
				if err != nil {
					t.Fatal(err)
				}
				pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
				if err != nil {
					t.Fatal(err)
				}
				// env execs the binary: the pane's process is stackui.
				if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
					t.Fatal(err)
				}
			}
			s.waitFor("stackui to exit", 10*time.Second, func(string) bool { return s.dead() })
			if flags := s.tmuxFlags(); flags != "alt=0 mouse=000" {
				t.Errorf("after %s: %s, want alt=0 mouse=000\n%s", how, flags, s.screen())
			}
		})
	}
}

// An env_file that is a FIFO used to block loading forever; now the TUI
// opens on a screen that names it, and q quits.
func TestE2ETmuxFIFOEnvFile(t *testing.T) {
	bin := testenv.Binary(t)
	dir := t.TempDir()
	compose := "services:\n  web:\n    image: busybox\n    env_file: [slow.env]\n"
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "slow.env"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTmux(t, dir, 100, 30, "env", "DOCKER_HOST=unix:///nonexistent.sock", bin)
	s.waitText("slow.env: env_file of service \"web\" is not a regular file (it is a FIFO)", 10*time.Second)
	s.keys("q")
	s.waitFor("stackui to exit", 10*time.Second, func(string) bool { return s.dead() })
}
