package edit

import (
	"context"
	"errors"
	"github.com/stackui/stackui/stack"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func fromSeconds(n int) time.Duration { return time.Duration(n) * time.Second }

// FuzzEdit generates a valid compose project and a fix from the fuzz
// bytes, makes the fix, and checks that the result loads with compose-go,
// reads exactly as the fix intends (and every other service as before),
// and that only the target lines changed.
func FuzzEdit(f *testing.F) {
	seeds := [][]byte{
		{}, {0}, {1, 1, 1, 1}, {5, 0, 2, 3, 1, 2, 0, 1, 4, 2},
		[]byte("compose files with comments"), []byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"),
		[]byte("anchors & merge keys <<: *defaults"), []byte("flow { cpus: '1.0', memory: 1G }"),
		[]byte("\x03\x01\x00\x00\x02\x02\x01\x03\x05\x00\x01\x02\x02\x00\x00\x01"),
		[]byte("\x00\x00\x01\x00\x00\x00\x01\x03\x01\x01\x01\x02\x02\x02\x02\x02\x02"),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &gen{b: data}
		g.project()
		x := g.fix()
		dir := t.TempDir()
		for name, b := range g.files {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		p := loadDir(t, dir, g.order...)
		plan, err := x.plan(p)
		if errors.Is(err, ErrNoChange) {
			// the value is already what the fix asks for
			checkSemantics(t, p, x, plan)
			return
		}
		if err != nil {
			t.Fatalf("%+v: %v\n%s", x, err, dumpFiles(g))
		}
		if err := Validate(p, plan); err != nil {
			t.Fatalf("%+v: Validate: %v\n%s", x, err, plan.Diff())
		}
		checkLines(t, x, plan)
		checkSemantics(t, p, x, plan)
	})
}

func dumpFiles(g *gen) string {
	var b strings.Builder
	for name, c := range g.files {
		b.WriteString("=== " + name + "\n" + c.String())
	}
	return b.String()
}

// targetKeys are the keys a fix may write.
func (x fix) targetKeys() []string {
	switch x.kind {
	case "mem":
		return []string{"mem_limit", "memory", "memswap_limit"}
	case "platform":
		return []string{"platform"}
	case "grace":
		return []string{"stop_grace_period"}
	}
	return []string{"published"}
}

var reNewKeyLine = regexp.MustCompile(`^\s*([a-z_]+): \S+$`)

// checkLines diffs the line sets of each changed file: every removed line
// must come back changed only where the target value is, or with the
// target key added in a flow mapping; every other added line must be a
// new `key: value` line of a target key.
func checkLines(t *testing.T, x fix, plan Plan) {
	t.Helper()
	sites := 0
	for _, c := range plan.Changes {
		var removed, added []string
		a, b := splitLines(c.Before), splitLines(c.After)
		for _, o := range lineOps(a, b) {
			switch o.kind {
			case '-':
				removed = append(removed, a[o.ai].text)
			case '+':
				added = append(added, b[o.bi].text)
			}
		}
		if len(added) < len(removed) {
			t.Fatalf("%s: %d lines removed, %d added:\n%s", c.File, len(removed), len(added), plan.Diff())
		}
		for i, r := range removed {
			if !changedOnlyTarget(x, r, added[i]) && !changedOnlyTargets(x, r, added[i]) {
				t.Fatalf("%s: line %q became %q, which is not the target of %+v:\n%s", c.File, r, added[i], x, plan.Diff())
			}
		}
		for _, n := range added[len(removed):] {
			m := reNewKeyLine.FindStringSubmatch(strings.TrimRight(n, "\r"))
			if m == nil || !contains(x.targetKeys(), m[1]) {
				t.Fatalf("%s: added line %q is not a target key:\n%s", c.File, n, plan.Diff())
			}
		}
		sites += len(added)
	}
	max := 2
	switch x.kind {
	case "mem": // mem_limit, deploy's memory and memswap_limit
		max = 3
	case "port":
		max = 8
	}
	if sites == 0 || sites > max {
		t.Fatalf("%d lines changed for %+v:\n%s", sites, x, plan.Diff())
	}
}

// changedOnlyTarget reports whether before and after differ only in one
// place that holds the target: the old value (a key of the fix, or the old
// port, is on the line), or an entry `key: value` added to a flow mapping.
func changedOnlyTarget(x fix, before, after string) bool {
	pre := 0
	for pre < len(before) && pre < len(after) && before[pre] == after[pre] {
		pre++
	}
	suf := 0
	for suf < len(before)-pre && suf < len(after)-pre && before[len(before)-1-suf] == after[len(after)-1-suf] {
		suf++
	}
	oldMid, newMid := before[pre:len(before)-suf], after[pre:len(after)-suf]
	if oldMid == "" && strings.Contains(newMid, ": ") {
		for _, k := range x.targetKeys() {
			if strings.Contains(newMid, k+": ") && strings.Count(newMid, ":") == 1 {
				return true
			}
		}
		return false
	}
	if strings.ContainsAny(oldMid+newMid, ",{}[]#") {
		return false
	}
	if x.kind == "port" {
		return strings.Contains(before, strconv.Itoa(x.oldPort)) || strings.Contains(before, "published")
	}
	for _, k := range x.targetKeys() {
		if strings.Contains(before, k+":") {
			return true
		}
	}
	return false
}

// reFlowTarget is a target key of the memory fix and its value, in a
// flow mapping or on a line of its own.
var reFlowTarget = regexp.MustCompile(`\b(mem_limit|memory|memswap_limit): ("[^"]*"|'[^']*'|[^,}\]\s#]+)`)

// changedOnlyTargets is changedOnlyTarget for a memory fix that edits
// several keys of one flow mapping (mem_limit, and memswap_limit changed
// or added): with every target value blanked out and the added entries
// dropped, the lines must read the same.
func changedOnlyTargets(x fix, before, after string) bool {
	if x.kind != "mem" {
		return false
	}
	b := reFlowTarget.ReplaceAllString(before, "$1: _")
	a := reFlowTarget.ReplaceAllString(after, "$1: _")
	for _, k := range x.targetKeys() {
		entry := k + ": _"
		for strings.Count(a, entry) > strings.Count(b, entry) {
			// insertFlow adds ", entry", or " entry" after a trailing
			// comma or into "{ }", or "entry" into "{}"
			switch {
			case strings.Contains(a, ", "+entry):
				a = strings.Replace(a, ", "+entry, "", 1)
			case strings.Contains(a, " "+entry):
				a = strings.Replace(a, " "+entry, "", 1)
			default:
				a = strings.Replace(a, entry, "", 1)
			}
		}
	}
	return a == b
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// FuzzEditRaw makes fixes on arbitrary compose files (the fuzzer mutates
// the golden cases): the editor must never panic, and a fix it does offer
// must load and read as intended.
func FuzzEditRaw(f *testing.F) {
	cases, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "edit", "*", "*.yaml"))
	for i, c := range cases {
		b, err := os.ReadFile(c)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(i), uint16(i*7919))
	}
	f.Fuzz(func(t *testing.T, data []byte, which uint8, value uint16) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := stack.Load(context.Background(), stack.LoadOptions{Files: []string{"compose.yaml"}, WorkDir: dir, Env: map[string]string{}})
		if err != nil || len(p.Services) == 0 {
			return // not a project: nothing to fix
		}
		svc := p.Services[int(which)%len(p.Services)]
		x := fix{service: svc.Name}
		switch which % 4 {
		case 0:
			x.kind, x.bytes = "mem", int64(value)<<12+1<<20
		case 1:
			x.kind, x.platform = "platform", []string{"linux/amd64", "linux/arm64"}[value%2]
		case 2:
			x.kind, x.grace = "grace", fromSeconds(1+int(value))
		default:
			x.kind, x.newPort = "port", 20000+int(value%20000)
			for _, port := range svc.Config.Ports {
				if n, err := strconv.Atoi(port.Published); err == nil {
					x.oldPort = n
				}
			}
			if x.oldPort == 0 {
				return
			}
		}
		plan, err := x.plan(p)
		if errors.Is(err, errInternal) {
			t.Fatalf("%+v: %v", x, err)
		}
		if err != nil {
			return // refusing is fine; crashing or a wrong edit is not
		}
		if err := Validate(p, plan); err != nil {
			t.Fatalf("%+v: Validate: %v\n%s", x, err, plan.Diff())
		}
		checkSemantics(t, p, x, plan)
	})
}
