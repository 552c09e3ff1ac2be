package ui

import (
	"fmt"
	"strconv"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// benchTab renders whole frames at 200×50, with colours, with tab to
// current and full of data: a service of the big project's size (a config
// of 60 keys, 80 variables, 60 processes, 12 ports).
func benchTab(b *testing.B, to tab) {
	ops := newInspectOps(nil)
	var env []string
	for i := range 80 {
		name := fmt.Sprintf("SETTING_%02d", i)
		if i%5 == 0 {
			name = fmt.Sprintf("SERVICE_%02d_PASSWORD", i)
		}
		env = append(env, name+"=value-"+strconv.Itoa(i*7919))
	}
	var ports []stack.PublishedPort
	for i := range 12 {
		ports = append(ports, stack.PublishedPort{HostIP: "127.0.0.1", HostPort: 30000 + i, ContainerPort: 8000 + i, Proto: "tcp"})
	}
	ops.details["c-api"] = stack.ContainerDetails{Env: env, Ports: ports}
	var procs [][]string
	for i := range 60 {
		procs = append(procs, []string{"root", strconv.Itoa(1000 + i), "1", "0", "22:27", "?", "00:00:01", "/stackui workload --serve :8080 --log-rate 2 --worker " + strconv.Itoa(i)})
	}
	ops.procs["c-api"] = stack.Processes{Titles: []string{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}, Rows: procs}
	var keys []stack.ConfigKey
	for i := range 60 {
		keys = append(keys, stack.ConfigKey{Key: fmt.Sprintf("key_%02d", i),
			YAML:    fmt.Sprintf("key_%02d:\n  - value ${VAR_%d}\n  - other", i, i),
			Origins: []stack.Origin{{File: "compose.override.yaml", Line: i + 3}, {File: "compose.yaml", Line: i + 10}},
			Vars:    []stack.VarRef{{Name: fmt.Sprintf("VAR_%d", i), From: ".env:" + strconv.Itoa(i+1)}}})
	}
	ops.configs["api"] = stack.ServiceConfigView{Service: "api", Keys: keys}
	src := &fakeSource{snap: tabsSnapshot(), ch: make(chan struct{}, 1)}
	m := New(src, Options{Styles: themes.Build(themes.Default(), true, false), Ops: ops})
	m.tabs[tabTop].(*topPane).every = 1 << 62 // one read is enough
	m = selectService(m, "api")
	m.setTab(to)
	m.focus = focusRight
	m, cmd := asModelCmd(m.Update(tea.WindowSizeMsg{Width: 200, Height: 50}))
	m, _ = settle(b, m, cmd, 2)
	if m.tabs[to].(interface{ View() string }).View() == "" {
		b.Fatal("empty tab")
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = m.View()
	}
}

func BenchmarkTabConfig(b *testing.B) { benchTab(b, tabConfig) }
func BenchmarkTabEnv(b *testing.B)    { benchTab(b, tabEnv) }
func BenchmarkTabTop(b *testing.B)    { benchTab(b, tabTop) }
func BenchmarkTabPorts(b *testing.B)  { benchTab(b, tabPorts) }
