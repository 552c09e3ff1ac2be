package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
	"github.com/stackui/stackui/ui/logbuf"
)

// logsT0 is a fixed time, so timestamps and saved file names are stable.
var logsT0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

func logsSnapshot() stack.Snapshot {
	ctr := func(svc string, n int) stack.Container {
		return stack.Container{ID: fmt.Sprintf("%s-%d-id", svc, n), Service: svc, Number: n, State: stack.StateRunning, StartedAt: logsT0}
	}
	return stack.Snapshot{
		Project: &stack.Project{Name: "demo"},
		Engine:  stack.EngineStatus{Reachable: true},
		Services: []stack.ServiceState{
			{Service: stack.Service{Name: "api"}, Containers: []stack.Container{ctr("api", 1), ctr("api", 2)}, State: stack.StateRunning},
			{Service: stack.Service{Name: "db"}, State: stack.StateMissing},
			{Service: stack.Service{Name: "trainer"}, Containers: []stack.Container{ctr("trainer", 1)}, State: stack.StateRunning},
		},
	}
}

// newTestLogs makes a logs pane of 60x12 with colours on, showing api.
func newTestLogs(t testing.TB, o LogsOptions) *logsPane {
	t.Helper()
	keys := defaultKeys()
	if o.Now == nil {
		o.Now = func() time.Time { return logsT0 }
	}
	m := newLogsPane(themes.Build(themes.Default(), true, false), &keys, o)
	m.SetSize(60, 12)
	m.SetSnapshot(logsSnapshot())
	m.SetService("api")
	t.Cleanup(m.Close)
	return m
}

// logsAdd puts numbered lines of one replica straight into the store,
// 1 ms apart from start.
func logsAdd(m *logsPane, svc string, replica, start, n int, format string) {
	id := m.store.Source(svc, replica, 0)
	for i := start; i < start+n; i++ {
		m.store.Append(id, logsT0.Add(time.Duration(i)*time.Millisecond), logbuf.StreamStdout, fmt.Sprintf(format, i))
	}
}

// logsKey makes a key logsPress as a terminal would send it: "j", "G", "/",
// "enter", "ctrl+s".
func logsKey(k string) tea.KeyPressMsg {
	special := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"backspace": tea.KeyBackspace,
	}
	if c, ok := special[k]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// logsPress sends keys, returning the last command.
func logsPress(m *logsPane, keys ...string) tea.Cmd {
	var cmd tea.Cmd
	for _, k := range keys {
		cmd = m.Update(logsKey(k))
	}
	return cmd
}

// logsType types into the search input.
func logsType(m *logsPane, s string) {
	for _, r := range s {
		m.Update(logsKey(string(r)))
	}
}

func logsPlain(m *logsPane) string { return ansi.Strip(m.View()) }

func logsLines(m *logsPane) []string { return strings.Split(logsPlain(m), "\n") }

func TestKeyMsgMatchesBindings(t *testing.T) {
	keys := defaultKeys()
	for k, b := range map[string]Binding{"G": keys.Bottom, "ctrl+s": keys.Save, "pgup": keys.PageUp, "/": keys.Search, "N": keys.PrevMatch} {
		if !on(logsKey(k), b) {
			t.Errorf("key %q (%q) does not match its binding", k, logsKey(k).String())
		}
	}
}

func TestLogsFollowPauseResume(t *testing.T) {
	m := newTestLogs(t, LogsOptions{})
	logsAdd(m, "api", 1, 0, 100, "line %d")
	lines := logsLines(m)
	if len(lines) != 12 || lines[10] != "line 99" || !strings.Contains(lines[11], "following") {
		t.Fatalf("follow view:\n%s", strings.Join(lines, "\n"))
	}
	logsPress(m, "k")
	if m.pos.Follow {
		t.Fatal("scrolling up did not pause following")
	}
	logsAdd(m, "api", 1, 100, 5, "line %d")
	lines = logsLines(m)
	if lines[10] != "line 98" || !strings.Contains(lines[11], "paused") {
		t.Errorf("paused view moved or does not say paused:\n%s", strings.Join(lines, "\n"))
	}
	logsPress(m, "G")
	if lines = logsLines(m); !m.pos.Follow || lines[10] != "line 104" {
		t.Errorf("G did not resume following: %+v\n%s", m.pos, strings.Join(lines, "\n"))
	}
	logsPress(m, "pgup", "pgup")
	if m.pos.Follow {
		t.Fatal("page up did not pause")
	}
	logsPress(m, "j", "pgdown", "pgdown")
	if !m.pos.Follow {
		t.Errorf("reaching the end by scrolling down did not resume following: %+v", m.pos)
	}
	logsPress(m, "g")
	if lines = logsLines(m); m.pos.Follow || lines[0] != "line 0" {
		t.Errorf("g did not go to the top:\n%s", strings.Join(lines, "\n"))
	}
	// The mouse wheel scrolls too.
	logsPress(m, "G")
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if m.pos.Follow {
		t.Error("wheel up did not pause")
	}
	m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if !m.pos.Follow {
		t.Error("wheel down to the end did not resume")
	}
}

