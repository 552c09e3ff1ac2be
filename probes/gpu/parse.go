// Package gpu reads NVIDIA GPUs through nvidia-smi's CSV queries: per GPU
// utilisation, memory, temperature and power, and the GPU memory of each
// compute process, mapped to a container through /proc/PID/cgroup. It
// shells out instead of linking NVML so that stackui stays a static,
// cgo-free binary.
package gpu

import (
	"fmt"
	"strconv"
	"strings"
)

// The two queries stackui runs. Their field order is what ParseGPUs and
// ParseApps expect.
const (
	GPUFields = "index,uuid,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw"
	AppFields = "gpu_uuid,pid,used_memory"
)

// mib is nvidia-smi's memory unit with nounits.
const mib = 1 << 20

// GPU is one device as nvidia-smi reports it. A nil field is one that
// nvidia-smi reported as "[N/A]" or "[Not Supported]" (consumer cards have
// no power reading; utilisation is not available in MIG mode).
type GPU struct {
	Index       int      `json:"index"`
	UUID        string   `json:"uuid"`
	Name        string   `json:"name"`
	UtilPercent *float64 `json:"utilization_percent"`
	MemUsed     *uint64  `json:"mem_used_bytes"`
	MemTotal    *uint64  `json:"mem_total_bytes"`
	TempC       *float64 `json:"temperature_c"`
	PowerW      *float64 `json:"power_w"`
}

// App is one compute process on a GPU. PID is a PID of the host nvidia-smi
// runs on. UsedMem is nil when the driver does not say (MIG on older
// drivers).
type App struct {
	GPUUUID string  `json:"gpu_uuid"`
	PID     int     `json:"pid"`
	UsedMem *uint64 `json:"used_mem_bytes"`
}

// ParseGPUs parses the output of
// `nvidia-smi --query-gpu=GPUFields --format=csv,noheader,nounits`.
func ParseGPUs(out string) ([]GPU, error) {
	var gpus []GPU
	for n, line := range lines(out) {
		f := fields(line)
		if len(f) < 8 {
			return nil, fmt.Errorf("nvidia-smi GPU line %d: %d fields, want 8: %q", n+1, len(f), clip(line))
		}
		// GPU names have no commas today, but a name is the one free-text
		// field, so extra fields are taken as part of it.
		extra := len(f) - 8
		name := strings.Join(f[2:3+extra], ", ")
		f = append(f[:2:2], append([]string{name}, f[3+extra:]...)...)
		idx, err := strconv.Atoi(f[0])
		if err != nil || idx < 0 {
			return nil, fmt.Errorf("nvidia-smi GPU line %d: index %q is not a number", n+1, clip(f[0]))
		}
		g := GPU{Index: idx, UUID: f[1], Name: f[2]}
		var errs [5]error
		g.UtilPercent, errs[0] = optFloat(f[3])
		g.MemUsed, errs[1] = optMiB(f[4])
		g.MemTotal, errs[2] = optMiB(f[5])
		g.TempC, errs[3] = optFloat(f[6])
		g.PowerW, errs[4] = optFloat(f[7])
		for i, err := range errs {
			if err != nil {
				return nil, fmt.Errorf("nvidia-smi GPU line %d, %s: %w", n+1, strings.Split(GPUFields, ",")[3+i], err)
			}
		}
		gpus = append(gpus, g)
	}
	return gpus, nil
}

// ParseApps parses the output of
// `nvidia-smi --query-compute-apps=AppFields --format=csv,noheader,nounits`.
// No compute processes is an empty output.
func ParseApps(out string) ([]App, error) {
	var apps []App
	for n, line := range lines(out) {
		if strings.HasPrefix(line, "No running") {
			continue // some drivers print a sentence instead of nothing
		}
		f := fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("nvidia-smi process line %d: %d fields, want 3: %q", n+1, len(f), clip(line))
		}
		pid, err := strconv.Atoi(f[1])
		if err != nil || pid <= 0 {
			return nil, fmt.Errorf("nvidia-smi process line %d: pid %q is not a number", n+1, clip(f[1]))
		}
		mem, err := optMiB(f[2])
		if err != nil {
			return nil, fmt.Errorf("nvidia-smi process line %d, used_memory: %w", n+1, err)
		}
		apps = append(apps, App{GPUUUID: f[0], PID: pid, UsedMem: mem})
	}
	return apps, nil
}

// lines splits output into non-blank lines, without \r (nvidia-smi.exe).
func lines(out string) []string {
	var ls []string
	for l := range strings.SplitSeq(out, "\n") {
		l = strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		if l != "" {
			ls = append(ls, l)
		}
	}
	return ls
}

func fields(line string) []string {
	f := strings.Split(line, ",")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	return f
}

// unavailable matches nvidia-smi's placeholders: "[N/A]", "[Not
// Supported]", "[Unknown Error]", "[Insufficient Permissions]", ...
func unavailable(s string) bool {
	return s == "" || s == "N/A" || (strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]"))
}

func optFloat(s string) (*float64, error) {
	if unavailable(s) {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v || v < -1e9 || v > 1e12 {
		return nil, fmt.Errorf("%q is not a number", clip(s))
	}
	return &v, nil
}

func optMiB(s string) (*uint64, error) {
	if unavailable(s) {
		return nil, nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > 1<<40 {
		return nil, fmt.Errorf("%q is not a number of MiB", clip(s))
	}
	b := v * mib
	return &b, nil
}

// clip keeps error messages short when the output is garbage.
func clip(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
