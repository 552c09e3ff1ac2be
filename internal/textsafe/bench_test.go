package textsafe

import (
	"strings"
	"testing"
)

func BenchmarkSanitize(b *testing.B) {
	for _, c := range []struct{ name, line string }{
		{"plain", "2024-05-01 10:00:00 INFO request served in 3ms path=/api/v1/items status=200 bytes=1234"},
		{"sgr", "\x1b[32mINFO\x1b[0m request served in \x1b[1m3ms\x1b[0m path=/api/v1/items status=200"},
		{"hostile", "\x1b]0;title\x07\x1b[2J\x1b[H\x1b]52;c;AAAA\x1b\\text\twith\ttabs \u009b31m\xff"},
		{"64KiB", strings.Repeat("x", 64<<10)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.line)))
			for i := 0; i < b.N; i++ {
				Sanitize(c.line, 0)
			}
		})
	}
}
