package resources

import (
	"strconv"
	"strings"
	"time"
)

// KernelOOM is one OOM kill the kernel logged (its "oom-kill:" line),
// attributed to a container by the memory cgroup it names.
type KernelOOM struct {
	ContainerID string    `json:"container_id"`
	At          time.Time `json:"at"`
	Task        string    `json:"task"` // the killed process's name
	PID         int       `json:"pid"`
}

// parseKmsgOOM reads one /dev/kmsg record ("PRIO,SEQ,USEC,FLAGS;TEXT")
// and returns the OOM kill it logs in a cgroup whose path holds one of
// ids, with its time since boot. Records of other kinds give false.
func parseKmsgOOM(rec string, ids []string) (KernelOOM, time.Duration, bool) {
	k, since, ok := parseKmsgKill(rec)
	if !ok {
		return KernelOOM{}, 0, false
	}
	for _, id := range ids {
		if id != "" && strings.Contains(k.memcg, id) {
			k.ContainerID = id
		}
	}
	if k.ContainerID == "" {
		return KernelOOM{}, 0, false
	}
	return k.KernelOOM, since, true
}

// kernelKill is an OOM kill the kernel logged, with the memory cgroup it
// names (oom_memcg: Docker's /docker/<id>, Podman's
// /libpod_parent/libpod-<id> or .../libpod-<id>.scope), not yet
// attributed to a container.
type kernelKill struct {
	KernelOOM
	memcg string
}

// parseKmsgKill reads one /dev/kmsg record and returns the OOM kill it
// logs, whatever its cgroup, with its time since boot.
func parseKmsgKill(rec string) (kernelKill, time.Duration, bool) {
	head, text, ok := strings.Cut(rec, ";")
	if !ok || !strings.HasPrefix(text, "oom-kill:") {
		return kernelKill{}, 0, false
	}
	f := strings.Split(head, ",")
	if len(f) < 3 {
		return kernelKill{}, 0, false
	}
	usec, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return kernelKill{}, 0, false
	}
	var k kernelKill
	for kv := range strings.SplitSeq(strings.TrimSpace(strings.TrimPrefix(text, "oom-kill:")), ",") {
		key, v, _ := strings.Cut(kv, "=")
		switch key {
		case "oom_memcg":
			k.memcg = v
		case "task":
			k.Task = v
		case "pid":
			k.PID, _ = strconv.Atoi(v)
		}
	}
	if k.memcg == "" {
		return kernelKill{}, 0, false
	}
	return k, time.Duration(usec) * time.Microsecond, true
}
