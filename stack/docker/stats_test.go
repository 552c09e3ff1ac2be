package docker

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
)

func TestDecodeStats(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "engine", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	mustTime := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name    string
		in      []byte
		want    stack.Stats
		wantCPU float64 // CPUPercent, to 0.01
		wantErr string
	}{
		{
			name: "cgroup v1, recorded from the 20.10 engine",
			in:   read("stats-cgroupv1.json"),
			want: stack.Stats{
				Read:     mustTime("2026-11-22T05:42:53.544504724Z"),
				CPUTotal: 184470686, SystemCPU: 2958430000000, OnlineCPUs: 2,
				PreCPUTotal: 159981091, PreSystemCPU: 2956440000000,
				MemUsage: 69218304, MemLimit: 268435456, MemInactive: 10817536, // total_inactive_file
				NetRx: 806, NetTx: 0,
				Pids: 7,
			},
			wantCPU: 2.46,
		},
		{
			name: "cgroup v2, two networks and two block devices summed",
			in:   read("stats-cgroupv2.json"),
			want: stack.Stats{
				Read:     mustTime("2024-05-01T10:00:01.503411283Z"),
				CPUTotal: 8125690000, SystemCPU: 1718523160000000, OnlineCPUs: 8,
				PreCPUTotal: 7630421000, PreSystemCPU: 1718515120000000,
				MemUsage: 536870912, MemLimit: 2147483648, MemInactive: 83886080, // inactive_file
				NetRx: 1048576 + 4096, NetTx: 262144 + 2048,
				BlkRead: 10403840 + 4096, BlkWrite: 2281472,
				Pids: 23,
			},
			wantCPU: 49.28,
		},
		{
			name: "cgroup v1 without online_cpus: count percpu_usage; blkio ops capitalised",
			in: []byte(`{"cpu_stats":{"cpu_usage":{"total_usage":10,"percpu_usage":[1,2,3,4]},"system_cpu_usage":100},
				"memory_stats":{"usage":100,"limit":1000,"stats":{"inactive_file":7,"total_inactive_file":30}},
				"blkio_stats":{"io_service_bytes_recursive":[{"op":"Read","value":5},{"op":"Write","value":6},{"op":"Sync","value":11},{"op":"Total","value":11}]}}`),
			want:    stack.Stats{CPUTotal: 10, SystemCPU: 100, OnlineCPUs: 4, MemUsage: 100, MemLimit: 1000, MemInactive: 30, BlkRead: 5, BlkWrite: 6},
			wantCPU: 40, // 10/100 of the machine, times 4 CPUs
		},
		{
			name: "a stopped container: all zero, no panic",
			in:   []byte(`{"read":"0001-01-01T00:00:00Z","pids_stats":{},"networks":null,"memory_stats":{},"cpu_stats":{"cpu_usage":{"total_usage":0}},"blkio_stats":{"io_service_bytes_recursive":null}}`),
			want: stack.Stats{Read: mustTime("0001-01-01T00:00:00Z")},
		},
		{name: "truncated JSON", in: []byte(`{"cpu_stats":{`), wantErr: "decode stats"},
		{name: "not JSON", in: []byte(`<html>`), wantErr: "decode stats"},
		{name: "wrong type", in: []byte(`{"memory_stats":{"usage":"lots"}}`), wantErr: "decode stats"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeStats(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !got.Read.Equal(tt.want.Read) {
				t.Errorf("Read = %v, want %v", got.Read, tt.want.Read)
			}
			got.Read, tt.want.Read = time.Time{}, time.Time{}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if cpu := got.CPUPercent(); math.Abs(cpu-tt.wantCPU) > 0.01 {
				t.Errorf("CPUPercent = %.3f, want %.2f", cpu, tt.wantCPU)
			}
		})
	}
}
