package logbuf

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchLines are log lines like the demo workload's and a web server's:
// mostly plain ASCII around 100 bytes, every 10th coloured, some with tabs.
func benchLines() []string {
	lines := make([]string, 1024)
	for i := range lines {
		switch {
		case i%10 == 0:
			lines[i] = fmt.Sprintf("\x1b[32mINFO\x1b[0m request %d served in %dms path=/api/v1/items status=200 bytes=%d", i, i%97, i*31)
		case i%17 == 0:
			lines[i] = fmt.Sprintf("step\t%d\tloss=%.4f\tlr=0.0003", i, 1/float64(i+1))
		default:
			lines[i] = fmt.Sprintf("line %06d abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefgh", i)
		}
	}
	return lines
}

func benchDecor() *Decor {
	return &Decor{
		Prefixes: []Span{{"\x1b[38;2;122;162;247m", "\x1b[m"}, {"\x1b[38;2;158;206;106m", "\x1b[m"}},
		Time:     Span{"\x1b[38;2;86;95;137m", "\x1b[m"},
		Match:    Span{"\x1b[7m", "\x1b[m"},
		Current:  Span{"\x1b[1;7;38;2;224;175;104m", "\x1b[m"},
	}
}

// BenchmarkIngestRender is the logs pane's whole job at a high rate: every
// line is sanitized and stored (service ring and merged ring), and a
// 100x40 page of the merged view, with prefixes and timestamps, is laid out
// every `frame` lines. At 40,000 lines/s and 20 frames/s a frame comes
// every ~2,000 lines; every 100 lines is a far harsher mix.
func BenchmarkIngestRender(b *testing.B) {
	for _, c := range []struct {
		name  string
		frame int
		query string
	}{
		{"frame1000", 1000, ""},
		{"frame100", 100, ""},
		{"frame1000-search", 1000, "served"},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := NewStore(Options{})
			ids := []SourceID{s.Source("api", 1, 0), s.Source("trainer", 1, 1)}
			lines := benchLines()
			v := View{All: true, Width: 100, Rows: 40, Timestamps: true, Query: NewQuery(c.query)}
			d := benchDecor()
			rows := make([]string, 0, v.Rows)
			base := t0.UnixNano()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.Append(ids[i&1], time.Unix(0, base+int64(i)), StreamStdout, lines[i&1023])
				if i%c.frame == c.frame-1 {
					rows, _ = s.Render(v, Pos{Follow: true}, -1, d, rows)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
		})
	}
}

// BenchmarkRenderPage is one frame of a full buffer: 10,000 lines, a
// search active, 100x40, wrapped and not.
func BenchmarkRenderPage(b *testing.B) {
	for _, wrap := range []bool{false, true} {
		b.Run(fmt.Sprintf("wrap=%v", wrap), func(b *testing.B) {
			s := NewStore(Options{})
			id := s.Source("api", 1, 0)
			lines := benchLines()
			for i := range DefaultCapacity {
				s.Append(id, at(i), StreamStdout, lines[i&1023]+strings.Repeat(" more", i%40))
			}
			v := View{Service: "api", Width: 100, Rows: 40, Wrap: wrap, Query: NewQuery("served")}
			d := benchDecor()
			var rows []string
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rows, _ = s.Render(v, Pos{Follow: true}, -1, d, rows)
			}
		})
	}
}

// BenchmarkIngest100Services is following 100 containers under the
// store's budget: every line is stored in its service's ring and the
// merged one, and the budget trims the busiest rings. Services are uneven:
// every other line comes from the first ten. The store is filled past the
// budget first, so the timed lines run in the steady state; "budget=none"
// is the same without the store-wide budget (each ring still holds its
// 10,000 lines at most). held-MB is what the services' rings hold at the
// end, counted as the budget counts it.
func BenchmarkIngest100Services(b *testing.B) {
	for _, c := range []struct {
		name  string
		total int64
	}{{"budget=8MiB", 0}, {"budget=none", -1}} {
		b.Run(c.name, func(b *testing.B) {
			s := NewStore(Options{TotalBytes: c.total})
			ids := make([]SourceID, 100)
			for i := range ids {
				ids[i] = s.Source(fmt.Sprintf("svc%02d", i), 1, i)
			}
			lines := benchLines()
			base := t0.UnixNano()
			pick := func(i int) SourceID {
				if i&1 == 0 {
					return ids[(i>>1)%10]
				}
				return ids[(i>>1)%100]
			}
			const prefill = 100_000
			for i := range prefill {
				s.Append(pick(i), time.Unix(0, base+int64(i)), StreamStdout, lines[i&1023])
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := prefill; i < prefill+b.N; i++ {
				s.Append(pick(i), time.Unix(0, base+int64(i)), StreamStdout, lines[i&1023])
			}
			b.StopTimer()
			s.mu.Lock()
			var held int64
			for _, sv := range s.services {
				held += sv.ring.cost()
			}
			s.mu.Unlock()
			b.ReportMetric(float64(held)/(1<<20), "held-MB")
		})
	}
}
