package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// fixtureSnapshot loads a compose fixture with compose-go, with profiles
// as given (nil: COMPOSE_PROFILES, from its .env), and lists its services
// as not created.
func fixtureSnapshot(t *testing.T, name string, profiles []string) stack.Snapshot {
	t.Helper()
	dir := filepath.Join("..", "testdata", "compose", name)
	p, err := stack.Load(context.Background(), stack.LoadOptions{WorkDir: dir, Profiles: profiles, Env: map[string]string{}})
	if err != nil {
		t.Fatal(err)
	}
	s := stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: true}}
	for _, svc := range p.Services {
		s.Services = append(s.Services, stack.ServiceState{Service: svc, State: stack.StateMissing})
	}
	return s
}

// rowsText is the pane's rows, one line each, headers unindented.
func rowsText(rows []row) string {
	var b strings.Builder
	for _, r := range rows {
		switch {
		case r.service != nil:
			b.WriteString("  " + r.service.Service.Name + "\n")
		case r.always:
			b.WriteString("always on\n")
		case r.on:
			b.WriteString(profileLabel(r.header) + " (on)\n")
		default:
			b.WriteString(profileLabel(r.header) + " (off)\n")
		}
	}
	return b.String()
}

// The groups are compose's: a service under each of its profiles, the
// empty profile on exactly when no profile is chosen.
func TestServicesGroupsAsCompose(t *testing.T) {
	cases := []struct {
		fixture  string
		profiles []string
		want     string
	}{
		{"profile-multi", nil, "always on\n  app\nmetadata-mysql (on)\n  metadata\n  mysql\nmysql (off)\n  mysql\n"},
		{"profile-empty", nil, "always on\n  web\ndefault (\"\" profile) (on)\n  ollama-cpu\ncpu (off)\n  ollama-cpu\ncuda (off)\n  ollama-cuda\n"},
		{"profile-empty", []string{"cuda"}, "always on\n  web\ndefault (\"\" profile) (off)\n  ollama-cpu\ncpu (off)\n  ollama-cpu\ncuda (on)\n  ollama-cuda\n"},
		{"profile-refused", []string{"elastic", "kibana"}, "always on\n  web\nelastic (on)\n  es01\nkibana (on)\n  kibana\n"},
	}
	for _, tc := range cases {
		t.Run(tc.fixture+"/"+strings.Join(tc.profiles, ","), func(t *testing.T) {
			if got := rowsText(groupRows(fixtureSnapshot(t, tc.fixture, tc.profiles))); got != tc.want {
				t.Errorf("rows:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// A service listed under two headers: the cursor moves through both rows,
// each acts on that service, and a new snapshot keeps the cursor on the
// same row rather than jumping to the first listing.
func TestServicesCursorOnServiceListedTwice(t *testing.T) {
	ops := newScriptedOps(t, map[string]scripted{"up mysql": {}})
	m := sized(t, &fakeSource{snap: fixtureSnapshot(t, "profile-multi", nil), ch: make(chan struct{}, 1)}, Options{Ops: ops, Context: t.Context()})
	m.actions.tick = func() tea.Cmd { return nil }
	m = pressKeys(m, "G") // the last row: mysql under "mysql (off)"
	r, _ := m.list.selectedRow()
	if r.service == nil || r.service.Service.Name != "mysql" || r.header != "mysql" {
		t.Fatalf("G selected %+v; want mysql under the mysql header", r)
	}
	if m.selected() != "mysql" {
		t.Errorf("selected() = %q, want mysql", m.selected())
	}
	cursor := m.list.cursor
	m.list.SetSnapshot(fixtureSnapshot(t, "profile-multi", nil))
	if m.list.cursor != cursor {
		t.Errorf("a new snapshot moved the cursor from %d to %d", cursor, m.list.cursor)
	}
	m = pressKeys(m, "k", "k") // header "mysql (off)", then mysql under metadata-mysql
	if r, _ := m.list.selectedRow(); r.service == nil || r.service.Service.Name != "mysql" || r.header != "metadata-mysql" {
		t.Fatalf("k k selected %+v; want mysql under metadata-mysql", r)
	}
	pressKeys(m, "u")
	waitCalls(t, ops, 1)
	if got := ops.called(); len(got) != 1 || got[0] != "up mysql" {
		t.Errorf("calls %v; want [up mysql]", got)
	}
}

// Turning kibana on alone is a selection compose refuses: the toggle says
// why and runs nothing. The "" profile's header cannot be toggled.
func TestProfileToggleRefusedAsCompose(t *testing.T) {
	ops := newScriptedOps(t, nil)
	m := sized(t, &fakeSource{snap: fixtureSnapshot(t, "profile-refused", []string{}), ch: make(chan struct{}, 1)}, Options{Ops: ops, Context: t.Context()})
	cmd := m.toggleProfile("kibana", true)
	msg := runMsg(cmd)
	st, ok := msg.(statusMsg)
	if !ok || !st.err || !strings.Contains(st.text, "kibana on refused") || !strings.Contains(st.text, `depends on "es01"`) {
		t.Errorf("toggle kibana on: %#v", msg)
	}
	m2 := sized(t, &fakeSource{snap: fixtureSnapshot(t, "profile-empty", nil), ch: make(chan struct{}, 1)}, Options{Ops: ops, Context: t.Context()})
	if st, ok := runMsg(m2.toggleProfile("", false)).(statusMsg); !ok || !strings.Contains(st.text, `"" profile`) {
		t.Errorf("toggle \"\": %#v", st)
	}
	if got := ops.called(); len(got) != 0 {
		t.Errorf("a refused toggle ran %v", got)
	}
}

func runMsg(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	return cmd()
}

// The whole screen of the empty-profile fixture with a service in two
// groups: `default ("" profile)` is on, ollama-cpu is listed under it and
// under cpu.
func TestScreenServicesEmptyProfile(t *testing.T) {
	m := sized(t, &fakeSource{snap: fixtureSnapshot(t, "profile-empty", nil), ch: make(chan struct{}, 1)}, Options{})
	screenGolden(t, "services-empty-profile", m)
}

// A running service whose containers were made from another configuration
// shows the drift mark; one without drift, or unknown, does not.
func TestServiceRowDrift(t *testing.T) {
	yes, no := true, false
	snap := demoSnapshot()
	snap.Services[0].Drift = &yes
	p := newServicesPane(themes.Build(themes.Default(), true, true), nil)
	p.setSnapshot(snap)
	if l := ansi.Strip(p.serviceLine(&snap.Services[0])); !strings.Contains(l, driftMark) {
		t.Errorf("drifted row %q has no %q", l, driftMark)
	}
	for _, d := range []*bool{&no, nil} {
		snap.Services[0].Drift = d
		if l := ansi.Strip(p.serviceLine(&snap.Services[0])); strings.Contains(l, driftMark) {
			t.Errorf("drift %v: row %q has the mark", d, l)
		}
	}
}
