package ui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

// Inventory is where the resources view gets the project's images,
// volumes and networks (the backend, which `stackui resources` shares).
// The view asks only while it is open: the disk usage call behind it
// measures every volume.
type Inventory interface {
	// Resources without sizes skips the disk usage call (seconds on a
	// busy engine): volumes have Size -1. The view asks for both at once
	// and shows the quick answer until the measured one comes.
	Resources(ctx context.Context, p *stack.Project, sizes bool) (stack.Resources, error)
}

// VolumeRemover is the optional operation (found on Ops by type
// assertion) that deletes a volume and its data; it refuses one that a
// container mounts. The resources view asks for it only after the
// volume's name was typed out, and no doctor fix ever does.
type VolumeRemover interface {
	RemoveVolume(ctx context.Context, name string, onLine func(string)) error
}

// The resources view's sections.
type resourceSection int

const (
	secImages resourceSection = iota
	secVolumes
	secNetworks
	secCount
)

func (s resourceSection) String() string {
	return [...]string{"images", "volumes", "networks"}[s]
}

// resourcesMsg carries one look at the project's resources.
type resourcesMsg struct {
	seq int
	// sized: the answer with the disk usage's sizes.
	sized bool
	r     stack.Resources
	err   error
	at    time.Time
}

// resourcesView is the full-screen view of the project's images, volumes
// and networks (lazydocker's images and volumes panels, for one project):
// one section at a time, j/k to move, [ ] or tab to change section, esc
// back. It reads the engine when it opens and on ctrl+r, never on a timer.
type resourcesView struct {
	st      themes.Styles
	keys    *keyMap
	ctx     context.Context
	inv     Inventory
	project *stack.Project

	section resourceSection
	lists   [secCount]listView
	data    stack.Resources
	loaded  bool
	loading bool
	// measuring: the answer with sizes is still to come.
	measuring bool
	seq       int
	err       error
	at        time.Time
	// now is the clock image ages are told by; tests fix it.
	now func() time.Time
	// note is the answer to the last key: a refused removal, its result.
	note    string
	noteErr bool
	closed  bool

	width, height int
}

func newResourcesView(ctx context.Context, st themes.Styles, keys *keyMap, inv Inventory, p *stack.Project) *resourcesView {
	return &resourcesView{ctx: ctx, st: st, keys: keys, inv: inv, project: p, now: time.Now}
}

// fetch asks for the resources off the UI goroutine.
func (v *resourcesView) fetch() tea.Cmd {
	if v.inv == nil || v.project == nil {
		v.err = errNoEngineView
		return nil
	}
	v.seq++
	v.loading, v.measuring = true, true
	seq, inv, p, ctx := v.seq, v.inv, v.project, v.ctx
	look := func(sized bool) tea.Cmd {
		return func() tea.Msg {
			r, err := inv.Resources(ctx, p, sized)
			return resourcesMsg{seq: seq, sized: sized, r: r, err: err, at: time.Now()}
		}
	}
	return tea.Batch(look(false), look(true))
}

func (v *resourcesView) SetSize(w, h int) { v.width, v.height = w, h }

func (v *resourcesView) done() bool { return v.closed }

// Update takes the engine's answers and the view's keys.
func (v *resourcesView) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case resourcesMsg:
		if msg.seq != v.seq || (!msg.sized && !v.measuring) {
			return nil // older, or quicker but later than the measured one
		}
		v.loading = false
		if msg.sized {
			v.measuring = false
		}
		v.err = msg.err
		if msg.err == nil {
			v.data, v.loaded, v.at = msg.r, true, msg.at
		}
	case actionDoneMsg:
		// The root hands over the end of a volume's removal.
		if msg.err != nil {
			v.note, v.noteErr = "✗ "+msg.err.Error(), true
			return nil
		}
		v.note, v.noteErr = "volume "+msg.act.volume+" removed", false
		return v.fetch()
	case tea.KeyPressMsg:
		return v.key(msg)
	}
	return nil
}

