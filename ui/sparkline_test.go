package ui

import (
	"math"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// statsGolden compares text with testdata/stats/NAME.golden.
func statsGolden(t *testing.T, name, got string) {
	t.Helper()
	golden(t, "stats", name, got)
}

// sparkFramed shows a sparkline's rows between bars, so that blank cells and
// the exact width are visible in the golden.
func sparkFramed(rows []string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("|" + ansi.Strip(r) + "|\n")
	}
	return b.String()
}

func sparkRamp(n int, from, to float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		if n > 1 {
			v[i] = from + (to-from)*float64(i)/float64(n-1)
		} else {
			v[i] = to
		}
	}
	return v
}

// sparkClimb is a container allocating memory step by step until it reaches its
// 64 MiB limit, the way the demo's trainer is OOM-killed.
func sparkClimb(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		step := float64(i / 10) // a new allocation every ten samples
		v[i] = min(8+step*4, 64) * (1 << 20)
	}
	return v
}

func TestSparklineGoldens(t *testing.T) {
	cases := []struct {
		name  string
		spark sparkline
		vals  []float64
	}{
		{"empty", sparkline{Width: 12, Height: 2}, nil},
		{"single-point", sparkline{Width: 12, Height: 2, Ceiling: 100}, []float64{50}},
		{"all-zeros", sparkline{Width: 12, Height: 2}, make([]float64, 8)},
		{"above-ceiling", sparkline{Width: 12, Height: 3, Ceiling: 100}, []float64{50, 100, 200, 400, 100, 50}},
		{"short-series-right-aligned", sparkline{Width: 20, Height: 2}, sparkRamp(9, 0, 8)},
		{"long-series-downsampled-by-max", sparkline{Width: 30, Height: 3, Ceiling: 100}, sparkSpike(300, 150)},
		{"memory-climb-to-limit", sparkline{Width: 40, Height: 4, Ceiling: 64 * statsMiB, Limit: 64 * statsMiB}, sparkClimb(200)},
		{"memory-far-below-limit", sparkline{Width: 20, Height: 3, Ceiling: 512 * statsMiB, Limit: 512 * statsMiB}, sparkRamp(20, 10*statsMiB, 40*statsMiB)},
		{"memory-above-limit", sparkline{Width: 16, Height: 4, Ceiling: 64 * statsMiB, Limit: 64 * statsMiB}, sparkRamp(16, 32*statsMiB, 128*statsMiB)},
		{"one-row", sparkline{Width: 16, Height: 1, Ceiling: 100}, sparkRamp(16, 0, 100)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, _ := c.spark.render(c.vals, sparkStyles{})
			statsGolden(t, "spark-"+c.name, sparkFramed(rows))
		})
	}
}

// sparkSpike is a flat 10% line with one sample at 90%.
func sparkSpike(n, at int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 10
	}
	v[at] = 90
	return v
}

func TestSparklineShape(t *testing.T) {
	st := sparkStyles{Bar: lipgloss.NewStyle().Bold(true), Over: lipgloss.NewStyle().Underline(true), Line: lipgloss.NewStyle().Faint(true)}
	for _, size := range [][2]int{{1, 1}, {5, 2}, {40, 4}, {300, 3}, {301, 1}} {
		for _, vals := range [][]float64{nil, {1}, sparkClimb(300), sparkRamp(1000, 0, 5), {math.NaN(), math.Inf(1), -3, 7}} {
			sp := sparkline{Width: size[0], Height: size[1], Limit: 64 << 20}
			rows, limitRow := sp.render(vals, st)
			if len(rows) != size[1] {
				t.Fatalf("%dx%d: %d rows", size[0], size[1], len(rows))
			}
			for i, r := range rows {
				if w := ansi.StringWidth(r); w != size[0] {
					t.Errorf("%dx%d row %d is %d wide: %q", size[0], size[1], i, w, r)
				}
			}
			if limitRow < 0 || limitRow >= size[1] {
				t.Errorf("limit row %d outside %d rows", limitRow, size[1])
			}
		}
	}
}

func TestSparklineNewestAtRight(t *testing.T) {
	// A spike in the last sample must be in the last column, however the
	// series is cut down.
	for _, n := range []int{5, 30, 299, 300} {
		vals := make([]float64, n)
		vals[n-1] = 100
		rows, _ := sparkline{Width: 30, Height: 1, Ceiling: 100}.render(vals, sparkStyles{})
		got := []rune(rows[0])
		if got[len(got)-1] != '█' {
			t.Errorf("%d points: last column %q, want a full block: %q", n, got[len(got)-1], rows[0])
		}
		if strings.Count(rows[0], "█") != 1 {
			t.Errorf("%d points: the spike is drawn more than once: %q", n, rows[0])
		}
	}
}

func TestSparklineDownsampleKeepsSpikes(t *testing.T) {
	// 300 points into 30 columns: ten a column; the single 90% sample must
	// survive as the max of its column.
	rows, _ := sparkline{Width: 30, Height: 1, Ceiling: 100}.render(sparkSpike(300, 150), sparkStyles{})
	if !strings.ContainsRune(rows[0], '▇') {
		t.Fatalf("the spike was averaged away: %q", rows[0])
	}
	if cols := sparkColumns(sparkSpike(300, 150), 30, nil); len(cols) != 30 {
		t.Fatalf("%d columns, want 30", len(cols))
	}
	// 301 points cannot split evenly: the newest columns stay whole and the
	// oldest is partial, and the block still fits.
	if cols := sparkColumns(sparkRamp(301, 0, 1), 30, nil); len(cols) > 30 || cols[len(cols)-1] != 1 {
		t.Fatalf("301 points: %d columns, last %v", len(cols), cols[len(cols)-1])
	}
}

func TestSparklineLimitLine(t *testing.T) {
	// Far below the limit, the line is the top row and the bars stay low.
	rows, limitRow := sparkline{Width: 10, Height: 3, Ceiling: 100 * statsMiB, Limit: 100 * statsMiB}.render(sparkRamp(10, statsMiB, 10*statsMiB), sparkStyles{})
	if limitRow != 0 || strings.Count(rows[0], sparkLineGlyph) != 10 {
		t.Fatalf("limit row %d, top row %q: want a full dashed line on top", limitRow, rows[0])
	}
	// At the limit, bars take the Over style.
	over := lipgloss.NewStyle().Underline(true)
	rows, _ = sparkline{Width: 4, Height: 2, Ceiling: 64 * statsMiB, Limit: 64 * statsMiB}.render([]float64{16 * statsMiB, 32 * statsMiB, 64 * statsMiB, 64 * statsMiB}, sparkStyles{Over: over})
	if want := over.Render("██"); !strings.HasSuffix(rows[0], want) {
		t.Fatalf("bars at the limit are not marked: %q", rows[0])
	}
	// Above the limit, the series sets the scale and the line drops below
	// the top.
	_, limitRow = sparkline{Width: 4, Height: 4, Ceiling: 64 * statsMiB, Limit: 64 * statsMiB}.render([]float64{128 * statsMiB}, sparkStyles{})
	if limitRow != 2 {
		t.Fatalf("limit at half the scale drawn in row %d, want 2 (of 0..3 from the top)", limitRow)
	}
}
