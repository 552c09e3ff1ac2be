package commands

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/stackui/stackui/backend"
	"github.com/stackui/stackui/probes/doctor"
)

func runDoctor(f *Factory, args []string) int {
	fs := newFlagSet(f, "doctor", "[compose flags] [--json]\n\nExit status: 0 no findings, 1 findings, 2 usage or load error,\n3 engine not reachable (only the compose files were examined)")
	f.compose.register(fs)
	asJSON := fs.Bool("json", false, "print JSON (a stable scripting interface)")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(f.Stderr, "stackui doctor: unexpected arguments %q\n", fs.Args())
		return exitBadArgs
	}
	ctx := context.Background()
	x, code, ok := examine(ctx, f)
	if !ok {
		return code
	}
	if *asJSON {
		for i := range x.Findings {
			x.Findings[i].Evidence = nonNil(x.Findings[i].Evidence)
		}
		out := doctorJSON{Engine: doctorEngine{Reachable: x.EngineErr == nil}, Findings: nonNil(x.Findings)}
		if x.EngineErr != nil {
			out.Engine.Error = x.EngineErr.Error()
		}
		if code := writeJSON(f, out); code != exitOK {
			return code
		}
	} else {
		printFindings(f.Stdout, x)
	}
	if x.EngineErr != nil {
		// No findings without the engine does not mean healthy: scripts
		// must be able to tell.
		if !*asJSON {
			fmt.Fprintf(f.Stderr, "stackui doctor: %s\n", noEngineNote(x.EngineErr))
		}
		return exitNoEngine
	}
	if len(x.Findings) > 0 {
		return exitFailure
	}
	return exitOK
}

// doctorJSON is the shape of `stackui doctor --json`; its ids are stable.
type doctorJSON struct {
	Engine   doctorEngine     `json:"engine"`
	Findings []doctor.Finding `json:"findings"`
}

// doctorEngine says whether the engine gave evidence; without it only
// the compose files were examined.
type doctorEngine struct {
	Reachable bool   `json:"reachable"`
	Error     string `json:"error,omitempty"`
}

// noEngineNote says why a doctor or fix without the engine cannot vouch
// for anything.
func noEngineNote(err error) string {
	return fmt.Sprintf("the engine is not reachable (%v): only the compose files were examined, so no container was looked at", err)
}

// engineMissing reports, when the engine gave no evidence and id is not
// among the findings, why it may be missing, and the status to exit with.
func engineMissing(f *Factory, x backend.Examination, id string) (int, bool) {
	if x.EngineErr == nil {
		return exitOK, false
	}
	for _, fd := range x.Findings {
		if fd.ID == id {
			return exitOK, false
		}
	}
	fmt.Fprintf(f.Stderr, "stackui fix: no finding %q: %s\n", id, noEngineNote(x.EngineErr))
	return exitNoEngine, true
}

// examine loads the project named by the compose flags and runs the
// doctor over it, printing why when it cannot.
func examine(ctx context.Context, f *Factory) (backend.Examination, int, bool) {
	f.Backend.StartCompose() // while the project loads
	p, code, ok := loadProject(ctx, f)
	if !ok {
		return backend.Examination{}, code, false
	}
	x, err := f.Backend.Examine(ctx, p, backend.ExamineOptions{})
	if err != nil {
		fmt.Fprintf(f.Stderr, "stackui: %v\n", err)
		return x, exitFailure, false
	}
	return x, exitOK, true
}

func printFindings(w io.Writer, x backend.Examination) {
	for _, g := range x.Evidence.Gaps {
		fmt.Fprintf(w, "note: %s\n", g)
	}
	if len(x.Findings) == 0 {
		fmt.Fprintf(w, "project %s: no findings\n", x.Project.Name)
		return
	}
	for i, f := range x.Findings {
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
		for _, fix := range f.Fixes {
			fmt.Fprintf(w, "  fix %-16s %s\n      stackui fix %s %s\n", fix.ID, fix.Title, f.ID, fix.ID)
		}
	}
}
