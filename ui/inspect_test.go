package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/stackui/stackui/stack"
)

// inspectOps is scripted Ops with the tabs' reads, counting each call; a
// read for a container or service it was not given fails the test.
type inspectOps struct {
	*scriptedOps
	mu      sync.Mutex
	reads   []string
	details map[string]stack.ContainerDetails
	procs   map[string]stack.Processes
	configs map[string]stack.ServiceConfigView
}

func (f *inspectOps) read(what string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads = append(f.reads, what)
}

func (f *inspectOps) readCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.reads)
}

func (f *inspectOps) ContainerDetails(_ context.Context, id string) (stack.ContainerDetails, error) {
	f.read("details " + id)
	d, ok := f.details[id]
	if !ok {
		f.t.Errorf("unexpected inspect of %s", id)
		return d, errors.New("no such container")
	}
	return d, nil
}

func (f *inspectOps) ContainerTop(_ context.Context, id string) (stack.Processes, error) {
	f.read("top " + id)
	p, ok := f.procs[id]
	if !ok {
		f.t.Errorf("unexpected top of %s", id)
		return p, errors.New("no such container")
	}
	return p, nil
}

func (f *inspectOps) ServiceConfig(service string) (stack.ServiceConfigView, error) {
	f.read("config " + service)
	v, ok := f.configs[service]
	if !ok {
		f.t.Errorf("unexpected config of %s", service)
		return v, errors.New("no such service")
	}
	return v, nil
}

func strp(s string) *string { return &s }

// tabsSnapshot: api runs in container c-api with a published port, db
// has no container and declares its environment and a port.
func tabsSnapshot() stack.Snapshot {
	p := &stack.Project{Name: "demo"}
	api := stack.Service{Name: "api", Enabled: true}
	cfg := types.ServiceConfig{}
	cfg.Environment = types.MappingWithEquals{"POSTGRES_PASSWORD": strp("pw"), "PGDATA": strp("/data")}
	cfg.Ports = []types.ServicePortConfig{{Target: 5432, Published: "15432", Protocol: "tcp"}}
	db := stack.Service{Name: "db", Enabled: true, Config: cfg}
	p.Services = []stack.Service{api, db}
	return stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: true}, Services: []stack.ServiceState{
		{Service: api, State: stack.StateRunning, Running: 1, Total: 1,
			Containers: []stack.Container{{ID: "c-api", Name: "demo-api-1", Service: "api", Number: 1, State: stack.StateRunning}}},
		{Service: db, State: stack.StateMissing},
	}}
}

func newInspectOps(t *testing.T) *inspectOps {
	return &inspectOps{
		scriptedOps: &scriptedOps{t: t},
		details: map[string]stack.ContainerDetails{"c-api": {
			Env:   []string{"PATH=/usr/bin", "DB_PASSWORD=hunter2", "API_TOKEN=t0k", "LOG_LEVEL=info"},
			Ports: []stack.PublishedPort{{HostIP: "127.0.0.1", HostPort: 32768, ContainerPort: 8080, Proto: "tcp"}},
		}},
		procs: map[string]stack.Processes{"c-api": {
			Titles: []string{"UID", "PID", "CMD"},
			Rows:   [][]string{{"root", "4242", "/stackui workload --serve :8080"}},
		}},
		configs: map[string]stack.ServiceConfigView{"api": {Service: "api", Keys: []stack.ConfigKey{
			{Key: "image", YAML: "image: example/api:dev", Origins: []stack.Origin{{File: "compose.override.yaml", Line: 4}, {File: "compose.yaml", Line: 3}}},
			{Key: "environment", YAML: "environment:\n  DB_PASSWORD: hunter2\n  TAG: \"1.2\"",
				Origins: []stack.Origin{{File: "compose.yaml", Line: 6}},
				Vars:    []stack.VarRef{{Name: "DB_PASSWORD", From: ".env:1"}, {Name: "TAG", From: ""}}},
			{Key: "networks", YAML: "networks:\n  default: null"},
		}}},
	}
}