func TestLogsSearchHighlightsAndJumps(t *testing.T) {
	m := newTestLogs(t, LogsOptions{})
	logsAdd(m, "api", 1, 0, 30, "request %d ok")
	for _, i := range []int{5, 12, 27} {
		logsAdd(m, "api", 1, 30+i, 1, "request %d ERROR timeout")
	}
	if cmd := logsPress(m, "/"); !m.Capturing() || cmd == nil {
		t.Fatalf("/ did not open the search input (capturing %v, cmd %v)", m.Capturing(), cmd)
	}
	logsType(m, "error")
	if !strings.Contains(logsLines(m)[11], "/error") {
		t.Errorf("search line = %q", logsLines(m)[11])
	}
	// Matches highlight while typing; enter jumps to the newest.
	logsPress(m, "enter")
	if m.Capturing() || m.query.String() != "error" {
		t.Fatalf("enter: capturing %v query %q", m.Capturing(), m.query)
	}
	newest := m.current
	raw := m.View()
	if !strings.Contains(raw, m.decor.Current.Open+"ERROR"+m.decor.Current.Close) {
		t.Errorf("current match not styled as MatchCurrent:\n%q", raw)
	}
	if !strings.Contains(raw, m.decor.Match.Open+"ERROR"+m.decor.Match.Close) {
		t.Errorf("other matches not styled as Match:\n%q", raw)
	}
	if st := logsLines(m)[11]; !strings.Contains(st, "/error 3/3") {
		t.Errorf("status = %q, want match 3 of 3", st)
	}
	logsPress(m, "N")
	if m.current >= newest || m.pos.Follow {
		t.Errorf("N: current %d (was %d), follow %v", m.current, newest, m.pos.Follow)
	}
	logsPress(m, "N")
	if l := logsLineOf(m, m.current); !strings.Contains(l, "request 35 ERROR") {
		t.Errorf("second N is on %q, want request 35", l)
	}
	if !strings.Contains(logsPlain(m), "request 35 ERROR") {
		t.Error("the current match is not on screen")
	}
	logsPress(m, "N")
	if !strings.Contains(logsLines(m)[11], "no more matches") {
		t.Errorf("N past the oldest match: status %q", logsLines(m)[11])
	}
	logsPress(m, "n")
	if st := logsLines(m)[11]; !strings.Contains(st, "/error 2/3") {
		t.Errorf("n: status = %q", st)
	}
	// esc in the input restores the previous query; esc outside clears it.
	logsPress(m, "/", "backspace", "backspace", "q")
	if m.query.String() != "errq" || !m.Capturing() {
		t.Fatalf("typing in the search: query %q", m.query)
	}
	logsPress(m, "esc")
	if m.query.String() != "error" || m.Capturing() {
		t.Errorf("esc: query %q, want error restored", m.query)
	}
	logsPress(m, "esc")
	if !m.query.Empty() || m.current != -1 {
		t.Errorf("esc outside the input kept the search %q", m.query)
	}
}

// logsLineOf returns the plain text of the shown buffer's line at absolute a.
func logsLineOf(m *logsPane, a int64) string {
	v := m.view()
	v.Query, v.Filter, v.Rows = logbuf.Query{}, false, 1
	rows, _ := m.store.Render(v, logbuf.Pos{Top: a}, -1, nil, nil)
	if len(rows) == 0 {
		return ""
	}
	return rows[0]
}

