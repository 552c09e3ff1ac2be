package resources

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackui/stackui/stack"
)

// BenchmarkSampleSecond100 is the sampler's work in one second with 100
// running containers (issue 11, item 12): one cgroup sample of each (their
// files kept open) and the snapshot published to the UI, with five
// minutes of history each. The cgroup files are a recorded v1 tree,
// copied per container.
func BenchmarkSampleSecond100(b *testing.B) {
	const n = 100
	files := map[string]string{}
	var cs []stack.Container
	for i := range n {
		id := fmt.Sprintf("%064x", i+1)
		pid := 10_000 + i
		for p, content := range v1Host {
			if p == "proc/self/mountinfo" && i > 0 {
				continue
			}
			p = strings.ReplaceAll(strings.ReplaceAll(p, testID, id), "7678", fmt.Sprint(pid))
			files[p] = strings.ReplaceAll(content, testID, id)
		}
		cs = append(cs, stack.Container{ID: id, Name: fmt.Sprintf("p-svc%03d-1", i+1), Service: fmt.Sprintf("svc%03d", i+1), Number: 1, State: stack.StateRunning, Pid: pid})
	}
	root := fakeTree(b, files)
	s := NewSampler(Options{Local: true, ProcRoot: filepath.Join(root, "proc"), MemTotal: 1 << 34})
	p := &stack.Project{Name: "p"}
	for _, c := range cs {
		p.Services = append(p.Services, stack.Service{Name: c.Service, Enabled: true})
	}
	s.Update(stack.SnapshotOf(p, stack.EngineStatus{Reachable: true}, cs))
	s.reconcile(context.Background())
	if len(s.tracked) != n || !s.anyCgroupRunning() {
		b.Fatalf("%d containers tracked", len(s.tracked))
	}
	defer func() {
		for _, t := range s.tracked {
			t.dropFiles()
		}
	}()
	// Fill the history, as after five minutes.
	for _, t := range s.tracked {
		for j := range DefaultHistory {
			t.hist.add(Point{Time: time.Unix(int64(j), 0)})
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for _, t := range s.tracked {
			t.prev.Time = t.prev.Time.Add(-time.Second) // a second has passed
		}
		s.sampleCgroups()
		s.publish()
	}
	b.StopTimer()
	if c, ok := s.Snapshot().Container(cs[0].ID); !ok || c.Latest.MemUsed == 0 {
		b.Fatalf("not measured: %+v", c.Latest)
	}
}
