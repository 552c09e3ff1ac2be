package edit

import (
	"fmt"
	"strings"
	"testing"
)

func numbered(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("line %d", i+1)
	}
	return out
}

// TestUnifiedDiff checks hunks against what GNU diff -u writes for the
// same files.
func TestUnifiedDiff(t *testing.T) {
	a := numbered(30)
	b := append([]string(nil), a...)
	b[1] = "line 2 changed"
	b[9] = "line 10 changed"
	b = append(b[:11], b[12:]...)
	b = append(b[:20], append([]string{"inserted"}, b[20:]...)...)
	b[len(b)-1] = "line 30 changed"

	tests := []struct {
		name, before, after, want string
	}{
		{"hunks", strings.Join(a, "\n") + "\n", strings.Join(b, "\n"), `--- f
+++ f
@@ -1,5 +1,5 @@
 line 1
-line 2
+line 2 changed
 line 3
 line 4
 line 5
@@ -7,9 +7,8 @@
 line 7
 line 8
 line 9
-line 10
+line 10 changed
 line 11
-line 12
 line 13
 line 14
 line 15
@@ -19,6 +18,7 @@
 line 19
 line 20
 line 21
+inserted
 line 22
 line 23
 line 24
@@ -27,4 +27,4 @@
 line 27
 line 28
 line 29
-line 30
+line 30 changed
\ No newline at end of file
`},
		{"from empty", "", "a\nb\n", "--- f\n+++ f\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"to empty", "a\nb\n", "", "--- f\n+++ f\n@@ -1,2 +0,0 @@\n-a\n-b\n"},
		{"same", "a\nb\n", "a\nb\n", ""},
		{"newline added", "a", "a\n", "--- f\n+++ f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := unifiedDiff("f", []byte(tt.before), []byte(tt.after)); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestPlanDiffNames(t *testing.T) {
	p := Plan{Dir: "/proj", Changes: []Change{
		{File: "/proj/sub/compose.yaml", Before: []byte("a\n"), After: []byte("b\n")},
		{File: "/elsewhere/x.yaml", Before: []byte("a\n"), After: []byte("b\n")},
	}}
	d := p.Diff()
	for _, want := range []string{"--- sub/compose.yaml\n+++ sub/compose.yaml\n", "--- /elsewhere/x.yaml\n"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff lacks %q:\n%s", want, d)
		}
	}
}

func BenchmarkDiff(b *testing.B) {
	before := strings.Join(numbered(2000), "\n") + "\n"
	after := strings.Replace(before, "line 1000\n", "line 1000 changed\n", 1)
	for b.Loop() {
		unifiedDiff("f", []byte(before), []byte(after))
	}
}
