package ui

import (
	"cmp"
	"fmt"
	"math"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/stackui/stackui/probes/resources"
)

// sparkline draws a series as a block of bars, oldest at the left and
// newest at the right, in eighth-of-a-cell steps (▁▂▃▄▅▆▇█) so that a few
// rows are enough to see a trend.
type sparkline struct {
	Width, Height int
	// Ceiling is the value of a full column. A series whose max is higher
	// is scaled to its max instead, so nothing is ever cut off.
	Ceiling float64
	// Limit, when positive, is drawn as a dashed line across the row it
	// falls in, and bars that reach it take the Over style: the memory
	// limit, so a climb towards an OOM kill shows before the kill.
	Limit float64
}

// sparkStyles colour a sparkline. Zero values render plain text.
type sparkStyles struct {
	Bar, Over, Line lipgloss.Style
}

// sparkEighths are the partial blocks from one eighth to full; each is
// three bytes of UTF-8.
const sparkEighths = "▁▂▃▄▅▆▇█"

// sparkLineGlyph fills the empty cells of the limit's row.
const sparkLineGlyph = "┄"

func eighth(n int) string {
	if n <= 0 {
		return " "
	}
	n = min(n, 8)
	return sparkEighths[(n-1)*3 : n*3]
}

// columns fits a series into at most width columns, newest last. A longer
// series is cut into buckets of equal size counted back from the newest
// point, each drawn as its max so that no spike is lost; a shorter one
// keeps a column per point. buf is reused when it is large enough.
func sparkColumns(vals []float64, width int, buf []float64) []float64 {
	if width <= 0 || len(vals) == 0 {
		return buf[:0]
	}
	if len(vals) <= width {
		return append(buf[:0], vals...)
	}
	k := (len(vals) + width - 1) / width
	n := (len(vals) + k - 1) / k
	if cap(buf) < n {
		buf = make([]float64, n)
	}
	buf = buf[:n]
	for j := range n {
		// Column n-1-j takes the j-th bucket from the newest end.
		hi := len(vals) - j*k
		lo := max(hi-k, 0)
		m := math.Inf(-1)
		for _, v := range vals[lo:hi] {
			if v > m {
				m = v
			}
		}
		buf[n-1-j] = m
	}
	return buf
}

// levels turns values into heights in eighths of a cell, 1 at the least for
// a point that exists, so a zero reads as a floor and not as missing data.
func (s sparkline) levels(cols []float64) (lv []int, top float64) {
	top = s.Ceiling
	for _, v := range cols {
		if !math.IsNaN(v) && v > top {
			top = v
		}
	}
	if math.IsInf(top, 1) || top <= 0 {
		top = 1
	}
	full := s.Height * 8
	lv = make([]int, len(cols))
	for i, v := range cols {
		switch {
		case math.IsNaN(v) || v <= 0:
			lv[i] = 1
		case math.IsInf(v, 1):
			lv[i] = full
		default:
			lv[i] = min(max(int(math.Round(v/top*float64(full))), 1), full)
		}
	}
	return lv, top
}

// render returns exactly Height rows of exactly Width cells, the top row
// first, and the index of the row the limit line is drawn in (-1 without
// a limit), so a caller can label it.
func (s sparkline) render(vals []float64, st sparkStyles) (rows []string, limitRow int) {
	return s.renderBuf(vals, st, nil)
}

func (s sparkline) renderBuf(vals []float64, st sparkStyles, buf []float64) (rows []string, limitRow int) {
	limitRow = -1
	if s.Width <= 0 || s.Height <= 0 {
		return nil, limitRow
	}
	cols := sparkColumns(vals, s.Width, buf)
	lv, top := s.levels(cols)
	pad := s.Width - len(cols)
	// The limit line sits in the row whose top edge is the first at or
	// above the limit; counted from the bottom, then turned into an index
	// from the top.
	lineFromBottom := -1
	if s.Limit > 0 {
		lineFromBottom = min(max(int(math.Ceil(s.Limit/top*float64(s.Height)))-1, 0), s.Height-1)
		limitRow = s.Height - 1 - lineFromBottom
	}
	rows = make([]string, s.Height)
	var run strings.Builder
	for r := range s.Height {
		fromBottom := s.Height - 1 - r
		var line strings.Builder
		cur := -1 // style of the run being built: 0 plain, 1 bar, 2 over, 3 line
		flush := func() {
			if run.Len() == 0 {
				return
			}
			text := run.String()
			switch cur {
			case 1:
				text = st.Bar.Render(text)
			case 2:
				text = st.Over.Render(text)
			case 3:
				text = st.Line.Render(text)
			}
			line.WriteString(text)
			run.Reset()
		}
		put := func(style int, glyph string) {
			if style != cur {
				flush()
				cur = style
			}
			run.WriteString(glyph)
		}
		for c := range s.Width {
			i := c - pad
			cell := 0
			if i >= 0 {
				cell = min(max(lv[i]-fromBottom*8, 0), 8)
			}
			switch {
			case cell > 0 && s.Limit > 0 && cols[i] >= s.Limit:
				put(2, eighth(cell))
			case cell > 0:
				put(1, eighth(cell))
			case fromBottom == lineFromBottom:
				put(3, sparkLineGlyph)
			default:
				put(0, " ")
			}
		}
		flush()
		rows[r] = line.String()
	}
	return rows, limitRow
}

