package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/themes"
)

// helpOverlay lists every binding, grouped, generated from the key map, so
// it can never disagree with what the keys do.
type helpOverlay struct {
	st     themes.Styles
	keys   *keyMap
	top    int
	width  int
	height int
}

func newHelpOverlay(st themes.Styles, keys *keyMap) *helpOverlay {
	return &helpOverlay{st: st, keys: keys}
}

func (h *helpOverlay) SetSize(w, ht int) { h.width, h.height = w, ht }

// Update scrolls, and closes on esc, ? or q.
func (h *helpOverlay) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return nil
	}
	switch {
	case on(k, h.keys.Back), on(k, h.keys.Help), on(k, h.keys.Quit):
		return closeOverlay
	case on(k, h.keys.Down):
		h.top = min(h.top+1, max(len(h.lines())-h.height, 0))
	case on(k, h.keys.Up):
		h.top = max(h.top-1, 0)
	}
	return nil
}

// lines renders the bindings in columns of groups that fit the width.
func (h *helpOverlay) lines() []string {
	type entry struct {
		keys, desc string
		why        string
	}
	var groups [][]entry
	var names []string
	for _, b := range h.keys.all() {
		if len(names) == 0 || names[len(names)-1] != b.Group {
			names = append(names, b.Group)
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], entry{keysOf(b.Binding), b.Help().Desc, b.reason()})
	}
	// Each group is a block; blocks are laid side by side while they fit.
	var blocks [][]string
	for i, g := range groups {
		kw := 0
		for _, e := range g {
			kw = max(kw, ansi.StringWidth(e.keys))
		}
		block := []string{h.st.Header.Render(names[i])}
		for _, e := range g {
			l := h.st.Key.Render(e.keys+strings.Repeat(" ", kw-ansi.StringWidth(e.keys))) + "  " + e.desc
			if e.why != "" {
				l = h.st.Dim.Render(ansi.Strip(l) + " (" + e.why + ")")
			}
			block = append(block, l)
		}
		blocks = append(blocks, block)
	}
	blocks = append(blocks, []string{h.st.Header.Render("marks"),
		h.st.Warn.Render(driftMark) + "  drift: its configuration (under docker-compose 1.29 also its image) changed since the container was made; R recreates it"})
	return layoutColumns(blocks, max(h.width-4, 20))
}

// keysOf lists a binding's keys as the user types them.
func keysOf(b key.Binding) string {
	ks := b.Keys()
	out := make([]string, 0, len(ks))
	for _, k := range ks {
		switch k {
		case " ":
			k = "space"
		}
		out = append(out, k)
	}
	return strings.Join(out, "/")
}

// layoutColumns places blocks in columns left to right, wrapping to a new
// band of columns when the width is used up.
func layoutColumns(blocks [][]string, width int) []string {
	var out []string
	var band [][]string
	bandWidth := 0
	flush := func() {
		if len(band) == 0 {
			return
		}
		rows := 0
		widths := make([]int, len(band))
		for i, b := range band {
			rows = max(rows, len(b))
			for _, l := range b {
				widths[i] = max(widths[i], ansi.StringWidth(l))
			}
		}
		for r := 0; r < rows; r++ {
			var sb strings.Builder
			for i, b := range band {
				cell := ""
				if r < len(b) {
					cell = b[r]
				}
				sb.WriteString(cell)
				if i < len(band)-1 {
					sb.WriteString(strings.Repeat(" ", widths[i]-ansi.StringWidth(cell)+3))
				}
			}
			out = append(out, sb.String())
		}
		out = append(out, "")
		band, bandWidth = nil, 0
	}
	for _, b := range blocks {
		w := 0
		for _, l := range b {
			w = max(w, ansi.StringWidth(l))
		}
		if bandWidth > 0 && bandWidth+w+3 > width {
			flush()
		}
		band = append(band, b)
		bandWidth += w + 3
	}
	flush()
	return out
}

// View renders the overlay at its size.
func (h *helpOverlay) View() string {
	lines := h.lines()
	title := h.st.Title.Render("keys") + h.st.Muted.Render("  (esc closes; j/k scroll; config.yaml names them group.action, e.g. services.stop)")
	body := lines[min(h.top, len(lines)):]
	return title + "\n" + strings.Join(body, "\n")
}
