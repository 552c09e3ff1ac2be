package edit

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/edit")

// goldenCase is testdata/edit/<case>/case.txt:
//
//	files: before.yaml override.yaml   (the -f files, in order; default before.yaml)
//	fix: mem trainer 128m
//	error: shared                      (the fix must fail with this error)
type goldenCase struct {
	files   []string
	fix     string
	wantErr string
}

func readCase(t *testing.T, path string) goldenCase {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := goldenCase{files: []string{"before.yaml"}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		switch v = strings.TrimSpace(v); strings.TrimSpace(k) {
		case "files":
			c.files = strings.Fields(v)
		case "fix":
			c.fix = v
		case "error":
			c.wantErr = v
		}
	}
	return c
}

var sentinels = map[string]error{
	"shared":      ErrShared,
	"variable":    ErrVariable,
	"unsupported": ErrUnsupported,
	"notfound":    ErrNotFound,
}

// TestGolden runs each case of testdata/edit: the fix's files after it
// (after.golden) and its preview (diff.golden) must match the golden files,
// the result must pass Validate, and reloading it must show exactly the
// intended change.
func TestGolden(t *testing.T) {
	cases, err := filepath.Glob(filepath.Join("..", "..", "testdata", "edit", "*", "case.txt"))
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases under testdata/edit: %v", err)
	}
	for _, cf := range cases {
		caseDir := filepath.Dir(cf)
		t.Run(filepath.Base(caseDir), func(t *testing.T) {
			c := readCase(t, cf)
			x, err := parseFix(c.fix)
			if err != nil {
				t.Fatal(err)
			}
			dir := copyDir(t, caseDir)
			p := loadDir(t, dir, c.files...)
			plan, err := x.plan(p)
			if c.wantErr != "" {
				want, ok := sentinels[c.wantErr]
				if !ok {
					t.Fatalf("unknown error %q in case.txt", c.wantErr)
				}
				if !errors.Is(err, want) {
					t.Fatalf("error = %v, want %v", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(p, plan); err != nil {
				t.Fatalf("Validate: %v\n%s", err, plan.Diff())
			}
			compareGolden(t, filepath.Join(caseDir, "after.golden"), afterText(plan))
			compareGolden(t, filepath.Join(caseDir, "diff.golden"), "# "+plan.Title+"\n"+plan.Diff())
			checkSemantics(t, p, x, plan)
		})
	}
}

// afterText is the changed file's new content, or with several files
// changed, each after a "=== name ===" line.
func afterText(p Plan) string {
	if len(p.Changes) == 1 {
		return string(p.Changes[0].After)
	}
	var b strings.Builder
	for _, c := range p.Changes {
		b.WriteString("=== " + filepath.Base(c.File) + " ===\n")
		b.Write(c.After)
	}
	return b.String()
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
