package resources

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// unlimited is where cgroup v1 memory limits start to mean "none": the
// kernel writes the page-rounded maximum int64 there.
const unlimited = 1 << 62

// cgroupMount is one cgroup hierarchy mounted on this host.
type cgroupMount struct {
	v2          bool
	controllers []string // v1 only
	root        string   // the hierarchy's path that is mounted (usually "/")
	dir         string   // where it is mounted
}

// parseMountinfo finds the cgroup hierarchies in /proc/self/mountinfo.
func parseMountinfo(data []byte) []cgroupMount {
	var ms []cgroupMount
	for line := range strings.SplitSeq(string(data), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 {
			continue
		}
		m := cgroupMount{root: unescapeMount(f[3]), dir: unescapeMount(f[4])}
		switch g[0] {
		case "cgroup2":
			m.v2 = true
		case "cgroup":
			for o := range strings.SplitSeq(g[2], ",") {
				if o != "rw" && o != "ro" && !strings.Contains(o, "=") || strings.HasPrefix(o, "name=") {
					m.controllers = append(m.controllers, o)
				}
			}
		default:
			continue
		}
		ms = append(ms, m)
	}
	return ms
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// procCgroup is one line of /proc/PID/cgroup.
type procCgroup struct {
	controllers []string // empty for the v2 line ("0::/path")
	path        string
}

func parseProcCgroup(data []byte) []procCgroup {
	var out []procCgroup
	for line := range strings.SplitSeq(string(data), "\n") {
		parts := strings.SplitN(strings.TrimSpace(line), ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") {
			continue
		}
		pc := procCgroup{path: parts[2]}
		if parts[1] != "" {
			pc.controllers = strings.Split(parts[1], ",")
		}
		out = append(out, pc)
	}
	return out
}

// cgroupFiles are where one container's counters are read.
type cgroupFiles struct {
	v2          bool
	mem, cpu    string // directories: v2 uses mem for everything
	blkio       string // v1; "" when the controller is not mounted
	pids        string // v1; "" when the controller is not mounted
	netDev      string // /proc/PID/net/dev: the container's network namespace
	description string
	// kept, when set, holds the files open between samples (the
	// sampler's); nil opens and closes each file per read.
	kept *keptFiles
	// brief reads only CPU and memory, leaving the network, block I/O
	// and PID counts zero.
	brief bool
	// limit, when set, is the memory limit to report instead of reading
	// it: it changes only with `docker update`, so the sampler reads it
	// on a container's own slot and carries it between.
	limit *uint64
}

// resolveCgroup finds a container's cgroup directories from its main
// process, and makes sure they are the container's: with Docker Desktop the
// engine's PIDs are the VM's, and the same number here is some other
// process.
func resolveCgroup(procRoot string, mounts []cgroupMount, pid int, id string) (cgroupFiles, error) {
	if pid <= 0 {
		return cgroupFiles{}, fmt.Errorf("container %s has no process", short(id))
	}
	pidDir := filepath.Join(procRoot, strconv.Itoa(pid))
	data, err := os.ReadFile(filepath.Join(pidDir, "cgroup"))
	if err != nil {
		return cgroupFiles{}, fmt.Errorf("cgroup of container %s: %w", short(id), err)
	}
	lines := parseProcCgroup(data)
	find := func(controller string) string {
		for _, l := range lines {
			for _, c := range l.controllers {
				if c == controller {
					for _, m := range mounts {
						if !m.v2 && contains(m.controllers, controller) {
							if d, ok := mountedAt(m, l.path); ok {
								return d
							}
						}
					}
				}
			}
		}
		return ""
	}
	f := cgroupFiles{netDev: filepath.Join(pidDir, "net", "dev")}
	// A hybrid host (v1 controllers plus an empty unified hierarchy, like
	// this one) keeps memory in v1, so v1 wins when it has memory.
	if mem := find("memory"); mem != "" {
		f.mem, f.cpu, f.blkio, f.pids = mem, find("cpuacct"), find("blkio"), find("pids")
		if f.cpu == "" {
			return cgroupFiles{}, fmt.Errorf("cgroup of container %s: no cpuacct hierarchy", short(id))
		}
		f.description = "cgroup v1 " + mem
	} else {
		for _, l := range lines {
			if len(l.controllers) != 0 {
				continue
			}
			for _, m := range mounts {
				if d, ok := mountedAt(m, l.path); ok && m.v2 {
					f.v2, f.mem, f.cpu = true, d, d
				}
			}
		}
		if f.mem == "" {
			return cgroupFiles{}, fmt.Errorf("cgroup of container %s: no memory hierarchy mounted here", short(id))
		}
		f.description = "cgroup v2 " + f.mem
	}
	if !strings.Contains(f.mem, id) {
		return cgroupFiles{}, fmt.Errorf("process %d is not in container %s's cgroup (%s): the engine's PIDs are not this host's", pid, short(id), f.mem)
	}
	probe := "memory.usage_in_bytes"
	if f.v2 {
		probe = "memory.current"
	}
	if _, err := os.Stat(filepath.Join(f.mem, probe)); err != nil {
		return cgroupFiles{}, fmt.Errorf("cgroup of container %s: %w", short(id), err)
	}
	return f, nil
}

// mountedAt maps a cgroup path to a directory under mount m.
func mountedAt(m cgroupMount, path string) (string, bool) {
	rel, ok := strings.CutPrefix(path, m.root)
	if !ok || (m.root != "/" && rel != "" && !strings.HasPrefix(rel, "/")) {
		return "", false
	}
	return filepath.Join(m.dir, rel), true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// reader reads cgroup files into one reused buffer: the sampler reads a
// handful of small files per container every second.
type reader struct {
	buf []byte
}

func (r *reader) read(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return r.readAll(f)
}

// readAll reads f to its end into r's buffer.
func (r *reader) readAll(f *os.File) ([]byte, error) {
	if r.buf == nil {
		r.buf = make([]byte, 8192)
	}
	n := 0
	for {
		m, err := f.Read(r.buf[n:])
		n += m
		if errors.Is(err, io.EOF) || (err == nil && m == 0) {
			return r.buf[:n], nil
		}
		if err != nil {
			return nil, err
		}
		if n == len(r.buf) {
			r.buf = append(r.buf, make([]byte, len(r.buf))...)
		}
	}
}

func (r *reader) uint(path string) (uint64, error) { return r.keptUint(nil, path) }

func (r *reader) keptUint(k *keptFiles, path string) (uint64, error) {
	b, err := r.keptRead(k, path)
	if err != nil {
		return 0, err
	}
	s := string(bytes.TrimSpace(b))
	if s == "max" {
		return 0, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a number", path, s)
	}
	return v, nil
}

// counters reads one container's cgroup. Missing optional files (block I/O,
// pids, the network of a container that shares the host's) leave zeros.
func (r *reader) counters(f cgroupFiles, now func() time.Time) (Counters, error) {
	var c Counters
	var err error
	if f.v2 {
		c.MemUsage, err = r.keptUint(f.kept, filepath.Join(f.mem, "memory.current"))
		if err != nil {
			return c, err
		}
		if c.MemLimit, err = r.limit(f, "memory.max"); err != nil {
			return c, err
		}
		b, err := r.keptRead(f.kept, filepath.Join(f.mem, "memory.stat"))
		if err != nil {
			return c, err
		}
		c.MemInactive = statValue(b, "inactive_file")
		if b, err = r.keptRead(f.kept, filepath.Join(f.cpu, "cpu.stat")); err != nil {
			return c, err
		}
		c.CPUNanos = statValue(b, "usage_usec") * 1000
		if !f.brief {
			if b, err := r.keptRead(f.kept, filepath.Join(f.mem, "io.stat")); err == nil {
				c.BlkRead, c.BlkWrite = parseIOStat(b)
			}
			c.Pids, _ = r.keptUint(f.kept, filepath.Join(f.mem, "pids.current"))
		}
	} else {
		if c.MemUsage, err = r.keptUint(f.kept, filepath.Join(f.mem, "memory.usage_in_bytes")); err != nil {
			return c, err
		}
		if c.MemLimit, err = r.limit(f, "memory.limit_in_bytes"); err != nil {
			return c, err
		}
		b, err := r.keptRead(f.kept, filepath.Join(f.mem, "memory.stat"))
		if err != nil {
			return c, err
		}
		c.MemInactive = statValue(b, "total_inactive_file")
		if c.CPUNanos, err = r.keptUint(f.kept, filepath.Join(f.cpu, "cpuacct.usage")); err != nil {
			return c, err
		}
		if f.blkio != "" && !f.brief {
			if b, err := r.keptRead(f.kept, filepath.Join(f.blkio, "blkio.throttle.io_service_bytes_recursive")); err == nil {
				c.BlkRead, c.BlkWrite = parseBlkio(b)
			}
		}
		if f.pids != "" && !f.brief {
			c.Pids, _ = r.keptUint(f.kept, filepath.Join(f.pids, "pids.current"))
		}
	}
	if c.MemLimit >= unlimited {
		c.MemLimit = 0
	}
	if !f.brief {
		if b, err := r.keptRead(f.kept, f.netDev); err == nil {
			c.NetRx, c.NetTx = parseNetDev(b)
		}
	}
	c.Time = now()
	return c, nil
}

// limit is the memory limit: f.limit when the caller carries it, else
// read from the file named.
func (r *reader) limit(f cgroupFiles, name string) (uint64, error) {
	if f.limit != nil {
		return *f.limit, nil
	}
	return r.keptUint(f.kept, filepath.Join(f.mem, name))
}

// statValue finds "key value" in a memory.stat or cpu.stat file.
func statValue(b []byte, key string) uint64 {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		k, v, ok := bytes.Cut(line, []byte{' '})
		if ok && string(k) == key {
			n, _ := strconv.ParseUint(string(bytes.TrimSpace(v)), 10, 64)
			return n
		}
	}
	return 0
}

// parseBlkio sums v1's "MAJ:MIN Read N" and "MAJ:MIN Write N" lines over
// devices.
func parseBlkio(b []byte) (read, write uint64) {
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		n, err := strconv.ParseUint(f[2], 10, 64)
		if err != nil {
			continue
		}
		switch f[1] {
		case "Read":
			read += n
		case "Write":
			write += n
		}
	}
	return read, write
}

// parseIOStat sums v2's "MAJ:MIN rbytes=N wbytes=N ..." lines over devices.
func parseIOStat(b []byte) (read, write uint64) {
	for line := range strings.SplitSeq(string(b), "\n") {
		for _, kv := range strings.Fields(line) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				continue
			}
			switch k {
			case "rbytes":
				read += n
			case "wbytes":
				write += n
			}
		}
	}
	return read, write
}

// parseNetDev sums received and sent bytes over a network namespace's
// interfaces except loopback, which the Engine API leaves out too.
func parseNetDev(b []byte) (rx, tx uint64) {
	for line := range strings.SplitSeq(string(b), "\n") {
		name, rest, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "lo" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 9 {
			continue
		}
		r, err1 := strconv.ParseUint(f[0], 10, 64)
		t, err2 := strconv.ParseUint(f[8], 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		rx += r
		tx += t
	}
	return rx, tx
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