// inspectModel is the 100×24 model over tabsSnapshot with api selected
// and the given tab current (the root has not yet told it).
func inspectModel(t *testing.T, ops *inspectOps, to tab) Model {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	m := sized(t, &fakeSource{snap: tabsSnapshot(), ch: make(chan struct{}, 1)}, Options{Ops: ops, Context: ctx})
	m.actions.tick = func() tea.Cmd { return nil }
	m.tabs[tabTop].(*topPane).every = time.Millisecond
	m = selectService(m, "api")
	m.setTab(to)
	return m
}

// settle runs cmd and feeds the tabs' answers back through Update, for at
// most rounds rounds (top re-arms itself for as long as it is shown). It
// returns the model and the other messages seen.
func settle(t testing.TB, m Model, cmd tea.Cmd, rounds int) (Model, []tea.Msg) {
	t.Helper()
	var other []tea.Msg
	cmds := []tea.Cmd{cmd}
	for r := 0; r < rounds && len(cmds) > 0; r++ {
		var next []tea.Cmd
		for len(cmds) > 0 {
			c := cmds[0]
			cmds = cmds[1:]
			if c == nil {
				continue
			}
			switch msg := runBriefly(c).(type) {
			case nil:
			case tea.BatchMsg:
				cmds = append(cmds, msg...)
			case tabMsg:
				var out tea.Cmd
				m, out = asModelCmd(m.Update(msg))
				next = append(next, out)
			default:
				other = append(other, msg)
			}
		}
		cmds = next
	}
	return m, other
}

// runBriefly runs a command, giving up on one that blocks (the wait for
// the next state change): the tabs' reads answer at once here.
func runBriefly(c tea.Cmd) tea.Msg {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	select {
	case msg := <-ch:
		return msg
	case <-time.After(200 * time.Millisecond):
		return nil
	}
}

func asModelCmd(m tea.Model, cmd tea.Cmd) (Model, tea.Cmd) { return m.(Model), cmd }

// updateSettled is one Update, settled.
func updateSettled(t *testing.T, m Model, msg tea.Msg) (Model, []tea.Msg) {
	t.Helper()
	m, cmd := asModelCmd(m.Update(msg))
	return settle(t, m, cmd, 3)
}

func TestTabsReadOnlyWhileVisible(t *testing.T) {
	ops := newInspectOps(t)
	m := inspectModel(t, ops, tabLogs)
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	m, _ = updateSettled(t, m, changedMsg{})
	if n := ops.readCount(); n != 0 {
		t.Fatalf("reads with the logs tab on screen: %v", ops.reads)
	}
	// Each tab reads once when it comes into view, and not again while
	// nothing it reads changes.
	want := map[tab]string{tabConfig: "config api", tabEnv: "details c-api", tabPorts: "details c-api"}
	for _, to := range []tab{tabConfig, tabEnv, tabPorts} {
		before := ops.readCount()
		m.setTab(to)
		m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
		m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
		if got := ops.reads[before:]; len(got) != 1 || got[0] != want[to] {
			t.Errorf("tab %s read %v, want [%s]", m.tabs[to].Title(), got, want[to])
		}
	}
	// Selecting a service without a container reads nothing from the engine.
	before := ops.readCount()
	m = selectService(m, "db")
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	if got := ops.reads[before:]; len(got) != 0 {
		t.Errorf("ports of a service without a container read %v", got)
	}
	// An overlay hides the tab; closing it reads again.
	m = selectService(m, "api")
	m.setTab(tabEnv)
	m, _ = updateSettled(t, m, actKey("?"))
	before = ops.readCount()
	m, _ = updateSettled(t, m, closeOverlayMsg{})
	if got := ops.reads[before:]; len(got) != 1 {
		t.Errorf("closing the help over env read %v, want one inspect", got)
	}
}

