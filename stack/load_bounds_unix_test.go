//go:build unix

package stack

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestLoadBoundsSpecialFiles: a FIFO (opening it would wait for a writer
// forever) or /dev/zero (reading it never ends) anywhere the loader reads
// a file is a *LoadError naming it, and is never opened.
func TestLoadBoundsSpecialFiles(t *testing.T) {
	svc := "services:\n  s:\n    image: x\n"
	cases := []struct {
		name    string
		compose string
		fifo    string // made a FIFO, relative
		opts    LoadOptions
		fault   string // the file named, relative; "" means compose.yaml
		line    int
		kind    string
	}{
		{name: "env_file FIFO", compose: svc + "    env_file: [pipe.env]\n", fifo: "pipe.env", fault: "pipe.env", kind: "FIFO"},
		{name: "label_file FIFO", compose: svc + "    label_file: pipe.labels\n", fifo: "pipe.labels", fault: "pipe.labels", kind: "FIFO"},
		{name: ".env FIFO", compose: svc, fifo: ".env", fault: ".env", kind: "FIFO"},
		{name: "--env-file FIFO", compose: svc, fifo: "pipe.env", opts: LoadOptions{EnvFiles: []string{"pipe.env"}}, fault: "pipe.env", kind: "FIFO"},
		{name: "-f FIFO", compose: svc, fifo: "pipe.yaml", opts: LoadOptions{Files: []string{"pipe.yaml"}}, fault: "pipe.yaml", kind: "FIFO"},
		{name: "discovered compose.yaml FIFO", fifo: "compose.yaml", fault: "compose.yaml", kind: "FIFO"},
		{name: "include FIFO", compose: "include: [pipe.yaml]\n", fifo: "pipe.yaml", line: 1, kind: "FIFO"},
		{name: "include env_file FIFO", compose: "include:\n  - path: sub.yaml\n    env_file: pipe.env\n", fifo: "pipe.env", line: 3, kind: "FIFO"},
		{name: "include /dev/zero", compose: "include:\n  - /dev/zero\n", line: 2, kind: "character device"},
		{name: "include through a variable", compose: "include:\n  - ${Z}\n", opts: LoadOptions{Env: map[string]string{"Z": "/dev/zero"}}, line: 2, kind: "character device"},
		{name: "extends /dev/zero", compose: svc + "    extends: {file: /dev/zero, service: b}\n", line: 4, kind: "character device"},
		{name: "env_file /dev/zero", compose: svc + "    env_file: /dev/zero\n", fault: "/dev/zero", kind: "character device"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := map[string]string{"sub.yaml": svc}
			if c.compose != "" {
				files["compose.yaml"] = c.compose
			}
			dir := bwrite(t, files)
			if c.fifo != "" {
				if err := syscall.Mkfifo(filepath.Join(dir, c.fifo), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			le := bloadErr(t, dir, c.opts)
			want := filepath.Join(dir, "compose.yaml")
			if c.fault != "" {
				want = c.fault
				if !filepath.IsAbs(want) {
					want = filepath.Join(dir, c.fault)
				}
			}
			ltEqual(t, "File", le.File, want)
			ltEqual(t, "Line", le.Line, c.line)
			if !strings.Contains(le.Error(), "not a regular file (it is a "+c.kind+")") {
				t.Errorf("error %q should say the file is a %s", le, c.kind)
			}
		})
	}
}

// TestLoadBoundsFIFOSymlink: a compose file that is a symlink to a FIFO is
// checked through the link.
func TestLoadBoundsFIFOSymlink(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("pipe", filepath.Join(dir, "compose.yaml")); err != nil {
		t.Fatal(err)
	}
	le := bloadErr(t, dir, LoadOptions{})
	ltEqual(t, "File", le.File, filepath.Join(dir, "compose.yaml"))
	if !strings.Contains(le.Msg, "FIFO") {
		t.Errorf("error %q should say FIFO", le)
	}
}
