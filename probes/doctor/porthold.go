package doctor

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// hostPortHolders finds the host processes listening on a TCP port, from
// /proc/net/tcp{,6} and the processes' socket descriptors. Only Linux has
// these files, and only processes this user may inspect are seen; elsewhere
// it finds nothing.
func hostPortHolders(port int) ([]PortHolder, error) {
	if runtime.GOOS != "linux" {
		return nil, nil
	}
	inodes := map[uint64]bool{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // no IPv6, or no /proc
		}
		for _, ino := range listeningInodes(b, port) {
			inodes[ino] = true
		}
	}
	if len(inodes) == 0 {
		return nil, nil
	}
	procs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return nil, fmt.Errorf("list processes: %w", err)
	}
	var out []PortHolder
	for _, dir := range procs {
		pid, err := strconv.Atoi(filepath.Base(dir))
		if err != nil {
			continue
		}
		fds, err := os.ReadDir(filepath.Join(dir, "fd"))
		if err != nil {
			continue // gone, or not ours to see
		}
		for _, fd := range fds {
			link, err := os.Readlink(filepath.Join(dir, "fd", fd.Name()))
			if err != nil {
				continue
			}
			if ino, ok := socketInode(link); ok && inodes[ino] {
				comm, _ := os.ReadFile(filepath.Join(dir, "comm"))
				out = append(out, PortHolder{Port: port, PID: pid, Process: strings.TrimSpace(string(comm))})
				break
			}
		}
	}
	return out, nil
}

// socketInode reads "socket:[12345]".
func socketInode(link string) (uint64, bool) {
	s, ok := strings.CutPrefix(link, "socket:[")
	if !ok {
		return 0, false
	}
	s, ok = strings.CutSuffix(s, "]")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

// tcpListen is the kernel's TCP_LISTEN state in /proc/net/tcp.
const tcpListen = "0A"

// listeningInodes parses /proc/net/tcp or tcp6 and returns the inodes of
// the sockets listening on port. Lines it cannot read are skipped: the
// file's text is the kernel's, but it is parsed defensively all the same.
func listeningInodes(b []byte, port int) []uint64 {
	var out []uint64
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	first := true
	for sc.Scan() {
		if first { // the header
			first = false
			continue
		}
		f := strings.Fields(sc.Text())
		// sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
		if len(f) < 10 || f[3] != tcpListen {
			continue
		}
		_, hexPort, ok := strings.Cut(f[1], ":")
		if !ok {
			continue
		}
		p, err := strconv.ParseUint(hexPort, 16, 16)
		if err != nil || int(p) != port {
			continue
		}
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil || ino == 0 {
			continue
		}
		out = append(out, ino)
	}
	return out
}
