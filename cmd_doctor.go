package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/docker"
)

// doctorTimeout bounds gathering the evidence: inspect, logs, events.
const doctorTimeout = 30 * time.Second

func runDoctor(env *cliEnv, args []string) int {
	fs := newFlagSet(env, "doctor", "[compose flags] [--json]")
	env.compose.register(fs)
	asJSON := fs.Bool("json", false, "print JSON (a stable scripting interface)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(env.stderr, "stackui doctor: unexpected arguments %q\n", fs.Args())
		return exitBadArgs
	}
	ctx := context.Background()
	d, code, ok := examine(ctx, env)
	if !ok {
		return code
	}
	defer d.close()
	if *asJSON {
		if code := writeJSON(env, doctorJSON{Findings: nonNil(d.findings)}); code != exitOK {
			return code
		}
	} else {
		printFindings(env.stdout, d)
	}
	if len(d.findings) > 0 {
		return exitFailure
	}
	return exitOK
}

// doctorJSON is the shape of `stackui doctor --json`; its ids are stable.
type doctorJSON struct {
	Findings []doctor.Finding `json:"findings"`
}

// examination is one run of the doctor over the project.
type examination struct {
	p        *stack.Project
	eng      *docker.Client // nil when the engine is unreachable
	compose  stack.ComposeCLI
	ev       doctor.Evidence
	findings []doctor.Finding
}

func (d *examination) close() {
	if d.eng != nil {
		d.eng.Close()
	}
}

// examine loads the project (with the override files earlier fixes
// generated), gathers the evidence, diagnoses it and plans the fixes.
func examine(ctx context.Context, env *cliEnv) (*examination, int, bool) {
	p, code, ok := loadProject(ctx, env)
	if !ok {
		return nil, code, false
	}
	d := &examination{p: p}
	composeName := ""
	if cli, err := stack.DetectCompose(ctx); err == nil {
		d.compose = cli
		composeName = cli.String()
	}
	opts := doctor.Options{Project: p, ComposeCLI: composeName}
	if eng, err := docker.Connect(ctx, docker.Options{}); err == nil {
		pctx, cancel := context.WithTimeout(ctx, engineTimeout)
		if err := eng.Ping(pctx); err == nil {
			d.eng = eng
			opts.Source = doctor.DockerSource{Client: eng}
		} else {
			eng.Close()
		}
		cancel()
	}
	gctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	d.ev = doctor.Gather(gctx, opts)
	d.findings = doctor.PlanFixes(p, doctor.Diagnose(d.ev), "")
	for i := range d.findings {
		if d.findings[i].Evidence == nil {
			d.findings[i].Evidence = []string{}
		}
	}
	return d, exitOK, true
}

// withOverrides loads p again with the override files the doctor generated
// for it earlier (a no-GPU fix), so every command and the TUI see, and pass
// to compose, the same project. Without any, p is returned as it is.
func withOverrides(ctx context.Context, p *stack.Project) (*stack.Project, error) {
	overrides, err := doctor.OverrideFiles(p.Name)
	if err != nil || len(overrides) == 0 {
		return p, nil
	}
	opts := p.Options
	opts.Overrides = append(opts.Overrides, overrides...)
	q, err := stack.Load(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("with stackui's override files %s: %w", strings.Join(overrides, ", "), err)
	}
	return q, nil
}

func printFindings(w io.Writer, d *examination) {
	for _, g := range d.ev.Gaps {
		fmt.Fprintf(w, "note: %s\n", g)
	}
	if len(d.findings) == 0 {
		fmt.Fprintf(w, "project %s: no findings\n", d.p.Name)
		return
	}
	for i, f := range d.findings {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s [%s] %s\n", f.ID, f.Severity, f.Summary)
		for _, e := range f.Evidence {
			fmt.Fprintf(w, "  | %s\n", e)
		}
		if f.Explanation != "" {
			fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(f.Explanation, "\n", "\n  "))
		}
		for _, x := range f.Fixes {
			fmt.Fprintf(w, "  fix %-16s %s\n      stackui fix %s %s\n", x.ID, x.Title, f.ID, x.ID)
		}
	}
}
