package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
	"github.com/stackui/stackui/ui/logbuf"
)

// LogsOptions configure the logs pane.
type LogsOptions struct {
	// Streamer follows container logs (*docker.Client); nil shows only
	// what is put in the store, as in tests.
	Streamer LogStreamer
	// Capacity is the number of lines kept per service (and for all
	// services merged); logbuf.DefaultCapacity when 0.
	Capacity int
	// ByteBudget caps the text kept per service (and merged), in bytes;
	// logbuf.DefaultByteBudget when 0.
	ByteBudget int64
	// TotalBytes caps what the services' buffers hold together, in bytes
	// with logbuf.LineOverhead per line; logbuf.DefaultTotalBytes when 0.
	TotalBytes int64
	// SaveDir is where ctrl-s writes; "" is the current directory.
	SaveDir string
	// Now names saved files; time.Now when nil.
	Now func() time.Time
	// FrameDelay coalesces redraws (logFrameDelay when 0).
	FrameDelay time.Duration
	// FrameInterval is the least time between two redraws for new lines
	// (logFrameInterval when 0, none when < 0).
	FrameInterval time.Duration
}

// logsPane shows the logs of the selected service, or of all services
// merged with coloured name prefixes as `docker compose logs` shows them.
// It follows the end until scrolled up, and searches, filters, wraps, shows
// timestamps, clears and saves what it shows.
type logsPane struct {
	st      themes.Styles
	keys    *keyMap
	opts    LogsOptions
	store   *logbuf.Store
	streams *logStreams // nil without a streamer
	done    chan struct{}
	decor   logbuf.Decor

	snap    stack.Snapshot
	service string // selected service
	all     bool

	width, height int
	pos           logbuf.Pos
	wrap, stamps  bool
	filter        bool
	query         logbuf.Query
	current       int64 // absolute index of the current match's line; -1: none
	searching     bool
	before        logbuf.Query // the query when the search input opened, for esc
	input         textinput.Model
	note          string // a transient remark for the status line
	death         deathView
	rows          []string
	lastFrame     time.Time // when the last logsChangedMsg was sent
}

func newLogsPane(st themes.Styles, keys *keyMap, o LogsOptions) *logsPane {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.FrameDelay == 0 {
		o.FrameDelay = logFrameDelay
	}
	if o.FrameInterval == 0 {
		o.FrameInterval = logFrameInterval
	}
	in := textinput.New()
	in.Prompt = "/"
	in.Placeholder = "search"
	m := &logsPane{
		st:      st,
		keys:    keys,
		opts:    o,
		store:   logbuf.NewStore(logbuf.Options{Capacity: o.Capacity, ByteBudget: o.ByteBudget, TotalBytes: o.TotalBytes}),
		done:    make(chan struct{}),
		decor:   decorFor(st),
		pos:     logbuf.Pos{Follow: true},
		current: -1,
		input:   in,
	}
	if o.Streamer != nil {
		m.streams = newLogStreams(o.Streamer, m.store)
	}
	return m
}

// decorFor renders the theme's styles into the escape strings logbuf
// splices around text, once.
func decorFor(st themes.Styles) logbuf.Decor {
	d := logbuf.Decor{
		Time:    spanOf(st.Dim),
		Note:    spanOf(st.Warn),
		Match:   spanOf(st.Match),
		Current: spanOf(st.MatchCurrent),
		Mark:    spanOf(st.Mark),
	}
	for _, p := range st.Prefixes {
		d.Prefixes = append(d.Prefixes, spanOf(p))
	}
	return d
}

func spanOf(s lipgloss.Style) logbuf.Span {
	r := s.Render("x")
	i := strings.LastIndex(r, "x")
	if i < 0 {
		return logbuf.Span{}
	}
	return logbuf.Span{Open: r[:i], Close: r[i+1:]}
}

// Init starts waiting for log lines.
func (m *logsPane) Init() tea.Cmd { return m.wait() }

func (m *logsPane) wait() tea.Cmd {
	return waitLogs(m.store.Changed(), m.done, m.opts.FrameDelay, m.lastFrame.Add(m.opts.FrameInterval))
}

