package workload

import (
	"fmt"
	"strconv"
	"strings"
)

// byteSize is a flag value for sizes like 256M, 256MiB or 1G. Like docker's
// --memory, every unit is binary (M and MB and MiB all mean 2^20), so the
// demo compose file's numbers mean what mem_limit means.
type byteSize int64

func (s *byteSize) String() string { return formatSize(int64(*s)) }

func (s *byteSize) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	*s = byteSize(n)
	return nil
}

var sizeUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
	"m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
	"g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30,
	"t": 1 << 40, "tb": 1 << 40, "tib": 1 << 40,
}

// parseSize reads a non-negative size with an optional binary unit.
func parseSize(v string) (int64, error) {
	s := strings.ToLower(strings.TrimSpace(v))
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num, unit := s[:i], strings.TrimSpace(s[i:])
	mult, ok := sizeUnits[unit]
	if num == "" || !ok {
		return 0, fmt.Errorf("size %q: want a number with an optional unit (K, M, G, T; e.g. 256M or 1GiB)", v)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", v, err)
	}
	b := f * float64(mult)
	if b >= 1<<62 {
		return 0, fmt.Errorf("size %q: too large", v)
	}
	return int64(b), nil
}

// formatSize writes n in the largest binary unit that keeps it readable:
// 64MiB, 1.5GiB, 512B.
func formatSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f := float64(n)
	u := 0
	for f >= 1024 && u < len(units)-1 {
		f /= 1024
		u++
	}
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d%s", int64(f), units[u])
	}
	return fmt.Sprintf("%.1f%s", f, units[u])
}
