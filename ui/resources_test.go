package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// fakeInventory answers the resources and projects views from fixed data
// and counts the calls, so a test can tell that nothing asks while hidden.
type fakeInventory struct {
	mu       sync.Mutex
	res      stack.Resources
	projects []stack.ProjectSummary
	open     map[string]*stack.Project
	openErr  error
	calls    []string
}

func (f *fakeInventory) record(c string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
}

func (f *fakeInventory) called() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// Resources answers with the sizes only when asked for them, as the
// backend does.
func (f *fakeInventory) Resources(_ context.Context, p *stack.Project, sizes bool) (stack.Resources, error) {
	if !sizes {
		f.record("resources " + p.Name)
		r := f.res
		r.Volumes = append([]stack.Volume(nil), r.Volumes...)
		for i := range r.Volumes {
			r.Volumes[i].Size = -1
		}
		return r, nil
	}
	f.record("resources " + p.Name + " with sizes")
	return f.res, nil
}

func (f *fakeInventory) Projects(context.Context) ([]stack.ProjectSummary, error) {
	f.record("projects")
	return f.projects, nil
}

func (f *fakeInventory) OpenProject(_ context.Context, s stack.ProjectSummary) (*stack.Project, error) {
	f.record("open " + s.Name)
	if f.openErr != nil {
		return nil, f.openErr
	}
	return f.open[s.Name], nil
}

// volumeOps adds the optional volume removal to the scripted Ops.
type volumeOps struct{ *scriptedOps }

func (o volumeOps) RemoveVolume(_ context.Context, name string, onLine func(string)) error {
	_, err := o.call("remove volume "+name, onLine)
	return err
}

var benchNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func demoResources() stack.Resources {
	return stack.Resources{
		Project: "demo", Platform: "linux/amd64",
		Images: []stack.Image{
			{ID: "sha256:8dda3a9b2477aaaa", Tags: []string{"stackui-demo/workload:foreign"}, Ref: "stackui-demo/workload:foreign",
				Size: 216, Created: benchNow.Add(-3 * time.Hour), Platform: "linux/arm64", Foreign: true, Services: []string{"legacy-etl"}},
			{ID: "sha256:bed3dc758e9bbbbb", Tags: []string{"stackui-demo/workload:latest"}, Ref: "stackui-demo/workload:latest",
				Size: 21_100_000, Created: benchNow.Add(-2 * time.Minute), Platform: "linux/amd64", Services: []string{"api", "db", "trainer"}},
			{ID: "sha256:4059a521cc6bcccc", Size: 21_000_000, Created: benchNow.Add(-50 * time.Hour), Platform: "linux/amd64",
				Dangling: true, Services: []string{"db"}},
		},
		Volumes: []stack.Volume{
			{Name: "demo_dbdata", Driver: "local", Mountpoint: "/var/lib/docker/volumes/demo_dbdata/_data", Size: 48_200_000,
				Declared: true, Services: []string{"db"}, Containers: []string{"demo_db_1"}},
			{Name: "demo_scratch", Driver: "local", Mountpoint: "/var/lib/docker/volumes/demo_scratch/_data", Size: 0,
				Declared: true, Services: []string{}, Containers: []string{}},
			{Name: "demo_models", Size: -1, Declared: true, Missing: true, Services: []string{"trainer"}},
		},
		Networks: []stack.Network{
			{Name: "demo_default", Driver: "bridge", Subnets: []string{"172.18.0.0/16"}, Services: []string{"api", "db", "trainer"}},
		},
	}
}

func demoProjects() []stack.ProjectSummary {
	return []stack.ProjectSummary{
		{Name: "demo", WorkingDir: "/home/me/demo", Files: []string{"/home/me/demo/compose.yaml"}, States: map[string]int{"running": 2, "exited": 1}},
		{Name: "shop", WorkingDir: "/home/me/shop", Files: []string{"/home/me/shop/compose.yaml"}, States: map[string]int{"exited": 4, "created": 1}},
	}
}

// drive runs cmd and feeds what it sends to m, and so on for the commands
// that come back, skipping those that wait on a stream (changes, usage).
func drive(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0; n++ {
		if n > 200 {
			t.Fatal("the commands did not settle")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		done := make(chan tea.Msg, 1)
		go func() { done <- c() }()
		var msg tea.Msg
		select {
		case msg = <-done:
		case <-time.After(2 * time.Second):
			continue // a stream's wait: nothing comes
		}
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, b...)
			continue
		}
		if msg == nil {
			continue
		}
		var next tea.Cmd
		m, next = asModel2(m.Update(msg))
		queue = append(queue, next)
	}
	return m
}