// Close stops every log stream; the pane shows nothing new afterwards.
func (m *logsPane) Close() {
	select {
	case <-m.done:
		return
	default:
		close(m.done)
	}
	if m.streams != nil {
		m.streams.Close()
	}
}

// SetSnapshot takes new live state: it starts and stops log streams as
// containers come, go and restart.
func (m *logsPane) SetSnapshot(s stack.Snapshot) tea.Cmd {
	m.snap = s
	m.sync()
	return nil
}

// Title is the tab's name.
func (m *logsPane) Title() string { return "logs" }

// ShortHelp is the footer's hints while the tab has the focus.
func (m *logsPane) ShortHelp() hints {
	k := m.keys
	return hints{k.Search, k.Filter, k.Timestamps, k.Wrap, k.AllLogs, k.Bottom, k.NextTab, k.NextPane, k.Command, k.Help, k.Quit}
}

// Bindings are the pane's own keys, which also work from the services
// list (they share no key with it).
func (m *logsPane) Bindings() []*Binding {
	k := m.keys
	return []*Binding{&k.Search, &k.NextMatch, &k.PrevMatch, &k.Filter, &k.Timestamps, &k.Wrap, &k.AllLogs, &k.Clear, &k.Save}
}

// SetService selects the service whose logs are shown (unless all are).
func (m *logsPane) SetService(name string) {
	if name == m.service {
		return
	}
	m.service = name
	if !m.all {
		m.reset()
	}
	m.sync()
}

// SetAll shows every service merged (true) or the selected one (false), as
// the a key toggles; for the command line's `:logs all`.
func (m *logsPane) SetAll(all bool) {
	if all == m.all {
		return
	}
	m.all = all
	m.reset()
	m.sync()
}

func (m *logsPane) sync() {
	if m.streams != nil {
		m.streams.Sync(m.snap, m.service, m.all)
	}
}

// reset follows the end of a newly shown buffer; a jump's marks belong
// to what was shown before.
func (m *logsPane) reset() {
	m.pos, m.current = logbuf.Pos{Follow: true}, -1
	m.death = deathView{}
}

// SetStyles switches the styles, once the terminal's background is known.
func (m *logsPane) SetStyles(st themes.Styles) {
	m.st = st
	m.decor = decorFor(st)
}

// Capturing reports whether the pane takes every key (the search input is
// open), so the root must not act on q, tab or esc itself.
func (m *logsPane) Capturing() bool { return m.searching }

// SetSize gives the pane its size; the last row is the status or search
// line.
func (m *logsPane) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.SetWidth(max(w-2, 1))
}

// view is what the store is asked to show.
func (m *logsPane) view() logbuf.View {
	return logbuf.View{
		Service:    m.service,
		All:        m.all,
		Query:      m.query,
		Filter:     m.filter,
		Width:      max(m.width, 1),
		Rows:       max(m.height-1, 1),
		Wrap:       m.wrap,
		Timestamps: m.stamps,
		Marks:      m.death.marks,
	}
}

// Update handles keys, the mouse wheel and new lines.
func (m *logsPane) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case logsChangedMsg:
		m.lastFrame = msg.at
		m.linesArrived()
		return m.wait()
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.scroll(-3)
		case tea.MouseWheelDown:
			m.scroll(3)
		}
	case tea.KeyPressMsg:
		if m.searching {
			return m.searchKey(msg)
		}
		return m.key(msg)
	}
	if m.searching {
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		return cmd
	}
	return nil
}

