package gpu

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const (
	idA = "79b03896e835fdc262bde62f66ac0c8da91c7fec26c09d24889b65ef5ff6000c"
	idB = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

func TestContainerIDs(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string
	}{
		{"cgroup v1, cgroupfs driver", "12:memory:/docker/" + idA + "\n11:cpu,cpuacct:/docker/" + idA + "\n0::/docker/" + idA + "\n", []string{idA}},
		{"cgroup v2, systemd driver", "0::/system.slice/docker-" + idA + ".scope\n", []string{idA}},
		{"cgroup v1, systemd driver", "4:memory:/system.slice/docker-" + idA + ".scope\n1:name=systemd:/system.slice/docker-" + idA + ".scope\n", []string{idA}},
		{"docker in docker: outer then inner", "0::/docker/" + idA + "/docker/" + idB + "\n", []string{idA, idB}},
		{"a host process", "0::/user.slice/user-1000.slice/session-2.scope\n", nil},
		{"not hex", "0::/docker/" + strings.Repeat("g", 64) + "\n", nil},
		{"too short", "0::/docker/79b03896e835\n", nil},
		{"uppercase is not an engine ID", "0::/docker/" + strings.ToUpper(idA) + "\n", nil},
		{"garbage", "no colons here\n::\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ContainerIDs(tt.file); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// fakeProc writes procRoot/PID/cgroup files.
func fakeProc(t *testing.T, files map[string]string) string {
	root := t.TempDir()
	for pid, content := range files {
		if err := os.MkdirAll(filepath.Join(root, pid), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, pid, "cgroup"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestMemByContainer(t *testing.T) {
	idC := strings.Repeat("c", 64)
	root := fakeProc(t, map[string]string{
		"100": "0::/docker/" + idA + "\n",
		"101": "0::/system.slice/docker-" + idA + ".scope\n",
		"200": "0::/docker/" + idB + "\n",
		"300": "0::/user.slice\n",
		"400": "0::/docker/" + idC + "\n", // another project's container
		"500": "0::/docker/" + idB + "\n",
	})
	known := map[string]bool{idA: true, idB: true}
	apps := []App{
		{PID: 100, UsedMem: u64(100 * mib)},
		{PID: 101, UsedMem: u64(28 * mib)},
		{PID: 200, UsedMem: nil}, // MIG: not reported
		{PID: 300, UsedMem: u64(mib)},
		{PID: 400, UsedMem: u64(mib)},
		{PID: 999, UsedMem: u64(mib)}, // exited since
	}
	mem, unknown := MemByContainer(root, apps, known)
	if !reflect.DeepEqual(mem, map[string]uint64{idA: 128 * mib}) {
		t.Errorf("mem = %v", mem)
	}
	if !reflect.DeepEqual(unknown, map[string]bool{idB: true}) {
		t.Errorf("unknown = %v", unknown)
	}
	// A container with one reported and one unreported process gets the
	// reported part, not "unknown".
	mem, unknown = MemByContainer(root, append(apps, App{PID: 500, UsedMem: u64(7 * mib)}), known)
	if mem[idB] != 7*mib || unknown[idB] {
		t.Errorf("partial: mem %v unknown %v", mem, unknown)
	}
}
