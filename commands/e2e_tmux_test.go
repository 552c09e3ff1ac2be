package commands

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/demo"
	"github.com/stackui/stackui/internal/testenv"
)

// tmuxSession drives the real binary the way a person does: keys in with
// send-keys, the screen out with capture-pane.
type tmuxSession struct {
	t    *testing.T
	name string
}

func startTmux(t *testing.T, dir string, width, height int, argv ...string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is needed for the end-to-end test (.ci/run installs it): %v", err)
	}
	// t.TempDir's own folder is 001, 002, ...; the one above it is unique
	// to the test run, and other runs may share the tmux server.
	s := &tmuxSession{t: t, name: "stackui-e2e-" + filepath.Base(filepath.Dir(dir)) + "-" + filepath.Base(dir)}
	args := []string{"new-session", "-d", "-s", s.name, "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), "-c", dir,
		"-e", "TERM=xterm-256color", "-e", "XDG_CONFIG_HOME=" + t.TempDir()}
	// The session's environment, not the tmux server's (which another
	// run may have started): the engine under test (Podman's socket in
	// CI's Podman stage).
	if host := os.Getenv("DOCKER_HOST"); host != "" {
		args = append(args, "-e", "DOCKER_HOST="+host)
	}
	args = append(args, argv...)
	// A server that is exiting as the last session elsewhere ends refuses
	// the session once; the next try starts a new server.
	for try := 0; ; try++ {
		out, err := exec.Command("tmux", args...).CombinedOutput()
		if err == nil {
			break
		}
		if try == 2 || !strings.Contains(string(out), "server exited unexpectedly") {
			t.Fatalf("tmux new-session: %v\n%s", err, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Keep the pane after the program exits, so the test can see that it
	// did and read its last screen.
	exec.Command("tmux", "set-option", "-t", s.name, "remain-on-exit", "on").Run()
	t.Cleanup(func() { exec.Command("tmux", "kill-session", "-t", s.name).Run() })
	return s
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	args := append([]string{"send-keys", "-t", s.name}, keys...)
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux send-keys %q: %v\n%s", keys, err, out)
	}
}

// literal types text as it is, with no key-name lookup.
func (s *tmuxSession) literal(text string) {
	s.t.Helper()
	if out, err := exec.Command("tmux", "send-keys", "-t", s.name, "-l", text).CombinedOutput(); err != nil {
		s.t.Fatalf("tmux send-keys -l %q: %v\n%s", text, err, out)
	}
}

func (s *tmuxSession) screen() string {
	out, err := exec.Command("tmux", "capture-pane", "-p", "-t", s.name).Output()
	if err != nil {
		s.t.Fatalf("tmux capture-pane: %v", err)
	}
	return string(out)
}

// waitFor polls the screen until ok says yes, or fails the test showing
// the last screen.
func (s *tmuxSession) waitFor(what string, timeout time.Duration, ok func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(timeout)
	var scr string
	for time.Now().Before(deadline) {
		scr = s.screen()
		if ok(scr) {
			return scr
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.t.Fatalf("timed out waiting for %s; screen:\n%s", what, scr)
	return ""
}

func (s *tmuxSession) waitText(text string, timeout time.Duration) string {
	s.t.Helper()
	return s.waitFor("“"+text+"”", timeout, func(scr string) bool { return strings.Contains(scr, text) })
}

// line returns the screen line that contains text, or "".
func line(screen, text string) string {
	for _, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

func (s *tmuxSession) dead() bool {
	out, err := exec.Command("tmux", "display-message", "-p", "-t", s.name, "#{pane_dead}").Output()
	return err == nil && strings.TrimSpace(string(out)) == "1"
}

// TestE2ETmuxDemo runs the real binary in tmux on the demo stack: it turns
// the train profile on, sees the trainer's logs, stops a service and quits.
func TestE2ETmuxDemo(t *testing.T) {
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	bin := testenv.Binary(t)
	dir := t.TempDir()
	if _, _, err := demo.WriteProject(dir); err != nil {
		t.Fatal(err)
	}
	project := testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, project) })

	s := startTmux(t, dir, 130, 36, bin, "-p", project)
	s.waitText("always on", 10*time.Second)
	// "docker 20.10.24 ok" or "podman 4.3.1 ok", once the engine has
	// described itself.
	s.waitText(testenv.EngineKind()+" ", 30*time.Second)
	s.waitText(" ok · ", 10*time.Second)

	// Bring the always-on services up with U, and wait for db to run.
	// One project-wide action runs at a time, so wait for it to finish.
	s.keys("U")
	s.waitText("✓ up all", 90*time.Second)
	s.waitFor("db running", 30*time.Second, func(scr string) bool {
		return strings.Contains(line(scr, " db "), "running")
	})

	// Turn the train profile on from the command line.
	s.keys(":")
	s.literal("profile train on")
	s.keys("Enter")
	s.waitText("train (on)", 60*time.Second)
	s.waitFor("the trainer created", 60*time.Second, func(scr string) bool {
		l := line(scr, " trainer ")
		return l != "" && !strings.Contains(l, "not created")
	})

	// Its logs show in the right pane.
	s.keys(":")
	s.literal("logs trainer")
	s.keys("Enter")
	s.waitText("workload started", 30*time.Second)

	// Stop db with s: move the cursor onto it first.
	s.keys(":")
	s.literal("logs db")
	s.keys("Enter")
	s.keys("s")
	s.waitFor("db exited", 60*time.Second, func(scr string) bool {
		return strings.Contains(line(scr, " db "), "exited")
	})

	s.keys("q")
	s.waitFor("stackui to exit", 10*time.Second, func(string) bool { return s.dead() })
}