func (m *logsPane) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	m.note = ""
	page := max(m.height-2, 1)
	switch {
	case on(msg, k.Search):
		return m.openSearch()
	case on(msg, k.NextMatch):
		m.jump(1)
	case on(msg, k.PrevMatch):
		m.jump(-1)
	case on(msg, k.Filter):
		if m.query.Empty() {
			m.filter = true
			return m.openSearch()
		}
		m.filter = !m.filter
		m.reset()
	case on(msg, k.Timestamps):
		m.stamps = !m.stamps
	case on(msg, k.Wrap):
		m.wrap = !m.wrap
	case on(msg, k.AllLogs):
		m.SetAll(!m.all)
	case on(msg, k.Clear):
		m.store.Clear(m.view())
		m.reset()
	case on(msg, k.Save):
		return m.save()
	case on(msg, k.Up):
		m.scroll(-1)
	case on(msg, k.Down):
		m.scroll(1)
	case on(msg, k.PageUp):
		m.scroll(-page)
	case on(msg, k.PageDown):
		m.scroll(page)
	case on(msg, k.Top):
		m.scroll(-1 << 30)
	case on(msg, k.Bottom):
		m.follow()
	case on(msg, k.Back):
		switch {
		case !m.query.Empty():
			m.query, m.filter, m.current = logbuf.Query{}, false, -1
		case m.death.marks != nil || m.death.active:
			m.follow()
			m.death, m.current = deathView{}, -1
		}
	}
	return nil
}

func (m *logsPane) scroll(delta int) {
	m.moved()
	m.pos = m.store.Scroll(m.view(), m.pos, delta)
}

// View renders the page and the status (or search) line.
func (m *logsPane) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	v := m.view()
	rows, info := m.store.Render(v, m.pos, m.current, &m.decor, m.rows)
	m.rows = rows
	if m.height == 1 {
		return m.status(info)
	}
	var b strings.Builder
	if info.Lines == 0 {
		b.WriteString(m.st.Dim.Render(ansi.Truncate(m.empty(), m.width, "…")))
		b.WriteByte('\n')
		for range v.Rows - 1 {
			b.WriteByte('\n')
		}
	} else {
		for _, r := range rows {
			b.WriteString(r)
			b.WriteByte('\n')
		}
		for range v.Rows - len(rows) {
			b.WriteByte('\n')
		}
	}
	if m.searching {
		b.WriteString(ansi.Truncate(m.input.View(), m.width, ""))
	} else {
		b.WriteString(m.status(info))
	}
	return b.String()
}

// empty says why there is nothing to show.
func (m *logsPane) empty() string {
	e := m.snap.Engine
	switch {
	case !e.Reachable && e.Err != nil:
		return "engine unreachable: " + e.Err.Error() + " (logs resume when it answers)"
	case m.filter && !m.query.Empty():
		return "no lines match “" + m.query.String() + "”"
	case m.all:
		return "no log lines yet"
	case m.service == "":
		return "select a service to see its logs"
	case m.death.pending:
		return "loading " + m.service + "'s logs…"
	}
	if ss, ok := m.snap.Service(m.service); ok && len(ss.Containers) == 0 {
		return m.service + " has no containers (u starts it)"
	}
	return "no log lines from " + m.service + " yet"
}

// status is the pane's bottom line: what is shown, follow or paused, the
// toggles, the search.
func (m *logsPane) status(info logbuf.PageInfo) string {
	parts := []string{m.service}
	if m.all || m.service == "" {
		parts[0] = "all services"
	}
	head, marks := m.deathStatus(info)
	if head != "" {
		parts[0] = head
	}
	switch {
	case head != "":
		parts = append(parts, "G follows") // the head says it is paused
	case info.AtEnd && m.pos.Follow:
		parts = append(parts, "following")
	default:
		parts = append(parts, "paused (G follows)")
	}
	for _, t := range []struct {
		on   bool
		name string
	}{{m.filter && !m.query.Empty(), "filter"}, {m.wrap, "wrap"}, {m.stamps, "time"}} {
		if t.on {
			parts = append(parts, t.name)
		}
	}
	if !m.query.Empty() {
		s := fmt.Sprintf("/%s %d", m.query.String(), info.Matches)
		if info.Match > 0 {
			s = fmt.Sprintf("/%s %d/%d", m.query.String(), info.Match, info.Matches)
		}
		parts = append(parts, s)
	}
	if marks != "" {
		parts = append(parts, marks)
	}
	if e := m.snap.Engine; !e.Reachable && e.Err != nil {
		parts = append(parts, "engine unreachable")
	}
	if m.note != "" {
		parts = append(parts, m.note)
	}
	return m.st.Muted.Render(ansi.Truncate(strings.Join(parts, " · "), m.width, "…"))
}
