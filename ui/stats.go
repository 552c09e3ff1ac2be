package ui

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/probes"
	"github.com/stackui/stackui/probes/gpu"
	"github.com/stackui/stackui/probes/resources"
	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// Usage is where the UI gets resource figures: *resources.Sampler in the
// program, a fake in tests. Update hands it each new stack snapshot (it
// returns at once) so it follows containers starting and stopping;
// SetVisible names the containers on screen, the only ones it opens Engine
// API streams for when it cannot read their cgroups; SetListed those whose
// rows the services list shows, read every other second (the others less
// often).
type Usage interface {
	Snapshot() resources.Snapshot
	Changed() <-chan struct{}
	Update(stack.Snapshot)
	SetVisible(ids ...string)
	SetListed(ids ...string)
}

// The Sampler is what the program passes.
var _ Usage = (*resources.Sampler)(nil)

// usageChangedMsg says the resource figures changed; the root reads the
// Usage snapshot and hands it to the services and stats panes.
type usageChangedMsg struct{}

// waitForUsage is the self re-arming command for resource changes, like
// waitForChange: it blocks on the channel, never on a timer.
func waitForUsage(ch <-chan struct{}) tea.Cmd {
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		return usageChangedMsg{}
	}
}

// statsPane is the right pane's "stats" tab: the selected service's
// containers with their figures and their last 300 samples (CPU, memory
// against its limit, GPU memory), then the host, the engine and the GPUs.
type statsPane struct {
	st            themes.Styles
	keys          *keyMap
	width, height int
	usage         resources.Snapshot
	snap          stack.Snapshot
	engine        stack.EngineInfo
	service       string
	// selected is the ID of the container whose history is drawn.
	selected string
	// view caches the rendered pane until a setter changes something:
	// View runs on every frame, the figures change once a second at most.
	view  string
	dirty bool
	// lineIDs are the containers the rendered lines describe, for clicks.
	lineIDs []string
	// vals and cols are reused by every chart.
	vals, cols []float64
}

func newStatsPane(st themes.Styles, keys *keyMap) *statsPane {
	return &statsPane{st: st, keys: keys, dirty: true}
}

// SetStyles swaps the styles after the terminal reported its background.
func (p *statsPane) SetStyles(st themes.Styles) { p.st, p.dirty = st, true }

// SetSize gives the pane its size; View fills exactly that.
func (p *statsPane) SetSize(w, h int) { p.width, p.height, p.dirty = w, h, true }

// SetUsage takes the latest resource figures.
func (p *statsPane) SetUsage(u resources.Snapshot) { p.usage, p.dirty = u, true }

// SetSnapshot takes the latest stack state: which containers the service
// has and what state they are in.
func (p *statsPane) SetSnapshot(s stack.Snapshot) tea.Cmd {
	p.snap, p.dirty = s, true
	return nil
}

// Init starts nothing: the root forwards the usage figures.
func (p *statsPane) Init() tea.Cmd { return nil }

// Capturing is false: the pane never takes every key.
func (p *statsPane) Capturing() bool { return false }

// Title is the tab's name.
func (p *statsPane) Title() string { return "stats" }

// ShortHelp is the footer's hints while the tab has the focus.
func (p *statsPane) ShortHelp() hints {
	k := p.keys
	return hints{k.Down, k.Up, k.NextTab, k.NextPane, k.Command, k.Help, k.Quit}
}

// Bindings: none of the pane's keys is ever disabled.
func (p *statsPane) Bindings() []*Binding { return nil }

// SetEngine takes what the engine said about itself (docker info).
func (p *statsPane) SetEngine(e stack.EngineInfo) { p.engine, p.dirty = e, true }

// SetService shows another service; its first running container is
// selected.
func (p *statsPane) SetService(name string) {
	if name != p.service {
		p.service, p.selected, p.dirty = name, "", true
	}
}

// VisibleIDs are the containers the pane shows, for Usage.SetVisible.
func (p *statsPane) VisibleIDs() []string {
	var ids []string
	for _, r := range p.rows() {
		ids = append(ids, r.c.ID)
	}
	return ids
}

