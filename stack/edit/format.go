package edit

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// reSize is a compose size as docker's units.RAMInBytes reads it: a
// number, then optionally a unit letter and `b`, `ib`.
var reSize = regexp.MustCompile(`^\s*[0-9.]+\s*([kKmMgGtTpP]?)([iI]?[bB]?)\s*$`)

var sizeUnits = []struct {
	letter byte
	bytes  int64
}{{'p', 1 << 50}, {'t', 1 << 40}, {'g', 1 << 30}, {'m', 1 << 20}, {'k', 1 << 10}}

// formatSize writes n in the style of the size old was written in: "64m"
// becomes "128m", "1G" becomes "2G", "512MiB" "1GiB", and a number of
// bytes stays a number. The largest unit that divides n exactly is used;
// without one, n is written in bytes.
func formatSize(n int64, old *yaml.Node) string {
	upper, suffix := false, ""
	// a value that is no size (`!reset null`) gives no style
	if m := reSize.FindStringSubmatch(oldValue(old)); m != nil {
		if m[1] == "" {
			return strconv.FormatInt(n, 10)
		}
		upper = m[1] == strings.ToUpper(m[1])
		suffix = m[2]
	}
	for _, u := range sizeUnits {
		if n%u.bytes == 0 {
			letter := string(u.letter)
			if upper {
				letter = strings.ToUpper(letter)
			}
			return strconv.FormatInt(n/u.bytes, 10) + letter + suffix
		}
	}
	return strconv.FormatInt(n, 10)
}

// humanBytes is n for a sentence: "64 MiB", "1.5 GiB".
func humanBytes(n int64) string {
	names := []string{"PiB", "TiB", "GiB", "MiB", "KiB"}
	for i, u := range sizeUnits {
		if n >= u.bytes {
			v := float64(n) / float64(u.bytes)
			s := strconv.FormatFloat(v, 'f', 1, 64)
			s = strings.TrimSuffix(s, ".0")
			return s + " " + names[i]
		}
	}
	return fmt.Sprintf("%d B", n)
}

// formatDuration writes d as compose does: "30s", "1m30s", "2m", "1h".
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func oldValue(n *yaml.Node) string {
	if n == nil {
		return ""
	}
	return n.Value
}
