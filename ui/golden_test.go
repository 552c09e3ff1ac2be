package ui

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update rewrites the golden files under testdata/ instead of comparing
// with them: go test ./ui -run NAME -update.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/DIR/NAME.golden, byte for byte.
func golden(t *testing.T, dir, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", dir, name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./ui -run %s -update writes it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s/%s differs from %s (go test ./ui -run %s -update rewrites it)\n--- got\n%s\n--- want\n%s",
			dir, name, path, t.Name(), got, want)
	}
}
