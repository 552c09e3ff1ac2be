package commands

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/stackui/stackui/backend"
	"github.com/stackui/stackui/probes/doctor"
)

func runFix(f *Factory, args []string) int {
	fs := newFlagSet(f, "fix", "[compose flags] FINDING-ID [FIX-ID] [--yes] | --undo\n\nExit status: 3 when the engine is not reachable and the finding is not\namong those the compose files alone show")
	f.compose.register(fs)
	yes := fs.Bool("yes", false, "apply without asking")
	undo := fs.Bool("undo", false, "revert the file edit of the last fix applied to the project")
	pos, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	ctx := context.Background()
	if *undo {
		if len(pos) > 0 {
			fmt.Fprintln(f.Stderr, "stackui fix: --undo takes no finding")
			return exitBadArgs
		}
		return undoFix(ctx, f)
	}
	if len(pos) < 1 || len(pos) > 2 {
		fs.Usage()
		return exitBadArgs
	}
	x, code, ok := examine(ctx, f)
	if !ok {
		return code
	}
	if code, missing := engineMissing(f, x, pos[0]); missing {
		return code
	}
	finding, fix, code, ok := chooseFix(f, x.Findings, pos)
	if !ok {
		return code
	}
	if !*yes && !confirmFix(f, finding, fix) {
		fmt.Fprintln(f.Stdout, "not applied")
		return exitFailure
	}
	res, err := f.Backend.Apply(ctx, x.Project, finding, fix, backend.ApplyOptions{OnLine: func(l string) { fmt.Fprintln(f.Stderr, l) }})
	if err != nil {
		fmt.Fprintf(f.Stderr, "stackui fix: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(f.Stdout, res.Done)
	switch {
	case res.Receipt != nil:
		fmt.Fprintln(f.Stdout, "undo the edit with: stackui fix --undo")
	case res.Override != "":
		fmt.Fprintf(f.Stdout, "undo: delete %s\n", res.Override)
	case fix.Action.Kind == doctor.ActProfileOff:
		fmt.Fprintf(f.Stdout, "keep it off: leave %s out of --profile and COMPOSE_PROFILES\n", strings.Join(fix.Action.Profiles, ", "))
	}
	return exitOK
}

// chooseFix finds the finding pos[0] names among findings, and its fix
// pos[1] names (the first when none is named).
func chooseFix(f *Factory, findings []doctor.Finding, pos []string) (doctor.Finding, doctor.Fix, int, bool) {
	var ids []string
	for _, finding := range findings {
		ids = append(ids, finding.ID)
		if finding.ID != pos[0] {
			continue
		}
		if len(finding.Fixes) == 0 {
			fmt.Fprintf(f.Stderr, "stackui fix: %s has no fix stackui can apply: %s\n", finding.ID, finding.Summary)
			return finding, doctor.Fix{}, exitFailure, false
		}
		if len(pos) < 2 {
			return finding, finding.Fixes[0], exitOK, true
		}
		var fixIDs []string
		for _, x := range finding.Fixes {
			if x.ID == pos[1] {
				return finding, x, exitOK, true
			}
			fixIDs = append(fixIDs, x.ID)
		}
		fmt.Fprintf(f.Stderr, "stackui fix: %s has no fix %q (fixes: %s)\n", finding.ID, pos[1], strings.Join(fixIDs, ", "))
		return finding, doctor.Fix{}, exitBadArgs, false
	}
	fmt.Fprintf(f.Stderr, "stackui fix: no finding %q now (findings: %s)\n", pos[0], listOrNone(ids))
	return doctor.Finding{}, doctor.Fix{}, exitFailure, false
}

// confirmFix shows the fix with its diff and asks on stdin.
func confirmFix(f *Factory, finding doctor.Finding, fix doctor.Fix) bool {
	fmt.Fprintf(f.Stdout, "%s: %s\n", finding.ID, finding.Summary)
	fmt.Fprintf(f.Stdout, "fix %s: %s\n", fix.ID, fix.Title)
	if fix.Diff != "" {
		fmt.Fprintf(f.Stdout, "\n%s\n", strings.TrimRight(fix.Diff, "\n"))
	}
	fmt.Fprint(f.Stdout, "\nApply? [y/N] ")
	if f.Stdin == nil {
		return false
	}
	answer, _ := bufio.NewReader(f.Stdin).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(answer))
	return a == "y" || a == "yes"
}

func undoFix(ctx context.Context, f *Factory) int {
	p, code, ok := loadProject(ctx, f)
	if !ok {
		return code
	}
	_, rec, err := f.Backend.Undo(ctx, p)
	if err != nil {
		fmt.Fprintf(f.Stderr, "stackui fix: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(f.Stdout, "undone: %s\n", rec.Title)
	return exitOK
}

// parseInterspersed parses flags that may come after the positional
// arguments (`stackui fix web/oom --yes`), returning the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, int, bool) {
	var pos []string
	for {
		if code, done := parseFlags(fs, args); done {
			return nil, code, true
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, exitOK, false
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), exitOK, false
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func listOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
