package commands

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/backend"
	"github.com/stackui/stackui/internal/textsafe"
	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
	"github.com/stackui/stackui/ui"
)

// hostilePayloads are what a container or a compose file can send a
// terminal: every one must arrive with only SGR left.
var hostilePayloads = map[string]string{
	"OSC 52 clipboard": "\x1b]52;c;cHduZWQ=\x07",
	"OSC 2 title":      "\x1b]2;PWNED\x07",
	"CSI 2J":           "\x1b[2J\x1b[H",
	"OSC 8 hyperlink":  "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
	"DCS":              "\x1bP1$r0m\x1b\\",
	"C1 CSI":           "\u009b2J\u009b31m",
	"bidi":             "abc\u202Eevil\u2066x",
	"NUL":              "a\x00b",
	"1 MB line":        strings.Repeat("\x1b]0;t\x07y", 1<<20/8),
}

var sgrRE = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// assertOnlySGR fails when out holds anything a terminal would act on
// besides SGR colours and line breaks.
func assertOnlySGR(t *testing.T, out string) {
	t.Helper()
	rest := sgrRE.ReplaceAllString(out, "")
	if !utf8.ValidString(rest) {
		t.Fatalf("invalid UTF-8 survives")
	}
	for i, r := range rest {
		bad := (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) ||
			r == 0x202e || r == 0x2066
		if bad {
			t.Fatalf("%U at byte %d survives: %q", r, i, around(rest, i))
		}
	}
	for _, l := range strings.Split(out, "\n") {
		if n := len(l); n > 8*textsafe.DefaultMaxCells {
			t.Fatalf("a line of %d bytes is printed", n)
		}
	}
}

func around(s string, i int) string { return s[max(i-20, 0):min(i+20, len(s))] }

// TestHostileTextEverySurface is the one test over every printer: the CLI's
// text modes (through the writer Run prints with) and the TUI's views, fed
// each payload where a compose string, container output or an engine
// message goes.
func TestHostileTextEverySurface(t *testing.T) {
	printers := map[string]func(t *testing.T, x string) string{
		"ps": func(_ *testing.T, x string) string {
			return cli(func(w *textsafe.Writer) { printPs(w, hostileObservation(x)) })
		},
		"doctor": func(_ *testing.T, x string) string {
			return cli(func(w *textsafe.Writer) { printFindings(w, hostileExamination(x)) })
		},
		"top": func(_ *testing.T, x string) string {
			return cli(func(w *textsafe.Writer) { printTop(w, hostileTop(x)) })
		},
		"fix confirm": func(_ *testing.T, x string) string {
			return cliFactory(func(f *Factory) { confirmFix(f, hostileFinding(x), hostileFinding(x).Fixes[0]) })
		},
		"fix unknown finding": func(_ *testing.T, x string) string {
			return cliFactory(func(f *Factory) { chooseFix(f, []doctor.Finding{hostileFinding(x)}, []string{"nope"}) })
		},
		"fix apply output": func(_ *testing.T, x string) string {
			return cliFactory(func(f *Factory) { fmt.Fprintln(f.Stderr, "compose: "+x) })
		},
		"TUI services":       func(t *testing.T, x string) string { return tuiFrame(t, x) },
		"TUI profile picker": func(t *testing.T, x string) string { return tuiFrame(t, x, "p") },
		"TUI doctor tab":     func(t *testing.T, x string) string { return tuiFrame(t, x, "tab", "]", "]") },
		"TUI stats tab":      func(t *testing.T, x string) string { return tuiFrame(t, x, "tab", "]") },
		"resources": func(_ *testing.T, x string) string {
			return cli(func(w *textsafe.Writer) { printResources(w, hostileResources(x)) })
		},
		"TUI resources images":   func(t *testing.T, x string) string { return tuiViewFrame(t, x, "i") },
		"TUI resources volumes":  func(t *testing.T, x string) string { return tuiViewFrame(t, x, "i", "]") },
		"TUI resources networks": func(t *testing.T, x string) string { return tuiViewFrame(t, x, "i", "]", "]") },
		"TUI projects":           func(t *testing.T, x string) string { return tuiViewFrame(t, x, "P") },
		"TUI config tab":         func(t *testing.T, x string) string { return tuiViewFrame(t, x, "tab", "]", "]", "]") },
		"TUI env tab":            func(t *testing.T, x string) string { return tuiViewFrame(t, x, "tab", "[", "[", "[") },
		"TUI top tab":            func(t *testing.T, x string) string { return tuiViewFrame(t, x, "tab", "[", "[") },
		"TUI ports tab":          func(t *testing.T, x string) string { return tuiViewFrame(t, x, "tab", "[") },
	}
	for pname, print := range printers {
		for xname, x := range hostilePayloads {
			t.Run(pname+"/"+xname, func(t *testing.T) {
				out := print(t, x)
				if out == "" {
					t.Fatal("printed nothing")
				}
				assertOnlySGR(t, out)
			})
		}
	}
}

// cli runs a printer through the writer Run gives every text mode.
func cli(print func(w *textsafe.Writer)) string {
	var b bytes.Buffer
	w := textsafe.NewWriter(&b)
	print(w)
	w.Flush()
	return b.String()
}

func cliFactory(print func(f *Factory)) string {
	var b bytes.Buffer
	w := textsafe.NewWriter(&b)
	print(&Factory{Stdout: w, Stderr: w})
	w.Flush()
	return b.String()
}

