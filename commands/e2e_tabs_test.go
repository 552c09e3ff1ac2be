package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/demo"
	"github.com/stackui/stackui/internal/testenv"
)

// TestE2ETmuxTabs opens the config, env, top and ports tabs on the demo's
// api, with an override file and a .env added, and reads each from the
// screen.
func TestE2ETmuxTabs(t *testing.T) {
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	bin := testenv.Binary(t)
	dir := t.TempDir()
	if _, _, err := demo.WriteProject(dir); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"compose.override.yaml": "services:\n  api:\n    environment:\n      DB_PASSWORD: ${DB_PASSWORD}\n      LOG_LEVEL: ${LOG_LEVEL:-info}\n",
		".env":                  "DB_PASSWORD=hunter2\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	project := testenv.ProjectName(t)
	t.Cleanup(func() { testenv.RemoveProject(t, api, project) })

	s := startTmux(t, dir, 200, 50, bin, "-p", project)
	s.waitText(" ok · ", 20*time.Second)
	s.keys("U")
	s.waitText("✓ up all", 90*time.Second)
	s.waitFor("api running", 30*time.Second, func(scr string) bool {
		return strings.Contains(line(scr, " api "), "running")
	})
	command := func(c string) {
		s.keys(":")
		s.literal(c)
		s.keys("Enter")
	}
	command("logs api")

	command("config")
	scr := s.waitText("$DB_PASSWORD from .env:1", 10*time.Second)
	for _, want := range []string{"image: stackui-demo/workload:latest  # compose.yaml:", "environment:  # compose.override.yaml:3",
		"$LOG_LEVEL unset (default used)", "DB_PASSWORD: ••••••••"} {
		if !strings.Contains(scr, want) {
			t.Errorf("config tab lacks %q:\n%s", want, scr)
		}
	}

	command("env")
	scr = s.waitText("DB_PASSWORD=••••••••", 10*time.Second)
	if strings.Contains(scr, "hunter2") || !strings.Contains(scr, "LOG_LEVEL=info") {
		t.Errorf("env tab:\n%s", scr)
	}
	s.keys("v")
	s.waitText("DB_PASSWORD=hunter2", 5*time.Second)

	command("top")
	s.waitText("/stackui workload --serve :8080", 10*time.Second)

	command("ports")
	scr = s.waitText("→ 8080/tcp", 10*time.Second)
	if !strings.Contains(line(scr, "→ 8080/tcp"), "127.0.0.1:") {
		t.Errorf("ports tab:\n%s", scr)
	}
	s.keys("o")
	s.waitText("http://127.0.0.1:", 5*time.Second)

	s.keys("q")
	s.waitFor("stackui to exit", 10*time.Second, func(string) bool { return s.dead() })
}
