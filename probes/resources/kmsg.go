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
	head, text, ok := strings.Cut(rec, ";")
	if !ok || !strings.HasPrefix(text, "oom-kill:") {
		return KernelOOM{}, 0, false
	}
	f := strings.Split(head, ",")
	if len(f) < 3 {
		return KernelOOM{}, 0, false
	}
	usec, err := strconv.ParseInt(f[2], 10, 64)
	if err != nil {
		return KernelOOM{}, 0, false
	}
	var k KernelOOM
	for kv := range strings.SplitSeq(strings.TrimSpace(strings.TrimPrefix(text, "oom-kill:")), ",") {
		key, v, _ := strings.Cut(kv, "=")
		switch key {
		case "oom_memcg":
			for _, id := range ids {
				if id != "" && strings.Contains(v, id) {
					k.ContainerID = id
				}
			}
		case "task":
			k.Task = v
		case "pid":
			k.PID, _ = strconv.Atoi(v)
		}
	}
	if k.ContainerID == "" {
		return KernelOOM{}, 0, false
	}
	return k, time.Duration(usec) * time.Microsecond, true
}
