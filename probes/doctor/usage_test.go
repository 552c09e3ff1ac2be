package doctor

import (
	"testing"
	"time"

	"github.com/stackui/stackui/probes/resources"
)

func TestAddUsage(t *testing.T) {
	pts := func(mibs ...uint64) []resources.Point {
		out := make([]resources.Point, len(mibs))
		for i, m := range mibs {
			out[i] = resources.Point{Time: t0.Add(time.Duration(i) * time.Second), MemUsed: m << 20}
		}
		return out
	}
	snap := resources.Snapshot{Containers: []resources.ContainerUsage{
		{Name: "p-hog-1", Service: "hog", History: pts(10, 30, 50)},
		{Name: "p-hog-2", Service: "hog", History: pts(5, 6)},
		{Name: "p-gpu-1", Service: "gpu", GPUMem: uint64(3 * gib), History: pts(100, 100)},
		{Name: "p-mig-1", Service: "mig", GPUMemUnknown: true},
	}}
	o := Options{PeakMem: map[string]uint64{"gpu": 7}}
	o.AddUsage("p", snap)
	if o.PeakMem["hog"] != 50<<20 || o.MemGrowth["hog"] != float64(20<<20) {
		t.Errorf("hog: peak %d, growth %v", o.PeakMem["hog"], o.MemGrowth["hog"])
	}
	if o.PeakMem["gpu"] != 7 {
		t.Errorf("the caller's peak was replaced: %d", o.PeakMem["gpu"])
	}
	if _, ok := o.MemGrowth["gpu"]; ok {
		t.Error("a flat history has no growth")
	}
	if len(o.GPUUsers) != 1 || o.GPUUsers[0] != (GPUUser{Container: "p-gpu-1", Project: "p", Service: "gpu", Bytes: uint64(3 * gib)}) {
		t.Errorf("GPU users %+v", o.GPUUsers)
	}
}
