package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack/edit"
)

func runFix(env *cliEnv, args []string) int { return runFixWith(env, args, os.Stdin) }

// runFixWith is runFix reading the confirmation from stdin.
func runFixWith(env *cliEnv, args []string, stdin io.Reader) int {
	fs := newFlagSet(env, "fix", "[compose flags] FINDING-ID [FIX-ID] [--yes] | --undo")
	env.compose.register(fs)
	yes := fs.Bool("yes", false, "apply without asking")
	undo := fs.Bool("undo", false, "revert the file edit of the last fix applied to the project")
	pos, code, done := parseInterspersed(fs, args)
	if done {
		return code
	}
	ctx := context.Background()
	if *undo {
		if len(pos) > 0 {
			fmt.Fprintln(env.stderr, "stackui fix: --undo takes no finding")
			return exitBadArgs
		}
		return undoFix(ctx, env)
	}
	if len(pos) < 1 || len(pos) > 2 {
		fs.Usage()
		return exitBadArgs
	}
	d, code, ok := examine(ctx, env)
	if !ok {
		return code
	}
	defer d.close()
	var finding *doctor.Finding
	var ids []string
	for i := range d.findings {
		ids = append(ids, d.findings[i].ID)
		if d.findings[i].ID == pos[0] {
			finding = &d.findings[i]
		}
	}
	if finding == nil {
		fmt.Fprintf(env.stderr, "stackui fix: no finding %q now (findings: %s)\n", pos[0], fixListOrNone(ids))
		return exitFailure
	}
	if len(finding.Fixes) == 0 {
		fmt.Fprintf(env.stderr, "stackui fix: %s has no fix stackui can apply: %s\n", finding.ID, finding.Summary)
		return exitFailure
	}
	fix := finding.Fixes[0]
	if len(pos) == 2 {
		i := -1
		var fixIDs []string
		for j, x := range finding.Fixes {
			fixIDs = append(fixIDs, x.ID)
			if x.ID == pos[1] {
				i = j
			}
		}
		if i < 0 {
			fmt.Fprintf(env.stderr, "stackui fix: %s has no fix %q (fixes: %s)\n", finding.ID, pos[1], strings.Join(fixIDs, ", "))
			return exitBadArgs
		}
		fix = finding.Fixes[i]
	}
	if !*yes {
		fmt.Fprintf(env.stdout, "%s: %s\n", finding.ID, finding.Summary)
		fmt.Fprintf(env.stdout, "fix %s: %s\n", fix.ID, fix.Title)
		if fix.Diff != "" {
			fmt.Fprintf(env.stdout, "\n%s\n", strings.TrimRight(fix.Diff, "\n"))
		}
		fmt.Fprint(env.stdout, "\nApply? [y/N] ")
		answer, _ := bufio.NewReader(stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			fmt.Fprintln(env.stdout, "not applied")
			return exitFailure
		}
	}
	if d.eng == nil && fix.Action.Kind == doctor.ActRestart {
		fmt.Fprintln(env.stderr, "stackui fix: the engine is not reachable")
		return exitFailure
	}
	a := doctor.Applier{Compose: d.compose, OnLine: func(l string) { fmt.Fprintln(env.stderr, l) }}
	if d.eng != nil {
		a.Engine = d.eng
	}
	res, err := a.Apply(ctx, d.p, fix)
	if err != nil {
		fmt.Fprintf(env.stderr, "stackui fix: %v\n", err)
		return exitFailure
	}
	fmt.Fprintln(env.stdout, res.Done)
	switch {
	case res.Receipt != nil:
		fmt.Fprintln(env.stdout, "undo the edit with: stackui fix --undo")
	case res.Override != "":
		fmt.Fprintf(env.stdout, "undo: delete %s\n", res.Override)
	case fix.Action.Kind == doctor.ActProfileOff:
		fmt.Fprintf(env.stdout, "keep it off: leave %s out of --profile and COMPOSE_PROFILES\n", strings.Join(fix.Action.Profiles, ", "))
	}
	return exitOK
}

func undoFix(ctx context.Context, env *cliEnv) int {
	p, code, ok := loadProject(ctx, env)
	if !ok {
		return code
	}
	rec, err := edit.Undo(p.Name)
	if err != nil {
		fmt.Fprintf(env.stderr, "stackui fix: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(env.stdout, "undone: %s\n", rec.Title)
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

func fixListOrNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