func TestTopRearmsOnlyWhileShown(t *testing.T) {
	ops := newInspectOps(t)
	m := inspectModel(t, ops, tabTop)
	m, cmd := asModelCmd(m.Update(tea.WindowSizeMsg{Width: 100, Height: 24}))
	// Three rounds: read, answer + tick, read again.
	m, _ = settle(t, m, cmd, 4)
	if n := ops.readCount(); n < 2 {
		t.Fatalf("top read %d times while shown, want the first read and a re-read: %v", n, ops.reads)
	}
	if got := plainScreen(m); !strings.Contains(got, "/stackui workload --serve :8080") || !strings.Contains(got, "UID") {
		t.Errorf("top tab does not show the process table:\n%s", got)
	}
	p := m.tabs[tabTop].(*topPane)
	gen := p.shown.gen
	// Hidden: a tick or an answer of the shown time is dropped, and
	// nothing is re-armed.
	m.setTab(tabLogs)
	m, _ = asModelCmd(m.Update(tea.WindowSizeMsg{Width: 100, Height: 24}))
	before := ops.readCount()
	for _, msg := range []tea.Msg{topTickMsg{gen: gen}, topMsg{gen: gen, procs: ops.procs["c-api"]}} {
		var cmd tea.Cmd
		m, cmd = asModelCmd(m.Update(msg))
		m, _ = settle(t, m, cmd, 3)
	}
	if got := ops.reads[before:]; len(got) != 0 {
		t.Errorf("hidden top read %v", got)
	}
	if !p.shown.visible && p.shown.gen == gen {
		t.Error("hiding the tab did not start a new generation")
	}
}

func TestTopWithoutRunningContainerReadsNothing(t *testing.T) {
	ops := newInspectOps(t)
	m := inspectModel(t, ops, tabTop)
	m = selectService(m, "db")
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	if ops.readCount() != 0 {
		t.Errorf("top of a service with no container read %v", ops.reads)
	}
	if got := plainScreen(m); !strings.Contains(got, "db has no running container") {
		t.Errorf("top tab does not say why it is empty:\n%s", got)
	}
}

func TestEnvMasksUntilRevealAndCopiesOnY(t *testing.T) {
	ops := newInspectOps(t)
	m := inspectModel(t, ops, tabEnv)
	m.focus = focusRight
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	got := plainScreen(m)
	if strings.Contains(got, "hunter2") || strings.Contains(got, "t0k") || !strings.Contains(got, "DB_PASSWORD=••••••••") {
		t.Fatalf("secrets not masked:\n%s", got)
	}
	if !strings.Contains(got, "LOG_LEVEL=info") {
		t.Errorf("a plain value is masked:\n%s", got)
	}
	m, _ = updateSettled(t, m, actKey("v"))
	if got := plainScreen(m); !strings.Contains(got, "DB_PASSWORD=hunter2") {
		t.Errorf("v does not reveal:\n%s", got)
	}
	m, _ = updateSettled(t, m, actKey("v"))
	// Sorted: API_TOKEN, DB_PASSWORD, ... ; j selects DB_PASSWORD.
	m, _ = updateSettled(t, m, actKey("j"))
	_, msgs := updateSettled(t, m, actKey("y"))
	var copied, note string
	for _, msg := range msgs {
		switch msg := msg.(type) {
		case statusMsg:
			note = msg.text
		default:
			if strings.Contains(fmt.Sprintf("%T", msg), "Clipboard") {
				copied = fmt.Sprint(msg)
			}
		}
	}
	if copied != "DB_PASSWORD=hunter2" || !strings.Contains(note, "copied DB_PASSWORD") {
		t.Errorf("y copied %q with note %q, want the unmasked line and a note", copied, note)
	}
	if got := plainScreen(m); strings.Contains(got, "hunter2") {
		t.Errorf("copying revealed the value on screen:\n%s", got)
	}
}

func TestEnvWithoutContainerShowsDeclared(t *testing.T) {
	ops := newInspectOps(t)
	m := inspectModel(t, ops, tabEnv)
	m = selectService(m, "db")
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	got := plainScreen(m)
	for _, want := range []string{"no container: the environment the compose files declare", "PGDATA=/data", "POSTGRES_PASSWORD=••••••••"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q missing:\n%s", want, got)
		}
	}
	if ops.readCount() != 0 {
		t.Errorf("declared env read the engine: %v", ops.reads)
	}
}