func TestLogsFilterTimestampsWrap(t *testing.T) {
	m := newTestLogs(t, LogsOptions{})
	logsAdd(m, "api", 1, 0, 20, "GET /items/%d 200")
	logsAdd(m, "api", 1, 20, 1, "POST /items 500 %d "+strings.Repeat("x", 70))
	logsPress(m, "f")
	if !m.Capturing() || !m.filter {
		t.Fatal("f without a search should open the search input in filter mode")
	}
	logsType(m, "post")
	logsPress(m, "enter")
	lines := logsLines(m)
	if !strings.HasPrefix(lines[0], "POST /items 500") || lines[1] != "" || !strings.Contains(lines[11], "filter") {
		t.Errorf("filter view:\n%s", strings.Join(lines, "\n"))
	}
	logsPress(m, "f")
	if lines = logsLines(m); lines[0] == "" || strings.HasPrefix(lines[0], "POST") {
		t.Errorf("f again should show every line:\n%s", strings.Join(lines, "\n"))
	}
	logsPress(m, "t")
	if lines = logsLines(m); !strings.HasPrefix(lines[10], "2024-05-01T10:00:00.020Z POST") {
		t.Errorf("timestamps on: %q", lines[10])
	}
	logsPress(m, "t")
	if lines = logsLines(m); !strings.HasPrefix(lines[10], "POST") || !strings.HasSuffix(lines[10], "…") {
		t.Errorf("timestamps off, line cut: %q", lines[10])
	}
	logsPress(m, "w")
	lines = logsLines(m)
	if !m.wrap || !strings.HasPrefix(lines[9], "POST") || lines[10] != strings.Repeat("x", 29) {
		t.Errorf("wrapped:\n%s", strings.Join(lines, "\n"))
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 60 {
			t.Errorf("row wider than the pane: %q", l)
		}
	}
}

func TestLogsClearAndAllServices(t *testing.T) {
	m := newTestLogs(t, LogsOptions{})
	logsAdd(m, "api", 1, 0, 3, "api one %d")
	logsAdd(m, "api", 2, 3, 3, "api two %d")
	logsAdd(m, "trainer", 1, 6, 3, "epoch %d")
	lines := logsLines(m)
	if lines[0] != "api-1  | api one 0" || lines[3] != "api-2  | api two 3" || strings.Contains(logsPlain(m), "epoch") {
		t.Errorf("api with two replicas:\n%s", strings.Join(lines, "\n"))
	}
	logsPress(m, "a")
	lines = logsLines(m)
	if lines[0] != "api-1      | api one 0" || lines[8] != "trainer-1  | epoch 8" || !strings.Contains(lines[11], "all services") {
		t.Errorf("all services:\n%s", strings.Join(lines, "\n"))
	}
	logsPress(m, "a")
	logsPress(m, "c")
	if !strings.Contains(logsPlain(m), "no log lines from api yet") || m.store.Len(logbuf.View{Service: "trainer"}) != 3 {
		t.Errorf("c on api must clear api only:\n%s", logsPlain(m))
	}
	logsPress(m, "a", "c")
	if m.store.Len(logbuf.View{Service: "trainer"}) != 0 {
		t.Error("c on all services must clear every buffer")
	}
	m.SetService("db")
	logsPress(m, "a")
	if !strings.Contains(logsPlain(m), "db has no containers (u starts it)") {
		t.Errorf("empty service:\n%s", logsPlain(m))
	}
	snap := logsSnapshot()
	snap.Engine = stack.EngineStatus{Err: errors.New("dial unix /var/run/docker.sock: connect: no such file")}
	m.SetSnapshot(snap)
	if !strings.Contains(logsPlain(m), "engine unreachable: dial unix") {
		t.Errorf("unreachable engine:\n%s", logsPlain(m))
	}
}

