package demo

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestTinyELFParses(t *testing.T) {
	for arch, machine := range map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64} {
		t.Run(arch, func(t *testing.T) {
			b, err := tinyELF(arch)
			if err != nil {
				t.Fatal(err)
			}
			f, err := elf.NewFile(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("debug/elf rejects it: %v", err)
			}
			if f.Machine != machine || f.Class != elf.ELFCLASS64 || f.Type != elf.ET_EXEC {
				t.Errorf("machine %s class %s type %s; want %s ELFCLASS64 ET_EXEC", f.Machine, f.Class, f.Type, machine)
			}
			if len(f.Progs) != 1 || f.Progs[0].Type != elf.PT_LOAD {
				t.Fatalf("program headers %v, want one PT_LOAD", f.Progs)
			}
			p := f.Progs[0]
			if f.Entry < p.Vaddr || f.Entry >= p.Vaddr+p.Filesz || p.Filesz != uint64(len(b)) {
				t.Errorf("entry %#x outside the segment %#x+%d (file %d bytes)", f.Entry, p.Vaddr, p.Filesz, len(b))
			}
			if !bytes.HasSuffix(b, []byte(foreignMessage)) {
				t.Errorf("message not at the end of the file")
			}
		})
	}
	if _, err := tinyELF("mips"); err == nil {
		t.Errorf("tinyELF(mips) did not fail")
	}
}

// TestTinyELFRuns runs the generator's output for the architecture this
// test runs on, which checks the hand-assembled instructions themselves.
func TestTinyELFRuns(t *testing.T) {
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skipf("can only run a linux amd64 or arm64 executable, not on %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	b, err := tinyELF(runtime.GOARCH)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tiny")
	if err := os.WriteFile(path, b, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(path).Output()
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if string(out) != foreignMessage {
		t.Errorf("output %q, want %q", out, foreignMessage)
	}
	if err := CheckStatic(path, runtime.GOARCH); err != nil {
		t.Errorf("CheckStatic rejects the tiny static executable: %v", err)
	}
}

func TestCheckStatic(t *testing.T) {
	dir := t.TempDir()
	arm, _ := tinyELF("arm64")
	armPath := filepath.Join(dir, "arm")
	os.WriteFile(armPath, arm, 0o755)
	text := filepath.Join(dir, "text")
	os.WriteFile(text, []byte("#!/bin/sh\necho hi\n"), 0o755)

	if err := CheckStatic(armPath, "arm64"); err != nil {
		t.Errorf("static arm64 for an arm64 engine: %v", err)
	}
	cases := []struct {
		name, path, arch, want string
	}{
		{"wrong arch", armPath, "amd64", "built for arm64 but the engine runs amd64"},
		{"not ELF", text, "amd64", "is not a linux executable"},
		{"missing", filepath.Join(dir, "nope"), "amd64", "is not a linux executable"},
		{"unknown engine arch", armPath, "mips64", "mips64"},
	}
	for _, tc := range cases {
		err := CheckStatic(tc.path, tc.arch)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to say %q", tc.name, err, tc.want)
		}
	}
	if err := CheckStatic(text, "amd64"); !errors.Is(err, ErrNotStatic) || !strings.Contains(err.Error(), "CGO_ENABLED=0") || !strings.Contains(err.Error(), "--binary") {
		t.Errorf("error does not say how to get a static build: %v", err)
	}
}

// TestCheckStaticRejectsDynamic uses a dynamically linked system program.
func TestCheckStaticRejectsDynamic(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs a linux dynamic executable")
	}
	ls, err := exec.LookPath("ls")
	if err != nil {
		t.Fatalf("no ls: %v", err)
	}
	f, err := elf.Open(ls)
	if err != nil {
		t.Fatalf("open %s: %v", ls, err)
	}
	dynamic := false
	for _, p := range f.Progs {
		dynamic = dynamic || p.Type == elf.PT_INTERP
	}
	f.Close()
	if !dynamic {
		t.Skipf("%s is static on this system", ls)
	}
	err = CheckStatic(ls, runtime.GOARCH)
	if err == nil || !strings.Contains(err.Error(), "dynamically linked") {
		t.Errorf("CheckStatic(%s) = %v, want a 'dynamically linked' error", ls, err)
	}
}
