package ui

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/stackui/stackui/stack"
	"github.com/stackui/stackui/themes"
)

func benchView(b *testing.B, key string, inv *fakeInventory) {
	m := New(&fakeSource{snap: demoSnapshot(), ch: make(chan struct{}, 1)},
		Options{Styles: themes.Build(themes.Default(), true, false), Inventory: inv, Projects: inv})
	m = asModel(m.Update(tea.WindowSizeMsg{Width: 200, Height: 50}))
	m, cmd := asModel2(m.Update(actKey(key)))
	msgs := []tea.Msg{cmd()}
	if batch, ok := msgs[0].(tea.BatchMsg); ok {
		msgs = msgs[:0]
		for _, c := range batch {
			msgs = append(msgs, c())
		}
	}
	for _, msg := range msgs {
		m = asModel(m.Update(msg))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = m.View()
	}
}

// manyResources is a big project's worth: 60 images, 40 volumes, 10
// networks.
func manyResources() stack.Resources {
	r := stack.Resources{Project: "big", Platform: "linux/amd64"}
	for i := range 60 {
		r.Images = append(r.Images, stack.Image{ID: fmt.Sprintf("sha256:%064d", i), Ref: fmt.Sprintf("registry.example/team/service-%02d:1.2.%d", i, i),
			Size: int64(i) * 10_000_000, Created: benchNow, Platform: "linux/amd64", Services: []string{fmt.Sprintf("service-%02d", i)}})
	}
	for i := range 40 {
		r.Volumes = append(r.Volumes, stack.Volume{Name: fmt.Sprintf("big_data-%02d", i), Driver: "local", Size: int64(i) << 20,
			Mountpoint: fmt.Sprintf("/var/lib/docker/volumes/big_data-%02d/_data", i), Services: []string{"db"}, Containers: []string{"big_db_1"}})
	}
	for i := range 10 {
		r.Networks = append(r.Networks, stack.Network{Name: fmt.Sprintf("big_net-%d", i), Driver: "bridge", Subnets: []string{"172.20.0.0/16"}, Services: []string{"a", "b"}})
	}
	return r
}

// BenchmarkResourcesView renders a whole frame with the resources view
// open on 60 images, at 200×50 with colours.
func BenchmarkResourcesView(b *testing.B) {
	benchView(b, "i", &fakeInventory{res: manyResources()})
}

// BenchmarkProjectsView renders a whole frame with the projects view open
// on 40 projects, at 200×50 with colours.
func BenchmarkProjectsView(b *testing.B) {
	var ps []stack.ProjectSummary
	for i := range 40 {
		ps = append(ps, stack.ProjectSummary{Name: fmt.Sprintf("project-%02d", i), WorkingDir: fmt.Sprintf("/home/me/src/project-%02d", i),
			Files: []string{"compose.yaml"}, States: map[string]int{"running": i % 5, "exited": i % 3}})
	}
	benchView(b, "P", &fakeInventory{projects: ps})
}