// statsRow is one container of the service with its figures, if any.
type statsRow struct {
	c     stack.Container
	u     resources.ContainerUsage
	known bool // u is set
}

// rows are the selected service's containers. The stack snapshot says
// which exist; the usage snapshot may lag behind it or run ahead, and a
// container only it knows is shown too, so a fresh one is not hidden.
func (p *statsPane) rows() []statsRow {
	var rows []statsRow
	seen := map[string]bool{}
	if svc, ok := p.snap.Service(p.service); ok {
		for _, c := range svc.Containers {
			u, known := p.usage.Container(c.ID)
			rows = append(rows, statsRow{c: c, u: u, known: known})
			seen[c.ID] = true
		}
	}
	for _, u := range p.usage.Containers {
		if u.Service == p.service && p.service != "" && !seen[u.ID] {
			state := stack.StateExited
			if u.Running {
				state = stack.StateRunning
			}
			c := stack.Container{ID: u.ID, Name: u.Name, Service: u.Service, Number: u.Number, State: state}
			rows = append(rows, statsRow{c: c, u: u, known: true})
		}
	}
	return rows
}

// current is the index of the selected container in rows: the one chosen,
// else the first running one, else the first.
func (p *statsPane) current(rows []statsRow) int {
	first := -1
	for i, r := range rows {
		if r.c.ID == p.selected && p.selected != "" {
			return i
		}
		if first < 0 && r.c.State == stack.StateRunning {
			first = i
		}
	}
	return max(first, 0)
}

// Update moves between the service's containers: keys, clicks, the wheel.
func (p *statsPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch {
		case on(msg, p.keys.Down):
			p.move(1)
		case on(msg, p.keys.Up):
			p.move(-1)
		case on(msg, p.keys.Top):
			p.move(-1 << 20)
		case on(msg, p.keys.Bottom):
			p.move(1 << 20)
		}
	case tea.MouseClickMsg:
		p.View() // lineIDs belong to the frame on screen
		if msg.Y >= 0 && msg.Y < len(p.lineIDs) && p.lineIDs[msg.Y] != "" {
			p.selected, p.dirty = p.lineIDs[msg.Y], true
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelDown:
			p.move(1)
		case tea.MouseWheelUp:
			p.move(-1)
		}
	}
	return nil
}

func (p *statsPane) move(n int) {
	rows := p.rows()
	if len(rows) == 0 {
		return
	}
	i := min(max(p.current(rows)+n, 0), len(rows)-1)
	p.selected, p.dirty = rows[i].c.ID, true
}

// View renders the pane at exactly its size.
func (p *statsPane) View() string {
	if p.dirty {
		p.view = p.render()
		p.dirty = false
	}
	return p.view
}

// statsLine is a rendered line and the container it is about, if any.
type statsLine struct {
	text string
	id   string
}

func (p *statsPane) render() string {
	w, h := p.width, p.height
	p.lineIDs = p.lineIDs[:0]
	if w <= 0 || h <= 0 {
		return ""
	}
	rows := p.rows()
	cur := p.current(rows)
	head := p.head(rows, cur, max(h/2, 1))
	foot := p.foot()
	var charts []chart
	if len(rows) > 0 {
		charts = p.charts(rows[cur])
	}
	// Charts come before the host and GPU lines when space is short: they
	// are about the service the user is looking at.
	var body []statsLine
	avail := h - len(head)
	switch n := len(charts); {
	case n == 0 || avail < n:
		body = foot
	default:
		spare := avail - len(foot)
		ch := 1
		if spare >= 2*n+1 {
			// One blank line between the charts and the host lines.
			ch = min((spare-1)/n, 6)
		}
		for _, c := range charts {
			for _, l := range p.drawChart(c, ch, w) {
				body = append(body, statsLine{text: l})
			}
		}
		if len(body)+len(foot) < avail {
			body = append(body, statsLine{})
		}
		body = append(body, foot...)
	}
	lines := append(head, body...)
	if len(lines) > h {
		lines = lines[:h]
	}
	out := make([]string, h)
	for i := range out {
		var text string
		if i < len(lines) {
			text = lines[i].text
			p.lineIDs = append(p.lineIDs, lines[i].id)
		}
		out[i] = fitLine(text, w)
	}
	return strings.Join(out, "\n")
}