func (v *resourcesView) key(msg tea.KeyPressMsg) tea.Cmd {
	k := v.keys
	l := &v.lists[v.section]
	n := v.rowCount()
	if on(msg, k.Back) || on(msg, k.Quit) || on(msg, k.Resources) {
		v.closed = true
		return nil
	}
	if d, ok := moveKey(msg, k, max(v.height-4, 1), n); ok {
		l.move(d, n)
		return nil
	}
	switch {
	case on(msg, k.NextTab), on(msg, k.NextPane):
		v.section = (v.section + 1) % secCount
	case on(msg, k.PrevTab), on(msg, k.PrevPane):
		v.section = (v.section + secCount - 1) % secCount
	case on(msg, k.Reload):
		v.note = ""
		return v.fetch()
	case on(msg, k.Remove):
		return v.removeVolume()
	}
	return nil
}

// removeVolume asks to delete the selected volume: refused at once while
// a container mounts it; otherwise only once its name is typed.
func (v *resourcesView) removeVolume() tea.Cmd {
	if v.section != secVolumes {
		v.note, v.noteErr = "d removes a volume: switch to volumes with ]", true
		return nil
	}
	c := v.lists[secVolumes].cursor
	if c < 0 || c >= len(v.data.Volumes) {
		return nil
	}
	vol := v.data.Volumes[c]
	switch {
	case vol.Missing:
		v.note, v.noteErr = "volume "+vol.Name+" is not created; there is nothing to remove", true
		return nil
	case len(vol.Containers) > 0:
		v.note, v.noteErr = "volume "+vol.Name+" is in use by "+strings.Join(vol.Containers, ", ")+
			"; remove the container first (d on the service, or :down)", true
		return nil
	}
	req := confirmRequestMsg{
		act:    action{kind: actRemoveVolume, volume: vol.Name},
		prompt: "DELETE volume " + vol.Name + " and all its data? This cannot be undone.",
		typed:  vol.Name, what: "the volume's name",
	}
	return func() tea.Msg { return req }
}

func (v *resourcesView) rowCount() int {
	switch v.section {
	case secImages:
		return len(v.data.Images)
	case secVolumes:
		return len(v.data.Volumes)
	}
	return len(v.data.Networks)
}

// ShortHelp is the footer's hints while the view is open.
func (v *resourcesView) ShortHelp() hints {
	k := v.keys
	h := hints{k.Down, withHelp(k.NextTab, "next section")}
	if v.section == secVolumes {
		h = append(h, withHelp(k.Remove, "remove volume (type its name)"))
	}
	return append(h, withHelp(k.Reload, "refresh"), withHelp(k.Back, "back"))
}

// withHelp is b with another description, for a key that means something
// else in a view.
func withHelp(b Binding, desc string) Binding {
	b.SetHelp(b.Help().Key, desc)
	b.Disabled = nil
	return b
}

// View renders the section tabs, the table and a line about the selected
// row (its services and mountpoint in full).
func (v *resourcesView) View() string {
	st, w := v.st, v.width
	title := st.Title.Render("resources")
	if v.project != nil {
		title += st.Muted.Render(" · " + clean(v.project.Name))
	}
	counts := [secCount]int{len(v.data.Images), len(v.data.Volumes), len(v.data.Networks)}
	for s := range secCount {
		name := s.String()
		if v.loaded {
			name += " (" + itoa(counts[s]) + ")"
		}
		if s == v.section {
			title += "  " + st.Title.Render("▌"+name)
		} else {
			title += "  " + st.Dim.Render(" "+name)
		}
	}
	if v.data.Platform != "" {
		title += st.Muted.Render("   engine " + clean(v.data.Platform))
	}
	lines := []string{ansi.Truncate(title, w, "…")}
	status := ""
	switch {
	case v.err != nil:
		status = st.Bad.Render(clean(v.err.Error()))
	case v.loading && !v.loaded:
		status = st.Muted.Render("asking the engine…")
	case v.note != "" && v.noteErr:
		status = st.Bad.Render(clean(v.note))
	case v.note != "":
		status = st.OK.Render(clean(v.note))
	case v.measuring:
		status = st.Muted.Render("measuring volume sizes (the engine's disk usage; seconds on a busy engine)…")
	case v.loading:
		status = st.Muted.Render("refreshing…")
	case v.loaded:
		status = st.Muted.Render("as of " + v.at.Format("15:04:05") + " · ctrl+r refreshes")
	}
	lines = append(lines, ansi.Truncate(status, w, "…"))
	cols, rows, detail := v.table()
	// The selected row in full (a big project's image serves dozens of
	// services), on up to three lines under the table.
	more := detailLines(clean(detail), w, 3)
	body := max(v.height-len(lines)-len(more), 2)
	lines = append(lines, v.lists[v.section].render(st, cols, rows, w, body)...)
	if v.loaded && len(rows) == 0 {
		lines = append(lines, st.Muted.Render(ansi.Truncate(emptySection[v.section], w, "…")))
	}
	for len(lines) < v.height-len(more) {
		lines = append(lines, "")
	}
	for _, l := range more {
		lines = append(lines, st.Muted.Render(l))
	}
	return strings.Join(lines, "\n")
}

