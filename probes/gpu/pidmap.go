package gpu

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// ContainerIDs returns the 64-hex container IDs that a /proc/PID/cgroup
// file names, in the order they appear: cgroup v1 and the cgroupfs driver
// write ".../docker/<id>", the systemd driver "docker-<id>.scope". A
// process in a nested engine (docker in docker) names several; the caller
// matches them against the IDs it knows.
func ContainerIDs(cgroupFile string) []string {
	var ids []string
	seen := map[string]bool{}
	for line := range strings.SplitSeq(cgroupFile, "\n") {
		// hierarchy-ID:controllers:path; the path may itself hold colons
		// only in theory, so take everything after the second one.
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		for seg := range strings.SplitSeq(parts[2], "/") {
			id, ok := idOf(seg)
			if ok && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// idOf reads a container ID from one path segment: "<id>" (under
// /docker/), "docker-<id>.scope", or "cri-containerd-<id>.scope" and the
// like, which a bare 64-hex check also catches.
func idOf(seg string) (string, bool) {
	seg = strings.TrimSuffix(seg, ".scope")
	if i := strings.LastIndexByte(seg, '-'); i >= 0 {
		seg = seg[i+1:]
	}
	if len(seg) != 64 {
		return "", false
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return "", false
		}
	}
	return seg, true
}

// ContainerOf returns which of the known containers (by full ID) the host
// process pid belongs to, reading procRoot/PID/cgroup ("/proc" normally).
// It returns "" for a process outside them, or one that has exited.
func ContainerOf(procRoot string, pid int, known map[string]bool) string {
	b, err := os.ReadFile(filepath.Join(procRoot, strconv.Itoa(pid), "cgroup"))
	if err != nil {
		return ""
	}
	for _, id := range ContainerIDs(string(b)) {
		if known[id] {
			return id
		}
	}
	return ""
}

// MemByContainer sums the GPU memory of apps per container, for the
// containers in known. A container whose processes' memory the driver does
// not report (MIG on older drivers) is absent from mem and present in
// unknown.
func MemByContainer(procRoot string, apps []App, known map[string]bool) (mem map[string]uint64, unknown map[string]bool) {
	mem = map[string]uint64{}
	unknown = map[string]bool{}
	for _, a := range apps {
		id := ContainerOf(procRoot, a.PID, known)
		if id == "" {
			continue
		}
		if a.UsedMem == nil {
			unknown[id] = true
			continue
		}
		mem[id] += *a.UsedMem
	}
	for id := range unknown {
		if _, ok := mem[id]; ok {
			delete(unknown, id)
		}
	}
	return mem, unknown
}