// head is the service's title and its containers: the selected one with
// every figure, the others on one line each, within max lines.
func (p *statsPane) head(rows []statsRow, cur, maxLines int) []statsLine {
	st := p.st
	if p.service == "" {
		return []statsLine{{text: st.Muted.Render("select a service to see its resources")}}
	}
	svc, ok := p.snap.Service(p.service)
	if !ok && len(rows) == 0 {
		return []statsLine{{text: st.Muted.Render("no service " + p.service)}}
	}
	title := st.Title.Render(p.service)
	switch {
	case len(rows) == 0:
		title += st.Muted.Render(" · " + svc.State + " · not running, nothing to measure")
	case svc.Running > 0:
		title += st.Muted.Render(fmt.Sprintf(" · running %d/%d", svc.Running, max(svc.Total, len(rows))))
	default:
		title += st.Muted.Render(" · " + cmp.Or(svc.State, stack.StateExited) + " · not running")
	}
	if len(rows) > 0 {
		if span := historySpan(rows[cur].u.History); span != "" {
			title += st.Dim.Render(" · last " + span)
		}
	}
	lines := []statsLine{{text: title}}
	var cont []statsLine
	first := 0
	for i, r := range rows {
		mark := "  "
		if len(rows) > 1 && i == cur {
			mark = st.Title.Render("▸ ")
		}
		segs := p.figures(r)
		if i != cur {
			// Only the selected container gets a second line.
			cont = append(cont, statsLine{text: mark + strings.Join(segs, "  "), id: r.c.ID})
			continue
		}
		first = len(cont)
		for _, l := range flow(mark, "    ", segs, "  ", p.width) {
			cont = append(cont, statsLine{text: l, id: r.c.ID})
		}
	}
	if room := maxLines - 1; len(cont) > room {
		// Keep the selected container's lines in view.
		start := min(first, max(len(cont)-room, 0))
		cont = cont[start : start+max(room, 0)]
	}
	return append(lines, cont...)
}

// figures are a container's `docker stats` columns, or why it has none.
func (p *statsPane) figures(r statsRow) []string {
	st := p.st
	segs := []string{st.Key.Render(r.c.Name)}
	if r.c.State != stack.StateRunning {
		state := r.c.State
		if r.c.State == stack.StateExited || r.c.State == stack.StateDead {
			state = fmt.Sprintf("%s %d", state, r.c.ExitCode)
			if r.c.OOMKilled {
				state += " (OOM killed)"
			}
		}
		return append(segs, st.Muted.Render(state+" · not measured"))
	}
	u := r.u
	if !r.known || u.Latest.Time.IsZero() {
		switch {
		case u.Err != "":
			return append(segs, st.Warn.Render("not measured: "+u.Err))
		case u.Source == resources.SourceNone:
			return append(segs, st.Muted.Render("not measured"))
		default:
			return append(segs, st.Muted.Render("measuring…"))
		}
	}
	l := u.Latest
	segs = append(segs,
		fmt.Sprintf("CPU %.1f%%", l.CPUPercent),
		memStyle(st, l.MemPercent()).Render(fmt.Sprintf("MEM %s / %s (%.0f%%)", byteSize(l.MemUsed, sizeMem), byteSize(l.MemLimit, sizeMem), l.MemPercent())),
		"NET "+byteSize(l.NetRx, sizeIO)+" / "+byteSize(l.NetTx, sizeIO),
		"BLOCK "+byteSize(l.BlkRead, sizeIO)+" / "+byteSize(l.BlkWrite, sizeIO),
		fmt.Sprintf("PIDS %d", l.Pids))
	switch {
	case u.GPUMemUnknown:
		segs = append(segs, "GPU MEM n/a")
	case u.GPUMem > 0:
		segs = append(segs, "GPU MEM "+byteSize(u.GPUMem, sizeMem))
	}
	if u.Err != "" {
		segs = append(segs, st.Warn.Render(u.Err))
	}
	return segs
}

