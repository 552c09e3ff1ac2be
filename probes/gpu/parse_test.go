package gpu

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "nvidia-smi", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func f64(v float64) *float64 { return &v }
func u64(v uint64) *uint64   { return &v }

func TestParseGPUsRecorded(t *testing.T) {
	tests := []struct {
		file  string
		count int
		check func(t *testing.T, g []GPU)
	}{
		{"one-gpu.gpus.csv", 1, func(t *testing.T, g []GPU) {
			want := GPU{Index: 0, UUID: "GPU-3b5c2a9e-4f1d-6e7a-8b9c-0d1e2f3a4b5c", Name: "NVIDIA GeForce RTX 3090",
				UtilPercent: f64(37), MemUsed: u64(10240 * mib), MemTotal: u64(24576 * mib), TempC: f64(61), PowerW: f64(215.43)}
			eqGPU(t, g[0], want)
		}},
		{"several-gpus.gpus.csv", 4, func(t *testing.T, g []GPU) {
			for i, gpu := range g {
				if gpu.Index != i || !strings.HasPrefix(gpu.UUID, "GPU-") || gpu.MemTotal == nil || *gpu.MemTotal != 81559*mib {
					t.Errorf("GPU %d: %+v", i, gpu)
				}
			}
			if *g[2].MemUsed != 1*mib || *g[1].UtilPercent != 97 {
				t.Errorf("GPU 2 memory %d, GPU 1 util %v", *g[2].MemUsed, *g[1].UtilPercent)
			}
		}},
		{"na-fields.gpus.csv", 1, func(t *testing.T, g []GPU) {
			if g[0].UtilPercent != nil || g[0].PowerW != nil {
				t.Errorf("[Not Supported] util and [N/A] power should be nil: %v %v", g[0].UtilPercent, g[0].PowerW)
			}
			if g[0].Name != "NVIDIA GeForce GTX 1650 with Max-Q Design" || g[0].TempC == nil || *g[0].TempC != 44 {
				t.Errorf("%+v", g[0])
			}
		}},
		{"mig.gpus.csv", 1, func(t *testing.T, g []GPU) {
			if g[0].UtilPercent != nil || g[0].MemUsed == nil || *g[0].MemUsed != 13056*mib {
				t.Errorf("MIG GPU: util %v, mem %v", g[0].UtilPercent, g[0].MemUsed)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			g, err := ParseGPUs(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(g) != tt.count {
				t.Fatalf("%d GPUs, want %d", len(g), tt.count)
			}
			tt.check(t, g)
		})
	}
}

func eqGPU(t *testing.T, got, want GPU) {
	t.Helper()
	if got.Index != want.Index || got.UUID != want.UUID || got.Name != want.Name {
		t.Errorf("identity %d %q %q, want %d %q %q", got.Index, got.UUID, got.Name, want.Index, want.UUID, want.Name)
	}
	eqF := func(name string, a, b *float64) {
		if (a == nil) != (b == nil) || (a != nil && *a != *b) {
			t.Errorf("%s = %v, want %v", name, deref(a), deref(b))
		}
	}
	eqU := func(name string, a, b *uint64) {
		if (a == nil) != (b == nil) || (a != nil && *a != *b) {
			t.Errorf("%s = %v, want %v", name, deref(a), deref(b))
		}
	}
	eqF("util", got.UtilPercent, want.UtilPercent)
	eqU("mem used", got.MemUsed, want.MemUsed)
	eqU("mem total", got.MemTotal, want.MemTotal)
	eqF("temp", got.TempC, want.TempC)
	eqF("power", got.PowerW, want.PowerW)
}

func deref[T any](p *T) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestParseAppsRecorded(t *testing.T) {
	tests := []struct {
		file    string
		pids    []int
		memMiB  []int64 // -1: not reported
		gpuUUID string
	}{
		{"one-gpu.apps.csv", []int{41235, 41310}, []int64{8192, 1536}, "GPU-3b5c2a9e-4f1d-6e7a-8b9c-0d1e2f3a4b5c"},
		{"several-gpus.apps.csv", []int{2201, 2202}, []int64{71220, 70966}, "GPU-0a1b2c3d-0000-1111-2222-333344445555"},
		{"na-fields.apps.csv", nil, nil, ""},
		{"mig.apps.csv", []int{5120, 5188}, []int64{-1, -1}, "GPU-5d6e7f80-91a2-b3c4-d5e6-f708192a3b4c"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			apps, err := ParseApps(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(apps) != len(tt.pids) {
				t.Fatalf("%d apps, want %d", len(apps), len(tt.pids))
			}
			for i, a := range apps {
				if a.PID != tt.pids[i] {
					t.Errorf("app %d pid %d, want %d", i, a.PID, tt.pids[i])
				}
				switch {
				case tt.memMiB[i] < 0 && a.UsedMem != nil:
					t.Errorf("app %d: memory %d, want not reported", i, *a.UsedMem)
				case tt.memMiB[i] >= 0 && (a.UsedMem == nil || *a.UsedMem != uint64(tt.memMiB[i])*mib):
					t.Errorf("app %d: memory %v, want %d MiB", i, deref(a.UsedMem), tt.memMiB[i])
				}
			}
			if len(apps) > 0 && apps[0].GPUUUID != tt.gpuUUID {
				t.Errorf("gpu uuid %q", apps[0].GPUUUID)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	gpuBad := map[string]string{
		"too few fields":      "0, GPU-x, name, 1, 2, 3\n",
		"index not a number":  "zero, GPU-x, T4, 1, 2, 3, 4, 5\n",
		"negative index":      "-1, GPU-x, T4, 1, 2, 3, 4, 5\n",
		"memory with a unit":  "0, GPU-x, T4, 1, 2 MiB, 3, 4, 5\n",
		"utilisation garbage": "0, GPU-x, T4, lots, 2, 3, 4, 5\n",
		"NaN power":           "0, GPU-x, T4, 1, 2, 3, 4, NaN\n",
		"the error text":      "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
	}
	for name, in := range gpuBad {
		if _, err := ParseGPUs(in); err == nil || !strings.Contains(err.Error(), "nvidia-smi GPU line 1") {
			t.Errorf("%s: err = %v, want one naming line 1", name, err)
		}
	}
	appBad := map[string]string{
		"two fields":  "GPU-x, 12\n",
		"pid garbage": "GPU-x, twelve, 3\n",
		"pid zero":    "GPU-x, 0, 3\n",
		"mem garbage": "GPU-x, 12, 3.5\n",
	}
	for name, in := range appBad {
		if _, err := ParseApps(in); err == nil || !strings.Contains(err.Error(), "nvidia-smi process line 1") {
			t.Errorf("%s: err = %v, want one naming line 1", name, err)
		}
	}
	// A name with a comma stays whole.
	g, err := ParseGPUs("0, GPU-x, Tesla T4, rev 2, 1, 2, 3, 4, 5\n")
	if err != nil || len(g) != 1 || g[0].Name != "Tesla T4, rev 2" || *g[0].UtilPercent != 1 {
		t.Errorf("comma in name: %+v, %v", g, err)
	}
	if apps, err := ParseApps("No running processes found\n"); err != nil || len(apps) != 0 {
		t.Errorf("no processes sentence: %v, %v", apps, err)
	}
}

// FuzzParse: nvidia-smi output is parsed, never trusted. Whatever comes in,
// the parsers return an error or values, never panic, and every value they
// return came from a line of the input.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"one-gpu", "several-gpus", "na-fields", "mig"} {
		f.Add(readTestdata(f, name+".gpus.csv"))
		f.Add(readTestdata(f, name+".apps.csv"))
	}
	f.Add("0, a, b, c, d, e, f, g, h, i, j\n")
	f.Add(",,,,,,,\n")
	f.Add("1,,,,,,,[x]\r\n\n")
	f.Fuzz(func(t *testing.T, in string) {
		n := len(lines(in))
		if g, err := ParseGPUs(in); err == nil {
			if len(g) != n {
				t.Errorf("%d GPUs from %d lines", len(g), n)
			}
			for _, gpu := range g {
				if gpu.MemUsed != nil && *gpu.MemUsed%mib != 0 {
					t.Errorf("memory %d is not whole MiB", *gpu.MemUsed)
				}
			}
		}
		if a, err := ParseApps(in); err == nil {
			if len(a) > n {
				t.Errorf("%d apps from %d lines", len(a), n)
			}
			for _, app := range a {
				if app.PID <= 0 {
					t.Errorf("pid %d", app.PID)
				}
			}
		}
		ContainerIDs(in)
	})
}