func asModel2(m tea.Model, cmd tea.Cmd) (Model, tea.Cmd) { return m.(Model), cmd }

func resourcesModel(t *testing.T, inv *fakeInventory, ops Ops) Model {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m := sized(t, &fakeSource{snap: demoSnapshot(), ch: make(chan struct{}, 1)}, Options{Inventory: inv, Projects: inv, Ops: ops, Context: ctx})
	m.actions.tick = func() tea.Cmd { return nil }
	return m
}

func openView(t *testing.T, m Model, key string) Model {
	t.Helper()
	m, cmd := asModel2(m.Update(actKey(key)))
	m = drive(t, m, cmd)
	if v, ok := m.overlay.(*resourcesView); ok {
		v.now = func() time.Time { return benchNow }
		v.at = benchNow
	}
	return m
}

func TestResourcesViewReadsTheEngineOnlyWhileOpen(t *testing.T) {
	inv := &fakeInventory{res: demoResources()}
	m := resourcesModel(t, inv, nil)
	// The services screen asks nothing of the inventory.
	m = drive(t, m, nil)
	if c := inv.called(); len(c) != 0 {
		t.Fatalf("the inventory was asked while no view showed: %q", c)
	}
	m = openView(t, m, "i")
	if _, ok := m.overlay.(*resourcesView); !ok {
		t.Fatalf("i opened %T, want the resources view", m.overlay)
	}
	if c := inv.called(); len(c) != 2 || !slices.Contains(c, "resources demo") || !slices.Contains(c, "resources demo with sizes") {
		t.Fatalf("opening asked %q, want a quick look and a measured one", c)
	}
	screenGolden(t, "resources-images", m)
	m = pressKeys(m, "]")
	screenGolden(t, "resources-volumes", m)
	m = pressKeys(m, "]")
	screenGolden(t, "resources-networks", m)
	m = pressKeys(m, "esc")
	if m.overlay != nil {
		t.Fatalf("esc left %T open", m.overlay)
	}
	// Closed, it asks no more: keys and state changes reach no view.
	m = pressKeys(m, "j", "k")
	m = drive(t, m, func() tea.Msg { return changedMsg{} })
	if c := inv.called(); len(c) != 2 {
		t.Errorf("the closed view asked again: %q", c)
	}
}

func TestResourcesCommandOpensASection(t *testing.T) {
	inv := &fakeInventory{res: demoResources()}
	m := resourcesModel(t, inv, nil)
	m = asModel(m.Update(actKey(":")))
	for _, r := range "volumes" {
		m = asModel(m.Update(actKey(string(r))))
	}
	m, cmd := asModel2(m.Update(actKey("enter")))
	m = drive(t, m, cmd)
	v, ok := m.overlay.(*resourcesView)
	if !ok || v.section != secVolumes {
		t.Fatalf(":volumes opened %T (section %v), want the resources view on volumes", m.overlay, v)
	}
	if !strings.Contains(plainScreen(m), "demo_dbdata") {
		t.Errorf("the volumes are not listed:\n%s", plainScreen(m))
	}
}

func TestVolumeInUseIsRefusedWithoutAsking(t *testing.T) {
	inv := &fakeInventory{res: demoResources()}
	ops := volumeOps{newScriptedOps(t, nil)}
	m := resourcesModel(t, inv, ops)
	m = openView(t, m, "i")
	m = pressKeys(m, "]") // volumes; demo_dbdata is first and in use
	m, cmd := asModel2(m.Update(actKey("d")))
	m = drive(t, m, cmd)
	if m.confirm.Active() {
		t.Fatal("a volume in use was offered for removal")
	}
	if scr := plainScreen(m); !strings.Contains(scr, "in use by demo_db_1") {
		t.Errorf("the refusal does not name the container:\n%s", scr)
	}
	if c := ops.called(); len(c) != 0 {
		t.Errorf("removal ran: %q", c)
	}
}