func TestLogsSave(t *testing.T) {
	dir := t.TempDir()
	m := newTestLogs(t, LogsOptions{SaveDir: dir})
	logsAdd(m, "api", 1, 0, 2, "plain %d")
	m.store.Append(m.store.Source("api", 1, 0), logsT0.Add(time.Second), logbuf.StreamStdout, "\x1b[31mred\x1b[0m \x1b]0;title\x07done")
	logsPress(m, "t")
	cmd := logsPress(m, "ctrl+s")
	if cmd == nil {
		t.Fatal("ctrl+s returned no command")
	}
	msg, ok := cmd().(logsSavedMsg)
	if !ok || msg.Err != nil {
		t.Fatalf("save: %#v", msg)
	}
	want := filepath.Join(dir, "stackui-demo-api-20240501-100000.log")
	if msg.Path != want || msg.Lines != 3 || msg.String() != "saved 3 log lines to "+want {
		t.Errorf("saved msg = %+v (%s)", msg, msg)
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	wantText := "2024-05-01T10:00:00.000Z plain 0\n2024-05-01T10:00:00.001Z plain 1\n2024-05-01T10:00:01.000Z red done\n"
	if string(b) != wantText {
		t.Errorf("file:\n%q\nwant\n%q", b, wantText)
	}
	// An unwritable place is reported, not a crash.
	m.opts.SaveDir = filepath.Join(dir, "missing", "dir")
	msg = logsPress(m, "ctrl+s")().(logsSavedMsg)
	if msg.Err == nil || !strings.HasPrefix(msg.String(), "save logs: ") {
		t.Errorf("save to a missing dir: %+v", msg)
	}
	if !regexp.MustCompile(`stackui-demo-api-\d{8}-\d{6}\.log$`).MatchString(msg.Path) {
		t.Errorf("file name %q", msg.Path)
	}
}

func TestLogsChangedRearms(t *testing.T) {
	m := newTestLogs(t, LogsOptions{FrameDelay: time.Millisecond})
	wait := m.Init()
	logsAdd(m, "api", 1, 0, 1000, "burst %d")
	if _, ok := wait().(logsChangedMsg); !ok {
		t.Fatal("the wait command did not report new lines")
	}
	if cmd := m.Update(logsChangedMsg{}); cmd == nil {
		t.Fatal("logsChangedMsg must re-arm the wait")
	}
	// A burst is one signal: the channel holds at most one.
	if n := len(m.store.Changed()); n > 1 {
		t.Errorf("%d pending signals", n)
	}
	m.Close()
	if msg := m.wait()(); msg != nil {
		t.Errorf("after Close the wait returned %v, want nil", msg)
	}
}

func TestLogsGoldenSearch(t *testing.T) {
	m := newTestLogs(t, LogsOptions{})
	m.SetSize(96, 14)
	levels := []string{"INFO", "INFO", "WARN", "INFO", "ERROR"}
	for i := range 24 {
		svc, n := "api", 1+i%2
		if i%3 == 0 {
			svc, n = "trainer", 1
		}
		lvl := levels[i%len(levels)]
		m.store.Append(m.store.Source(svc, n, 0), logsT0.Add(time.Duration(i)*time.Second), logbuf.StreamStdout,
			fmt.Sprintf("%s step=%d msg=\"%s\"\tlatency=%dms", lvl, i, strings.Repeat("work ", i%4+1), i*7))
	}
	logsPress(m, "a", "t", "/")
	logsType(m, "error")
	logsPress(m, "enter", "N")
	golden(t, "logs", "search", logsPlain(m))
}

// BenchmarkLogsView is one frame of the pane: a full buffer of merged
// logs, a search active, timestamps on, 100x40.
func BenchmarkLogsView(b *testing.B) {
	keys := defaultKeys()
	m := newLogsPane(themes.Build(themes.Default(), true, false), &keys, LogsOptions{})
	defer m.Close()
	m.SetSize(100, 41)
	m.SetSnapshot(logsSnapshot())
	m.SetService("api")
	for i := range logbuf.DefaultCapacity {
		svc := []string{"api", "trainer"}[i%2]
		m.store.Append(m.store.Source(svc, 1, i%2), logsT0.Add(time.Duration(i)*time.Millisecond), logbuf.StreamStdout,
			fmt.Sprintf("line %06d request served in %dms path=/api/v1/items status=200 abcdefghijklmnopqrstuvwxyz", i, i%97))
	}
	m.all, m.stamps = true, true
	m.query = logbuf.NewQuery("served in 4")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_ = m.View()
	}
}

func TestLogsViewFitsAnySize(t *testing.T) {
	m := newTestLogs(t, LogsOptions{})
	logsAdd(m, "api", 1, 0, 50, "a fairly long line number %d with some words in it to cut")
	logsAdd(m, "api", 2, 50, 50, "日本語のログ %d")
	for _, size := range [][2]int{{1, 1}, {5, 2}, {20, 3}, {60, 15}, {200, 40}} {
		m.SetSize(size[0], size[1])
		for _, keys := range [][]string{{"t"}, {"w"}, {"a"}, {"t", "w", "a"}} {
			logsPress(m, keys...)
			lines := strings.Split(m.View(), "\n")
			if len(lines) != size[1] {
				t.Errorf("%dx%d %v: %d lines", size[0], size[1], keys, len(lines))
			}
			for _, l := range lines {
				if w := ansi.StringWidth(l); w > size[0] {
					t.Errorf("%dx%d %v: line %d wide: %q", size[0], size[1], keys, w, l)
				}
			}
		}
	}
}
