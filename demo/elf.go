package demo

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
)

// foreignMessage is what the foreign image's program prints on a host that
// can run it after all (one with qemu binfmt emulation).
const foreignMessage = "stackui demo: foreign-architecture workload ran under emulation\n"

// tinyELF returns a minimal static linux executable for goarch (amd64 or
// arm64) that writes foreignMessage to stdout and exits 0: one ELF header,
// one PT_LOAD segment, a few instructions. It is what the foreign image
// carries, since the stackui binary is only built for the host.
func tinyELF(goarch string) ([]byte, error) {
	const (
		base     = 0x400000
		ehdrSize = 64
		phdrSize = 56
		codeOff  = ehdrSize + phdrSize
	)
	var machine elf.Machine
	var code []byte
	msg := []byte(foreignMessage)
	switch goarch {
	case "amd64":
		machine = elf.EM_X86_64
		code = x86_64Code(len(msg))
	case "arm64":
		machine = elf.EM_AARCH64
		code = aarch64Code(len(msg))
	default:
		return nil, fmt.Errorf("no tiny executable for %q: only amd64 and arm64", goarch)
	}
	total := codeOff + len(code) + len(msg)

	var b bytes.Buffer
	le := binary.LittleEndian
	w := func(v any) { binary.Write(&b, le, v) }
	// ELF header.
	b.Write([]byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT), byte(elf.ELFOSABI_NONE)})
	b.Write(make([]byte, 8)) // ABI version and padding
	w(uint16(elf.ET_EXEC))
	w(uint16(machine))
	w(uint32(elf.EV_CURRENT))
	w(uint64(base + codeOff)) // entry
	w(uint64(ehdrSize))       // program headers right after this header
	w(uint64(0))              // no section headers
	w(uint32(0))              // flags
	w(uint16(ehdrSize))
	w(uint16(phdrSize))
	w(uint16(1)) // one program header
	w(uint16(0)) // section header size, count, names index: none
	w(uint16(0))
	w(uint16(0))
	// One read+execute segment mapping the whole file.
	w(uint32(elf.PT_LOAD))
	w(uint32(elf.PF_R | elf.PF_X))
	w(uint64(0))    // offset
	w(uint64(base)) // vaddr
	w(uint64(base)) // paddr
	w(uint64(total))
	w(uint64(total))
	w(uint64(0x10000)) // alignment that both 4K and 64K page kernels accept
	b.Write(code)
	b.Write(msg)
	if b.Len() != total {
		return nil, fmt.Errorf("tiny ELF for %s: %d bytes, want %d", goarch, b.Len(), total)
	}
	return b.Bytes(), nil
}

// x86_64Code is write(1, msg, n); exit(0), with msg right after the code.
func x86_64Code(n int) []byte {
	code := []byte{
		0xb8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1 (write)
		0xbf, 0x01, 0x00, 0x00, 0x00, // mov edi, 1 (stdout)
		0x48, 0x8d, 0x35, 0x10, 0x00, 0x00, 0x00, // lea rsi, [rip+16] (msg)
		0xba, 0, 0, 0, 0, // mov edx, n
		0x0f, 0x05, // syscall
		0xb8, 0x3c, 0x00, 0x00, 0x00, // mov eax, 60 (exit)
		0x31, 0xff, // xor edi, edi
		0x0f, 0x05, // syscall
	}
	binary.LittleEndian.PutUint32(code[18:], uint32(n))
	return code
}

// aarch64Code is write(1, msg, n); exit(0), with msg right after the code.
func aarch64Code(n int) []byte {
	movz := func(reg, imm uint32) uint32 { return 0xd2800000 | imm<<5 | reg }
	const svc0 = 0xd4000001
	// adr x1, msg: msg is 7 instructions after the adr itself.
	adr := uint32(0x10000000) | (28>>2)<<5 | 1
	insns := []uint32{
		movz(0, 1), // x0 = stdout
		adr,
		movz(2, uint32(n)), // x2 = length
		movz(8, 64),        // x8 = write
		svc0,
		movz(0, 0),  // x0 = status 0
		movz(8, 93), // x8 = exit
		svc0,
	}
	code := make([]byte, 4*len(insns))
	for i, in := range insns {
		binary.LittleEndian.PutUint32(code[4*i:], in)
	}
	return code
}

// archMachines pairs Go architectures with ELF machines, for the binaries
// stackui can put in an image.
func archMachines() map[string]elf.Machine {
	return map[string]elf.Machine{
		"amd64":   elf.EM_X86_64,
		"arm64":   elf.EM_AARCH64,
		"arm":     elf.EM_ARM,
		"386":     elf.EM_386,
		"ppc64le": elf.EM_PPC64,
		"s390x":   elf.EM_S390,
		"riscv64": elf.EM_RISCV,
	}
}

// ErrNotStatic is wrapped by CheckStatic's errors.
var ErrNotStatic = errors.New("not a static linux executable")

// CheckStatic makes sure path can run as the only file of an image on a
// goarch engine: a linux ELF executable for that architecture with no
// dynamic loader and no shared libraries. Its errors say how to get one.
func CheckStatic(path, goarch string) error {
	howto := fmt.Sprintf("build one with `CGO_ENABLED=0 GOOS=linux GOARCH=%s go build -o stackui-linux-%s .` and pass it with `stackui demo --binary stackui-linux-%s`", goarch, goarch, goarch)
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s is not a linux executable (%v): %w; the demo images need a static linux build of stackui: %s", path, err, ErrNotStatic, howto)
	}
	defer f.Close()
	if info, err := buildinfo.ReadFile(path); err == nil {
		for _, s := range info.Settings {
			if s.Key == "GOOS" && s.Value != "linux" {
				return fmt.Errorf("%s is built for %s, %w; %s", path, s.Value, ErrNotStatic, howto)
			}
		}
	}
	want, known := archMachines()[goarch]
	if !known {
		return fmt.Errorf("engine architecture %q: stackui cannot build demo images for it", goarch)
	}
	if f.Machine != want {
		return fmt.Errorf("%s is built for %s but the engine runs %s (%s), %w for it; %s", path, machineArch(f.Machine), goarch, want, ErrNotStatic, howto)
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return fmt.Errorf("%s is an ELF %s, not an executable: %w; %s", path, f.Type, ErrNotStatic, howto)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			interp := make([]byte, p.Filesz)
			p.ReadAt(interp, 0)
			return fmt.Errorf("%s is dynamically linked (it needs the loader %s, which an empty image lacks): %w; %s", path, bytes.TrimRight(interp, "\x00"), ErrNotStatic, howto)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		return fmt.Errorf("%s needs shared libraries %v: %w; %s", path, libs, ErrNotStatic, howto)
	}
	return nil
}

func machineArch(m elf.Machine) string {
	for arch, mm := range archMachines() {
		if mm == m {
			return arch
		}
	}
	return m.String()
}