func hostileProject(x string) *stack.Project {
	svc := stack.Service{Name: "web", Image: "img" + x, Profiles: []string{"train" + x}, Enabled: true}
	return &stack.Project{Name: "demo", Files: []string{"/p/compose" + x + ".yaml"}, Profiles: []string{"train" + x},
		Warnings: []string{"warn " + x}, Services: []stack.Service{svc}}
}

func hostileSnapshot(x string, reachable bool) stack.Snapshot {
	p := hostileProject(x)
	st := stack.ServiceState{Service: p.Services[0], State: stack.StateExited, ExitCode: 1, Health: "h" + x, Total: 1,
		Containers: []stack.Container{{ID: "c1", Name: "demo-web-1" + x, Service: "web", State: stack.StateExited, Image: "img" + x, Error: "err " + x}}}
	snap := stack.Snapshot{Project: p, Engine: stack.EngineStatus{Reachable: reachable}, Services: []stack.ServiceState{st}}
	if !reachable {
		snap.Engine.Err = errors.New("engine says " + x)
	}
	return snap
}

func hostileObservation(x string) backend.Observation {
	return backend.Observation{Snap: hostileSnapshot(x, false), Compose: "docker compose " + x}
}

func hostileFinding(x string) doctor.Finding {
	return doctor.Finding{ID: "web/oom", Service: "web", Severity: doctor.SeverityHigh, Summary: "died " + x,
		Evidence: []string{"log: " + x}, Explanation: "because\n" + x,
		Fixes: []doctor.Fix{{ID: "mem", Title: "raise " + x, Diff: "+ " + x + "\n"}}}
}

func hostileExamination(x string) backend.Examination {
	return backend.Examination{Project: hostileProject(x), Evidence: doctor.Evidence{Gaps: []string{"gap " + x}},
		Findings: []doctor.Finding{hostileFinding(x)}}
}

func hostileTop(x string) topOutput {
	return topOutput{Project: "demo" + x, Engine: psEngine{Error: "down " + x},
		Containers: []topContainer{{Name: "c" + x, Service: "web" + x, Error: x}}}
}

// tuiFrame renders the TUI over a hostile snapshot and findings, after
// the keys, and returns the frame as Bubble Tea gets it.
func tuiFrame(t *testing.T, x string, keys ...string) string {
	return tuiFrameWith(t, hostileSnapshot(x, false), ui.Options{Doctor: hostileDoctor(x), Notice: "notice " + x}, keys...)
}

// tuiFrameWith is tuiFrame over snap with opts.
func tuiFrameWith(t *testing.T, snap stack.Snapshot, opts ui.Options, keys ...string) string {
	src := &hostileSource{snap: snap, ch: make(chan struct{})}
	opts.Styles = themes.Build(themes.Default(), true, false)
	var m tea.Model = ui.New(src, opts)
	m = settle(t, m, m.Init())
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		default:
			msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
		}
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		m = settle(t, m, cmd)
	}
	return m.View().Content
}

// settle feeds back what cmd (and the commands it leads to) reports;
// a command that waits on a channel (the state source) is left waiting.
func settle(t *testing.T, m tea.Model, cmd tea.Cmd) tea.Model {
	queue := []tea.Cmd{cmd}
	for n := 0; len(queue) > 0 && n < 50; n++ {
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
		case <-time.After(200 * time.Millisecond):
			continue
		}
		if b, ok := msg.(tea.BatchMsg); ok {
			queue = append(queue, b...)
			continue
		}
		var next tea.Cmd
		m, next = m.Update(msg)
		queue = append(queue, next)
	}
	return m
}

type hostileSource struct {
	snap stack.Snapshot
	ch   chan struct{}
}

func (s *hostileSource) Snapshot() stack.Snapshot    { return s.snap }
func (s *hostileSource) Changed() <-chan struct{}    { return s.ch }
func (s *hostileSource) SetProject(p *stack.Project) { s.snap.Project = p }

type hostileDoctor string

func (d hostileDoctor) Diagnose(context.Context, stack.Snapshot, error) ([]doctor.Finding, error) {
	return []doctor.Finding{hostileFinding(string(d))}, nil
}

func (d hostileDoctor) Apply(context.Context, *stack.Project, doctor.Finding, doctor.Fix, func(string)) (*stack.Project, string, error) {
	return nil, "", errors.New("no")
}

func (d hostileDoctor) Undo(context.Context, *stack.Project) (*stack.Project, string, error) {
	return nil, "", errors.New("no")
}

// FuzzDoctorText feeds arbitrary container output and compose strings to
// `stackui doctor`'s printer, through the writer Run prints with.
func FuzzDoctorText(f *testing.F) {
	for _, x := range hostilePayloads {
		if len(x) < 1024 {
			f.Add(x)
		}
	}
	f.Fuzz(func(t *testing.T, x string) {
		assertOnlySGR(t, cli(func(w *textsafe.Writer) { printFindings(w, hostileExamination(x)) }))
	})
}

// A compose file may name a profile and an image with escape sequences
// (YAML's "\e"); `stackui ps` must not send them to the terminal.
func TestPsHostileComposeStrings(t *testing.T) {
	dir := t.TempDir()
	compose := "services:\n  web:\n    image: \"busybox\\e]2;PWNED\\a\"\n    profiles: [\"train\\e]52;c;cHduZWQ=\\a\\e]8;;http://x/\\e\\\\\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runScripted(t, "--project-directory", dir, "--profile", "*", "ps")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "train") {
		t.Fatalf("the profile is not listed:\n%s", out)
	}
	assertOnlySGR(t, out)
	assertOnlySGR(t, errOut)
}