// chart is a labelled sparkline over a container's history: its name in a
// gutter on the left, the scale and the limit in a column on the right.
type chart struct {
	name    string
	hist    []resources.Point
	pick    func(resources.Point) float64
	ceiling float64
	limit   float64
	// scale formats the value of a full column and of the limit.
	scale func(float64) string
}

// Widths of a chart's gutter and of its label column.
const (
	chartGutter = 4
	chartLabel  = 11
)

// charts are the selected container's histories: CPU, memory with its
// limit, and GPU memory when the service asks for a GPU or has used one.
func (p *statsPane) charts(r statsRow) []chart {
	hist := r.u.History
	if len(hist) == 0 {
		return nil
	}
	pct := func(v float64) string { return fmt.Sprintf("%.0f%%", v) }
	size := func(v float64) string { return byteSize(uint64(v), sizeShort) }
	cs := []chart{{name: "cpu", hist: hist, ceiling: 100, scale: pct,
		pick: func(pt resources.Point) float64 { return pt.CPUPercent }}}
	mem := chart{name: "mem", hist: hist, scale: size,
		pick: func(pt resources.Point) float64 { return float64(pt.MemUsed) }}
	var memMax, gpuMax uint64
	for _, pt := range hist {
		memMax, gpuMax = max(memMax, pt.MemUsed), max(gpuMax, pt.GPUMem)
	}
	lim := cmp.Or(r.u.Latest.MemLimit, hist[len(hist)-1].MemLimit)
	if p.hasLimit(lim) {
		mem.ceiling, mem.limit = float64(lim), float64(lim)
	} else {
		// Without a limit the machine's memory would flatten the chart;
		// headroom above the peak keeps a climb visible.
		mem.ceiling = pow2Ceil(float64(memMax))
	}
	cs = append(cs, mem)
	svc, _ := p.snap.Service(p.service)
	if svc.Service.GPU || gpuMax > 0 || r.u.GPUMem > 0 {
		var total uint64
		for _, g := range p.usage.GPU.GPUs {
			if g.MemTotal != nil {
				total = max(total, *g.MemTotal)
			}
		}
		cs = append(cs, chart{name: "gpu", hist: hist, ceiling: cmp.Or(float64(total), pow2Ceil(float64(gpuMax))), scale: size,
			pick: func(pt resources.Point) float64 { return float64(pt.GPUMem) }})
	}
	return cs
}

// pow2Ceil is the power of two at or above v, a round scale for a chart.
func pow2Ceil(v float64) float64 {
	if v <= 0 {
		return 0
	}
	return math.Exp2(math.Ceil(math.Log2(v)))
}

// hasLimit tells a real memory limit from the engine's memory, which
// docker stats shows as the limit of a container without one.
func (p *statsPane) hasLimit(lim uint64) bool {
	if lim == 0 {
		return false
	}
	if svc, ok := p.snap.Service(p.service); ok && svc.Service.MemLimit > 0 {
		return true
	}
	machine := cmp.Or(p.engine.MemTotal, p.usage.Host.MemTotal)
	return machine == 0 || lim < machine-machine/50
}

// drawChart renders a chart into height rows of width cells.
func (p *statsPane) drawChart(c chart, height, width int) []string {
	st := p.st
	labelW := chartLabel
	if width < chartGutter+chartLabel+12 {
		labelW = 0
	}
	plotW := max(width-chartGutter-labelW, 1)
	p.vals = p.vals[:0]
	top := c.ceiling
	for _, pt := range c.hist {
		v := c.pick(pt)
		p.vals = append(p.vals, v)
		top = max(top, v)
	}
	if cap(p.cols) < plotW {
		p.cols = make([]float64, 0, plotW)
	}
	sp := sparkline{Width: plotW, Height: height, Ceiling: c.ceiling, Limit: c.limit}
	rows, limitRow := sp.renderBuf(p.vals, sparkStyles{Bar: st.OK, Over: st.Bad, Line: st.Warn}, p.cols)
	out := make([]string, len(rows))
	for i, r := range rows {
		gutter := strings.Repeat(" ", chartGutter)
		if i == 0 {
			gutter = st.Muted.Render(fmt.Sprintf("%-*s", chartGutter, c.name))
		}
		var label string
		switch {
		case labelW == 0:
		case i == limitRow:
			label = st.Warn.Render(" " + c.scale(c.limit) + " limit")
		case i == 0:
			label = st.Dim.Render(" " + c.scale(top))
		}
		out[i] = gutter + r + label
	}
	return out
}