func TestConfigShowsOriginsAndMasks(t *testing.T) {
	ops := newInspectOps(t)
	m := inspectModel(t, ops, tabConfig)
	m.focus = focusRight
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	got := plainScreen(m)
	for _, want := range []string{
		"image: example/api:dev  # compose.override.yaml:4 (over compose.yaml:3)",
		"environment:  # compose.yaml:6 · $DB_PASSWORD from .env:1 · $TAG unset (default used)",
		"  DB_PASSWORD: ••••••••",
		"networks:  # compose default",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("%q missing:\n%s", want, got)
		}
	}
	m, _ = updateSettled(t, m, actKey("v"))
	if got := plainScreen(m); !strings.Contains(got, "DB_PASSWORD: hunter2") {
		t.Errorf("v does not reveal the config's secrets:\n%s", got)
	}
	// A reload reads the config again while the tab is on screen.
	before := ops.readCount()
	src := m.src.(*fakeSource)
	src.snap.Project = &stack.Project{Name: "demo", Services: src.snap.Project.Services}
	m, _ = updateSettled(t, m, changedMsg{})
	if got := ops.reads[before:]; len(got) != 1 || got[0] != "config api" {
		t.Errorf("a reload read %v, want [config api]", got)
	}
}

func TestPortsOpenTakesOFromTheDrawer(t *testing.T) {
	ops := newInspectOps(t)
	m := inspectModel(t, ops, tabPorts)
	var opened []string
	pp := m.tabs[tabPorts].(*portsPane)
	pp.opener = func(u string) error {
		opened = append(opened, u)
		if len(opened) > 1 {
			return errors.New("over ssh: open it on your machine")
		}
		return nil
	}
	m.focus = focusRight
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	if got := plainScreen(m); !strings.Contains(got, "127.0.0.1:32768          → 8080/tcp") {
		t.Fatalf("ports tab:\n%s", got)
	}
	m, msgs := updateSettled(t, m, actKey("o"))
	if len(opened) != 1 || opened[0] != "http://127.0.0.1:32768" {
		t.Errorf("o opened %v", opened)
	}
	if m.actions.note != "" {
		t.Errorf("o on the ports tab also went to the drawer (note %q)", m.actions.note)
	}
	_, msgs = updateSettled(t, m, actKey("o"))
	if len(msgs) != 1 || !strings.Contains(fmt.Sprint(msgs[0]), "http://127.0.0.1:32768 (over ssh") {
		t.Errorf("without an opener the URL is not shown: %v", msgs)
	}
	// Without a container the declared port is listed, and o says why not.
	m = selectService(m, "db")
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	if got := plainScreen(m); !strings.Contains(got, "localhost:15432") {
		t.Errorf("declared ports missing:\n%s", got)
	}
	m, _ = updateSettled(t, m, actKey("o"))
	if len(opened) != 2 || !strings.Contains(m.actions.note, "no container") {
		t.Errorf("o without a container: opened %v, note %q", opened, m.actions.note)
	}
}

func TestStaleAnswerIsDropped(t *testing.T) {
	ops := newInspectOps(t)
	m := inspectModel(t, ops, tabEnv)
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	p := m.tabs[tabEnv].(*envPane)
	old := p.shown.gen - 1
	m, _ = updateSettled(t, m, detailsMsg{to: tabEnv, gen: old, d: stack.ContainerDetails{Env: []string{"STALE=1"}}})
	if strings.Contains(plainScreen(m), "STALE") {
		t.Error("an answer for an earlier selection was shown")
	}
}