func TestVolumeRemovalNeedsItsNameTyped(t *testing.T) {
	inv := &fakeInventory{res: demoResources()}
	ops := volumeOps{newScriptedOps(t, map[string]scripted{"remove volume demo_scratch": {lines: []string{"removed volume demo_scratch"}}})}
	m := resourcesModel(t, inv, ops)
	m = openView(t, m, "i")
	m = pressKeys(m, "]", "j") // volumes, demo_scratch: used by none
	m, cmd := asModel2(m.Update(actKey("d")))
	m = drive(t, m, cmd)
	if !m.confirm.Active() || m.confirm.req.typed != "demo_scratch" {
		t.Fatalf("d did not ask for the volume's name: %+v", m.confirm.req)
	}
	screenGolden(t, "resources-remove-volume", m)
	// The project's name is not the volume's: refused, nothing runs.
	for _, r := range "demo" {
		m = asModel(m.Update(actKey(string(r))))
	}
	m, cmd = asModel2(m.Update(actKey("enter")))
	m = drive(t, m, cmd)
	if c := ops.called(); len(c) != 0 {
		t.Fatalf("a wrong name removed the volume: %q", c)
	}
	if !strings.Contains(plainScreen(m), "That is not the volume's name") {
		t.Errorf("the wrong name is not refused:\n%s", plainScreen(m))
	}
	for range "demo" {
		m = asModel(m.Update(actKey("backspace")))
	}
	for _, r := range "demo_scratch" {
		m = asModel(m.Update(actKey(string(r))))
	}
	m, cmd = asModel2(m.Update(actKey("enter")))
	m = drive(t, m, cmd)
	if c := ops.called(); len(c) != 1 || c[0] != "remove volume demo_scratch" {
		t.Fatalf("calls %q, want the one removal", c)
	}
	// The view reads the engine again and says so.
	if c := inv.called(); len(c) != 4 {
		t.Errorf("the view did not look again after the removal: %q", c)
	}
	if scr := plainScreen(m); !strings.Contains(scr, "volume demo_scratch removed") {
		t.Errorf("the removal is not reported:\n%s", scr)
	}
}

func TestVolumeRemovalFailureIsShown(t *testing.T) {
	inv := &fakeInventory{res: demoResources()}
	refused := errors.New("remove volume demo_scratch: Error response from daemon: volume is in use - [abc]")
	ops := volumeOps{newScriptedOps(t, map[string]scripted{"remove volume demo_scratch": {err: refused}})}
	m := resourcesModel(t, inv, ops)
	m = openView(t, m, "i")
	m = pressKeys(m, "]", "j")
	m, cmd := asModel2(m.Update(actKey("d")))
	m = drive(t, m, cmd)
	for _, r := range "demo_scratch" {
		m = asModel(m.Update(actKey(string(r))))
	}
	m, cmd = asModel2(m.Update(actKey("enter")))
	m = drive(t, m, cmd)
	v, _ := m.overlay.(*resourcesView)
	if scr := plainScreen(m); v == nil || !strings.Contains(v.note, "volume is in use") || !strings.Contains(scr, "✗ remove volume demo_scratch: Error response from daemon") {
		t.Errorf("the engine's refusal is not shown:\n%s", scr)
	}
}

func TestProjectsViewOpensAnother(t *testing.T) {
	shop := &stack.Project{Name: "shop", WorkingDir: "/home/me/shop", Files: []string{"/home/me/shop/compose.yaml"},
		Services: []stack.Service{{Name: "cart", Enabled: true}}}
	inv := &fakeInventory{projects: demoProjects(), open: map[string]*stack.Project{"shop": shop}}
	m := resourcesModel(t, inv, nil)
	var watched []string
	m.opts.Watch = func(files []string) { watched = files }
	m = openView(t, m, "P")
	if _, ok := m.overlay.(*projectsView); !ok {
		t.Fatalf("P opened %T, want the projects view", m.overlay)
	}
	screenGolden(t, "projects", m)
	m = pressKeys(m, "j")
	m, cmd := asModel2(m.Update(actKey("enter")))
	m = drive(t, m, cmd)
	if m.overlay != nil {
		t.Errorf("the view stayed open after opening shop")
	}
	if m.snap.Project == nil || m.snap.Project.Name != "shop" {
		t.Fatalf("the session's project is %v, want shop", m.snap.Project)
	}
	if len(watched) != 1 || watched[0] != "/home/me/shop/compose.yaml" {
		t.Errorf("watching %q, want shop's file", watched)
	}
	if scr := plainScreen(m); !strings.HasPrefix(scr, "stackui · shop") || !strings.Contains(scr, "opened project shop") {
		t.Errorf("the screen does not show shop:\n%s", scr)
	}
}

func TestProjectsViewSaysWhichFileIsGone(t *testing.T) {
	gone := fmt.Errorf("project shop: its compose file /home/me/shop/compose.yaml is gone")
	inv := &fakeInventory{projects: demoProjects(), openErr: gone}
	m := resourcesModel(t, inv, nil)
	m = openView(t, m, "P")
	m = pressKeys(m, "j")
	m, cmd := asModel2(m.Update(actKey("enter")))
	m = drive(t, m, cmd)
	if _, ok := m.overlay.(*projectsView); !ok {
		t.Fatalf("the view closed on a failed open: %T", m.overlay)
	}
	if m.snap.Project.Name != "demo" {
		t.Errorf("the project changed to %s", m.snap.Project.Name)
	}
	if scr := plainScreen(m); !strings.Contains(scr, "/home/me/shop/compose.yaml is gone") {
		t.Errorf("the missing file is not named:\n%s", scr)
	}
}

