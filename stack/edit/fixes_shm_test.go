package edit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSetShmSize(t *testing.T) {
	cases := []struct {
		name, yaml string
		bytes      int64
		want       []string // in the diff
		from       int64
	}{
		{"unset", "services:\n  trainer:\n    image: x # the trainer\n    command: [\"--shm-alloc\", \"100M\"]\n", 1 << 30,
			[]string{"+    shm_size: 1g\n", " # the trainer"}, 64 << 20},
		{"in place, style kept", "services:\n  trainer:\n    image: x\n    shm_size: 512M   # workers\n", 2 << 30,
			[]string{"-    shm_size: 512M   # workers\n", "+    shm_size: 2G   # workers\n"}, 512 << 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			p := loadDir(t, dir, "compose.yaml")
			plan, err := SetShmSize(p, "trainer", tc.bytes)
			if err != nil {
				t.Fatal(err)
			}
			if err := Validate(p, plan); err != nil {
				t.Fatal(err)
			}
			diff := plan.Diff()
			for _, w := range tc.want {
				if !strings.Contains(diff, w) {
					t.Errorf("diff lacks %q:\n%s", w, diff)
				}
			}
			if s := plan.Setting; s == nil || s.Key != "shm_size" || s.From != tc.from || s.To != tc.bytes {
				t.Errorf("setting %+v", s)
			}
		})
	}
	if _, err := SetShmSize(nil, "trainer", 0); err == nil {
		t.Error("0 bytes: no error")
	}
}

func TestSetIPC(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("services:\n  trainer:\n    image: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := loadDir(t, dir, "compose.yaml")
	plan, err := SetIPC(p, "trainer", "host")
	if err != nil {
		t.Fatal(err)
	}
	if d := plan.Diff(); !strings.Contains(d, "+    ipc: host\n") {
		t.Errorf("diff:\n%s", d)
	}
	if _, err := SetIPC(p, "trainer", "container:x; rm"); err == nil {
		t.Error("a bad mode: no error")
	}
}