func TestIsSecret(t *testing.T) {
	for name, want := range map[string]bool{
		"DB_PASSWORD": true, "PASSWORD": true, "API_KEY": true, "AWS_SECRET_ACCESS_KEY": true,
		"GITHUB_TOKEN": true, "db.password": true, "POSTGRES_PASSWORD_FILE": true, "SSH_AUTH_SOCK": true,
		"PATH": false, "KEYBOARD": false, "MONKEY": false, "HOME": false, "LOG_LEVEL": false, "TOKENIZER_PARALLELISM": false,
	} {
		if got := isSecret(name); got != want {
			t.Errorf("isSecret(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestScreenInspectTabs(t *testing.T) {
	for _, to := range []tab{tabConfig, tabEnv, tabTop, tabPorts} {
		ops := newInspectOps(t)
		m := inspectModel(t, ops, to)
		m.focus = focusRight
		m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
		screenGolden(t, "tab-"+m.tabs[to].Title(), m)
	}
}

func TestRevealEndsWithTheService(t *testing.T) {
	ops := newInspectOps(t)
	m := inspectModel(t, ops, tabEnv)
	m.focus = focusRight
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	m, _ = updateSettled(t, m, actKey("v"))
	m = selectService(m, "db")
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	if got := plainScreen(m); !strings.Contains(got, "POSTGRES_PASSWORD=••••••••") {
		t.Errorf("secrets shown for api stay shown for db:\n%s", got)
	}
}

func TestRevealWorksFromTheList(t *testing.T) {
	ops := newInspectOps(t)
	m := inspectModel(t, ops, tabEnv)
	m.focus = focusServices
	m, _ = updateSettled(t, m, tea.WindowSizeMsg{Width: 100, Height: 24})
	m, _ = updateSettled(t, m, actKey("v"))
	if got := plainScreen(m); !strings.Contains(got, "DB_PASSWORD=hunter2") {
		t.Errorf("v from the services list does not reveal:\n%s", got)
	}
	// o from the list is still the drawer's.
	m.setTab(tabPorts)
	m, _ = updateSettled(t, m, actKey("o"))
	if m.actions.note != "no action output yet" {
		t.Errorf("o from the list is not the drawer's (note %q)", m.actions.note)
	}
}

func TestPortsOnBothFamiliesShowOnce(t *testing.T) {
	got := dedupePorts([]stack.PublishedPort{
		{HostIP: "0.0.0.0", HostPort: 9000, ContainerPort: 9000, Proto: "tcp"},
		{HostIP: "::", HostPort: 9000, ContainerPort: 9000, Proto: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 9000, ContainerPort: 9000, Proto: "tcp"},
		{HostIP: "::", HostPort: 9000, ContainerPort: 9000, Proto: "udp"},
	})
	if len(got) != 3 || got[0].HostIP != "0.0.0.0" || got[1].HostIP != "127.0.0.1" || got[2].Proto != "udp" {
		t.Errorf("dedupePorts = %+v", got)
	}
}

// heldTopOps holds its first top until the read's deadline, as Podman held
// one asked while compose was starting the container, then answers.
type heldTopOps struct {
	*inspectOps
	held atomic.Bool
}

func (f *heldTopOps) ContainerTop(ctx context.Context, id string) (stack.Processes, error) {
	if f.held.CompareAndSwap(false, true) {
		<-ctx.Done()
		return stack.Processes{}, ctx.Err()
	}
	return f.inspectOps.ContainerTop(ctx, id)
}

// A top read the engine holds ends at its deadline, says so, and is asked
// again: the tab then shows the processes instead of staying empty.
func TestTopHeldReadIsAskedAgain(t *testing.T) {
	ops := &heldTopOps{inspectOps: newInspectOps(t)}
	m := inspectModel(t, ops.inspectOps, tabTop)
	m.tabs[tabTop].(*topPane).insp = ops
	m.tabs[tabTop].(*topPane).wait = 20 * time.Millisecond
	m, cmd := asModelCmd(m.Update(tea.WindowSizeMsg{Width: 100, Height: 24}))
	m, _ = settle(t, m, cmd, 4)
	if !ops.held.Load() {
		t.Fatal("the held read was never asked")
	}
	if got := plainScreen(m); !strings.Contains(got, "/stackui workload --serve :8080") {
		t.Errorf("after a held read the tab does not show the processes:\n%s", got)
	}
}