func TestServicesListSaysHowManyMore(t *testing.T) {
	keys := defaultKeys()
	p := newServicesPane(themes.Build(themes.Default(), true, true), &keys)
	snap := bigSnapshot(30)
	p.setSnapshot(snap)
	p.SetSize(60, 10)
	lines := strings.Split(p.View(), "\n")
	if len(lines) != 10 || !strings.Contains(lines[9], "more below") || strings.Contains(lines[9], "above") {
		t.Fatalf("the last line does not say what is below:\n%s", strings.Join(lines, "\n"))
	}
	// The cursor goes to the bottom and stays in view; the line counts
	// what is above instead.
	for range 40 {
		p.Update(actKey("j"))
	}
	view := p.View()
	lines = strings.Split(view, "\n")
	if !strings.Contains(view, "service-29") || !strings.Contains(lines[len(lines)-1], "more above") {
		t.Errorf("the last service is not shown with the count above:\n%s", view)
	}
	for i, l := range lines {
		if strings.Contains(l, "service-29") && i >= 9 {
			t.Errorf("the selected row is under the count line: row %d", i)
		}
	}
	if c := countServices(snap); c.running != 20 || c.exited != 10 || c.missing != 0 {
		t.Errorf("counts %+v", c)
	}
}

// bigSnapshot is n services, every third exited.
func bigSnapshot(n int) stack.Snapshot {
	p := &stack.Project{Name: "big"}
	var svcs []stack.ServiceState
	for i := range n {
		svc := stack.Service{Name: fmt.Sprintf("service-%02d", i), Enabled: true}
		p.Services = append(p.Services, svc)
		st := stack.ServiceState{Service: svc, State: stack.StateRunning, Running: 1, Total: 1}
		if i%3 == 2 {
			st.State, st.Running, st.ExitCode = stack.StateExited, 0, 1
		}
		svcs = append(svcs, st)
	}
	return stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: true}, Services: svcs}
}

// TestResourcesDetailShowsEveryService: an image a big project's every
// service runs lists them all under the table, on more than one line.
func TestResourcesDetailShowsEveryService(t *testing.T) {
	r := demoResources()
	var svcs []string
	for i := range 12 {
		svcs = append(svcs, fmt.Sprintf("snuba-consumer-%02d", i))
	}
	r.Images = r.Images[1:2]
	r.Images[0].Services = svcs
	m := resourcesModel(t, &fakeInventory{res: r}, nil)
	m = openView(t, m, "i")
	scr := plainScreen(m)
	if !strings.Contains(scr, "12 services: snuba-consumer-00") || !strings.Contains(scr, "snuba-consumer-11") {
		t.Errorf("the selected image's services are not all listed:\n%s", scr)
	}
	if got := detailLines(strings.Repeat("word ", 100), 20, 3); len(got) != 3 || !strings.HasSuffix(got[2], "…") {
		t.Errorf("detailLines cut to %q", got)
	}
}

// TestResourcesQuickLookThenSizes: the view shows the quick answer (no
// volume sizes) at once, says it is measuring, and takes the measured one
// whenever it comes; a quick answer after it changes nothing.
func TestResourcesQuickLookThenSizes(t *testing.T) {
	keys := defaultKeys()
	inv := &fakeInventory{res: demoResources()}
	v := newResourcesView(context.Background(), themes.Build(themes.Default(), true, true), &keys, inv, demoSnapshot().Project)
	v.SetSize(120, 20)
	batch, ok := v.fetch()().(tea.BatchMsg)
	if !ok || len(batch) != 2 {
		t.Fatalf("fetch is not two looks: %T", batch)
	}
	quick, sized := batch[0](), batch[1]()
	if q := quick.(resourcesMsg); q.sized {
		quick, sized = sized, quick
	}
	v.section = secVolumes
	v.Update(quick)
	if view := ansi.Strip(v.View()); !strings.Contains(view, "measuring…") || !strings.Contains(view, "measuring volume sizes") {
		t.Errorf("the quick look does not say sizes are coming:\n%s", view)
	}
	v.Update(sized)
	v.Update(quick) // late: ignored
	if view := ansi.Strip(v.View()); strings.Contains(view, "measuring") || !strings.Contains(view, "48.2MB") {
		t.Errorf("the measured sizes are not shown:\n%s", view)
	}
}
