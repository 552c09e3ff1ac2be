package resources

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

const testID = "79b03896e835fdc262bde62f66ac0c8da91c7fec26c09d24889b65ef5ff6000c"

// fakeTree writes files (path relative to a temp root -> content) and
// returns the root. "@" in a content stands for the root itself.
func fakeTree(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, content := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(strings.ReplaceAll(content, "@", root)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// A cgroup v1 host like the development machine: v1 controllers plus an
// empty unified hierarchy (recorded from it, paths moved under @).
var v1Host = map[string]string{
	"proc/self/mountinfo": `31 23 0:28 / @/cg rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / @/cg/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / @/cg/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / @/cg/memory rw,relatime - cgroup cgroup rw,memory
38 31 0:35 / @/cg/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / @/cg/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / @/cg/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / @/cg/unified rw,relatime - cgroup2 cgroup2 rw
`,
	"proc/7678/cgroup": `9:name=systemd:/docker/` + testID + `
8:pids:/docker/` + testID + `
7:blkio:/docker/` + testID + `
4:memory:/docker/` + testID + `
2:cpuacct:/docker/` + testID + `
1:cpu:/docker/` + testID + `
0::/docker/` + testID + `
`,
	"proc/7678/net/dev": `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0
  eth0:    1042      11    0    0    0     0          0         0      300       3    0    0    0     0       0          0
`,
	"cg/memory/docker/" + testID + "/memory.usage_in_bytes": "85012480\n",
	"cg/memory/docker/" + testID + "/memory.limit_in_bytes": "9223372036854771712\n",
	"cg/memory/docker/" + testID + "/memory.stat": `cache 10092544
rss 74252288
inactive_file 1
total_cache 10092544
total_inactive_file 10092544
total_active_file 0
`,
	"cg/cpuacct/docker/" + testID + "/cpuacct.usage": "84688077\n",
	"cg/blkio/docker/" + testID + "/blkio.throttle.io_service_bytes_recursive": `8:0 Read 4096
8:0 Write 8192
8:0 Sync 0
8:0 Async 12288
8:0 Total 12288
8:16 Read 1
8:16 Write 2
Total 12291
`,
	"cg/pids/docker/" + testID + "/pids.current": "6\n",
}

// A cgroup v2 host with the systemd driver.
var v2Host = map[string]string{
	"proc/self/mountinfo": `25 30 0:23 / @/cg rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`,
	"proc/4242/cgroup": "0::/system.slice/docker-" + testID + ".scope\n",
	"proc/4242/net/dev": `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
  eth0: 1048576     100    0    0    0     0          0         0   262144      90    0    0    0     0       0          0
  eth1:    4096      10    0    0    0     0          0         0     2048       5    0    0    0     0       0          0
`,
	"cg/system.slice/docker-" + testID + ".scope/memory.current": "536870912\n",
	"cg/system.slice/docker-" + testID + ".scope/memory.max":     "max\n",
	"cg/system.slice/docker-" + testID + ".scope/memory.stat":    "anon 400000000\nfile 120000000\nactive_file 36233832\ninactive_file 83886080\n",
	"cg/system.slice/docker-" + testID + ".scope/cpu.stat":       "usage_usec 8125690\nuser_usec 6000000\nsystem_usec 2125690\nnr_periods 0\n",
	"cg/system.slice/docker-" + testID + ".scope/io.stat":        "8:0 rbytes=10403840 wbytes=2281472 rios=12 wios=3 dbytes=0 dios=0\n259:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n",
	"cg/system.slice/docker-" + testID + ".scope/pids.current":   "23\n",
}

func resolveIn(t *testing.T, files map[string]string, pid int, id string) (string, cgroupFiles, error) {
	root := fakeTree(t, files)
	mi, err := os.ReadFile(filepath.Join(root, "proc", "self", "mountinfo"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := resolveCgroup(filepath.Join(root, "proc"), parseMountinfo(mi), pid, id)
	return root, f, err
}

func TestCgroupV1(t *testing.T) {
	root, f, err := resolveIn(t, v1Host, 7678, testID)
	if err != nil {
		t.Fatal(err)
	}
	if f.v2 || f.mem != filepath.Join(root, "cg/memory/docker", testID) || f.cpu != filepath.Join(root, "cg/cpuacct/docker", testID) ||
		f.blkio == "" || f.pids == "" {
		t.Fatalf("resolved %+v", f)
	}
	var r reader
	at := time.Now()
	c, err := r.counters(f, func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	want := Counters{Time: at, CPUNanos: 84688077, MemUsage: 85012480, MemInactive: 10092544, MemLimit: 0,
		NetRx: 1042, NetTx: 300, BlkRead: 4097, BlkWrite: 8194, Pids: 6}
	if c != want {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
}

func TestCgroupV2(t *testing.T) {
	root, f, err := resolveIn(t, v2Host, 4242, testID)
	if err != nil {
		t.Fatal(err)
	}
	if !f.v2 || f.mem != filepath.Join(root, "cg/system.slice/docker-"+testID+".scope") {
		t.Fatalf("resolved %+v", f)
	}
	var r reader
	at := time.Now()
	c, err := r.counters(f, func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	// The same figures as the recorded v2 Engine API payload.
	want := Counters{Time: at, CPUNanos: 8125690000, MemUsage: 536870912, MemInactive: 83886080,
		NetRx: 1048576 + 4096, NetTx: 262144 + 2048, BlkRead: 10403840 + 4096, BlkWrite: 2281472, Pids: 23}
	if c != want {
		t.Errorf("got  %+v\nwant %+v", c, want)
	}
	if s := SampleBetween(Counters{Time: at.Add(-time.Second)}, c, 1<<34); s.MemUsed != 536870912-83886080 || s.MemLimit != 1<<34 {
		t.Errorf("sample %+v", s)
	}
}

func TestResolveRefuses(t *testing.T) {
	other := strings.Repeat("a", 64)
	tests := []struct {
		name  string
		files map[string]string
		pid   int
		id    string
		want  string
	}{
		// Docker Desktop: the engine's PID is the VM's; here it is some
		// other process, in another cgroup.
		{"a PID of another container", v1Host, 7678, other, "not in container"},
		{"a host process", merge(v2Host, map[string]string{"proc/4242/cgroup": "0::/user.slice/session-2.scope\n"}), 4242, testID, "not in container"},
		{"no such process", v1Host, 9999, testID, "no such file"},
		{"no process", v1Host, 0, testID, "has no process"},
		{"no cgroup mounted", merge(v1Host, map[string]string{"proc/self/mountinfo": "22 1 0:5 / / rw - ext4 /dev/vda rw\n"}), 7678, testID, "no memory hierarchy"},
		{"cgroup gone (container stopped)", merge(v2Host, map[string]string{"cg/system.slice/docker-" + testID + ".scope/memory.current": ""}), 4242, testID, "memory.current"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := tt.files
			if strings.HasPrefix(tt.name, "cgroup gone") {
				delete(files, "cg/system.slice/docker-"+testID+".scope/memory.current")
			}
			_, _, err := resolveIn(t, files, tt.pid, tt.id)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func merge(a, b map[string]string) map[string]string {
	m := map[string]string{}
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}

func TestParseMountinfo(t *testing.T) {
	in := `22 1 0:5 / / rw - ext4 /dev/vda rw
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 /docker/abc /sys/fs/cgroup/in\040ns rw - cgroup2 cgroup2 rw
garbage
`
	got := parseMountinfo([]byte(in))
	want := []cgroupMount{
		{controllers: []string{"cpu", "cpuacct"}, root: "/", dir: "/sys/fs/cgroup/cpu,cpuacct"},
		{controllers: []string{"xattr", "name=systemd"}, root: "/", dir: "/sys/fs/cgroup/systemd"},
		{v2: true, root: "/docker/abc", dir: "/sys/fs/cgroup/in ns"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	// A mount of a sub-tree (a cgroup namespace) maps paths below it and
	// nothing else.
	m := want[2]
	if d, ok := mountedAt(m, "/docker/abc/child"); !ok || d != "/sys/fs/cgroup/in ns/child" {
		t.Errorf("below the root: %q %v", d, ok)
	}
	if _, ok := mountedAt(m, "/docker/abcdef"); ok {
		t.Error("a sibling with the root as prefix matched")
	}
	if _, ok := mountedAt(m, "/other"); ok {
		t.Error("a path outside the root matched")
	}
}

func TestParsers(t *testing.T) {
	if r, w := parseBlkio([]byte("8:0 Read x\n8:0 Write 3\nTotal 3\n\n")); r != 0 || w != 3 {
		t.Errorf("blkio %d %d", r, w)
	}
	if r, w := parseIOStat([]byte("8:0 rbytes=1 wbytes=oops\n8:1 rbytes=2\n")); r != 3 || w != 0 {
		t.Errorf("io.stat %d %d", r, w)
	}
	if rx, tx := parseNetDev([]byte("eth0: 1 2 3\nlo: 9 9 9 9 9 9 9 9 9\n")); rx != 0 || tx != 0 {
		t.Errorf("net %d %d", rx, tx)
	}
	if v := statValue([]byte("inactive_file_x 5\ninactive_file 7"), "inactive_file"); v != 7 {
		t.Errorf("stat %d", v)
	}
	var r reader
	dir := fakeTree(t, map[string]string{"big": strings.Repeat("x 1\n", 10000) + "usage_usec 42\n", "bad": "12a\n"})
	b, err := r.read(filepath.Join(dir, "big"))
	if err != nil || statValue(b, "usage_usec") != 42 {
		t.Errorf("a file past the buffer: %v %d", err, statValue(b, "usage_usec"))
	}
	if _, err := r.uint(filepath.Join(dir, "bad")); err == nil || !strings.Contains(err.Error(), "not a number") {
		t.Errorf("garbage: %v", err)
	}
}
