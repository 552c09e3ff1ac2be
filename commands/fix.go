package commands

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/stackui/stackui/backend"
	"github.com/stackui/stackui/probes/doctor"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/stack/edit"
)

func runFix(f *Factory, args []string) int {
	fs := newFlagSet(f, "fix", "[compose flags] FINDING-ID [FIX-ID] [--yes] [--force] [--wait DURATION | --no-wait] | --undo [--force]\n\nExit status: 0 when the fix applied and (unless --no-wait) the service stays up or exits 0;\n1 when it did not; 3 when the engine is not reachable and the finding is not\namong those the compose files alone show")
	f.compose.register(fs)
	yes := fs.Bool("yes", false, "apply without asking")
	wait := fs.Duration("wait", defaultCheck, "after a fix that recreates or restarts the service, watch it this long: exit 0 only if it stays up (or a one-shot exits 0)")
	noWait := fs.Bool("no-wait", false, "do not watch the service after the fix (same as --wait 0)")
	undo := fs.Bool("undo", false, "revert the file edit of the last fix applied to the project")
	force := fs.Bool("force", false, "edit (or restore) a compose file even when its mode makes it read-only")
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
		return undoFix(ctx, f, *force)
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
	if *wait < 0 {
		fmt.Fprintln(f.Stderr, "stackui fix: --wait takes a duration of 0 or more")
		return exitBadArgs
	}
	check := *wait > 0 && !*noWait && fix.Action.Recreates()
	opts := backend.ApplyOptions{OnLine: func(l string) { fmt.Fprintln(f.Stderr, l) }, Wait: check, Force: *force}
	if check {
		opts.Check = backend.CheckOptions{Window: *wait, Progress: checkProgress(f, fix.Action.Service, *wait)}
	}
	res, err := f.Backend.Apply(ctx, x.Project, finding, fix, opts)
	if err != nil {
		fmt.Fprintf(f.Stderr, "stackui fix: %v%s\n", err, forceHint(err))
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
	switch {
	case res.Outcome != nil:
		return reportOutcome(f, *res.Outcome)
	case fix.Action.Recreates():
		fmt.Fprintf(f.Stdout, "not checked: %s was not watched after the fix (--no-wait); stackui doctor says whether it still fails\n", fix.Action.Service)
	}
	return exitOK
}

// defaultCheck is how long `stackui fix` watches a fixed service.
const defaultCheck = 30 * time.Second

// checkProgress says on stderr what the post-fix check sees: once when it
// starts, then each time the service's state changes.
func checkProgress(f *Factory, service string, window time.Duration) func(stack.Container, time.Duration) {
	last := ""
	return func(c stack.Container, watched time.Duration) {
		if last == "" {
			fmt.Fprintf(f.Stderr, "checking %s for %s…\n", service, window)
		}
		state := c.State
		if c.Health != "" {
			state += " (" + c.Health + ")"
		}
		if state != last {
			fmt.Fprintf(f.Stderr, "%s: %s after %s\n", service, state, watched.Round(time.Second))
			last = state
		}
	}
}

// reportOutcome prints the post-fix check's verdict and returns the exit
// code: 0 only when the finding is gone (the service stays up, or a
// one-shot exited 0).
func reportOutcome(f *Factory, oc doctor.Outcome) int {
	switch oc.Kind {
	case doctor.StaysUp, doctor.ExitedOK:
		fmt.Fprintf(f.Stdout, "checked: %s\n", oc)
		return exitOK
	case doctor.FailedAgain:
		fmt.Fprintf(f.Stdout, "checked: %s\n", oc)
		if nf := oc.Finding; nf != nil {
			fmt.Fprintf(f.Stdout, "new finding %s: %s\n", nf.ID, nf.Summary)
			fmt.Fprintf(f.Stdout, "see its fixes: stackui doctor; apply one: stackui fix %s\n", nf.ID)
		} else {
			fmt.Fprintln(f.Stdout, "the doctor names no cause: stackui doctor and the service's logs may tell more")
		}
	default:
		fmt.Fprintf(f.Stdout, "checked: %s; run stackui doctor again later\n", oc)
	}
	return exitFailure
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
			if len(finding.Unoffered) == 0 {
				fmt.Fprintf(f.Stderr, "stackui fix: %s has no fix stackui can apply: %s\n", finding.ID, finding.Summary)
			}
			for _, u := range finding.Unoffered {
				fmt.Fprintf(f.Stderr, "stackui fix: %s: %s cannot be applied to the files as they are now: %s%s\n", finding.ID, u.FixID, u.Reason, unofferedHint(u))
			}
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

// unofferedHint says what to do about a fix that cannot be applied: one
// whose change the files already hold was most likely applied meanwhile,
// by another stackui, and the service only needs recreating.
func unofferedHint(u doctor.Unoffered) string {
	if errors.Is(u.Err, edit.ErrNoChange) {
		return " (another fix may have written it meanwhile; recreate the service to use it: docker compose up -d)"
	}
	return ""
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

func undoFix(ctx context.Context, f *Factory, force bool) int {
	p, code, ok := loadProject(ctx, f)
	if !ok {
		return code
	}
	_, rec, err := f.Backend.Undo(ctx, p, edit.Options{Force: force})
	if err != nil {
		fmt.Fprintf(f.Stderr, "stackui fix: %v%s\n", err, forceHint(err))
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

// forceHint tells how to write a read-only file anyway, when that is why a
// fix or an undo was refused.
func forceHint(err error) string {
	var ro *edit.ReadOnlyError
	if errors.As(err, &ro) {
		return "; run it again with --force to write it anyway"
	}
	return ""
}
