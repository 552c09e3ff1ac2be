package ui

import (
	"slices"

	"github.com/charmbracelet/x/ansi"

	"github.com/stackui/stackui/stack"
)

// row is either a group header or a service listed under one. A service
// with several profiles is listed under each, as compose enables it
// through any of them; its rows all act on the one service.
type row struct {
	// header names the group: a profile (the empty profile "" included),
	// or nothing with always set.
	header string
	// always marks the group of services without profiles.
	always  bool
	on      bool
	service *stack.ServiceState
}

// sameRow says whether b is where a was: the same service under the same
// group, or the same header.
func sameRow(a, b row) bool {
	if (a.service == nil) != (b.service == nil) || a.header != b.header || a.always != b.always {
		return false
	}
	return a.service == nil || a.service.Service.Name == b.service.Service.Name
}

// groupRows orders the services: those without profiles first ("always
// on"), then one group per profile, sorted, each service under every
// profile it names. A group is on when compose would enable its services:
// its profile is active, or, for the empty profile "" (which compose
// matches when no profile is chosen), no profile is.
func groupRows(s stack.Snapshot) []row {
	groups := map[string][]int{}
	var always []int
	var names []string
	for i, svc := range s.Services {
		if len(svc.Service.Profiles) == 0 {
			always = append(always, i)
			continue
		}
		for _, prof := range svc.Service.Profiles {
			if _, seen := groups[prof]; !seen {
				names = append(names, prof)
			}
			if !slices.Contains(groups[prof], i) {
				groups[prof] = append(groups[prof], i)
			}
		}
	}
	var rows []row
	if len(always) > 0 {
		rows = append(rows, row{always: true, on: true})
		for _, i := range always {
			rows = append(rows, row{always: true, on: true, service: &s.Services[i]})
		}
	}
	slices.Sort(names)
	for _, name := range names {
		on := s.Project != nil && stack.ProfileOn(s.Project, name)
		rows = append(rows, row{header: name, on: on})
		for _, i := range groups[name] {
			rows = append(rows, row{header: name, on: on, service: &s.Services[i]})
		}
	}
	return rows
}

// profileLabel names a profile for people: the empty profile "" is
// compose's default, on when no profile is chosen.
func profileLabel(name string) string {
	if name == "" {
		return `default ("" profile)`
	}
	return name
}

func (p *servicesPane) headerLine(r row) string {
	if r.always {
		return p.st.Header.Render("always on")
	}
	if r.on {
		return p.st.HeaderOn.Render("● " + profileLabel(r.header) + " (on)")
	}
	return p.st.HeaderOff.Render("○ " + profileLabel(r.header) + " (off)")
}

// driftMark marks a service whose containers were made from another
// configuration than the files give now (stack.ServiceState.Drift).
const driftMark = "≠ drift"

// serviceCounts count the project's services (not rows: a service of two
// profiles is listed twice) by state, for the pane's title.
type serviceCounts struct{ running, exited, missing int }

func countServices(s stack.Snapshot) serviceCounts {
	var c serviceCounts
	for _, st := range s.Services {
		switch st.State {
		case stack.StateRunning:
			c.running++
		case stack.StateExited, stack.StateDead:
			c.exited++
		case stack.StateMissing:
			c.missing++
		}
	}
	return c
}

// title is the pane's title row: its name and the counts.
// The title is kept while what it shows is the same: it is part of every
// frame, and the frames of the merged logs change only the logs.
func (p *servicesPane) title(focused bool) string {
	key := servicesTitleKey{counts: p.counts, gen: p.gen, width: p.width, focused: focused, ok: true}
	if key != p.titleFor {
		c := p.counts
		counts := itoa(c.running) + " running · " + itoa(c.exited) + " exited · " + itoa(c.missing) + " not created"
		p.titleOut = ansi.Truncate(paneTitle(p.st, "services", focused, p.width)+p.st.Muted.Render("  "+counts), p.width, "…")
		p.titleFor = key
	}
	return p.titleOut
}

// servicesTitleKey is what the services pane's title was made from.
type servicesTitleKey struct {
	counts     serviceCounts
	gen, width int
	focused    bool
	ok         bool
}