// table is the current section as columns and rows, and the line about
// the selected row.
func (v *resourcesView) table() ([]column, [][]string, string) {
	st := v.st
	cur := v.lists[v.section].cursor
	var rows [][]string
	detail := ""
	switch v.section {
	case secImages:
		cols := []column{{"IMAGE", 48}, {"ID", 12}, {"SIZE", 10}, {"CREATED", 20}, {"PLATFORM", 24}, {"SERVICES", 0}}
		for i, img := range v.data.Images {
			plat, size, created := img.Platform, stack.DiskSize(img.Size), img.Age(v.now())
			if img.Foreign {
				plat = st.Warn.Render(clean(plat) + " ≠ engine")
			}
			if img.Missing {
				size, created, plat = st.Warn.Render("not on the engine"), "-", "-"
			}
			name := img.Label()
			if img.Dangling {
				name = st.Warn.Render(clean(name))
			}
			rows = append(rows, []string{name, dashIf(img.ShortID()), size, created, dashIf(plat), strings.Join(img.Services, ", ")})
			if i == cur {
				detail = img.Label() + " · " + plural(len(img.Services), "service") + ": " + strings.Join(img.Services, ", ")
			}
		}
		return cols, rows, detail
	case secVolumes:
		cols := []column{{"VOLUME", 48}, {"SIZE", 11}, {"DRIVER", 10}, {"SERVICES", 30}, {"USED BY", 30}, {"MOUNTPOINT", 0}}
		for i, vol := range v.data.Volumes {
			size := stack.DiskSize(vol.Size)
			if vol.Size < 0 && v.measuring {
				size = st.Muted.Render("measuring…")
			}
			if vol.Missing {
				size = st.Muted.Render("not created")
			}
			rows = append(rows, []string{vol.Name, size, dashIf(vol.Driver), dashIf(strings.Join(vol.Services, ", ")),
				dashIf(strings.Join(vol.Containers, ", ")), dashIf(vol.Mountpoint)})
			if i == cur {
				detail = vol.Name + " at " + dashIf(vol.Mountpoint) + " · used by " + dashIf(strings.Join(vol.Containers, ", "))
			}
		}
		return cols, rows, detail
	}
	cols := []column{{"NETWORK", 48}, {"DRIVER", 10}, {"SUBNET", 20}, {"SERVICES", 0}}
	for i, n := range v.data.Networks {
		driver := n.Driver
		if n.Missing {
			driver = st.Muted.Render("not created")
		}
		rows = append(rows, []string{n.Name, dashIf(driver), dashIf(strings.Join(n.Subnets, ", ")), strings.Join(n.Services, ", ")})
		if i == cur {
			detail = n.Name + " · " + plural(len(n.Services), "service") + ": " + strings.Join(n.Services, ", ")
		}
	}
	return cols, rows, detail
}

// detailLines wraps s to w cells on at most n lines, the last cut with …
// when more would be needed; always at least one line.
func detailLines(s string, w, n int) []string {
	if w <= 0 {
		return []string{s}
	}
	out := strings.Split(ansi.Wrap(s, w, ""), "\n")
	if len(out) > n {
		out = out[:n]
		out[n-1] = ansi.Truncate(out[n-1], max(w-1, 1), "") + "…"
	}
	return out
}

// emptySection says what an empty section means.
var emptySection = [secCount]string{
	secImages:   "no images: the services name none",
	secVolumes:  "no volumes: the compose files declare none, and no container of the project mounts one",
	secNetworks: "no networks: none is declared, and no container of the project is attached to one",
}

func dashIf(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