// historySpan is how much time a history covers, as "4m10s".
func historySpan(h []resources.Point) string {
	if len(h) < 2 {
		return ""
	}
	return h[len(h)-1].Time.Sub(h[0].Time).Round(1e9).String()
}

// foot is the machine under the containers: host, engine, which memory
// limits the containers, and the GPUs.
func (p *statsPane) foot() []statsLine {
	st, w := p.st, p.width
	label := func(s string) string { return st.Muted.Render(fmt.Sprintf("%-7s ", s)) }
	const indent = "        "
	var out []string
	host := p.usage.Host
	if host.MemTotal > 0 {
		out = append(out, flow(label("host"), indent, []string{
			plural(host.CPUs, "CPU"), fmt.Sprintf("%.0f%% busy", host.CPUPercent),
			byteSize(host.MemTotal, sizeMem) + " memory", byteSize(host.MemAvailable, sizeMem) + " available",
		}, " · ", w)...)
	} else {
		out = append(out, label("host")+st.Muted.Render("not measured yet"))
	}
	e := p.engine
	if e.OS != "" || e.MemTotal > 0 {
		var segs []string
		if e.OS != "" {
			segs = append(segs, e.Platform())
		}
		if e.MemTotal > 0 {
			segs = append(segs, byteSize(e.MemTotal, sizeMem)+" memory")
		}
		segs = append(segs, gpuRuntime(st, e))
		out = append(out, flow(label("engine"), indent, segs, " · ", w)...)
	}
	if mb := probes.ContainerMemory(host.Host, e); mb.Bytes > 0 {
		if mb.Note != "" {
			words := strings.Fields(mb.Note)
			for i := range words {
				words[i] = st.Warn.Render(words[i])
			}
			out = append(out, flow(label("memory"), indent, words, " ", w)...)
		} else {
			out = append(out, label("memory")+"containers share this host's "+byteSize(mb.Bytes, sizeMem))
		}
	}
	out = append(out, p.gpuLines(label, indent)...)
	lines := make([]statsLine, len(out))
	for i, l := range out {
		lines[i] = statsLine{text: l}
	}
	return lines
}

// gpuRuntime says whether the engine can give containers a GPU.
func gpuRuntime(st themes.Styles, e stack.EngineInfo) string {
	switch {
	case slices.Contains(e.Runtimes, "nvidia"):
		return st.OK.Render("GPU usable (nvidia runtime)")
	case e.GPUCapable():
		return st.OK.Render("GPU usable (CDI)")
	case e.OS == "":
		return st.Muted.Render("GPU support unknown")
	}
	return st.Muted.Render("no GPU runtime")
}

// gpuLines are one line per GPU, or the one status that explains why there
// are none. The status is a state, shown once, not an error per query.
func (p *statsPane) gpuLines(label func(string) string, indent string) []string {
	st, r := p.st, p.usage.GPU
	switch r.Status {
	case "":
		return []string{label("GPU") + st.Muted.Render("not read yet (read while containers run)")}
	case gpu.StatusOK:
	case gpu.StatusFailed:
		return []string{label("GPU") + st.Warn.Render(cmp.Or(string(r.Status)+": "+r.Detail, string(r.Status)))}
	default:
		return []string{label("GPU") + st.Muted.Render(string(r.Status))}
	}
	if len(r.GPUs) == 0 {
		return []string{label("GPU") + st.Muted.Render(string(gpu.StatusNoGPU))}
	}
	var out []string
	for _, g := range r.GPUs {
		segs := []string{g.Name,
			optf(g.UtilPercent, "%.0f%% util", "util n/a"),
			optBytes(g.MemUsed) + " / " + optBytes(g.MemTotal),
			optf(g.TempC, "%.0f°C", "temp n/a"),
			optf(g.PowerW, "%.0f W", "power n/a"),
		}
		out = append(out, flow(label(fmt.Sprintf("GPU %d", g.Index)), indent, segs, " · ", p.width)...)
	}
	return out
}
