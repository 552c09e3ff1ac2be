package commands

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/demo"
	"github.com/stackui/stackui/internal/testenv"
	"github.com/stackui/stackui/stack"
)

// TestE2ETmuxResourcesAndProjects opens the resources view (i) and the
// projects view (:projects) on the demo in the real binary, reads them
// from the screen, and opens a second demo project, started under
// another name, from the projects view.
func TestE2ETmuxResourcesAndProjects(t *testing.T) {
	api := testenv.Engine(t)
	testenv.DemoImages(t)
	bin := testenv.Binary(t)
	dir, other := t.TempDir(), t.TempDir()
	for _, d := range []string{dir, other} {
		if _, _, err := demo.WriteProject(d); err != nil {
			t.Fatal(err)
		}
	}
	project := testenv.ProjectName(t)
	second := project + "b"
	t.Cleanup(func() {
		testenv.RemoveProject(t, api, project)
		testenv.RemoveProject(t, api, second)
	})
	// The second project runs db alone, started by the compose CLI.
	ctx := context.Background()
	p2, err := stack.Load(ctx, stack.LoadOptions{WorkDir: other, ProjectName: second})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := stack.DetectCompose(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := cli.Up(ctx, p2, stack.UpOptions{Services: []string{"db"}}, nil); err != nil {
		t.Fatal(err)
	}

	s := startTmux(t, dir, 150, 36, bin, "-p", project)
	s.waitText("always on", 10*time.Second)
	s.waitText(" ok · ", 20*time.Second)
	s.keys("U")
	s.waitText("✓ up all", 90*time.Second)
	s.waitText("2 running", 30*time.Second)

	// Resources: the images, with the foreign one flagged, then the
	// network with its services.
	s.keys("i")
	scr := s.waitText("stackui-demo/workload:latest", 30*time.Second)
	if !strings.Contains(scr, "resources · "+project) || !strings.Contains(line(scr, "workload:foreign"), "≠ engine") {
		t.Errorf("the images section is not as expected:\n%s", scr)
	}
	s.keys("]", "]")
	scr = s.waitText(project+"_default · 6 services: api, db", 10*time.Second)
	if l := line(scr, "bridge"); !strings.Contains(l, "api, db") {
		t.Errorf("the network row is %q in:\n%s", l, scr)
	}
	s.keys("Escape")
	s.waitText("always on", 5*time.Second)

	// Projects: both demo projects, with their folders; enter on the
	// second opens it in place of the first.
	s.keys(":")
	s.literal("projects")
	s.keys("Enter")
	scr = s.waitText(other, 20*time.Second)
	if l := line(scr, "● "); !strings.Contains(l, project) || !strings.Contains(l, dir) || !strings.Contains(l, "2 running") {
		t.Errorf("the current project's row is %q in:\n%s", l, scr)
	}
	if l := line(scr, second+" "); !strings.Contains(l, other) || !strings.Contains(l, "1 running") {
		t.Errorf("the second project's row is %q in:\n%s", l, scr)
	}
	for range 50 {
		if strings.Contains(line(s.screen(), "files: "), other) {
			break
		}
		s.keys("j")
		time.Sleep(50 * time.Millisecond)
	}
	s.keys("Enter")
	s.waitText("stackui · "+second, 30*time.Second)
	s.waitText("opened project "+second, 10*time.Second)
	s.waitFor("the second project's db running", 30*time.Second, func(scr string) bool {
		return strings.Contains(line(scr, " db "), "running") && strings.Contains(line(scr, " api "), "not created")
	})

	s.keys("q")
	s.waitFor("stackui to exit", 10*time.Second, func(string) bool { return s.dead() })
}
